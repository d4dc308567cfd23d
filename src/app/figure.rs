//! A figure's data as CSV, the way the page exports it beside the SVG and PNG: the run's config
//! as `#` comment lines first (a reader skips them: pandas' `comment="#"`, R's
//! `comment.char`), then a header and the rows, fields quoted where CSV needs it. Plain Rust,
//! tested natively.

use crate::train::Metrics;

/// The columns of one evaluation ([`metrics_cells`]).
pub const METRICS_HEADER: [&str; 6] = [
    "step",
    "loss",
    "teacher_forced_exact",
    "teacher_forced_answer",
    "free_whole",
    "free_answer",
];

/// One evaluation as CSV cells, in the order of [`METRICS_HEADER`].
pub fn metrics_cells(m: &Metrics) -> Vec<String> {
    vec![
        m.step.to_string(),
        number(Some(f64::from(m.loss))),
        number(Some(f64::from(m.accuracy))),
        number(Some(f64::from(m.answer_accuracy))),
        number(m.free.map(|f| f64::from(f.full))),
        number(m.free.map(|f| f64::from(f.answer))),
    ]
}

/// `about` (any text, one comment line per line), `header`, then `rows`.
pub fn csv(about: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for line in about.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    let line = |fields: &mut dyn Iterator<Item = &str>| {
        fields.map(field).collect::<Vec<_>>().join(",") + "\n"
    };
    out.push_str(&line(&mut header.iter().copied()));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

/// A field as CSV writes it: quoted (inner quotes doubled) when it holds a comma, a quote or a
/// line break, or starts with `#` (it would read as a comment).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with('#') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A number for a CSV cell: empty when absent or not finite.
pub fn number(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or(String::new(), |v| format!("{v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_header_and_quoted_fields() {
        let text = csv(
            "{\"task\":\"lis\"}\nsecond line",
            &["step", "note"],
            &[
                vec!["1".into(), "plain".into()],
                vec!["2".into(), "a, \"b\"".into()],
                vec!["3".into(), "#not a comment".into()],
            ],
        );
        assert_eq!(
            text,
            "# {\"task\":\"lis\"}\n# second line\nstep,note\n1,plain\n2,\"a, \"\"b\"\"\"\n3,\"#not a comment\"\n"
        );
    }

    #[test]
    fn missing_and_infinite_numbers_are_empty_cells() {
        assert_eq!(number(Some(0.25)), "0.25");
        assert_eq!(number(None), "");
        assert_eq!(number(Some(f64::NAN)), "");
    }
}
