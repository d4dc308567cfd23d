//! `--data FILE`: your own data for the custom task (the format is
//! `expressivity_lab::tasks::custom_format`'s: `prompt => target` lines or JSON lines).

use expressivity_lab::files;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use expressivity_lab::tasks::custom_format::MAX_BYTES;
use expressivity_lab::tasks::{CustomData, TaskKind, TaskSpec};

#[derive(Args, Clone, Debug, Default)]
pub struct DataArg {
    /// Your own data for `--task custom` (implies it): one `prompt => target` example per
    /// line, tokens separated by spaces, `#` comment lines; or JSON lines
    /// `{"prompt": "a b", "target": "c"}`. See README.md, "Your own data".
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
}

impl DataArg {
    /// The task name to use: `--task` as given, else `custom` with `--data` and `default`
    /// without; `--data` with another task is an error.
    pub fn task_name<'a>(
        &self,
        task: Option<&'a str>,
        default: &'a str,
    ) -> Result<&'a str, String> {
        match (task, &self.data) {
            (None, Some(_)) => Ok("custom"),
            (None, None) => Ok(default),
            (Some(name), Some(_)) if TaskKind::from_name(name) != Ok(TaskKind::Custom) => Err(
                format!("--data is your own data for --task custom, not for --task {name}"),
            ),
            (Some(name), _) => Ok(name),
        }
    }

    /// The file read and checked (size first, then every line); `None` without `--data`.
    pub fn load(&self) -> Result<Option<Arc<CustomData>>, String> {
        let Some(path) = &self.data else {
            return Ok(None);
        };
        let shown = path.display();
        let bytes = files::read_bytes(path, MAX_BYTES as u64)?;
        let name = path
            .file_name()
            .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
        CustomData::from_bytes(&name, &bytes)
            .map(Arc::new)
            .map(Some)
            .map_err(|e| format!("{shown}: {e}"))
    }

    /// The spec of `kind` with the data: the custom task needs it (a clear error without);
    /// other tasks get the default spec.
    pub fn spec(&self, kind: TaskKind) -> Result<TaskSpec, String> {
        match (kind, self.load()?) {
            (TaskKind::Custom, Some(data)) => Ok(TaskSpec::custom(data)),
            (TaskKind::Custom, None) => {
                Err("--task custom needs your data: --data FILE".to_string())
            }
            (kind, _) => Ok(TaskSpec::default_for(kind)),
        }
    }
}
