//! A task's parameters by name, as the page's URL and gallery address them (`brackets=3`).
//! The one place in the page that knows `TaskParams`' fields.

use crate::tasks::TaskParams;

/// Every parameter name a task may take, in URL order.
pub const NAMES: [&str; 4] = ["brackets", "depth", "bits", "symbols"];

/// The parameter called `name`, if the page knows it.
pub fn slot<'a>(params: &'a mut TaskParams, name: &str) -> Option<&'a mut Option<usize>> {
    match name {
        "brackets" => Some(&mut params.brackets),
        "depth" => Some(&mut params.depth),
        "bits" => Some(&mut params.bits),
        "symbols" => Some(&mut params.symbols),
        _ => None,
    }
}

/// The value of the parameter called `name` (`None` when unset or unknown).
pub fn get(mut params: TaskParams, name: &str) -> Option<usize> {
    slot(&mut params, name).and_then(|v| *v)
}
