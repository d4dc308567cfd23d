//! The page's side of the training workers: starts them (the page's own module and wasm, loaded
//! again in a module worker, or the WebGPU build of the page for jobs that train on WebGPU; see
//! [`Flavor`]), routes each request to the right one, queues requests until a worker says it is
//! ready, turns reports into actions on the page's state, and notices when a worker dies.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::UseReducerDispatcher;
use yew::prelude::*;

use super::flavor::{AdapterKnowledge, Flavor};
use super::wire::envelope::{decode, encode};
use super::wire::protocol::{Activity, ModelNews, Report, Request, RunNews};
use crate::app::files;
use crate::app::state::{Action, AppState};
use crate::runs::record::{RunRecord, RunStatus};
use crate::train::BackendChoice;

/// The page's handle on its workers. Cheap to clone; clones share the workers (and compare
/// equal).
#[derive(Clone)]
pub struct WorkerClient(Rc<Inner>);

impl PartialEq for WorkerClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Inner {
    dispatch: UseReducerDispatcher<AppState>,
    /// One slot per [`Flavor`]; a worker starts with the first request routed to it.
    workers: [RefCell<Option<Running>>; 2],
    /// Which build a job needs (probed at start).
    adapter: AdapterKnowledge,
    /// The worker of the run in progress or the last one (Stop goes there).
    run_on: Cell<Flavor>,
    /// The worker holding the kept model (Reinspect and Export go there).
    model_on: Cell<Flavor>,
    /// The run in progress (or the last one) trains on WebGPU.
    on_webgpu: Cell<bool>,
    /// A worker died during a WebGPU run: later runs use the CPU.
    avoid_webgpu: Cell<bool>,
    /// What each worker said when it panicked, for the crash message.
    panic: [RefCell<Option<String>>; 2],
    /// Requests held until the adapter probe answers (see `post`), in order.
    waiting: RefCell<Vec<(Request, Option<Vec<u8>>)>>,
    /// How many Stops were sent; a Stop's timer acts only if no later one was.
    stops_sent: Cell<u64>,
    /// The run's worker answered the last Stop (or ended the run another way).
    stop_answered: Cell<bool>,
    /// The run in progress (or just ended) as last stored; the page marks it stopped if it ends
    /// the worker while it is still running.
    training_run: RefCell<Option<RunRecord>>,
    /// What the run's worker said it was doing beyond a step, for the forced stop's note.
    activity: Cell<Option<Activity>>,
}

/// How long a worker has to answer a Stop before the page ends it.
const STOP_GRACE_MS: u32 = 1000;

