//! Serde for a shared value (`#[serde(with = "shared")]`): the value itself, shared again on
//! arrival. (serde's own `rc` feature would do it, but changing serde's features rebuilds every
//! crate that depends on serde, burn included.)

use std::rc::Rc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub fn serialize<T: Serialize, S: Serializer>(
    value: &Rc<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    T::serialize(value, serializer)
}

pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Rc<T>, D::Error> {
    T::deserialize(deserializer).map(Rc::new)
}
