//! The instruments' data as the page exports it beside their charts' SVG and PNG: one CSV per
//! instrument ([`super::figure::csv`]: the model's config as `#` comments, then a header and a
//! row per layer, head, cell or size). Plain Rust, tested natively.

use super::figure::{csv, number};
use super::wire::protocol::PatchView;
use crate::instruments::ablation::Ablation;
use crate::instruments::agreement::Agreement;
use crate::instruments::bootstrap::Share;
use crate::instruments::length::{LengthCurve, by_seed};
use crate::instruments::lens::LogitLens;
use crate::instruments::probe::Probes;

fn n(x: f64) -> String {
    number(Some(x))
}

fn share(s: &Share) -> [String; 3] {
    [n(s.estimate), n(s.low), n(s.high)]
}

/// A row per head: attention mass and arg-max share on what the algorithm reads, with
/// intervals, beside uniform attention's chance level.
pub fn agreement_csv(a: &Agreement, about: &str) -> String {
    let rows: Vec<Vec<String>> = a
        .heads
        .iter()
        .map(|h| {
            let mut row = vec![(h.layer + 1).to_string(), (h.head + 1).to_string()];
            row.extend(share(&h.mass));
            row.extend(share(&h.argmax));
            row.push(n(a.chance));
            row
        })
        .collect();
    csv(
        about,
        &[
            "layer",
            "head",
            "mass",
            "mass_low",
            "mass_high",
            "argmax",
            "argmax_low",
            "argmax_high",
            "chance",
        ],
        &rows,
    )
}

/// Text as XML character data.
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The agreement grid as a standalone SVG (a shaded cell per head, its mass written in it,
/// the chance level in the title, `about` in `<metadata>`), and its width and height.
pub fn agreement_svg(a: &Agreement, about: &str) -> (String, f64, f64) {
    const CELL: f64 = 44.0;
    const MARGIN: f64 = 36.0;
    let layers = a.heads.iter().map(|h| h.layer + 1).max().unwrap_or(0);
    let heads = a.heads.iter().map(|h| h.head + 1).max().unwrap_or(0);
    let (w, h) = (
        MARGIN + CELL * heads as f64 + 8.0,
        MARGIN + CELL * layers as f64 + 24.0,
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\">\n\
         <title>attention on what the algorithm reads, per head (chance {:.1} %)</title>\n<metadata>{}</metadata>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        100.0 * a.chance,
        xml(about)
    );
    for k in 0..heads {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">H{}</text>\n",
            MARGIN + CELL * (k as f64 + 0.5),
            MARGIN - 8.0,
            k + 1
        ));
    }
    for l in 0..layers {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">L{}</text>\n",
            MARGIN - 6.0,
            MARGIN + CELL * (l as f64 + 0.6),
            l + 1
        ));
    }
    for head in &a.heads {
        let above = ((head.mass.estimate - a.chance) / (1.0 - a.chance).max(1e-9)).clamp(0.0, 1.0);
        let (x, y) = (
            MARGIN + CELL * head.head as f64,
            MARGIN + CELL * head.layer as f64,
        );
        out.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"hsl(150, 45%, {:.0}%)\" stroke=\"#cccccc\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{:.0} %</text>\n",
            CELL - 2.0,
            CELL - 2.0,
            97.0 - 62.0 * above,
            x + CELL / 2.0 - 1.0,
            y + CELL / 2.0 + 3.0,
            100.0 * head.mass.estimate
        ));
    }
    out.push_str(&format!(
        "<text x=\"4\" y=\"{:.1}\" font-size=\"10\">chance (uniform attention): {:.1} %</text>\n</svg>\n",
        h - 8.0,
        100.0 * a.chance
    ));
    (out, w, h)
}

/// A row per layer: R², exact share, the shuffled control's R².
pub fn probes_csv(p: &Probes, about: &str) -> String {
    let rows: Vec<Vec<String>> = p
        .layers
        .iter()
        .map(|l| {
            vec![
                p.variable.name().to_string(),
                (l.layer + 1).to_string(),
                n(l.r2),
                n(l.exact),
                n(l.control_r2),
            ]
        })
        .collect();
    csv(
        about,
        &["variable", "after_layer", "r2", "exact", "control_r2"],
        &rows,
    )
}