/// A started worker and what keeps its handlers alive.
struct Running {
    worker: Worker,
    ready: bool,
    /// Requests posted before the worker was ready, in order.
    queue: Vec<(JsValue, Array)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The page's worker client, created once and kept across renders; each worker starts
/// with the first request.
#[hook]
pub fn use_worker_client(dispatch: UseReducerDispatcher<AppState>) -> WorkerClient {
    let client = use_memo((), move |_| {
        WorkerClient(Rc::new(Inner {
            dispatch,
            workers: Default::default(),
            adapter: AdapterKnowledge::probe(),
            run_on: Cell::new(Flavor::Cpu),
            model_on: Cell::new(Flavor::Cpu),
            on_webgpu: Cell::new(false),
            avoid_webgpu: Cell::new(false),
            panic: Default::default(),
            waiting: Default::default(),
            stops_sent: Cell::new(0),
            stop_answered: Cell::new(true),
            training_run: RefCell::new(None),
            activity: Cell::new(None),
        }))
    });
    (*client).clone()
}

/// The URLs of a build's JavaScript module and wasm binary: the page's own as trunk links them
/// in the page, the WebGPU build's next to the page.
fn module_urls(flavor: Flavor) -> Result<(String, String), String> {
    let document = gloo::utils::document();
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .unwrap_or_else(|| gloo::utils::window().location().href().unwrap_or_default());
    let href = |selector: &str| -> Option<String> {
        let link = document.query_selector(selector).ok()??;
        let href = link.get_attribute("href")?;
        web_sys::Url::new_with_base(&href, &base)
            .ok()
            .map(|u| u.href())
    };
    if flavor == Flavor::WebGpu {
        let (glue, wasm) = Flavor::WEBGPU_FILES;
        let url = |file: &str| {
            web_sys::Url::new_with_base(file, &base)
                .map(|u| u.href())
                .map_err(|e| format!("no URL for {file}: {e:?}"))
        };
        return Ok((url(glue)?, url(wasm)?));
    }
    let glue = href("link[rel=modulepreload][href$='.js']")
        .ok_or("the page does not name its JavaScript module (no modulepreload link)")?;
    let wasm = href("link[rel=preload][href$='.wasm']")
        .unwrap_or_else(|| format!("{}_bg.wasm", glue.trim_end_matches(".js")));
    Ok((glue, wasm))
}

/// A worker's first script: load a build's module with its wasm; `main` then sees a worker
/// scope and serves requests. On WebGPU it keeps the devices it creates so that a test can
/// destroy one (`{test: "destroy-gpu-device"}`) and check that a lost device ends the run
/// cleanly.
fn bootstrap(glue: &str, wasm: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    format!(
        "const devices = [];\n\
         if (self.GPUAdapter) {{\n\
           const request = GPUAdapter.prototype.requestDevice;\n\
           GPUAdapter.prototype.requestDevice = async function (...args) {{\n\
             const device = await request.apply(this, args); devices.push(device); return device;\n\
           }};\n\
         }}\n\
         self.addEventListener('message', (e) => {{\n\
           if (e.data && e.data.test === 'destroy-gpu-device') devices.forEach((d) => d.destroy());\n\
         }});\n\
         import init from {};\n\
         await init({{ module_or_path: {} }});\n",
        quote(glue),
        quote(wasm)
    )
}

impl Inner {
    /// What the page must know of the run's worker to end it on a Stop it does not answer.
    fn watch_run(&self, flavor: Flavor, report: &Report) {
        if flavor != self.run_on.get() {
            return;
        }
        match report {
            Report::Run(RunNews::Stopped { .. })
            | Report::Run(RunNews::Failed(_))
            | Report::Run(RunNews::DeviceLost(_))
            | Report::Model(ModelNews::Inspecting) => {
                self.stop_answered.set(true);
                self.activity.set(None);
            }
            Report::Run(RunNews::Activity(activity)) => self.activity.set(Some(*activity)),
            Report::Run(RunNews::Progress { .. }) | Report::Run(RunNews::Started { .. }) => {
                self.activity.set(None)
            }
            Report::Run(RunNews::Saved(record)) => {
                *self.training_run.borrow_mut() = Some((**record).clone())
            }
            _ => {}
        }
    }

    /// The run's worker did not answer a Stop: end it (what it was computing is dropped),
    /// forget the run requests waiting for it, and stop the run where the page last heard of
    /// it. Returns the run's stored record (to be marked stopped) and the note saying why.
    fn end_run_worker(&self, flavor: Flavor) -> (Option<RunRecord>, String) {
        drop(self.workers[flavor.index()].borrow_mut().take());
        *self.panic[flavor.index()].borrow_mut() = None;
        self.waiting.borrow_mut().retain(|(request, _)| {
            !matches!(
                request,
                Request::Train { .. } | Request::Resume { .. } | Request::Stop
            )
        });
        let model_lost = self.model_on.get() == flavor;
        let run = self.training_run.borrow_mut().take();
        let doing = Activity::doing(self.activity.take());
        let on = if self.on_webgpu.get() {
            "WebGPU"
        } else {
            "the CPU"
        };
        let kept = match &run {
            Some(r) if r.status != RunStatus::Running => format!(
                "was already stored ({} at step {}); the model it kept is not",
                r.status.label().to_lowercase(),
                r.steps_done
            ),
            Some(r) if !r.history.is_empty() => format!(
                "is kept as of its last stored evaluation (step {}), and Resume continues from there",
                r.steps_done
            ),
            Some(_) => "is listed, but had stored no evaluation to resume from".into(),
            None => "was not stored".into(),
        };
        let run = run.filter(|r| r.status == RunStatus::Running);
        let note = format!(
            "The training worker did not answer Stop within {:.0} s (it was {doing} on {on}), so \
             the page ended it. The run {kept}.",
            f64::from(STOP_GRACE_MS) / 1000.0
        );
        self.dispatch.dispatch(Action::StopForced {
            note: note.clone(),
            model_lost,
        });
        (run, note)
    }

