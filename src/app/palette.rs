//! The page's colours for lines and marks that tell series apart, chosen to stay apart for
//! readers with a colour-vision deficiency: every pair of [`SERIES`] differs by at least
//! [`MIN_DELTA_E`] (CIE76) under simulated protanopia, deuteranopia and tritanopia (Machado et
//! al. 2009, full severity) as in normal vision, and each has at least 3:1 contrast on white
//! (WCAG 1.4.11, graphics). An Okabe–Ito palette, darkened for that contrast. Plain Rust, so
//! that the native tests check it.

/// Blue, vermillion, bluish green, reddish purple, brown, near-black; after six a chart repeats
/// them (its legend names each line).
pub const SERIES: [&str; 6] = [
    "#1f4e9c", "#d55e00", "#00855f", "#a8508a", "#6b4e00", "#222222",
];

pub const BLUE: &str = SERIES[0];
pub const VERMILLION: &str = SERIES[1];
pub const GREEN: &str = SERIES[2];
pub const PURPLE: &str = SERIES[3];
pub const BROWN: &str = SERIES[4];
pub const INK: &str = SERIES[5];

/// The smallest colour difference between two series colours, in every kind of vision tested.
pub const MIN_DELTA_E: f64 = 15.0;

/// The colour of series `k` (the colours repeat after [`SERIES`]).
pub fn series(k: usize) -> &'static str {
    SERIES[k % SERIES.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(hex: &str) -> [f64; 3] {
        let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        [channel(1), channel(3), channel(5)]
    }

    fn linear(c: f64) -> f64 {
        let c = c / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    fn luminance(hex: &str) -> f64 {
        let [r, g, b] = rgb(hex).map(linear);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
    const DEFICIENCIES: [(&str, [[f64; 3]; 3]); 3] = [
        (
            "protanopia",
            [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ],
        ),
        (
            "deuteranopia",
            [
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ],
        ),
        (
            "tritanopia",
            [
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ],
        ),
    ];

    /// CIE L*a*b* (D65) of linear RGB.
    fn lab([r, g, b]: [f64; 3]) -> [f64; 3] {
        let [r, g, b] = [r, g, b].map(|c| c.clamp(0.0, 1.0));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    fn seen(hex: &str, matrix: Option<&[[f64; 3]; 3]>) -> [f64; 3] {
        let c = rgb(hex).map(linear);
        lab(match matrix {
            Some(m) => [0, 1, 2].map(|i| m[i][0] * c[0] + m[i][1] * c[1] + m[i][2] * c[2]),
            None => c,
        })
    }

    fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    /// The closest pair of `colours` in one kind of vision.
    fn closest(colours: &[&str], matrix: Option<&[[f64; 3]; 3]>) -> (f64, String) {
        let mut best = (f64::INFINITY, String::new());
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                let d = delta_e(seen(a, matrix), seen(b, matrix));
                if d < best.0 {
                    best = (d, format!("{a} / {b}"));
                }
            }
        }
        best
    }

    #[test]
    fn series_colours_stay_apart_in_every_kind_of_vision() {
        let (d, pair) = closest(&SERIES, None);
        assert!(d >= MIN_DELTA_E, "normal vision: {pair} differ by {d:.1}");
        for (name, matrix) in &DEFICIENCIES {
            let (d, pair) = closest(&SERIES, Some(matrix));
            assert!(d >= MIN_DELTA_E, "{name}: {pair} differ by only {d:.1}");
        }
    }

    #[test]
    fn the_check_catches_a_palette_that_merges_for_protanopes() {
        // The page's palette before this one: its blue and purple (standard and sparse in the
        // cost meter) differ by 2 under protanopia.
        let old = [
            "#1f4e9c", "#c2571a", "#0f8a6a", "#7b3fa0", "#b8860b", "#c0304a",
        ];
        let (d, pair) = closest(&old, Some(&DEFICIENCIES[0].1));
        assert!(d < 5.0, "{pair}: {d:.1}");
    }

    #[test]
    fn series_colours_have_graphics_contrast_on_white() {
        for c in SERIES {
            let ratio = 1.05 / (luminance(c) + 0.05);
            assert!(ratio >= 3.0, "{c}: {ratio:.2}:1 on white");
        }
    }
}