/// A row per head, then per layer (head `all`: every head of it at once): the accuracies
/// without it and the points lost, with intervals.
pub fn ablation_csv(a: &Ablation, about: &str) -> String {
    let row = |layer: usize, head: String, exact, answer, exact_drop, answer_drop| {
        let mut row = vec![(layer + 1).to_string(), head, n(exact), n(answer)];
        row.extend(share(exact_drop));
        row.extend(share(answer_drop));
        row
    };
    let rows: Vec<Vec<String>> = a
        .heads
        .iter()
        .map(|h| {
            row(
                h.layer,
                (h.head + 1).to_string(),
                h.exact,
                h.answer,
                &h.exact_drop,
                &h.answer_drop,
            )
        })
        .chain(a.layers.iter().map(|l| {
            row(
                l.layer,
                "all".into(),
                l.exact,
                l.answer,
                &l.exact_drop,
                &l.answer_drop,
            )
        }))
        .collect();
    csv(
        about,
        &[
            "layer",
            "head",
            "exact_without",
            "answer_without",
            "exact_drop",
            "exact_drop_low",
            "exact_drop_high",
            "answer_drop",
            "answer_drop_low",
            "answer_drop_high",
        ],
        &rows,
    )
}

/// A row per residual stream read out (0: the embedded input).
pub fn lens_csv(l: &LogitLens, about: &str) -> String {
    let rows: Vec<Vec<String>> = l
        .layers
        .iter()
        .map(|x| {
            vec![
                x.after_layer.to_string(),
                n(x.reference_probability),
                n(x.top1),
                n(x.answer_top1),
            ]
        })
        .collect();
    csv(
        about,
        &[
            "after_layer",
            "reference_probability",
            "top1",
            "answer_top1",
        ],
        &rows,
    )
}

/// A row per (layer input, position): the tokens there and the share of the lead restored.
pub fn patching_csv(p: &PatchView, about: &str) -> String {
    let mut rows = Vec::new();
    for (layer, row) in p.patching.recovered.iter().enumerate() {
        for (position, r) in row.iter().enumerate() {
            rows.push(vec![
                layer.to_string(),
                position.to_string(),
                p.clean_text.get(position).cloned().unwrap_or_default(),
                p.corrupt_text.get(position).cloned().unwrap_or_default(),
                n(*r),
            ]);
        }
    }
    csv(
        about,
        &[
            "layer_input",
            "position",
            "clean_token",
            "corrupt_token",
            "recovered",
        ],
        &rows,
    )
}

