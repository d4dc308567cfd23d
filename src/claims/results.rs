//! The committed native results of the claims (`assets/results/claims/*.verdict.json`, written
//! by `lab claims run`), built into the library so that the page shows them offline. Only the
//! verdict files are embedded (a few KB each); the per-run JSON lines stay on disk.
//!
//! [`EMBEDDED`] is the one list of embedded files: a native test fails when a verdict file in
//! the directory is missing from it. [`for_claim`] prefers a claim's full grid over its
//! `--quick` one.

use serde::Deserialize;

use super::verdict::Verdict;

/// Every verdict file of `assets/results/claims/`, by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "majority.verdict.json",
        include_str!("../../assets/results/claims/majority.verdict.json"),
    ),
    (
        "dyck.verdict.json",
        include_str!("../../assets/results/claims/dyck.verdict.json"),
    ),
    (
        "index-lookup.verdict.json",
        include_str!("../../assets/results/claims/index-lookup.verdict.json"),
    ),
    (
        "index-lookup-quick.verdict.json",
        include_str!("../../assets/results/claims/index-lookup-quick.verdict.json"),
    ),
    (
        "equality.verdict.json",
        include_str!("../../assets/results/claims/equality.verdict.json"),
    ),
    (
        "equality-quick.verdict.json",
        include_str!("../../assets/results/claims/equality-quick.verdict.json"),
    ),
    (
        "disjointness.verdict.json",
        include_str!("../../assets/results/claims/disjointness.verdict.json"),
    ),
    (
        "disjointness-quick.verdict.json",
        include_str!("../../assets/results/claims/disjointness-quick.verdict.json"),
    ),
    (
        "nearest-neighbor.verdict.json",
        include_str!("../../assets/results/claims/nearest-neighbor.verdict.json"),
    ),
    (
        "nearest-neighbor-quick.verdict.json",
        include_str!("../../assets/results/claims/nearest-neighbor-quick.verdict.json"),
    ),
    (
        "dp-width-lis-quick.verdict.json",
        include_str!("../../assets/results/claims/dp-width-lis-quick.verdict.json"),
    ),
    (
        "dp-width-ed-quick.verdict.json",
        include_str!("../../assets/results/claims/dp-width-ed-quick.verdict.json"),
    ),
    (
        "locality.verdict.json",
        include_str!("../../assets/results/claims/locality.verdict.json"),
    ),
    (
        "locality-quick.verdict.json",
        include_str!("../../assets/results/claims/locality-quick.verdict.json"),
    ),
];

/// One verdict file: the verdict with the provenance of its runs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Committed {
    pub verdict: Verdict,
    /// Runs in the grid.
    pub runs: usize,
    /// Sum of the runs' wall times.
    pub run_seconds_total: f64,
    pub commits: Vec<String>,
    pub machines: Vec<String>,
    /// The exact commands that produced the runs.
    pub commands: Vec<String>,
}

/// Why an embedded file cannot be shown.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {error}")]
pub struct ResultsError {
    pub file: String,
    pub error: String,
}

/// Parse one verdict file.
pub fn parse(file: &str, json: &str) -> Result<Committed, ResultsError> {
    serde_json::from_str(json).map_err(|e| ResultsError {
        file: file.to_string(),
        error: e.to_string(),
    })
}

/// The file names a claim's results may have, the preferred one first: the full grid, then
/// the `--quick` one.
pub fn candidates(claim_id: &str) -> [String; 2] {
    [
        format!("{claim_id}.verdict.json"),
        format!("{claim_id}-quick.verdict.json"),
    ]
}

/// The name and text of the preferred file for `claim_id` among `files`.
pub fn pick<'a>(claim_id: &str, files: &[(&'a str, &'a str)]) -> Option<(&'a str, &'a str)> {
    candidates(claim_id)
        .iter()
        .find_map(|name| files.iter().find(|(f, _)| f == name).copied())
}

