//! The name a kept model goes by between the page and the worker: the weights stay in the
//! worker's store (`worker::model_store`), the page's state holds only this handle.

/// Names one kept model. Handles compare by identity: every model kept gets a new one, so a
/// handle to a released model never finds its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ModelHandle(u64);

impl ModelHandle {
    /// The handle of the `n`-th model kept (the store issues them in order).
    pub(crate) fn nth(n: u64) -> Self {
        Self(n)
    }
}