    fn report(&self, flavor: Flavor, report: Report, bytes: Option<Vec<u8>>) {
        self.watch_run(flavor, &report);
        match report {
            Report::Ready => self.flush(flavor),
            Report::Panicked(message) => *self.panic[flavor.index()].borrow_mut() = Some(message),
            Report::Model(ModelNews::Download {
                name,
                mime,
                message,
            }) => {
                let result = files::download(&name, &bytes.unwrap_or_default(), &mime);
                self.dispatch
                    .dispatch(Action::News(Report::Model(ModelNews::Notice(
                        result.map(|()| message),
                    ))));
            }
            report => {
                match &report {
                    Report::Run(RunNews::Started { info, .. }) => {
                        self.on_webgpu.set(info.is_webgpu)
                    }
                    Report::Run(RunNews::DeviceLost(_)) => self.avoid_webgpu.set(true),
                    // Each worker numbers its own models: the page's handle is the one kept
                    // last, by this worker.
                    Report::Model(ModelNews::Kept(_)) => self.model_on.set(flavor),
                    _ => {}
                }
                self.dispatch.dispatch(Action::News(report));
            }
        }
    }

    /// The worker is ready: post what waited.
    fn flush(&self, flavor: Flavor) {
        let mut slot = self.workers[flavor.index()].borrow_mut();
        if let Some(running) = slot.as_mut() {
            running.ready = true;
            for (message, transfer) in running.queue.drain(..) {
                let _ = running
                    .worker
                    .post_message_with_transfer(&message, &transfer);
            }
        }
    }

    /// The worker died (a panic in the wasm, an out-of-memory, a lost device, or the WebGPU
    /// build failed to load): end what it was doing with a message; the next request starts a
    /// new one. Only the run's own worker ends the run; the other one's crash is a notice.
    fn crashed(&self, flavor: Flavor, detail: String) {
        let never_ready = self.workers[flavor.index()]
            .borrow_mut()
            .take()
            .is_some_and(|running| !running.ready);
        let on_run = self.run_on.get() == flavor;
        let crashed_on_gpu = self.on_webgpu.get() && on_run;
        let detail = match self.panic[flavor.index()].borrow_mut().take() {
            Some(panic) => format!("it panicked: {panic}"),
            None => detail,
        };
        let mut message =
            format!("The training worker stopped ({detail}); what it was doing is lost.");
        if flavor == Flavor::WebGpu && never_ready {
            // The WebGPU build did not load (offline before it was ever used, a failed
            // download): it would fail the same way again.
            self.avoid_webgpu.set(true);
            message = format!(
                "The WebGPU build of the page could not start ({detail}); the next runs use the CPU."
            );
        } else if crashed_on_gpu {
            self.avoid_webgpu.set(true);
            message.push_str(" It was training on WebGPU: the next runs use the CPU.");
        }
        let news = if on_run {
            Report::Run(RunNews::Failed(message))
        } else {
            Report::Model(ModelNews::Notice(Err(message)))
        };
        self.dispatch.dispatch(Action::News(news));
    }

