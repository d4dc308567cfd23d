//! "Export all" of the runs table: one zip with a folder per run holding its latest checkpoint
//! (`model.safetensors`, the file `lab` and the page load), its config (`config.json`, a
//! `TrainConfig`) and its record (`run.json`: name, curves, status).
//!
//! Entries are stored, not compressed: the zip crate is built without its compressors (they
//! would add weight to the page's wasm), and float weights barely compress anyway.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::record::{RecordError, RunRecord};

/// Why the zip could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the zip failed: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the zip failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("run `{name}`: {source}")]
    Record { name: String, source: RecordError },
    #[error("there are no runs to export")]
    Empty,
}

/// A zip of every run: `NN-<name>/model.safetensors` (left out when a run has no weights yet,
/// i.e. empty bytes), `NN-<name>/config.json` and `NN-<name>/run.json`, in the given order.
pub fn export_all(records: &[(RunRecord, Vec<u8>)]) -> Result<Vec<u8>, ExportError> {
    if records.is_empty() {
        return Err(ExportError::Empty);
    }
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    // Zip64 so a folder of large checkpoints past 4 GiB would still be valid (never needed at
    // the page's memory cap, but it costs nothing).
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(records.iter().map(|(_, w)| w.len()).sum::<usize>() > u32::MAX as usize);
    let mut used = BTreeSet::new();
    for (index, (record, weights)) in records.iter().enumerate() {
        let folder = unique_folder(index, &record.name, &mut used);
        let failed = |source: RecordError| ExportError::Record {
            name: record.name.clone(),
            source,
        };
        let config = serde_json::to_string_pretty(&record.config)
            .map_err(|e| failed(RecordError::Corrupt(e.to_string())))?;
        let run = record.to_json().map_err(failed)?;
        if !weights.is_empty() {
            zip.start_file(format!("{folder}/model.safetensors"), options)?;
            zip.write_all(weights)?;
        }
        zip.start_file(format!("{folder}/config.json"), options)?;
        zip.write_all(config.as_bytes())?;
        zip.start_file(format!("{folder}/run.json"), options)?;
        zip.write_all(run.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A run's name reduced to characters safe in any file system (at most 48, `_` for the
/// others, none at either end); empty when nothing is left.
pub fn safe_file_stem(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    safe.trim_matches('_').to_string()
}

/// `NN-name` with the name reduced to characters safe in any file system, unique in the zip.
fn unique_folder(index: usize, name: &str, used: &mut BTreeSet<String>) -> String {
    let base = format!("{:02}-{}", index + 1, safe_file_stem(name));
    let mut folder = base.clone();
    let mut n = 2;
    while !used.insert(folder.clone()) {
        folder = format!("{base}-{n}");
        n += 1;
    }
    folder
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::runs::record::RunId;
    use crate::train::TrainConfig;

    fn run(name: &str, seed: u64) -> RunRecord {
        let config = TrainConfig {
            seed,
            ..TrainConfig::default()
        };
        RunRecord::start(
            RunId::new(1000.0 * seed as f64, 0),
            name.into(),
            0.0,
            config,
            "CPU".into(),
        )
    }

    fn read(zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
        let mut file = zip.by_name(name).unwrap();
        let mut out = Vec::new();
        file.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn the_zip_reads_back_file_by_file() {
        let weights = (0..=255u8).cycle().take(10_000).collect::<Vec<_>>();
        let records = vec![
            (run("lis / width 64", 1), weights.clone()),
            (run("lis / width 64", 2), Vec::new()),
        ];
        let bytes = export_all(&records).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "01-lis___width_64/config.json",
                "01-lis___width_64/model.safetensors",
                "01-lis___width_64/run.json",
                "02-lis___width_64/config.json",
                "02-lis___width_64/run.json",
            ]
        );
        assert_eq!(
            read(&mut zip, "01-lis___width_64/model.safetensors"),
            weights
        );
        let config: TrainConfig =
            serde_json::from_slice(&read(&mut zip, "02-lis___width_64/config.json")).unwrap();
        assert_eq!(config, records[1].0.config);
        let run_json = read(&mut zip, "01-lis___width_64/run.json");
        let record = RunRecord::from_json(std::str::from_utf8(&run_json).unwrap()).unwrap();
        assert_eq!(record, records[0].0);
        let entry = zip.by_name("01-lis___width_64/model.safetensors").unwrap();
        assert_eq!(entry.compression(), CompressionMethod::Stored);
    }

    #[test]
    fn nothing_to_export_is_an_error_and_folders_stay_unique() {
        assert!(matches!(export_all(&[]), Err(ExportError::Empty)));
        let mut used = BTreeSet::new();
        assert_eq!(unique_folder(0, "a", &mut used), "01-a");
        assert_eq!(unique_folder(0, "a", &mut used), "01-a-2");
        assert_eq!(unique_folder(4, "../../etc", &mut used), "05-etc");
    }
}
