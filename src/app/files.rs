//! Bytes in and out of the page: fetching a shipped file, reading a user's file, downloading.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn js_err(context: &str, e: JsValue) -> String {
    let detail = e
        .as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|err| String::from(err.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"));
    format!("{context}: {detail}")
}

/// GET `url` (relative to the page) and return its body.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| js_err(&format!("fetching {url} failed"), e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("fetching {url}: not a response"))?;
    if !response.ok() {
        return Err(format!(
            "fetching {url} failed: HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let buffer = response
        .array_buffer()
        .map_err(|e| js_err(&format!("reading {url}"), e))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| js_err(&format!("reading {url}"), e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The contents of a file the user picked; refuses files over `max_bytes` before reading.
pub async fn read_file(file: &web_sys::File, max_bytes: usize) -> Result<Vec<u8>, String> {
    let size = file.size();
    if size > max_bytes as f64 {
        return Err(format!(
            "{} is {:.1} MB; files over {} MB are refused here",
            file.name(),
            size / 1e6,
            max_bytes >> 20
        ));
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| js_err(&format!("reading {}", file.name()), e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Offer `bytes` as a download named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let parts = Array::new();
    parts.push(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| js_err("creating the file", e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| js_err("creating the download link", e))?;
    let document = gloo::utils::document();
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_err("creating the download link", e))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Revoke after the click has been handled.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Offer the resource at `url` (e.g. a `data:` URL) as a download named `name`.
pub fn download_url(name: &str, url: &str) -> Result<(), String> {
    let anchor: web_sys::HtmlAnchorElement = gloo::utils::document()
        .create_element("a")
        .map_err(|e| js_err("creating the download link", e))?
        .unchecked_into();
    anchor.set_href(url);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}

/// Where a checkpoint comes from: the page's gallery, a file the user picked, or a
/// construction built in the page.
pub enum CheckpointSource {
    /// `models/NAME.safetensors`, shipped with the page.
    Gallery {
        name: String,
        title: String,
    },
    File(web_sys::File),
    /// `claims::construct` NAME at `size`: hand-set weights, written as an ordinary checkpoint.
    Construction {
        name: String,
        size: usize,
    },
}

impl CheckpointSource {
    /// How messages name it.
    pub fn describe(&self) -> String {
        match self {
            Self::Gallery { title, .. } => format!("gallery model “{title}”"),
            Self::File(file) => format!("“{}”", file.name()),
            Self::Construction { name, size } => format!("construction “{name}” (N = {size})"),
        }
    }

    /// Its bytes (files over the checkpoint limit are refused before reading).
    pub async fn read(&self) -> Result<Vec<u8>, String> {
        match self {
            Self::Gallery { name, .. } => fetch_bytes(&format!("models/{name}.safetensors")).await,
            Self::File(file) => read_file(file, crate::train::checkpoint::MAX_BYTES).await,
            Self::Construction { name, size } => crate::claims::construct::find(name)
                .and_then(|c| c.build(*size))
                .map(|built| built.bytes)
                .map_err(|e| e.to_string()),
        }
    }
}