/// A row per curve and size (every model), then a row per series and size (seeds pooled).
pub fn length_csv(curves: &[LengthCurve], about: &str) -> String {
    let mut rows = Vec::new();
    for c in curves {
        for p in &c.points {
            let mut row = vec![
                "model".to_string(),
                c.label.clone(),
                c.train.seed.to_string(),
                p.size.to_string(),
                p.examples.to_string(),
            ];
            row.extend(share(&p.answer));
            row.extend(share(&p.full));
            rows.push(row);
        }
    }
    for s in by_seed(curves) {
        let seeds: Vec<String> = s.seeds.iter().map(ToString::to_string).collect();
        for (size, answer, full) in &s.points {
            let mut row = vec![
                "over seeds".to_string(),
                s.label.clone(),
                seeds.join(" "),
                size.to_string(),
                String::new(),
            ];
            row.extend(share(answer));
            row.extend(share(full));
            rows.push(row);
        }
    }
    csv(
        about,
        &[
            "row",
            "series",
            "seeds",
            "size",
            "examples",
            "answer",
            "answer_low",
            "answer_high",
            "whole",
            "whole_low",
            "whole_high",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::length::LengthPoint;
    use crate::instruments::patching::Patching;
    use crate::instruments::probe::{LayerProbe, Variable};
    use crate::train::TrainConfig;

    fn lines(text: &str) -> Vec<&str> {
        text.lines().filter(|l| !l.starts_with('#')).collect()
    }

    #[test]
    fn probes_write_a_row_per_layer_under_the_config() {
        let p = Probes {
            variable: Variable::DyckDepth,
            fit_positions: 10,
            score_positions: 10,
            layers: vec![LayerProbe {
                layer: 0,
                r2: 0.5,
                exact: 0.25,
                control_r2: -0.125,
            }],
        };
        let text = probes_csv(&p, "{\"seed\":3}");
        assert!(text.starts_with("# {\"seed\":3}\n"));
        assert_eq!(
            lines(&text),
            vec![
                "variable,after_layer,r2,exact,control_r2",
                "stack depth,1,0.5,0.25,-0.125"
            ]
        );
    }

    #[test]
    fn the_agreement_grid_exports_a_cell_per_head_with_the_chance_level() {
        use crate::instruments::agreement::HeadAgreement;
        let s = |x: f64| Share {
            estimate: x,
            low: x - 0.1,
            high: x + 0.1,
        };
        let a = Agreement {
            heads: (0..2)
                .flat_map(|layer| {
                    (0..3).map(move |head| HeadAgreement {
                        layer,
                        head,
                        mass: s(0.25 * head as f64),
                        argmax: s(0.5),
                    })
                })
                .collect(),
            chance: 0.125,
            examples: 4,
            positions: 40,
            whole_prefix: 0,
        };
        let (svg, w, h) = agreement_svg(&a, "{\"task\":\"index-lookup\"}");
        assert_eq!(svg.matches("<rect x=").count(), 6);
        assert!(svg.contains("<metadata>{&quot;task&quot;:&quot;index-lookup&quot;}</metadata>"));
        assert!(svg.contains(">50 %</text>") && svg.contains("chance (uniform attention): 12.5 %"));
        assert!(w > 3.0 * 44.0 && h > 2.0 * 44.0);
        let text = agreement_csv(&a, "");
        let rows = lines(&text);
        assert_eq!(rows.len(), 1 + 6);
        assert_eq!(rows[3], "1,3,0.5,0.4,0.6,0.5,0.4,0.6,0.125");
    }

    #[test]
    fn patching_writes_every_cell_with_its_tokens() {
        let view = PatchView {
            patching: Patching {
                clean: vec![1, 2, 3],
                corrupt: vec![1, 4, 5],
                clean_answer: 3,
                corrupt_answer: 5,
                clean_difference: 2.0,
                corrupt_difference: -2.0,
                recovered: vec![vec![0.0, 1.0], vec![0.5, 0.25]],
            },
            clean_text: vec!["a".into(), "b".into(), "c".into()],
            corrupt_text: vec!["a".into(), "x,y".into(), "z".into()],
        };
        let text = patching_csv(&view, "");
        let body = lines(&text)[1..].to_vec();
        assert_eq!(body.len(), 4);
        assert_eq!(body[1], "0,1,b,\"x,y\",1");
        assert_eq!(body[3], "1,1,b,\"x,y\",0.25");
    }

    #[test]
    fn length_rows_per_model_then_per_series_over_seeds() {
        let s = |x: f64| Share {
            estimate: x,
            low: x,
            high: x,
        };
        let curve = |seed| LengthCurve {
            label: "m".into(),
            train: TrainConfig {
                seed,
                ..TrainConfig::default()
            },
            points: vec![LengthPoint {
                size: 8,
                examples: 64,
                full: s(0.5),
                answer: s(seed as f64 / 4.0),
            }],
            skipped: Vec::new(),
        };
        let text = length_csv(&[curve(1), curve(3)], "");
        let body = lines(&text);
        assert_eq!(body.len(), 1 + 2 + 1);
        assert!(body[1].starts_with("model,m,1,8,64,0.25,"));
        assert!(body[3].starts_with("over seeds,"), "{}", body[3]);
        assert!(body[3].contains(",1 3,8,,0.5,"), "{}", body[3]);
    }
}
