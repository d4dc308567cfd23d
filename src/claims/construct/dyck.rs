//! Bounded Dyck-(k, m) by a one-layer LSTM of constant width (Bhattamishra et al.,
//! "Separations in the Representational Capabilities of Transformers and Recurrent
//! Architectures"; the automaton is Minsky's construction of a finite automaton as a threshold
//! network). A word of depth at most m has finitely many stacks, so recognising it is a finite
//! automaton over the states "stack content" (≤ m brackets of k types), "dead", and after
//! `<q>` "accept"/"reject". The LSTM has one unit per pair (state q, token a) that some state
//! enters on a: the unit is on (h ≈ tanh 1) iff the last token was a and the automaton is now
//! in q. Its output gate fires when the token is a AND a unit of a predecessor state is on —
//! a threshold `Σ pred + [x = a] > 1.5` of a linear function — while the input gate, forget
//! gate and cell input are pinned (i = 1, f = 0, g = 1, so the cell is 1 and the gate alone
//! decides). A "started" unit, off only before the first token, stands for the empty stack at
//! the start. The head compares the accept and reject units after `<q>`.
//!
//! Width: the units, one "started" unit, and the token embeddings as ± pairs (zero-mean, so
//! the first LayerNorm only rescales them): 26 + 1 + 2·12 = 51 for k = m = 2, whatever N.

use std::collections::BTreeMap;

use super::{Built, ConstructError, Construction, Weights, instance_of, zero_weights};
use crate::models::{ArchSpec, Architecture, PositionalEncoding};
use crate::tasks::dyck::{BRACKETS, DEPTH, Dyck, MAX_SIZE, PAIRS, QUERY};
use crate::tasks::{TaskKind, TaskSpec, Vocab};

pub const CONSTRUCTION: Construction = Construction {
    name: "dyck",
    task: TaskKind::Dyck,
    claim: "Bounded Dyck-(k, m) is recognised by a recurrent network of constant size; a \
            one-layer transformer needs size growing with N (Bhattamishra et al., Separations \
            in the Representational Capabilities of Transformers and Recurrent Architectures).",
    model: "1-layer LSTM simulating the bounded stack (k = m = 2), width 51 at every N",
    min_size: 2,
    max_size: MAX_SIZE,
    default_size: 256,
    valid_sizes: super::ValidSizes::UpToBuilt,
    build,
};

/// Gate sharpness: an off unit's output gate is at most σ(−L/2) ≈ 3·10⁻⁷.
const SHARP: f32 = 30.0;
/// Read-out gain on the accept − reject direction.
const GAIN: f32 = 10.0;
/// Logit bias of every token other than `yes` and `no`.
const NEVER: f32 = -1000.0;
/// burn's LayerNorm epsilon.
const LN_EPSILON: f32 = 1e-5;

const LSTM: &str = "layers.0.mixer.Lstm";

/// A state of the automaton.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    /// The open brackets, bottom first.
    Stack(Vec<usize>),
    /// The word has left Dyck-(k, m) (or the prompt went on after `<q>`).
    Dead,
    Accept,
    Reject,
}

/// The automaton of Dyck-(k, m) over the task's tokens (by text).
struct Automaton {
    k: usize,
    m: usize,
}

impl Automaton {
    fn step(&self, state: &State, token: &str) -> State {
        let bracket = PAIRS
            .iter()
            .enumerate()
            .find_map(|(kind, (o, c))| (token == *o || token == *c).then_some((kind, token == *o)));
        match (state, bracket) {
            (State::Stack(stack), Some((kind, open))) if kind < self.k => {
                let mut stack = stack.clone();
                if open && stack.len() < self.m {
                    stack.push(kind);
                    State::Stack(stack)
                } else if !open && stack.pop() == Some(kind) {
                    State::Stack(stack)
                } else {
                    State::Dead
                }
            }
            (State::Stack(stack), None) if token == QUERY => match stack.is_empty() {
                true => State::Accept,
                false => State::Reject,
            },
            (State::Dead, None) if token == QUERY => State::Reject,
            _ => State::Dead,
        }
    }

    /// Every state: the stacks of depth ≤ m, then the others.
    fn states(&self) -> Vec<State> {
        let mut stacks = vec![Vec::new()];
        let mut layer = vec![Vec::new()];
        for _ in 0..self.m {
            layer = layer
                .iter()
                .flat_map(|s: &Vec<usize>| {
                    (0..self.k).map(move |kind| [s.clone(), vec![kind]].concat())
                })
                .collect();
            stacks.extend(layer.iter().cloned());
        }
        let mut states: Vec<State> = stacks.into_iter().map(State::Stack).collect();
        states.extend([State::Dead, State::Accept, State::Reject]);
        states
    }
}

/// One LSTM unit per (state entered, token read); the index of a unit is its dimension.
struct Units {
    units: Vec<(State, u32)>,
}

impl Units {
    fn new(automaton: &Automaton, vocab: &Vocab) -> Self {
        let states = automaton.states();
        let mut units: Vec<(State, u32)> = Vec::new();
        for token in 0..vocab.len() as u32 {
            for p in &states {
                let q = automaton.step(p, vocab.text(token));
                if !units.contains(&(q.clone(), token)) {
                    units.push((q, token));
                }
            }
        }
        Self { units }
    }

