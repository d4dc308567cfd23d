//! The attention map as files: a standalone SVG (a rectangle per attended cell, the tokens on
//! both axes, the model's config in `<metadata>`), and its weights as CSV. The page draws the
//! map into a canvas (see `components::attention_map`); exports are written from the same
//! weights. Plain Rust, tested natively.

use super::figure::{csv, number};
use super::instrument_figures::xml;
use crate::train::Inspection;

/// White → deep blue, brighter for smaller weights (square root: small weights stay visible).
pub fn shade(weight: f32) -> [u8; 3] {
    let w = f64::from(weight.clamp(0.0, 1.0)).sqrt();
    let channel = |dark: f64| (255.0 - w * (255.0 - dark)) as u8;
    [channel(24.0), channel(70.0), channel(160.0)]
}

const CELL: f64 = 14.0;
const LABEL: f64 = 48.0;

/// The SVG's side in its units for `t` tokens.
pub fn svg_side(t: usize) -> f64 {
    LABEL + CELL * t as f64 + 4.0
}

/// Layer `layer`, head `head` of `ins` as an SVG file (`about`: the model's config).
pub fn attention_svg(ins: &Inspection, layer: usize, head: usize, about: &str) -> String {
    let t = ins.len();
    let side = svg_side(t);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side}\" height=\"{side}\" viewBox=\"0 0 {side} {side}\" font-family=\"sans-serif\">\n\
         <title>attention, layer {} head {} (rows: queries, columns: keys)</title>\n<metadata>{}</metadata>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        layer + 1,
        head + 1,
        xml(about)
    );
    for (i, label) in ins.labels.iter().enumerate() {
        let at = LABEL + CELL * (i as f64 + 0.5);
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{at:.1}\" font-size=\"9\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\n\
             <text x=\"{at:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>\n",
            LABEL - 3.0,
            xml(label),
            LABEL - 4.0,
            xml(label)
        ));
    }
    for q in 0..t {
        for k in 0..=q {
            let w = ins.weight(layer, head, q, k);
            let [r, g, b] = shade(w);
            out.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"rgb({r},{g},{b})\"><title>{q}→{k}: {w:.3}</title></rect>\n",
                LABEL + CELL * k as f64,
                LABEL + CELL * q as f64,
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Every attended (query, key) pair of layer `layer`, head `head`: positions, tokens, weight.
pub fn attention_csv(ins: &Inspection, layer: usize, head: usize, about: &str) -> String {
    let t = ins.len();
    let mut rows = Vec::with_capacity(t * (t + 1) / 2);
    for q in 0..t {
        for k in 0..=q {
            rows.push(vec![
                (layer + 1).to_string(),
                (head + 1).to_string(),
                q.to_string(),
                ins.labels[q].clone(),
                k.to_string(),
                ins.labels[k].clone(),
                number(Some(f64::from(ins.weight(layer, head, q, k)))),
            ]);
        }
    }
    csv(
        about,
        &[
            "layer",
            "head",
            "query",
            "query_token",
            "key",
            "key_token",
            "weight",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::Example;
    use crate::tasks::Grade;

    fn inspection() -> Inspection {
        // Two layers, one head, three tokens; layer 2 attends uniformly over the prefix.
        let uniform: Vec<f32> = vec![
            1.0,
            0.0,
            0.0,
            0.5,
            0.5,
            0.0,
            1.0 / 3.0,
            1.0 / 3.0,
            1.0 / 3.0,
        ];
        let first: Vec<f32> = vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        Inspection {
            task: crate::tasks::TaskKind::Majority,
            reference: Example {
                tokens: vec![0, 1, 2],
                prompt_len: 2,
                cot_len: 0,
                trace: Vec::new(),
            },
            tokens: vec![0, 1, 2],
            labels: vec!["1".into(), "<q>".into(), "&".into()],
            reference_labels: vec!["1".into(), "<q>".into(), "&".into()],
            grade: Grade {
                exact: true,
                answer_correct: true,
                first_wrong: None,
                first_wrong_cell: None,
            },
            n_layers: 2,
            n_heads: 1,
            attention: vec![vec![first], vec![uniform]],
            state_norms: Vec::new(),
            example: Some(0),
        }
    }

    #[test]
    fn the_svg_draws_each_attended_cell_and_escapes_tokens_and_config() {
        let svg = attention_svg(&inspection(), 1, 0, "{\"task\":\"a<b\"}");
        assert_eq!(svg.matches("<rect x=").count(), 6, "t(t+1)/2 cells");
        assert!(svg.contains("<metadata>{&quot;task&quot;:&quot;a&lt;b&quot;}</metadata>"));
        assert!(svg.contains(">&amp;</text>") && !svg.contains(">&</text>"));
        assert!(svg.contains("2→1: 0.333"));
        // Weight 1 is the darkest shade, weight 0 white.
        assert_eq!(shade(1.0), [24, 70, 160]);
        assert_eq!(shade(0.0), [255, 255, 255]);
    }

    #[test]
    fn the_csv_lists_every_pair_of_the_chosen_head() {
        let text = attention_csv(&inspection(), 0, 0, "cfg");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# cfg");
        assert_eq!(
            lines[1],
            "layer,head,query,query_token,key,key_token,weight"
        );
        assert_eq!(lines.len(), 2 + 6);
        assert_eq!(lines[2 + 5], "1,1,2,&,2,&,1");
    }
}
