//! Where the training worker keeps its model: the weights stay here, behind a [`ModelHandle`];
//! the page's state holds only the handle, the name its messages use.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;

use crate::tasks::Example;
use crate::train::checkpoint::Checkpoint;

pub use crate::app::wire::model_handle::ModelHandle;

/// A model kept so that it can be looked at again (e.g. in another attention mode) or exported
/// without training anew.
pub struct Trained {
    /// The weights and what they are: the run's config (with the trained attention mode), its
    /// history and steps, as they would be written to a file.
    pub checkpoint: Checkpoint,
    /// The example the inspection shows (a re-inspection in another mode shows it again), and
    /// its index in the held-out set (`None`: a typed prompt).
    pub example: Example,
    pub example_index: Option<usize>,
    pub device: Device,
    /// Where the model came from: "trained in this tab", a gallery name or a file name.
    pub source: String,
    /// A snapshot to continue training from (checkpoint format v3 with optimizer state): a
    /// run's last evaluation point, or a loaded file that has one. Exports write it as it is,
    /// so `lab train --resume` continues the run natively.
    pub resumable: Option<Vec<u8>>,
}

/// Holds at most one model: keeping a new one releases the old one.
#[derive(Clone, Default)]
pub struct ModelStore(Rc<RefCell<Slot>>);

#[derive(Default)]
struct Slot {
    issued: u64,
    kept: Option<(ModelHandle, Trained)>,
}

impl PartialEq for ModelStore {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl ModelStore {
    /// Keep `trained` (releasing the previous model) and return its new handle.
    pub fn keep(&self, trained: Trained) -> ModelHandle {
        let mut slot = self.0.borrow_mut();
        slot.issued += 1;
        let handle = ModelHandle::nth(slot.issued);
        slot.kept = Some((handle, trained));
        handle
    }

    /// Release the kept model (before a new one is built, so that both never share memory).
    pub fn release(&self) {
        self.0.borrow_mut().kept = None;
    }

    /// The example the player shows for `handle` from now on.
    pub fn show(&self, handle: ModelHandle, example: Example, index: Option<usize>) {
        if let Some((kept, trained)) = self.0.borrow_mut().kept.as_mut()
            && *kept == handle
        {
            trained.example = example;
            trained.example_index = index;
        }
    }

    /// Look at the model behind `handle`; `None` once it has been released or replaced.
    pub fn with<R>(&self, handle: ModelHandle, f: impl FnOnce(&Trained) -> R) -> Option<R> {
        let slot = self.0.borrow();
        slot.kept
            .as_ref()
            .filter(|(kept, _)| *kept == handle)
            .map(|(_, trained)| f(trained))
    }
}
