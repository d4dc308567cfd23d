//! A model on arbitrary prompts, as `lab predict` runs it but without its length check: any
//! token sequence (valid ids, any length, including past the model's context) continued
//! greedily gives tokens or an error, never a panic.
#![no_main]

use std::sync::OnceLock;

use burn::prelude::Device;
use expressivity_lab::claims::construct;
use expressivity_lab::models::Model;
use expressivity_lab::tasks::Task;
use expressivity_lab::train::checkpoint;
use expressivity_lab::train::eval::continue_greedily;
use libfuzzer_sys::fuzz_target;

struct Subject {
    model: Model,
    task: Box<dyn Task>,
}

// Safety of sharing: the fuzzer runs the target on one thread.
struct Shared(Subject);
unsafe impl Sync for Shared {}
unsafe impl Send for Shared {}

fn subject() -> &'static Subject {
    static SUBJECT: OnceLock<Shared> = OnceLock::new();
    &SUBJECT
        .get_or_init(|| {
            let built = construct::find("index-lookup")
                .expect("construction exists")
                .build(8)
                .expect("builds");
            let loaded = checkpoint::load(&built.bytes, &Device::flex()).expect("loads");
            let task = loaded.meta.train.task().expect("task");
            Shared(Subject {
                model: loaded.model,
                task,
            })
        })
        .0
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&extra, rest)) = bytes.split_first() else {
        return;
    };
    let s = subject();
    let vocab = s.task.vocab().len() as u32;
    let prompt: Vec<u32> = rest.iter().map(|&b| u32::from(b) % vocab).collect();
    if prompt.is_empty() || prompt.len() > 64 {
        return;
    }
    let end = prompt.len() + usize::from(extra % 8);
    let _ = pollster::block_on(continue_greedily(
        &s.model,
        &[prompt.as_slice()],
        end,
        &Device::flex(),
    ));
    if let Ok(text) = std::str::from_utf8(rest) {
        if let Ok(example) = s.task.solve_text(text) {
            let _ = pollster::block_on(continue_greedily(
                &s.model,
                &[example.prompt()],
                example.len(),
                &Device::flex(),
            ));
        }
    }
});
