//! Claims of the three papers made checkable. [`construct`] holds the positive side of each
//! theorem as hand-set weights in our own model classes, saved as ordinary checkpoints.

pub mod construct;
