//! State probes: can a variable the task's algorithm keeps be read linearly from the model's
//! residual stream after each layer? (For a recurrent layer the stream carries its hidden
//! state.) Closed-form ridge regression from the stream at each prompt position to the
//! variable there, fitted on one half of the held-out examples and scored on the other, beside
//! the same probe fitted on shuffled targets (a probe that "decodes" noise says the stream is
//! merely wide, not that it keeps the variable).
//!
//! Variables: Dyck's stack depth (up to the word's first violation), MAJORITY's running count
//! (ones − zeros), PARITY's running bit.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::SequenceModel;
use crate::tasks::{Example, Task, TaskKind, TaskRng, TaskSpec};
use crate::train::TrainError;
use crate::train::inspect::{read_floats, trace_of};

/// A variable the task's algorithm keeps along the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variable {
    DyckDepth,
    RunningCount,
    RunningParity,
}

impl Variable {
    pub fn name(self) -> &'static str {
        match self {
            Self::DyckDepth => "stack depth",
            Self::RunningCount => "running count (ones − zeros)",
            Self::RunningParity => "running parity",
        }
    }

    /// The variable `task` keeps, if the probes know one.
    pub fn of(task: TaskKind) -> Option<Self> {
        match task {
            TaskKind::Dyck => Some(Self::DyckDepth),
            TaskKind::Majority => Some(Self::RunningCount),
            TaskKind::Parity => Some(Self::RunningParity),
            _ => None,
        }
    }

    /// The variable after each prompt position of `example` that has one (position, value);
    /// Dyck's stops at the word's first violation (a wrong close, or a depth past `bound`).
    fn along(self, task: &dyn Task, example: &Example, bound: usize) -> Vec<(usize, f64)> {
        let vocab = task.vocab();
        let mut out = Vec::new();
        let mut value = 0i64;
        let mut stack: Vec<char> = Vec::new();
        for (t, &token) in example.prompt().iter().enumerate() {
            let text = vocab.text(token);
            match self {
                Self::DyckDepth => {
                    let c = text.chars().next().unwrap_or(' ');
                    match c {
                        '(' | '[' | '{' | '<' if text.len() == 1 => {
                            stack.push(c);
                            if stack.len() > bound {
                                break;
                            }
                        }
                        ')' | ']' | '}' | '>' if text.len() == 1 => {
                            let open = match c {
                                ')' => '(',
                                ']' => '[',
                                '}' => '{',
                                _ => '<',
                            };
                            if stack.pop() != Some(open) {
                                break;
                            }
                        }
                        _ => break,
                    }
                    out.push((t, stack.len() as f64));
                }
                Self::RunningCount | Self::RunningParity => {
                    match text {
                        "1" => value += 1,
                        "0" if self == Self::RunningCount => value -= 1,
                        "0" => {}
                        _ => break,
                    }
                    let v = if self == Self::RunningParity {
                        value.rem_euclid(2)
                    } else {
                        value
                    };
                    out.push((t, v as f64));
                }
            }
        }
        out
    }
}

/// One layer's probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerProbe {
    /// The stream after this layer (0 = after the first).
    pub layer: usize,
    /// R² on the scoring half.
    pub r2: f64,
    /// Share of scoring positions where the rounded prediction is the value.
    pub exact: f64,
    /// R² of the same probe fitted on shuffled targets.
    pub control_r2: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probes {
    pub variable: Variable,
    /// Positions fitted on and scored on.
    pub fit_positions: usize,
    pub score_positions: usize,
    pub layers: Vec<LayerProbe>,
}

/// Why a probe cannot be fitted.
#[derive(Debug)]
pub enum ProbeError {
    NoVariable(TaskKind),
    TooFewPositions(usize),
    Train(TrainError),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoVariable(task) => write!(
                f,
                "the probes know no variable of {}'s algorithm (they probe Dyck's stack depth, \
                 MAJORITY's running count and PARITY's running bit)",
                task.name()
            ),
            Self::TooFewPositions(n) => {
                write!(f, "only {n} positions to fit on: ask for more --examples")
            }
            Self::Train(e) => write!(f, "{e}"),
        }
    }
}