    fn start(self: &Rc<Self>, flavor: Flavor) -> Result<Running, String> {
        let (glue, wasm) = module_urls(flavor)?;
        let parts = Array::of1(&bootstrap(&glue, &wasm).into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
            .map_err(|e| format!("{e:?}"))?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
        let worker_options = WorkerOptions::new();
        worker_options.set_type(WorkerType::Module);
        worker_options.set_name(match flavor {
            Flavor::Cpu => "training",
            Flavor::WebGpu => "training (WebGPU build)",
        });
        let worker =
            Worker::new_with_options(&url, &worker_options).map_err(|e| format!("{e:?}"))?;
        let _ = web_sys::Url::revoke_object_url(&url);
        let weak: Weak<Self> = Rc::downgrade(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let weak = weak.clone();
            move |event: MessageEvent| {
                let Some(inner) = weak.upgrade() else { return };
                match decode::<Report>(&event.data()) {
                    Ok((report, bytes)) => inner.report(flavor, report, bytes),
                    Err(e) => inner
                        .dispatch
                        .dispatch(Action::News(Report::Run(RunNews::Failed(format!(
                            "the page got {e} from the training worker"
                        ))))),
                }
            }
        });
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            if let Some(inner) = weak.upgrade() {
                let detail = event.message();
                inner.crashed(
                    flavor,
                    if detail.is_empty() {
                        "an error".into()
                    } else {
                        detail
                    },
                );
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // For the e2e test's device-loss check: `__labTrainingWorker.postMessage({test:
        // "destroy-gpu-device"})` (see `bootstrap`): the worker of the WebGPU build.
        if flavor == Flavor::WebGpu {
            let _ = js_sys::Reflect::set(&js_sys::global(), &"__labTrainingWorker".into(), &worker);
        }
        Ok(Running {
            worker,
            ready: false,
            queue: Vec::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The worker a request goes to. A job that makes a model goes to the build its backend
    /// choice needs; Stop follows the run, Reinspect, Export and the instruments the kept model (the worker
    /// that last reported one kept); grids (small models, where the CPU is
    /// faster) go to the page's own build.
    fn route(&self, request: &Request) -> Flavor {
        match request {
            Request::Train { choice, .. } | Request::Resume { choice, .. } => {
                *self.training_run.borrow_mut() = None;
                let flavor = self.adapter.flavor_for(*choice);
                self.run_on.set(flavor);
                flavor
            }
            Request::Load { choice, .. } | Request::Construct { choice, .. } => {
                self.adapter.flavor_for(*choice)
            }
            Request::Stop => self.run_on.get(),
            Request::Reinspect { .. }
            | Request::Inspect { .. }
            | Request::Export { .. }
            | Request::Measure { .. } => self.model_on.get(),
            Request::Grid(_) | Request::GridCancel => Flavor::Cpu,
        }
    }

    fn post(self: &Rc<Self>, request: &Request, bytes: Option<Vec<u8>>) {
        let must_wait = request
            .backend_choice()
            .is_some_and(|c| self.adapter.must_wait(c));
        let mut waiting = self.waiting.borrow_mut();
        if must_wait || !waiting.is_empty() {
            // Which build it needs depends on the adapter: post it once the probe answers.
            // Later requests (a Stop right after a Train) wait behind it, in order.
            waiting.push((request.clone(), bytes));
            if waiting.len() == 1 {
                let inner = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    inner.adapter.settled().await;
                    let queued = std::mem::take(&mut *inner.waiting.borrow_mut());
                    for (request, bytes) in queued {
                        inner.post(&request, bytes);
                    }
                });
            }
            return;
        }
        drop(waiting);
        let (message, transfer) = match encode(request, bytes) {
            Ok(encoded) => encoded,
            Err(e) => {
                return self
                    .dispatch
                    .dispatch(Action::News(Report::Run(RunNews::Failed(e))));
            }
        };
        let flavor = self.route(request);
        let worker = &self.workers[flavor.index()];
        if worker.borrow().is_none() {
            match self.start(flavor) {
                Ok(running) => *worker.borrow_mut() = Some(running),
                Err(e) => {
                    return self
                        .dispatch
                        .dispatch(Action::News(Report::Run(RunNews::Failed(format!(
                            "the training worker could not start: {e}"
                        )))));
                }
            }
        }
        let mut slot = worker.borrow_mut();
        if let Some(running) = slot.as_mut() {
            if running.ready {
                if let Err(e) = running
                    .worker
                    .post_message_with_transfer(&message, &transfer)
                {
                    drop(slot);
                    self.crashed(flavor, format!("{e:?}"));
                }
            } else {
                running.queue.push((message, transfer));
            }
        }
    }
}

impl WorkerClient {
    /// Post `request` to the worker (starting it if needed).
    pub fn send(&self, request: Request) {
        self.0.post(&request, None);
    }

    /// Stop the run in progress. A worker that does not answer within a second (a step or an
    /// evaluation that takes minutes, as shaders compiling on a software WebGPU adapter) is
    /// ended; `on_forced` then gets the run's stored record, if any, and the note saying why.
    pub fn stop(&self, on_forced: impl FnOnce(Option<RunRecord>, String) + 'static) {
        let inner = self.0.clone();
        inner.post(&Request::Stop, None);
        let generation = inner.stops_sent.get() + 1;
        inner.stops_sent.set(generation);
        inner.stop_answered.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            gloo::timers::future::TimeoutFuture::new(STOP_GRACE_MS).await;
            if inner.stops_sent.get() == generation && !inner.stop_answered.get() {
                let (run, note) = inner.end_run_worker(inner.run_on.get());
                on_forced(run, note);
            }
        });
    }

    /// Post `request` with bytes (a checkpoint to load).
    pub fn send_with_bytes(&self, request: Request, bytes: Vec<u8>) {
        self.0.post(&request, Some(bytes));
    }

    /// A message in the models panel.
    pub fn notice(&self, notice: Result<String, String>) {
        self.0.dispatch.dispatch(Action::ModelNotice(notice));
    }

    /// `choice`, unless a worker died on WebGPU: then the CPU.
    pub fn backend(&self, choice: BackendChoice) -> BackendChoice {
        if self.0.avoid_webgpu.get() {
            BackendChoice::Cpu
        } else {
            choice
        }
    }
}
