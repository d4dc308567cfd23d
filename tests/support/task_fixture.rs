//! The fixture that pins generated examples across platforms: native tests and the wasm test
//! in headless Chromium both render it and compare with `tests/fixtures/task_samples.txt`.

use expressivity_lab::tasks::{TaskKind, TaskSpec};

/// Three examples of every task at its default size, seed 7, one per line.
pub fn render_samples() -> String {
    let mut out = String::new();
    for &kind in TaskKind::all() {
        let task = TaskSpec::default_for(kind)
            .build()
            .expect("default spec is valid");
        for ex in task.sample(7, 3) {
            out.push_str(kind.name());
            out.push_str(": ");
            out.push_str(&task.render(&ex));
            out.push('\n');
        }
    }
    out
}

pub const EXPECTED: &str = include_str!("../fixtures/task_samples.txt");