/// Fit and score a probe per layer on `examples` of the task `spec` (the first half fits, the
/// second scores).
pub async fn probe<M: SequenceModel>(
    model: &M,
    spec: &TaskSpec,
    examples: &[Example],
    device: &Device,
) -> Result<Probes, ProbeError> {
    let variable = Variable::of(spec.task).ok_or(ProbeError::NoVariable(spec.task))?;
    let task = spec
        .build()
        .map_err(|e| ProbeError::Train(TrainError::Task(e)))?;
    let bound = spec
        .task
        .info()
        .params
        .iter()
        .find(|p| p.name == "depth")
        .map_or(usize::MAX, |p| spec.params.value(p));
    let half = examples.len() / 2;
    // Per layer: (features, target) of the fitting and the scoring half.
    let mut fit: Vec<(Vec<Vec<f64>>, Vec<f64>)> = Vec::new();
    let mut score: Vec<(Vec<Vec<f64>>, Vec<f64>)> = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        let points = variable.along(task.as_ref(), example, bound);
        if points.is_empty() {
            continue;
        }
        let trace = trace_of(model, &example.tokens, device).map_err(ProbeError::Train)?;
        for (l, stream) in trace.residuals.into_iter().enumerate() {
            let d = stream.dims()[2];
            let flat = read_floats(stream).await.map_err(ProbeError::Train)?;
            let side = if i < half { &mut fit } else { &mut score };
            if side.len() <= l {
                side.resize_with(l + 1, Default::default);
            }
            for &(pos, value) in &points {
                let row = flat[pos * d..(pos + 1) * d].iter().map(|&x| f64::from(x));
                side[l].0.push(row.collect());
                side[l].1.push(value);
            }
        }
    }
    let fit_positions = fit.first().map_or(0, |f| f.1.len());
    let score_positions = score.first().map_or(0, |s| s.1.len());
    if fit_positions < 8 || score_positions == 0 {
        return Err(ProbeError::TooFewPositions(fit_positions));
    }
    let mut layers = Vec::new();
    for (layer, ((fx, fy), (sx, sy))) in fit.iter().zip(&score).enumerate() {
        let w = ridge(fx, fy);
        let predicted: Vec<f64> = sx.iter().map(|x| apply(&w, x)).collect();
        let mut shuffled = fy.clone();
        let mut rng = TaskRng::new(layer as u64, 0x0009_70be);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.index(i + 1));
        }
        let wc = ridge(fx, &shuffled);
        let control: Vec<f64> = sx.iter().map(|x| apply(&wc, x)).collect();
        let exact = predicted
            .iter()
            .zip(sy)
            .filter(|(p, y)| (p.round() - **y).abs() < 1e-9)
            .count() as f64
            / sy.len() as f64;
        layers.push(LayerProbe {
            layer,
            r2: r_squared(&predicted, sy),
            exact,
            control_r2: r_squared(&control, sy),
        });
    }
    Ok(Probes {
        variable,
        fit_positions,
        score_positions,
        layers,
    })
}

/// `w · [x, 1]`.
fn apply(w: &[f64], x: &[f64]) -> f64 {
    x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + w[x.len()]
}

/// 1 − SS_res / SS_tot (0 when the targets are constant and predicted exactly).
fn r_squared(predicted: &[f64], y: &[f64]) -> f64 {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_tot: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let ss_res: f64 = predicted.iter().zip(y).map(|(p, v)| (p - v).powi(2)).sum();
    if ss_tot == 0.0 {
        if ss_res < 1e-12 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    }
}

/// Ridge regression with an intercept (not penalised): minimise |Xw + b − y|² + λ|w|², λ a
/// small multiple of the features' mean square, solved in closed form. Hand-written (a
/// (d + 1)² system with d ≤ 1024): a linear-algebra crate would add more to the page than this.
fn ridge(x: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let d = x.first().map_or(0, Vec::len);
    let n = d + 1;
    let mut a = vec![0.0f64; n * n];
    let mut b = vec![0.0f64; n];
    for (row, &target) in x.iter().zip(y) {
        for i in 0..n {
            let xi = if i < d { row[i] } else { 1.0 };
            b[i] += xi * target;
            for j in i..n {
                let xj = if j < d { row[j] } else { 1.0 };
                a[i * n + j] += xi * xj;
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            a[i * n + j] = a[j * n + i];
        }
    }
    let mean_square =
        (0..d).map(|i| a[i * n + i]).sum::<f64>() / (d.max(1) * x.len().max(1)) as f64;
    let lambda = 1e-4 * mean_square.max(1e-12) * x.len() as f64;
    for i in 0..d {
        a[i * n + i] += lambda;
    }
    solve(a, b, n)
}

/// Gaussian elimination with partial pivoting; a singular direction gets weight 0.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize) -> Vec<f64> {
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))
            .unwrap_or(col);
        if a[pivot * n + col].abs() < 1e-12 {
            continue;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..n {
            let f = a[row * n + col] / a[col * n + col];
            if f == 0.0 {
                continue;
            }
            for k in col..n {
                a[row * n + k] -= f * a[col * n + k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut w = vec![0.0; n];
    for col in (0..n).rev() {
        if a[col * n + col].abs() < 1e-12 {
            continue;
        }
        let rest: f64 = (col + 1..n).map(|k| a[col * n + k] * w[k]).sum();
        w[col] = (b[col] - rest) / a[col * n + col];
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridge_recovers_a_linear_map_and_scores_it() {
        // y = 2 x0 − x1 + 3 on a grid of points.
        let x: Vec<Vec<f64>> = (0..50)
            .map(|i| vec![f64::from(i % 7), f64::from(i % 5)])
            .collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v[0] - v[1] + 3.0).collect();
        let w = ridge(&x, &y);
        let predicted: Vec<f64> = x.iter().map(|v| apply(&w, v)).collect();
        assert!(r_squared(&predicted, &y) > 0.9999, "{w:?}");
        assert!(
            (w[0] - 2.0).abs() < 1e-2 && (w[1] + 1.0).abs() < 1e-2,
            "{w:?}"
        );
    }

    #[test]
    fn r_squared_of_the_mean_is_zero() {
        let y = [1.0, 2.0, 3.0];
        assert!(r_squared(&[2.0, 2.0, 2.0], &y).abs() < 1e-12);
        assert_eq!(r_squared(&[1.0, 2.0, 3.0], &y), 1.0);
    }
}
