//! Export buttons for a figure the page draws outside a [`super::Chart`] (the attention map's
//! canvas, the agreement grid's table): the figure written as a standalone SVG on request,
//! the same SVG drawn into a PNG at twice its size, and its data as CSV.

use yew::prelude::*;

use crate::app::chart_export::png_url;
use crate::app::files;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// File names `stem.svg|png|csv`; button ids `stem-export-svg|png|csv`.
    pub stem: AttrValue,
    /// What the title of each button calls the figure.
    pub what: AttrValue,
    /// Writes the SVG: its text, width and height.
    pub svg: Callback<(), (String, f64, f64)>,
    pub csv: Callback<(), String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Svg,
    Png,
    Csv,
}

async fn write(
    kind: Kind,
    stem: &str,
    svg: Callback<(), (String, f64, f64)>,
    csv: Callback<(), String>,
) -> Result<(), String> {
    match kind {
        Kind::Svg => {
            let (text, _, _) = svg.emit(());
            files::download(&format!("{stem}.svg"), text.as_bytes(), "image/svg+xml")
        }
        Kind::Png => {
            let (text, w, h) = svg.emit(());
            let url = png_url(&text, w, h).await?;
            files::download_url(&format!("{stem}.png"), &url)
        }
        Kind::Csv => files::download(&format!("{stem}.csv"), csv.emit(()).as_bytes(), "text/csv"),
    }
}

#[function_component(FileExport)]
pub fn file_export(props: &Props) -> Html {
    let failed = use_state(|| None::<String>);
    let button = |kind: Kind, label: &'static str| {
        let (stem, svg, csv, failed) = (
            props.stem.clone(),
            props.svg.clone(),
            props.csv.clone(),
            failed.clone(),
        );
        let onclick = Callback::from(move |_: MouseEvent| {
            let (stem, svg, csv, failed) = (stem.clone(), svg.clone(), csv.clone(), failed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = write(kind, &stem, svg, csv).await;
                failed.set(
                    result
                        .err()
                        .map(|why| format!("{label} export failed: {why}")),
                );
            });
        });
        html! {
            <button id={format!("{}-export-{}", props.stem, label.to_lowercase())} class="small-button chart-export-button"
                {onclick} title={format!("Download {} as {label}, the model's config inside", props.what)}>{label}</button>
        }
    };
    html! {
        <div class="chart-export">
            { button(Kind::Svg, "SVG") }
            { button(Kind::Png, "PNG") }
            { button(Kind::Csv, "CSV") }
            if let Some(why) = &*failed {
                <span class="error" role="alert">{why.clone()}</span>
            }
        </div>
    }
}