    fn index(&self, state: &State, token: u32) -> Option<usize> {
        self.units
            .iter()
            .position(|(q, a)| q == state && *a == token)
    }
}

fn build(size: usize) -> Result<Built, ConstructError> {
    let (k, m) = (BRACKETS.default, DEPTH.default);
    let automaton = Automaton { k, m };
    let vocab = Dyck::vocabulary();
    let units = Units::new(&automaton, &vocab);
    let started = units.units.len();
    let tokens = started + 1;
    let width = tokens + 2 * vocab.len();
    let arch = ArchSpec {
        architecture: Architecture::Lstm,
        d_model: width,
        n_layers: 1,
        n_heads: 1,
        positional: PositionalEncoding::None,
        ..ArchSpec::default()
    };
    let train = instance_of(TaskSpec::new(TaskKind::Dyck, size), arch);
    let (_, mut w) = zero_weights(&train)?;
    for token in 0..vocab.len() {
        w.set_row("embedding.weight", token, tokens + 2 * token, &[1.0, -1.0])?;
    }
    // After the first LayerNorm a token's `+1` reads `scale`.
    let scale = 1.0 / (2.0 / width as f32 + LN_EPSILON).sqrt();
    let layout = Layout {
        width,
        started,
        tokens,
        scale,
    };
    cells(&mut w, &automaton, &units, &vocab, layout)?;
    read_out(&mut w, &units, &vocab)?;
    let params = BTreeMap::from([
        ("size".to_string(), size.to_string()),
        ("width".to_string(), width.to_string()),
        ("brackets".to_string(), k.to_string()),
        ("depth".to_string(), m.to_string()),
        ("automaton units".to_string(), started.to_string()),
    ]);
    Ok(Built {
        train,
        weights: w,
        params,
    })
}

#[derive(Debug, Clone, Copy)]
struct Layout {
    width: usize,
    /// The unit that is on once a token has been read.
    started: usize,
    /// Where the token pairs start.
    tokens: usize,
    /// What a token's `+1` reads after the first LayerNorm.
    scale: f32,
}

/// The gates: `[i, f, g, o]` blocks of `width` columns in both of the LSTM's linear maps.
fn cells(
    w: &mut Weights,
    automaton: &Automaton,
    units: &Units,
    vocab: &Vocab,
    layout: Layout,
) -> Result<(), ConstructError> {
    let d = layout.width;
    let (input, bias, hidden) = (
        format!("{LSTM}.input.weight"),
        format!("{LSTM}.input.bias"),
        format!("{LSTM}.hidden.weight"),
    );
    // An on unit outputs σ(L/2)·tanh(1): the recurrent weights divide by tanh 1.
    let on = 1f32.tanh();
    for j in 0..=layout.started {
        w.set(&bias, &[j], SHARP)?; // i = 1
        w.set(&bias, &[d + j], -SHARP)?; // f = 0
        w.set(&bias, &[2 * d + j], SHARP)?; // g = 1
    }
    w.set(&bias, &[3 * d + layout.started], SHARP)?;
    let start = State::Stack(Vec::new());
    for (j, (q, a)) in units.units.iter().enumerate() {
        let o = 3 * d + j;
        let token_dim = layout.tokens + 2 * *a as usize;
        w.set(&input, &[token_dim, o], SHARP / layout.scale)?;
        let from_start = automaton.step(&start, vocab.text(*a)) == *q;
        let threshold = if from_start { -0.5 } else { -1.5 };
        w.set(&bias, &[o], SHARP * threshold)?;
        if from_start {
            // Before the first token the automaton is at the empty stack.
            w.set(&hidden, &[layout.started, o], -SHARP / on)?;
        }
        for (i, (p, _)) in units.units.iter().enumerate() {
            if automaton.step(p, vocab.text(*a)) == *q {
                w.set(&hidden, &[i, o], SHARP / on)?;
            }
        }
    }
    Ok(())
}

/// `yes` − `no` = gain · (accept − reject) after `<q>`; nothing else can win.
fn read_out(w: &mut Weights, units: &Units, vocab: &Vocab) -> Result<(), ConstructError> {
    let id = |t: &str| super::token(vocab, t);
    let query = id(QUERY)? as u32;
    let missing = || ConstructError::Bug("no accept/reject unit".into());
    let accept = units.index(&State::Accept, query).ok_or_else(missing)?;
    let reject = units.index(&State::Reject, query).ok_or_else(missing)?;
    let (yes, no) = (id("yes")?, id("no")?);
    for (token, sign) in [(yes, 1.0), (no, -1.0)] {
        w.set("head.weight", &[accept, token], sign * GAIN)?;
        w.set("head.weight", &[reject, token], -sign * GAIN)?;
    }
    for token in (0..vocab.len()).filter(|t| ![yes, no].contains(t)) {
        w.set("head.bias", &[token], NEVER)?;
    }
    Ok(())
}
