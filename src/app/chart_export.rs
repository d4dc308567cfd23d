//! Charts leave the page: an SVG file of what is drawn (the page's CSS inlined as each element's
//! computed style, so the file looks the same anywhere, on a white background, the run's config
//! in its `<metadata>`), a PNG of the same drawing at twice its size, and the chart's data as CSV
//! ([`super::figure::csv`]).

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::files;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// The computed properties that make an SVG element look as it does on the page.
const STYLE: [&str; 12] = [
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "stroke-linecap",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "dominant-baseline",
];

fn err(context: &str, e: JsValue) -> String {
    format!(
        "{context}: {}",
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    )
}

/// The drawing's width and height in SVG units (its viewBox).
fn size(svg: &web_sys::Element) -> (f64, f64) {
    let view = svg.get_attribute("viewBox").unwrap_or_default();
    let v: Vec<f64> = view
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match v.as_slice() {
        [_, _, w, h] => (*w, *h),
        _ => (640.0, 360.0),
    }
}

/// The `<svg>` as a standalone file: styles inlined, `width`/`height` set, a white background,
/// a `<title>` and the config `about` in `<metadata>`.
pub fn svg_text(svg: &web_sys::Element, title: &str, about: &str) -> Result<String, String> {
    let window = gloo::utils::window();
    let document = gloo::utils::document();
    let copy: web_sys::Element = svg
        .clone_node_with_deep(true)
        .map_err(|e| err("copying the chart", e))?
        .unchecked_into();
    // The copy's elements in the same order as the original's: each takes its computed style.
    let originals = svg
        .query_selector_all("*")
        .map_err(|e| err("reading the chart", e))?;
    let copies = copy
        .query_selector_all("*")
        .map_err(|e| err("reading the chart", e))?;
    for i in 0..originals.length().min(copies.length()) {
        let (Some(original), Some(target)) = (originals.item(i), copies.item(i)) else {
            continue;
        };
        let (Ok(original), Ok(target)) = (
            original.dyn_into::<web_sys::Element>(),
            target.dyn_into::<web_sys::Element>(),
        ) else {
            continue;
        };
        let Ok(Some(computed)) = window.get_computed_style(&original) else {
            continue;
        };
        let style: String = STYLE
            .iter()
            .filter_map(|p| {
                let v = computed.get_property_value(p).ok()?;
                (!v.is_empty()).then(|| format!("{p}:{v};"))
            })
            .collect();
        let _ = target.set_attribute("style", &style);
    }
    let (w, h) = size(svg);
    let set = |name: &str, value: &str| {
        copy.set_attribute(name, value)
            .map_err(|e| err("writing the chart", e))
    };
    set("xmlns", SVG_NS)?;
    set("width", &format!("{w}"))?;
    set("height", &format!("{h}"))?;
    set("style", "background:#ffffff")?;
    let _ = copy.remove_attribute("class");
    let element = |tag: &str| {
        document
            .create_element_ns(Some(SVG_NS), tag)
            .map_err(|e| err("writing the chart", e))
    };
    let background = element("rect")?;
    for (name, value) in [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")] {
        let _ = background.set_attribute(name, value);
    }
    let title_element = element("title")?;
    title_element.set_text_content(Some(title));
    let metadata = element("metadata")?;
    metadata.set_text_content(Some(about));
    let first = copy.first_child();
    for node in [&metadata, &title_element, &background] {
        copy.insert_before(node, first.as_ref())
            .map_err(|e| err("writing the chart", e))?;
    }
    // Each inserted before the drawing's first child: metadata, title, background, drawing.
    web_sys::XmlSerializer::new()
        .and_then(|s| s.serialize_to_string(&copy))
        .map_err(|e| err("serialising the chart", e))
}

/// The SVG file's text drawn on a canvas at twice its size, as a `data:image/png` URL.
pub async fn png_url(svg_text: &str, width: f64, height: f64) -> Result<String, String> {
    let parts = Array::new();
    parts.push(&JsValue::from_str(svg_text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| err("drawing the chart", e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| err("drawing the chart", e))?;
    let image = web_sys::HtmlImageElement::new().map_err(|e| err("drawing the chart", e))?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    decoded.map_err(|e| err("drawing the chart", e))?;
    let canvas: web_sys::HtmlCanvasElement = gloo::utils::document()
        .create_element("canvas")
        .map_err(|e| err("drawing the chart", e))?
        .unchecked_into();
    let scale = 2.0;
    canvas.set_width((width * scale).round() as u32);
    canvas.set_height((height * scale).round() as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| err("drawing the chart", e))?
        .ok_or("this browser gives no 2-D canvas")?
        .unchecked_into();
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            width * scale,
            height * scale,
        )
        .map_err(|e| err("drawing the chart", e))?;
    canvas
        .to_data_url()
        .map_err(|e| err("drawing the chart", e))
}

/// Which file a chart's export button writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Svg,
    Png,
    Csv,
}

/// Export the chart `svg` as `kind` to `stem.svg|png|csv` (`csv`: the chart's data, already
/// written). Errors name what failed.
pub async fn export(
    svg: &web_sys::Element,
    kind: Kind,
    stem: &str,
    about: &str,
    csv: Option<String>,
) -> Result<(), String> {
    match kind {
        Kind::Svg => {
            let text = svg_text(svg, stem, about)?;
            files::download(&format!("{stem}.svg"), text.as_bytes(), "image/svg+xml")
        }
        Kind::Png => {
            let text = svg_text(svg, stem, about)?;
            let (w, h) = size(svg);
            let url = png_url(&text, w, h).await?;
            files::download_url(&format!("{stem}.png"), &url)
        }
        Kind::Csv => {
            let text = csv.ok_or("this chart has no data to export")?;
            files::download(&format!("{stem}.csv"), text.as_bytes(), "text/csv")
        }
    }
}