/// The committed results of `claim_id` (full grid over quick), `None` when there are none,
/// an error when the embedded file does not parse or belongs to another claim.
pub fn for_claim(claim_id: &str) -> Option<Result<Committed, ResultsError>> {
    let (file, json) = pick(claim_id, EMBEDDED)?;
    Some(parse(file, json).and_then(|c| {
        if c.verdict.claim == claim_id {
            Ok(c)
        } else {
            Err(ResultsError {
                file: file.to_string(),
                error: format!("holds the verdict of `{}`", c.verdict.claim),
            })
        }
    }))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests read and write their own files
mod tests {
    use super::*;
    use crate::claims::registry;

    #[test]
    fn every_verdict_file_in_the_directory_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/results/claims");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("the results directory")
            .map(|e| {
                e.expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".verdict.json"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(f, _)| f.to_string()).collect();
        embedded.sort();
        assert_eq!(
            on_disk, embedded,
            "add every assets/results/claims/*.verdict.json to claims::results::EMBEDDED"
        );
        // And each is the file of that name.
        for (file, json) in EMBEDDED {
            let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
            assert_eq!(&text, json, "{file} is embedded under another name");
        }
    }

    #[test]
    fn every_embedded_file_parses_and_names_a_known_claim() {
        let ids: Vec<&str> = registry::all().iter().map(|c| c.id).collect();
        for (file, json) in EMBEDDED {
            let c = parse(file, json).unwrap_or_else(|e| panic!("{e}"));
            assert!(ids.contains(&c.verdict.claim.as_str()), "{file}");
            assert!(!c.commands.is_empty(), "{file} has no command");
            let quick = file.ends_with("-quick.verdict.json");
            assert_eq!(
                c.verdict.quick, quick,
                "{file}: quick flag and name disagree"
            );
            assert_eq!(
                pick(&c.verdict.claim, &[(file, json)]).map(|p| p.0),
                Some(*file),
                "{file} is not found under its claim's names"
            );
        }
    }

    #[test]
    fn the_full_grid_is_preferred_over_the_quick_one() {
        let files = [
            ("dyck-quick.verdict.json", "quick"),
            ("dyck.verdict.json", "full"),
            ("majority-quick.verdict.json", "quick"),
        ];
        assert_eq!(pick("dyck", &files).map(|p| p.1), Some("full"));
        assert_eq!(pick("majority", &files).map(|p| p.1), Some("quick"));
        assert_eq!(pick("equality", &files), None);
        // A claim id that prefixes another's is not confused with it.
        assert_eq!(pick("dyc", &files), None);
    }

    #[test]
    fn claims_without_results_say_so_and_others_parse() {
        assert!(for_claim("no-such-claim").is_none());
        // Every claim with a committed file finds it and it parses.
        for (file, _) in EMBEDDED {
            let id = file
                .trim_end_matches(".verdict.json")
                .trim_end_matches("-quick");
            assert!(matches!(for_claim(id), Some(Ok(_))), "{file}");
        }
        let majority = for_claim("majority").unwrap().unwrap();
        assert!(!majority.verdict.cells.is_empty());
        assert!(majority.commands[0].starts_with("lab claims run majority"));
    }

    #[test]
    fn a_file_with_null_numbers_still_parses() {
        // serde_json writes NaN as null (an interval no replicate could define).
        let json = r#"{"commands":["lab claims run x"],"commits":[],"machines":[],
            "run_seconds_total":1.0,"runs":1,"verdict":{"claim":"x","quick":true,
            "outcome":"inconclusive","threshold":0.95,"summary":"","cells":[{"series":"a",
            "size":8,"width":16,"seeds":3,"accuracy":{"estimate":0.5,"low":null,"high":null}}],
            "w_star":[],"comparisons":[],"trivial":[{"size":8,"share":null,
            "passes_threshold":false}]}}"#;
        let c = parse("x.verdict.json", json).unwrap();
        assert!(c.verdict.cells[0].accuracy.low.is_nan());
        assert!(c.verdict.trivial[0].share.is_nan());
        assert!(parse("bad.verdict.json", "{").is_err());
    }
}
