//! How a message travels between the page and a worker: the typed value of [`super::protocol`]
//! as a JS value, with the bytes of a checkpoint (a file being loaded, an export) beside it as a
//! transferred `ArrayBuffer` rather than inside the message.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// `message` as the JS value posted (`{message, bytes?}`) and the buffers to transfer with it.
/// serde-wasm-bindgen rather than JSON: a NaN loss survives it, and 64-bit integers (seeds)
/// travel as BigInts, exactly.
pub fn encode(
    message: &impl Serialize,
    bytes: Option<Vec<u8>>,
) -> Result<(JsValue, Array), String> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    let value = message
        .serialize(&serializer)
        .map_err(|e| format!("encoding a message: {e}"))?;
    let envelope = Object::new();
    let transfer = Array::new();
    let set = |key: &str, value: &JsValue| {
        Reflect::set(&envelope, &key.into(), value)
            .map(|_| ())
            .map_err(|_| format!("building a message ({key})"))
    };
    set("message", &value)?;
    if let Some(bytes) = bytes {
        let array = Uint8Array::from(bytes.as_slice());
        transfer.push(&array.buffer());
        set("bytes", &array.into())?;
    }
    Ok((envelope.into(), transfer))
}

/// The message and bytes of a posted envelope; a clear error for anything else.
pub fn decode<T: DeserializeOwned>(data: &JsValue) -> Result<(T, Option<Vec<u8>>), String> {
    let value = Reflect::get(data, &"message".into())
        .ok()
        .filter(|v| !v.is_undefined())
        .ok_or("a message without its message part")?;
    let message =
        serde_wasm_bindgen::from_value(value).map_err(|e| format!("an unreadable message: {e}"))?;
    let bytes = Reflect::get(data, &"bytes".into())
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
        .map(|a| a.to_vec());
    Ok((message, bytes))
}
