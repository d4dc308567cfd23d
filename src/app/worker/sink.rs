//! Where the worker's jobs send their reports: one function that posts them to the page.

use std::rc::Rc;

use crate::app::wire::protocol::Report;

/// Posts reports (and the bytes of a download) to the page. Cheap to clone; clones compare
/// equal.
#[derive(Clone)]
pub struct Sink(Rc<dyn Fn(Report, Option<Vec<u8>>)>);

impl PartialEq for Sink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Sink {
    pub fn new(post: impl Fn(Report, Option<Vec<u8>>) + 'static) -> Self {
        Self(Rc::new(post))
    }

    pub fn send(&self, report: Report) {
        (self.0)(report, None);
    }

    /// A report with bytes beside it (a download).
    pub fn send_with_bytes(&self, report: Report, bytes: Vec<u8>) {
        (self.0)(report, Some(bytes));
    }
}
