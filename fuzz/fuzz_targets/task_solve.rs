//! Every task's parser and solver on arbitrary prompts, as text (`lab task solve`) and as
//! token ids (including ids outside the vocabulary): an example or an error, never a panic.
#![no_main]

use expressivity_lab::tasks::{TaskKind, TaskSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((&pick, rest)) = bytes.split_first() else {
        return;
    };
    let kinds = TaskKind::all();
    let kind = kinds[usize::from(pick) % kinds.len()];
    let Ok(task) = TaskSpec::default_for(kind).build() else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(rest) {
        if let Ok(example) = task.solve_text(text) {
            // A solved example renders and re-solves to itself.
            let rendered = task.render(&example);
            let again = task.solve(example.prompt()).expect("a solved prompt solves again");
            assert_eq!(task.render(&again), rendered);
        }
    }
    let vocab = task.vocab().len() as u32;
    let ids: Vec<u32> = rest
        .chunks(2)
        .map(|c| u32::from(c[0]) % (vocab + 2))
        .collect();
    let _ = task.solve(&ids);
});
