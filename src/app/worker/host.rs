//! The worker's side: it owns the weights and runs every model job (training, loading,
//! re-inspection, export, instruments, grids); the page only renders what it reports.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::grid_runner::GridRunner;
use super::runner::Runner;
use super::sink::Sink;
use crate::app::wire::envelope::{decode, encode};
use crate::app::wire::protocol::{ModelNews, Report, Request, RunNews};

/// This thread's scope if it is a dedicated worker.
pub fn worker_scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

/// The worker's jobs.
struct Host {
    sink: Sink,
    runner: Runner,
    grids: GridRunner,
}

impl Host {
    fn handle(&self, request: Request, bytes: Option<Vec<u8>>) {
        match request {
            Request::Train {
                config,
                name,
                choice,
            } => self.runner.train(config, name, choice),
            Request::Stop => self.runner.stop(),
            Request::Resume { run, choice } => match bytes {
                Some(bytes) => self.runner.resume(*run, bytes, choice),
                None => self.sink.send(Report::Run(RunNews::Failed(format!(
                    "{}: its checkpoint did not arrive",
                    run.name
                )))),
            },
            Request::Reinspect { model, mode } => self.runner.reinspect(model, mode),
            Request::Inspect {
                model,
                mode,
                example,
            } => self.runner.inspect_example(model, mode, example),
            Request::Load { source, choice } => match bytes {
                Some(bytes) => self.runner.load(bytes, source, choice),
                None => self.sink.send(Report::Model(ModelNews::Notice(Err(format!(
                    "{source}: no bytes arrived"
                ))))),
            },
            Request::Construct { name, size, choice } => self.runner.construct(name, size, choice),
            Request::Export { model, kind } => self.runner.export(model, kind),
            Request::Measure {
                model,
                mode,
                kind,
                corrupt,
            } => super::measure::measure(&self.runner, model, mode, kind, corrupt),
            Request::Grid(job) => self.grids.run(job),
            Request::GridCancel => self.grids.cancel(),
        }
    }
}

/// Serve the page's requests in this worker (called from `main` when it runs in a worker) and
/// say so with [`Report::Ready`].
pub fn serve(scope: DedicatedWorkerGlobalScope) {
    let post_scope = scope.clone();
    let sink = Sink::new(move |report, bytes| match encode(&report, bytes) {
        Ok((message, transfer)) => {
            if let Err(e) = post_scope.post_message_with_transfer(&message, &transfer) {
                web_sys::console::error_2(&"posting a report failed".into(), &e);
            }
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    });
    // A panic traps the wasm and the page only sees "unreachable": say what it was first.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("training worker panicked: {message}").into());
        if let (Some(scope), Ok((message, _))) =
            (worker_scope(), encode(&Report::Panicked(message), None))
        {
            let _ = scope.post_message(&message);
        }
    }));
    let host = Host {
        runner: Runner::new(sink.clone()),
        grids: GridRunner::new(sink.clone()),
        sink: sink.clone(),
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        // The bootstrap script handles test messages (it destroys a WebGPU device).
        if js_sys::Reflect::has(&data, &"test".into()).unwrap_or(false) {
            return;
        }
        match decode::<Request>(&data) {
            Ok((request, bytes)) => host.handle(request, bytes),
            Err(e) => host.sink.send(Report::Run(RunNews::Failed(format!(
                "the training worker got {e}"
            )))),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: so does its handler.
    on_message.forget();
    sink.send(Report::Ready);
}
