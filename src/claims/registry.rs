//! Every claim the lab checks, with its experiment fixed before running. Budgets are what two
//! CPU cores do in about an hour per claim (the full grid) or a couple of minutes (`--quick`);
//! the papers' budgets are far larger, and each card says where that matters.

use super::claim::{
    Bound, Claim, Design, Growth, HARD, Kind, LINEAR_2L, LSTM, Metric, NEGATIVE_NOTE, SATURATED,
    SPARSE_2L, SPARSE_WINDOW_2L, STANDARD_2L, Series, Side, TRANSFORMER_1L, TRANSFORMER_2L,
};
use crate::tasks::TaskKind;
use crate::train::Curriculum;

const SEPARATIONS: &str = "Bhattamishra et al. 2024, Separations in the Representational \
    Capabilities of Transformers and Recurrent Architectures";
const YANG: &str = "Yang et al. 2024, Do Efficient Transformers Really Save Computation?";

/// Every claim, in the order of the issue.
pub fn all() -> Vec<Claim> {
    vec![
        majority(),
        index_lookup(),
        dyck(),
        equality(),
        disjointness(),
        nearest_neighbor(),
        dp_width(TaskKind::Lis),
        dp_width(TaskKind::Ed),
        locality(),
    ]
}

/// The claim called `id`.
pub fn find(id: &str) -> Result<Claim, String> {
    let claims = all();
    let known: Vec<&str> = claims.iter().map(|c| c.id).collect();
    let known = known.join(", ");
    all()
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| format!("unknown claim `{id}` (known: {known})"))
}

fn majority() -> Claim {
    // Nothing is trained: the construction at width 4, judged on 256 examples per seed.
    let design = |sizes| Design {
        batch_size: 0,
        ..Design::grid(sizes, &[4], 0, 256)
    };
    Claim {
        id: "majority",
        statement: "One saturated attention head computes MAJORITY at every length; unique-hard \
                    attention cannot.",
        paper: "Merrill, Sabharwal, Smith 2022, Saturated Transformers are Constant-Depth \
                Threshold Circuits",
        theorem: "saturated transformers compute MAJORITY (a TC⁰ function); unique-hard \
                  attention transformers are in AC⁰, which does not contain MAJORITY",
        kind: Kind::Existence,
        positive: Side {
            label: "1 uniform saturated head (construction, width 4)",
            series: &["construction/saturated"],
            growth: Growth::Constant,
            bound: Bound::new(4.0, 0.0),
        },
        negative: Side {
            label: "unique-hard attention (the same weights)",
            series: &["construction/hard"],
            growth: Growth::Constant,
            bound: Bound::NONE,
        },
        task: TaskKind::Majority,
        metric: Metric::Accuracy,
        series: &[SATURATED, HARD],
        full: design(&[15, 63, 255, 1001]),
        quick: design(&[15, 63, 255]),
        expected: "saturated: 100 % at every length; hard: the first-bit predictor, \
                   P(majority = x₁), falling towards chance as N grows",
        construction: Some("majority"),
        negative_note: "Hard attention is shown on the construction's weights only: another \
                        set of weights is not excluded by this run (the theorem excludes it).",
        caveats: "Saturated attention is evaluated only on the construction (and, in the \
                  majority sweep, on softmax weights switched to saturated), never trained: a \
                  \"saturated\" model trained from scratch is a hard one (the comparison carries \
                  no gradient). Training towards saturation is an option outside this verdict: \
                  softmax(c·a) with a fixed scale c > 1 (--softmax-scale) or a scale growing \
                  geometrically over the run (--softmax-scale-from; TrainConfig::\
                  softmax_scale_from), then evaluated with --attention saturated.",
    }
}

// Index lookup: `@i` carries the position code of position i, as in the construction (both
// sides get the same input; an RNN adds no positions, so its `@i` gets the sinusoidal code).
const TRANSFORMER_1L_INDEX: Series = TRANSFORMER_1L.sharing_index_positions();
const LSTM_INDEX: Series = LSTM.sharing_index_positions();

/// The rates of a cell's three restarts (seeds 1, 2, 3), where the grid searches the rate
/// itself: the search's rates ([`super::tune::LEARNING_RATES`]).
const RESTART_RATES: &[f64] = &super::tune::LEARNING_RATES;

fn index_lookup() -> Claim {
    Claim {
        id: "index-lookup",
        statement: "A one-layer transformer of width O(log N) solves index lookup; any RNN \
                    needs a state of size Ω(N).",
        paper: SEPARATIONS,
        theorem: "index lookup: 1-layer transformer upper bound, RNN communication lower bound",
        kind: Kind::Separation,
        positive: Side {
            label: "1-layer transformer, width O(log N)",
            series: &["transformer-1L"],
            growth: Growth::Log,
            bound: Bound::new(16.0, 6.0),
        },
        negative: Side {
            label: "LSTM, state Ω(N)",
            series: &["lstm"],
            growth: Growth::Linear,
            bound: Bound::NONE,
        },
        task: TaskKind::IndexLookup,
        metric: Metric::Accuracy,
        series: &[TRANSFORMER_1L_INDEX, LSTM_INDEX],
        // Fixed before it ran (2026-12-06), replacing the grid of 2026-12-05 (same sizes,
        // widths and budget; a rate per series and width searched at N = 16, three seeds per
        // cell pooled). That grid's transformer failed at N = 64 from the rate, not the width:
        // probes outside it (lab train, seeds 101/102, 6,000 steps) reached 100 % at width 32
        // with 3e-3 where its searched 1e-2 gave 12–36 %, and at width 128 with 1e-3 where
        // 3e-3 gave 9–45 %: a rate searched at one size does not serve the others. Here the
        // search is inside the grid: each cell's three restarts train at 1e-3, 3e-3 and 1e-2
        // (seeds 1, 2, 3), the verdict takes the restart that validates best (validation
        // stream, never the test set), and 512 test examples per run narrow the best
        // restart's interval. N = 4 … 64 separates O(log N) from Ω(N) by 2.4 predicted
        // doublings; widths 8 … 128 lie below and above N so that the LSTM's w* is measured
        // where it exists (it reached 95 % at N = 4 from width 16–32 and at N = 8 only at
        // width 128 in the old grid). Early stopping at two consecutive validation checks
        // ≥ 95 % every 500 steps, cap 6,000 steps, the same recipe for both sides.
        // Decides: the transformer's w* at every N (the positive side is supported when it
        // stays within 16 + 6·log₂N, i.e. ≤ 52 at N = 64) and the LSTM's w* at N = 4 (its
        // growth is measured from there). SUPPORTED needs the bootstrap interval of the
        // excess log₂ growth (LSTM over transformer, N = 4 → 64) above 0. Refutes (NOT
        // SUPPORTED): that interval at or below 0, e.g. an LSTM of width ≤ 32 solving N = 64,
        // or the transformer's w* growing as fast as the LSTM's.
        full: Design {
            check_every: 500,
            restart_rates: RESTART_RATES,
            ..Design::grid(&[4, 8, 16, 32, 64], &[8, 16, 32, 64, 128], 6000, 512)
        },
        // Probed with lab train (index tokens sharing the position code, 1500 steps): the
        // transformer reaches 100 % at N = 8 width 16 and N = 16 width 32; the LSTM 12.5 % at
        // N = 16 width 32. It cannot decide: the LSTM does not reach 95 % at N = 8 in 1,500
        // steps, so its growth cannot be measured.
        quick: Design {
            restart_rates: RESTART_RATES,
            ..Design::grid(&[8, 16], &[16, 32], 1500, 128)
        },
        expected: "transformer w*(N) flat or growing like log N; LSTM w*(N) growing with N or \
                   not reached at the largest N",
        construction: Some("index-lookup"),
        negative_note: NEGATIVE_NOTE,
        caveats: "Index tokens share the position code (index_shares_position, as in the \
                  construction): the embedding of @i includes the code of position i, for the \
                  transformer (its sinusoidal code) and the LSTM alike (the same sinusoidal \
                  code: an RNN adds no positions, so for it the code only names the index). \
                  Each cell's three restarts train at 1e-3, 3e-3 and 1e-2 and the verdict \
                  takes the one that validates best: the rate is searched in every cell, \
                  for both sides alike (a rate searched at N = 16 was too high for wide \
                  transformers at N = 64; that grid is kept in \
                  assets/results/claims/archive/index-lookup-2026-12-05.*). The grid of \
                  2026-11 (N = 16 … 128, 1,500 steps, one rate per series) measured the \
                  optimiser and is archived beside it. The grid of this design (150 runs, 5.4 h of run \
                  time, 2026-12-06) is SUPPORTED: the transformer's best restart reaches 95 % \
                  from width 8 at N = 4 … 32 and width 16 at N = 64 (100 % at width 128 \
                  everywhere); the LSTM reaches it at N = 4 from width 16 and at N = 8 only at \
                  width 128, and at N ≥ 16 at no width (31 % at N = 16, 5.7 % at N = 64, width \
                  128); excess log₂ growth +3.0 [+2.0, +3.0], a lower bound (the LSTM is \
                  censored). The rate matters at every width: at N = 64 width 128 the \
                  transformer's 1e-3 restart reached 100 %, its 3e-3 and 1e-2 restarts 7–10 %. \
                  The LSTM's budget is the transformer's \
                  (6,000 steps): an LSTM that needs far more steps to learn the lookup would \
                  read as needing more width here; the negative side is decided by theorem, \
                  the runs only show whether training finds the weights.",
    }
}

/// Dyck's restarts: lower than the other grids' (a 1-layer transformer trains on Dyck at 3e-4
/// and 1e-3, not at 3e-3 … 1e-2; the LSTM at 1e-3 and 3e-3).
const DYCK_RATES: &[f64] = &[3e-4, 1e-3, 3e-3];

/// Locality's restarts: the rates at which the probes of 2026-12-07 solved arithmetic at N = 5
/// (1e-3, 3e-3) and one between them.
const LOCALITY_RATES: &[f64] = &[1e-3, 2e-3, 3e-3];

fn dyck() -> Claim {
    Claim {
        id: "dyck",
        statement: "Bounded Dyck-(2, 2) is recognised by a recurrent network of constant size; a \
                    one-layer transformer needs size growing with N.",
        paper: SEPARATIONS,
        theorem: "bounded Dyck: constant-size RNN; 1-layer transformer lower bound",
        kind: Kind::Separation,
        positive: Side {
            label: "LSTM, constant width",
            series: &["lstm"],
            growth: Growth::Constant,
            bound: Bound::new(64.0, 0.0),
        },
        negative: Side {
            label: "1-layer transformer, size Ω(N)",
            series: &["transformer-1L"],
            growth: Growth::Linear,
            bound: Bound::NONE,
        },
        task: TaskKind::Dyck,
        metric: Metric::Accuracy,
        series: &[LSTM, TRANSFORMER_1L],
        // Fixed before it ran (2026-12-07, the second design of the day), replacing the grid
        // of the morning (N = 16, 32, 64; widths 8 … 128; restarts at 1e-4, 3e-4, 1e-3; cap
        // 30,000 steps; archived as dyck-2026-12-07a). That grid measured the LSTM (w* 8 at
        // every N: its positive side SUPPORTED, construction and trained) but not the
        // separation: the 1-layer transformer reached 95 % at N = 16 only at the edge (best
        // restarts 95.5 % at width 32, 94.7 % at 64, 95.1 % at 128), so in 73 of 1,000
        // bootstrap replicates it reached it at no width and the comparison could not be
        // defined; at N = 32 and 64 it stayed at 46-84 % at every width. Probes outside the
        // grid (lab train, lr 3e-4, 30,000 steps, 512 held-out prompts, seeds 101/102): at
        // N = 12 width 64 99.2 %, width 32 96.5 %; at N = 24 width 64 91.8 %. So this design
        // starts at N = 12 (about 2,000 strings in the language: a test set holds out about
        // 12 % of the positives; N = 10 has 512, 40 % held out) and goes to 48, two predicted
        // doublings; the restarts at 3e-4, 1e-3 and 3e-3 (seeds 1, 2, 3: the transformer's
        // best restarts were at 3e-4 and 1e-3, the LSTM's at 1e-3, and in the grid of
        // 2026-12-06 at 1e-3 and 3e-3; 1e-4 won no cell); widths 8 … 128; early stopping at
        // two consecutive validation checks ≥ 95 % every 1,000 steps, cap 30,000 steps; 512
        // test examples per run; the same recipe for both sides.
        // Decides: the LSTM's w* at every N (its positive side is supported when it stays
        // ≤ 64 everywhere) and the transformer's w* at N = 12 (its growth is measured from
        // there; "not reached" above width 128 counts as 256, a lower bound). SUPPORTED needs
        // the bootstrap interval of the excess log₂ growth (transformer over LSTM, N = 12 → 48)
        // above 0. Refutes (NOT SUPPORTED): that interval at or below 0, e.g. a 1-layer
        // transformer solving N = 48 at the width it needs at N = 12 while the LSTM stays
        // flat. If the transformer does not reach 95 % at N = 12 in most replicates, the
        // separation stays inconclusive. Not in the grid, for cost: width 256 (about 18
        // minutes a run at N = 32) and N ≥ 64.
        full: Design {
            check_every: 1000,
            restart_rates: DYCK_RATES,
            ..Design::grid(&[12, 24, 48], &[8, 16, 32, 64, 128], 30_000, 512)
        },
        // Cannot decide (budget far below the full design's): shows the recipe at two sizes.
        quick: Design {
            restart_rates: DYCK_RATES,
            ..Design::grid(&[12, 24], &[16, 32], 2000, 128)
        },
        expected: "LSTM w*(N) flat; transformer-1L w*(N) growing or not reached",
        construction: Some("dyck"),
        negative_note: NEGATIVE_NOTE,
        caveats: "The earlier grids are archived in assets/results/claims/archive/. The \
                  first (2026-11: N = 16, 32; widths 8-32; 4,000 steps) was inconclusive, as \
                  its design could only be. The grid of 2026-12-05 (a rate per series and width \
                  searched at N = 8; 96 runs, 2.5 h) and that of 2026-12-06 (restarts at 1e-3, \
                  3e-3 and 1e-2 in every cell, N = 8 … 64, cap 8,000 steps; 96 runs, 2.0 h) \
                  were inconclusive on both sides: the LSTM's best restart reached 95 % at \
                  width 8-16 at N = 16 … 64 but at N = 8 at no width (80.9-89.3 %, memorised), \
                  and the 1-layer transformer reached it nowhere (width 64: 52.7-73.0 %, at or \
                  below the count rule's 66-69 %). Why N = 8 failed on both sides (found \
                  2026-12-07): bounded Dyck-(2, 2) of length 8 has 128 strings in the language \
                  and about 1,000 near misses; a run's 512 test prompts, half of them \
                  positives, hold out 105 of the 128, and the training stream never returns a \
                  test prompt, so every run at N = 8 trained on the 20-odd positives left \
                  (tests/claims.rs checks that no design size holds out half a class's \
                  prompts). Why the transformer failed: its rates. At 3e-4 and 30,000 steps it \
                  reaches 96.1 % at N = 16 with width 64 (1e-3: 80.5 %). The grid of the \
                  morning of 2026-12-07 (N = 16, 32, 64; widths 8 … 128; restarts at 1e-4, 3e-4 \
                  and 1e-3; cap 30,000 steps; 90 runs, 3.4 h of run time on a shared machine; \
                  archived as dyck-2026-12-07a) measured the LSTM (w* 8 at every N, 99.8 % at \
                  N = 64 with width 128; positive side SUPPORTED) but not the separation: the \
                  1-layer transformer reached 95 % at N = 16 only at the edge (best restarts \
                  95.5 % at width 32, 94.7 % at 64, 95.1 % at 128), so in 73 of 1,000 bootstrap \
                  replicates it reached it at no width and the comparison was undefined \
                  (INCONCLUSIVE); at N = 32 and 64 it stayed at 46-84 % at every width (56.2 % \
                  at N = 64 with width 128, below the count rule's 67.7 %). Hence this design \
                  starts at N = 12. The grid of this design (90 runs, 2.4 h of run time, \
                  2026-12-07, on a machine shared with the test suite) is SUPPORTED: the LSTM's best restart reaches 95 % \
                  at width 8 at every N (98.8 % at N = 48); the 1-layer transformer's at N = 12 \
                  from width 8 (95.7 %; 97.7 % at width 32), and at N = 24 and 48 at no width \
                  (best 87.9 % at N = 24 with width 32, 82.2 % at N = 48 with width 64; 62.9 % \
                  at N = 48 with width 128, against the count rule's 66.5 %); excess log₂ \
                  growth +5.0 [+3.0, +5.0] (predicted +2.0), a lower bound (the transformer is \
                  censored at N = 48). The transformer's w* at N = 12 sits near the threshold \
                  (8 [8, 32]): three of its five widths have a restart between 95 and 98 %. \
                  The 1-layer transformer's failures are trained failures at this budget: \
                  \"not reached\" above width 128 means that no restart found weights, not \
                  that none exist below the bound (the negative side is decided by theorem); \
                  the supported separation says that at our sizes and budget the trained \
                  1-layer transformer needs more width as N grows while the LSTM does not. \
                  The LSTM's construction (width 51) is exact at every N.",
    }
}

/// The restarts of the equality and disjointness grids: the 2-layer transformer learned at 1e-3
/// in the probes, the LSTM at 1e-3 and 3e-3; 3e-4 serves the widest models.
const PAIR_RATES: &[f64] = &[3e-4, 1e-3, 3e-3];
/// The series of the equality and disjointness grids, with xᵢ and yᵢ sharing a position code,
/// as the construction does.
const PAIR_SERIES: &[Series] = &[
    TRANSFORMER_2L.sharing_pair_positions(),
    LSTM.sharing_pair_positions(),
];

/// The positive side of equality and disjointness: the constructions' two layers of width
/// 2⌈log₂ N⌉ + 12 stay within the bound.
const TWO_LAYERS_LOG_WIDTH: Side = Side {
    label: "2-layer transformer, width O(log N)",
    series: &["transformer-2L"],
    growth: Growth::Log,
    bound: Bound::new(16.0, 4.0),
};

/// The first full grid of equality (design 2155629afaf593d4, 54 runs, 2026-12-07): three
/// restarts per cell; its design comment is in [`equality`].
const EQUALITY_FIRST_GRID: Design = Design {
    check_every: 1000,
    restart_rates: PAIR_RATES,
    curriculum: Some(Curriculum {
        from: 8,
        fraction: 0.4,
    }),
    stop_margin: 0.02,
    ..Design::grid(&[8, 16, 32], &[16, 32, 64], 30_000, 256)
};

/// Two restarts at each of [`PAIR_RATES`], in the same order.
const PAIR_RATES_TWICE: &[f64] = &[3e-4, 1e-3, 3e-3, 3e-4, 1e-3, 3e-3];

fn equality() -> Claim {
    let (id, statement) = (
        "equality",
        "A two-layer transformer of width O(log N) decides string equality; an RNN needs size \
         Ω(N) (and so does a one-layer transformer, by theorem).",
    );
    Claim {
        id,
        statement,
        paper: SEPARATIONS,
        theorem: "equality / disjointness: 2-layer upper bound, 1-layer and RNN lower bounds",
        kind: Kind::Separation,
        positive: TWO_LAYERS_LOG_WIDTH,
        negative: Side {
            label: "LSTM, size Ω(N)",
            series: &["lstm"],
            growth: Growth::Linear,
            bound: Bound::NONE,
        },
        task: TaskKind::Equality,
        metric: Metric::Accuracy,
        series: PAIR_SERIES,
        // Fixed before it ran (2026-12-07), replacing the design of the withdrawn grids (N = 16,
        // 32, 64; widths 8 … 64; 1,500 steps; three series; only its quick grid was re-run
        // under the current generator). Probes outside the grid (lab train --pair-positions, seed 101,
        // 512 held-out prompts, 2026-12-07): the 2-layer transformer of width 64 reaches 97.5 %
        // at N = 8 without a curriculum (16,000 steps, lr 1e-3) and stays at chance at N = 16
        // without one; with one from N = 8 (--curriculum 8:0.4, 16,000 steps) it ends at
        // 93.4 % (lr 1e-3) and 85.7 % (3e-3, seed 102), still climbing. The LSTM of width 64
        // reaches 97.5 % at N = 8 (12,000 steps, lr 1e-3). The 1-layer transformer stays
        // between the popcount floor and the threshold at N = 8 (77.3 % at width 64, lr 1e-3;
        // 77.9 % at width 128, lr 3e-4; 10,000 steps; 71.1 % at lr 3e-3, 20,000), as it stays
        // at the count rule on disjointness at every size: it is not a series of this grid (its
        // bound stands by theorem; the card says so).
        // The design: N = 8, 16, 32 (the predictions differ by 1.26 doublings: Ω(N) against
        // O(log N)); widths 16, 32, 64 ("not reached" counts as 128; 128 is left out for cost:
        // it would double the grid's run time); restarts at 3e-4, 1e-3 and 3e-3 (seeds 1-3);
        // early stopping at two consecutive validation checks ≥ 97 % every 1,000 steps, cap
        // 30,000 steps (the transformer needed more than 16,000 at N = 16); a curriculum from
        // N = 8 over the first 40 % of the steps for the runs at N = 16 and 32 (8 → 16 → 32),
        // both series alike; 256 test prompts per run (512 would hold out 165 of the 256
        // positive prompts at N = 8, and training would see the few left: the test
        // `held_out_sets_leave_each_class_most_of_its_prompts` refuses that; 256 hold out ~100).
        // A first run of this design with 512 test prompts (design 2e7d325c39b863e7, 49 of its
        // 54 runs) was stopped when that test failed; it is a pilot, not a result.
        // Ran 16:47-18:34 UTC 2026-12-07 (binary of a94830d): INCONCLUSIVE (the card says why).
        // Decides: the LSTM's w* at N = 8 and the transformer's w* at every N. SUPPORTED needs
        // the bootstrap interval of the excess log₂ growth (LSTM over transformer, N = 8 → 32)
        // above 0. Refutes (NOT SUPPORTED): that interval at or below 0, e.g. an LSTM that
        // solves N = 32 at the width it needs at N = 8. If the LSTM does not reach 95 % at
        // N = 8, or the transformer at N = 8 or 32, the verdict stays inconclusive.
        // Extended (2026-12-07, after that verdict, before any new run): three more restarts
        // per cell, seeds 4, 5, 6 at the same rates 3e-4, 1e-3, 3e-3, both series alike, the
        // rest of the design unchanged, so the 54 runs of seeds 1-3 are the same runs here
        // (their records keep design 2155629afaf593d4; `Design::extension_error` holds the two
        // designs to that). Why: the first grid's transformer cells at N = 16 and 32 were each
        // decided by one run of nine, so the verdict measured whether one restart succeeded;
        // six restarts per rate pair measure the cells. The choice to extend was made after
        // seeing an inconclusive result: the card says so. Decides: the transformer's w* at
        // N = 32 (and the LSTM's at 32, which the new restarts may lower as readily). SUPPORTED
        // needs the bootstrap interval of the excess log₂ growth (LSTM over transformer, N = 8
        // → 32) above 0, e.g. the transformer's w* at N = 32 at width 32 or below with the
        // LSTM's at 64 or above, both held in the bootstrap. Refutes (NOT SUPPORTED): the
        // interval at or below 0, e.g. an LSTM restart that solves N = 32 at width 32, or a
        // transformer that needs width 64 or more there while the LSTM needs 64.
        full: Design {
            seeds: &[1, 2, 3, 4, 5, 6],
            restart_rates: PAIR_RATES_TWICE,
            extends: Some(&EQUALITY_FIRST_GRID),
            ..EQUALITY_FIRST_GRID
        },
        // Cannot decide (budget far below the full design's): shows the recipe at two sizes.
        quick: Design {
            restart_rates: PAIR_RATES,
            ..Design::grid(&[8, 16], &[16, 32], 100, 128)
        },
        expected: "transformer-2L w*(N) flat or log-like; LSTM growing or not reached",
        construction: Some(id),
        negative_note: NEGATIVE_NOTE,
        caveats: "Six restarts per cell: the first grid (seeds 1-3, 54 runs, 12,348 s of \
                  run time on 2 cores, 2026-12-07, design 2155629afaf593d4) came out \
                  INCONCLUSIVE, and the design was then extended, before any new run, with \
                  seeds 4-6 at the same three rates for both series (the same recipe \
                  otherwise, so the first 54 runs count unchanged); the choice to extend was \
                  made after seeing that result. The first grid alone: the LSTM's w* goes 16 → 32 → 64 at N = 8 → 16 → 32, as Ω(N) \
                  predicts (best runs 98.8, 97.7, 97.7 %, at lr 3e-4 or 1e-3; at 3e-3 it stays \
                  at chance from N = 16 on). The 2-layer transformer's goes 16 → 64 → 32 on \
                  single runs: at N = 16 its best restart on validation (94.9 %) scores 95.7 %, \
                  at N = 32 one run of nine learned the task (width 32, lr 3e-4, 96.5 %), and \
                  that cell misses 95 % in 117 of 1,000 bootstrap replicates, so the excess \
                  growth (+1 doubling at the point estimate, +1.26 predicted) has no interval \
                  above 0. At matched width 64 the LSTM holds 98.4 / 98.0 / 97.7 % against the \
                  transformer's 100 / 95.7 / 80.5 %: at these sizes training finds the LSTM's \
                  solutions more readily, and a float32 state of 64 numbers is far above the \
                  N bits the bound asks for. Hence the extension. The extended grid (108 \
                  runs, 31,875 s of run time, finished 2026-12-08) is INCONCLUSIVE again, for \
                  the same reason: the LSTM's w* still goes 16 → 32 → 64 (at N = 32 two of six \
                  width-64 restarts solve it, 97.7 and 96.5 %; every width-16 and width-32 run \
                  stays at chance), and the transformer's N = 32 cell at width 32 still rests \
                  on seed 1 (96.5 %; the other five end at 89.1, 83.2, 71.1, 65.2 and 48.0 %), \
                  while no width-64 restart reaches 95 % (best 86.7 %) and no width-16 one 70 %. \
                  Every transformer run at N = 32 used its whole 30,000 steps, several still \
                  climbing. At these budgets training finds the LSTM's solution more readily \
                  than the 2-layer transformer's, which exists at width 22 (below). A longer cap \
                  alone does not make that cell reliable: two probes outside the grid (lab \
                  train, width 32, N = 32, the grid's recipe with 60,000 steps, seeds 101 and \
                  102, 2026-12-08) ended at 96.5 % at lr 1e-3 and 61.7 % at lr 3e-4, the \
                  popcount floor. Deciding it needs a design with more restarts at the rate \
                  that works and the longer cap, for both series (about 10-12 core-hours). The \
                  construction (`lab construct equality --size N`) \
                  shows the 2-layer side \
                  exactly: width 2⌈log₂ N⌉ + 12 (18 at N = 8, 22 at N = 32), 100 % at every N \
                  in softmax, saturated and hard attention; it is built for one N (learned \
                  positions) and refuses other lengths (`lab eval`, `lab predict`). The trained \
                  series get what the construction uses: xᵢ and yᵢ share a position code (the \
                  LSTM too, so the recipe is the same for both sides), and a curriculum over the \
                  size (8 → 16 → 32), without which the 2-layer transformer stays at chance at \
                  N = 16. The 1-layer transformer is not in the grid: with the same codes it \
                  stays between the popcount floor and the threshold at N = 8 (77.3 % at width \
                  64, lr 1e-3; 77.9 % at width 128, lr 3e-4; 10,000 steps; 71.1 % at width 64, \
                  lr 3e-3, 20,000 steps), as it stays at the \
                  count rule on disjointness at every size, so its growth cannot be measured; \
                  its Ω(N) bound stands by theorem alone. Shortcut floor: the popcount rule (eq \
                  iff x and y have as many ones) scores at most 62.5 % under the current \
                  generator (half the negatives are swaps that keep the count, a quarter random \
                  strings with the same count); the generator of the first equality grids let \
                  it score 96.6-98.0 %, so those grids (108 + 36 runs) were withdrawn. At N = 8 \
                  only 2^8 positive prompts exist: the grid's 256 test prompts hold out about \
                  100 of them and training sees the rest (a first run of the design with 512 \
                  test prompts held out 165, was stopped and is a pilot, not a result). \
                  Earlier probes (lab train, 512 held-out prompts): without the shared codes the \
                  2-layer transformer of width 64 stays at chance at N = 32 (46.1 % after 8,000 \
                  steps under the first generator); with learned position codes and the shared \
                  pairs, 88.9 % at N = 16 after 30,000 steps (lr 1e-3); with the shared codes \
                  and a curriculum from N = 8, 93.4 % after 16,000 steps (lr 1e-3, still \
                  climbing), hence the design's cap of 30,000. The LSTM's failures are trained \
                  failures at this budget: \"not reached\" above width 64 says that no restart \
                  found weights, not that none exist below the bound (the negative side is \
                  decided by theorem).",
    }
}

fn disjointness() -> Claim {
    Claim {
        id: "disjointness",
        statement: "A two-layer transformer of width O(log N) decides set disjointness; an RNN \
                    needs size Ω(N) (and so does a one-layer transformer, by theorem).",
        paper: SEPARATIONS,
        theorem: "equality / disjointness: 2-layer upper bound, 1-layer and RNN lower bounds",
        kind: Kind::Separation,
        positive: TWO_LAYERS_LOG_WIDTH,
        negative: Side {
            label: "LSTM, size Ω(N)",
            series: &["lstm"],
            growth: Growth::Linear,
            bound: Bound::NONE,
        },
        task: TaskKind::Disjointness,
        metric: Metric::Accuracy,
        series: PAIR_SERIES,
        // Fixed before it ran (2026-12-07), replacing the grid of 2026-12-03 (N = 16, 32, 64;
        // widths 8 … 64; 1,500 steps; every series at the count rule's level; archived as
        // disjointness-2026-12-03). Probes outside the grid (lab train, seed 101, 512 held-out
        // prompts, 2026-12-07): with xᵢ and yᵢ sharing a position code (--pair-positions, as
        // the construction shares one) the 2-layer transformer of width 64 reaches 100 % at
        // N = 16 in 6,000 steps but stays at the count rule at N = 32 (65.6-68.2 % at
        // 6,000-30,000 steps, every rate and position code tried); with a curriculum over the
        // size (--curriculum 16:0.5, 12,000 steps, lr 1e-3) it reaches 96.7 % at N = 32
        // (from 8: 79.1 %, still climbing). The LSTM with the same codes reaches 94.5 % at N = 8
        // after 6,000 steps (widths 32 and 64, still climbing) and stays at 65.8 % at N = 16.
        // The 1-layer transformer stays at the count rule at N = 4, 6 and 8 (82.8 %, 65.6 %,
        // 72.5 %; widths 32-128, rates 3e-4-3e-3, 8,000-10,000 steps): it reaches 95 % at no
        // size, so its growth cannot be measured at any budget we have and it is not a series
        // of this grid (its bound stands by theorem; the card says so).
        // The design: N = 8, 16, 32 (the predictions differ by 1.26 doublings: Ω(N) against
        // O(log N)); widths 16 … 128 ("not reached" counts as 256); restarts at 3e-4, 1e-3
        // and 3e-3 (seeds 1-3); early stopping at two consecutive validation checks ≥ 97 %
        // every 1,000 steps, cap 16,000 steps; a curriculum from N = 16 over the first 40 % of
        // the steps for the runs at N = 32, both series alike; 512 test prompts per run.
        // Decides: the LSTM's w* at N = 8 (its growth is measured from there) and the
        // transformer's w* at every N. SUPPORTED needs the bootstrap interval of the excess
        // log₂ growth (LSTM over transformer, N = 8 → 32) above 0. Refutes (NOT SUPPORTED):
        // that interval at or below 0, e.g. an LSTM that solves N = 32 at the width it needs
        // at N = 8. If the LSTM does not reach 95 % at N = 8, or the transformer at some N,
        // the verdict stays inconclusive. Not in the grid, for cost: N = 64 (the transformer's
        // curriculum would need three stages) and widths above 128.
        full: Design {
            check_every: 1000,
            restart_rates: PAIR_RATES,
            curriculum: Some(Curriculum {
                from: 16,
                fraction: 0.4,
            }),
            stop_margin: 0.02,
            ..Design::grid(&[8, 16, 32], &[16, 32, 64, 128], 16_000, 512)
        },
        // Cannot decide (budget far below the full design's): shows the recipe at two sizes.
        quick: Design {
            restart_rates: PAIR_RATES,
            ..Design::grid(&[8, 16], &[16, 32], 100, 128)
        },
        expected: "transformer-2L w*(N) flat or log-like; LSTM growing or not reached",
        construction: Some("disjointness"),
        negative_note: NEGATIVE_NOTE,
        caveats: "The construction (`lab construct disjointness --size N`) shows the 2-layer \
                  side exactly: width 2⌈log₂ N⌉ + 12 (18 at N = 8, 22 at N = 32), 100 % at \
                  every N in softmax, saturated and hard attention; it is built for one N \
                  (learned positions) and refuses other lengths. The trained series get what \
                  the construction uses: xᵢ and yᵢ share a position code (the LSTM too, so the \
                  recipe is the same for both sides). The 1-layer transformer is not in the \
                  grid: with the same codes it stays at the count rule at N = 4, 6 and 8 \
                  (82.8 %, 65.6 %, 72.5 %; widths 32-128, rates 3e-4-3e-3, 8,000-10,000 \
                  steps), so its w* is \"not reached\" at every size and its growth cannot be \
                  measured; its Ω(N) bound stands by theorem alone. The best rule on the \
                  numbers of ones is the shortcut floor (69.1 / 62.8 / 61.3 % at N = 8 / 16 / \
                  32). Without a curriculum \
                  the 2-layer transformer does not leave that rule at N = 32 (65.6-68.2 % \
                  after 6,000-30,000 steps with sinusoidal or learned codes, lr 3e-4-3e-3); \
                  with one from N = 16 it reaches 96.7 % (width 64, 12,000 steps). The grid \
                  of 2026-12-03 (N = 16, 32, 64; widths 8 … 64; 1,500 steps; 108 runs, 4.6 h; \
                  no shared codes, no curriculum) had every series at the count rule's level \
                  (62-63 / 59-61 / 50-57 %); it is archived as disjointness-2026-12-03. The \
                  LSTM's failures are trained failures at this budget: \"not reached\" above \
                  width 128 says that no restart found weights, not that none exist below the \
                  bound (the negative side is decided by theorem). The grid of this design (72 \
                  runs, 2.1 h of run time, 2026-12-07) is SUPPORTED: the LSTM's best restart \
                  reaches 95 % at N = 8 from width 16 (98.8 %, lr 3e-3) and at N = 16 and 32 at \
                  no width (its best runs 74.6 % and 67.2 %; the count rule 62.8 % and 61.3 %); the \
                  2-layer transformer's w* is 16 at N = 8 and 16 and 64 at N = 32; excess log₂ \
                  growth +2.0 [+2.0, +2.0] (predicted +1.26), a lower bound (the LSTM is \
                  censored from N = 16 on). How fragile it is: at N = 32 one of the \
                  transformer's twelve runs learned the task (width 64, lr 3e-3: 100 %, held \
                  from step 11,000); the other eleven, width 128 included, stayed at the count \
                  rule (55-66 %). The bootstrap resamples test prompts, not restarts: a grid \
                  with other seeds may find no transformer at N = 32, and the verdict would \
                  then be inconclusive. For the same reason the positive side's trained \
                  verdict is NOT SUPPORTED: w* 64 at N = 32 is above the bound fixed in the \
                  design (16 + 4 log₂ N = 36), while the construction stays within it \
                  (width 22, 100 %).",
    }
}

fn nearest_neighbor() -> Claim {
    Claim {
        id: "nearest-neighbor",
        statement: "A two-layer transformer of width O(log k) finds the nearest stored key; RNNs \
                    need size Ω(k).",
        paper: SEPARATIONS,
        theorem: "nearest neighbour: 2-layer upper bound, RNN lower bound",
        kind: Kind::Separation,
        positive: Side {
            label: "2-layer transformer, width O(log k)",
            series: &["transformer-2L"],
            growth: Growth::Log,
            bound: Bound::new(72.0, 8.0),
        },
        negative: Side {
            label: "LSTM, size Ω(k)",
            series: &["lstm"],
            growth: Growth::Linear,
            bound: Bound::NONE,
        },
        task: TaskKind::NearestNeighbor,
        metric: Metric::Accuracy,
        series: &[TRANSFORMER_2L, LSTM],
        // k = 32 was dropped from the first plan: see the caveats.
        full: Design::grid(&[4, 8, 16], &[16, 32, 64, 128], 1500, 256),
        quick: Design::grid(&[2, 8], &[16, 32], 100, 128),
        expected: "transformer-2L w*(k) flat or log-like; LSTM growing or not reached",
        construction: Some("nearest-neighbor"),
        negative_note: NEGATIVE_NOTE,
        caveats: "The construction (`lab construct nearest-neighbor --size k`, b = 8 only) shows \
                  the 2-layer side exactly: b heads assemble each key from its b bit tokens, one \
                  head compares; width 8·max(9, ⌈log₂(k + 1)⌉ + 4) (72 at k ≤ 31, 88 at k = 64), \
                  100 % in every attention mode. The trained side is far from it: after 1,500 \
                  steps the 2-layer transformer reaches 28-33 % at k = 4, 20-25 % at k = 8 and \
                  11-18 % at k = 16 (means over 3 seeds; the label prior is 7-8 %, the LSTM \
                  stays at 5-15 %), and it does not improve with width at one learning rate \
                  (the index-lookup card's second limit), so neither side reaches 95 % and the \
                  verdict is inconclusive. k = 32, planned first, was dropped: it could not \
                  change that, and its runs are about twice as long as k = 16's (3.5 h of run time). \
                  Heads as many as the key's bits do not close the gap by training: a probe \
                  (lab train --task nearest-neighbor --size 4 --layers 2 --heads 8 --width 64 \
                  --lr 1e-3 --steps 10000 --seed 101, 512 held-out prompts; 4.5 minutes) ends at \
                  32.8 % (loss 1.28), where the 4-head runs were after 1,500 steps. \
                  Provenance: the grid's 72 records predate the records' commit field and say \
                  commit \"unknown\"; they were run before 1f00446 \
                  (2026-12-02), the commit that added them (`git log` on the JSON lines file), and \
                  each carries its reproduce command.",
    }
}

fn dp_width(task: TaskKind) -> Claim {
    let (id, statement, full_sizes, quick_sizes): (_, _, &'static [usize], &'static [usize]) =
        match task {
            TaskKind::Ed => (
                "dp-width-ed",
                "Sparse and linear transformers need a width growing with the problem size \
                 (Ω(√L)) to solve edit distance with chain of thought; the standard transformer \
                 does not.",
                &[3, 6, 12],
                &[3, 5],
            ),
            _ => (
                "dp-width-lis",
                "Sparse and linear transformers need a width growing with the problem size \
                 (Ω(√L)) to solve LIS with chain of thought; the standard transformer does not.",
                &[8, 16, 32],
                &[4, 8],
            ),
        };
    Claim {
        id,
        statement,
        paper: YANG,
        theorem: "lower bounds Ω(√L) on the width of sparse and linear transformers for DP \
                  problems with CoT; constant width suffices for the standard transformer",
        kind: Kind::Separation,
        positive: Side {
            label: "standard transformer (2 layers), constant width",
            series: &["standard-2L"],
            growth: Growth::Constant,
            bound: Bound::new(64.0, 0.0),
        },
        negative: Side {
            label: "sparse and linear transformers (2 layers), width Ω(√L)",
            series: &["sparse-2L", "linear-2L"],
            growth: Growth::SqrtLength,
            bound: Bound::NONE,
        },
        task,
        metric: Metric::GreedyCot,
        series: &[STANDARD_2L, SPARSE_2L, LINEAR_2L],
        full: Design::grid(full_sizes, &[8, 16, 32, 64], 2000, 256),
        quick: Design::grid(quick_sizes, &[16, 32], 100, 64),
        expected: "standard w*(N) flat; sparse and linear growing like √L or not reached",
        construction: None,
        negative_note: NEGATIVE_NOTE,
        caveats: match task {
            TaskKind::Ed => {
                "Not faithful at this budget: the published runs use ~10⁶ examples per run \
                 (3 layers, width 256); here 2,000 steps of 32. √L grows only ~2× over the \
                 sizes, so one width step separates the predictions. Only the quick grid is \
                 committed: a probe (lab train --task ed --size 6 --arch standard --layers 2 \
                 --width 32 --steps 2000 --seed 1, 128 held-out prompts) gives the standard \
                 transformer 0.8 % greedy whole-CoT exact match (answer 2.3 %; teacher-forced \
                 answer 98.4 %; 7-14 minutes on a shared core), so at the full grid's budget \
                 the positive side misses 90 % already at N = 6 and the full grid (108 runs, \
                 up to N = 12) would stay inconclusive after many hours of run time. No \
                 construction for the DP tasks."
            }
            _ => {
                "Not faithful at this budget: the published runs use ~10⁶ examples per run \
                 (3 layers, width 256); here 2,000 steps of 32. √L grows only ~2× over the \
                 sizes, so one width step separates the predictions. Only the quick grid is \
                 committed. Probes of the standard transformer at N = 8 (lab train --task lis \
                 --size 8 --arch standard --layers 2 --seed 1, 128 held-out prompts) reach \
                 8.6 % greedy whole-CoT exact match after 2,000 steps at width 32 and 87.5 % \
                 after 8,000 steps at width 64 (8 minutes on one core), so at the full grid's \
                 2,000 steps the positive side misses 90 % at every size. Probes of \
                 2026-12-07 (lab train --task lis --layers 2 --heads 4 --lr 1e-3 --seed 101 \
                 --free-eval, 128 held-out prompts): at N = 8, width 32, 10,000 steps the \
                 standard transformer reaches 62.5 %, the linear one 40.6 %, the sparse one \
                 6.2 %; at N = 16, width 32, 10,000 steps standard and linear reach 1.6 %; at \
                 N = 16, width 64 the standard one reaches 39 % after 10,000 steps, 56 % after \
                 20,000 and 78.1 % after 30,000, still rising (13 minutes on one core). A grid \
                 that can decide needs caps of ≥ 50,000 steps at N = 16 and 32 for all three \
                 series: about 30-50 core-hours for its 108 runs, beyond two cores in a \
                 session, so every cell of the full grid is missing. No construction for the \
                 DP tasks."
            }
        },
    }
}

fn locality() -> Claim {
    Claim {
        id: "locality",
        statement: "On a local DP problem (arithmetic with CoT) sparse attention works at \
                    constant width, like the standard transformer.",
        paper: YANG,
        theorem: "locality: constant-width sparse transformers suffice for local DP problems",
        kind: Kind::NoSeparation,
        positive: Side {
            label: "standard transformer (2 layers), constant width",
            series: &["standard-2L"],
            growth: Growth::Constant,
            bound: Bound::new(64.0, 0.0),
        },
        negative: Side {
            label: "sparse transformer (2 layers, sliding window of 3⌈√L⌉), constant width",
            series: &["sparse-window-2L"],
            growth: Growth::Constant,
            bound: Bound::NONE,
        },
        task: TaskKind::Arithmetic,
        metric: Metric::GreedyCot,
        series: &[STANDARD_2L, SPARSE_WINDOW_2L],
        // Fixed before it ran (2026-12-07), replacing the grid of 2026-12-02 (N = 2, 4, 6;
        // widths 16 … 64; 2,000 steps at 3e-3; archived as locality-2026-12-02), where neither
        // side reached 90 % at N ≥ 4: the budget, not the width. Probes outside the grid
        // (lab train, 2 layers, seed 101, 128 held-out prompts, greedy whole CoT): N = 4 width
        // 64 at 1e-3, 10,000 steps: standard and sparse-window both 100 %; N = 5 width 64:
        // 98.4 % at 1e-3 (90 % from step 7,000, a sudden jump from 15 % at 5,000) and 100 % at
        // 3e-3 (from step 5,000); N = 6 width 32 at 1e-3: 0.8 % standard, 5.5 % sparse-window
        // after 10,000 steps (loss still falling). So this design takes N = 3, 4, 5 (what fits
        // two cores for 90 minutes: N = 6 would need about 15,000 steps a run at 15 steps/s)
        // and widths 32 and 64 (width 16 would add 18 runs at the cap); restarts at 1e-3,
        // 2e-3 and 3e-3 (both probe rates succeeded); early stopping at two consecutive
        // validation checks ≥ 90 % every 1,000 steps, cap 12,000 steps; 256 test prompts; the
        // same recipe for both sides.
        // Decides: both sides' w* at every N (each must reach 90 % at width ≤ 64 everywhere)
        // and the sparse side's log₂ growth over the standard's from N = 3 to 5. SUPPORTED
        // needs the bootstrap interval of that excess growth at or below 0; NOT SUPPORTED, its
        // interval above 0 (the window needing more width as N grows while the standard
        // transformer does not). A side that misses 90 % at some N at both widths leaves it
        // inconclusive. What it cannot show: √L grows about 1.6× from N = 3 to 5, less than a
        // width doubling, so the Ω(√L) growth of a non-local problem would not show here
        // either; the result is a flat trend at our sizes, not the upper bound. Width 16 was
        // left out, so a w* at 32 everywhere cannot show growth below 32.
        full: Design {
            check_every: 1000,
            restart_rates: LOCALITY_RATES,
            ..Design::grid(&[3, 4, 5], &[32, 64], 12_000, 256)
        },
        // N = 1 is one operation: every held-out prompt is an operation never trained on, so
        // no model can pass (11.7 % after 3,000 steps, loss 5e-4). The quick grid shows the
        // recipe of 2026-12-02 at N = 2 and 3; it cannot decide.
        quick: Design::grid(&[2, 3], &[32, 64], 2000, 64),
        expected: "sparse w*(N) flat, growing no faster than the standard transformer's",
        construction: None,
        negative_note: "Here both sides are predicted to succeed at constant width: a flat \
                        trend is evidence at our sizes, not a proof of the upper bound.",
        caveats: "Each CoT step here re-copies the previous expression, so a token depends on \
                  the one a step earlier (up to 12 tokens at N = 3, 22 at N = 6): the m of \
                  m-locality, measured in tokens, grows like √L. The sparse side therefore \
                  reads a sliding window of 3⌈√L⌉ positions (18, 24 and 30 at N = 3, 4 and 5, \
                  of 36, 60 and 90; a test checks that it covers the longest step) plus the \
                  last position of every earlier block: O(√L) keys per query instead of L. The \
                  fixed-block pattern (own block of ⌈√L⌉) cannot do this: a query at a \
                  block's start does not see the step before it (probes at width 64, 2,000 \
                  steps: at N = 3 fixed block 6 2.3 %, block 13 5.5 %, block 26 91.4 %). The \
                  grid of 2026-12-07 (design 357290d24ba76683, fixed before it ran; 36 runs, \
                  6,844 s of run time, 58 minutes on two cores): SUPPORTED — both sides reach \
                  90 % greedy whole CoT at width 32 at N = 3, 4 and 5 (best restarts: \
                  standard 100.0, 96.5, 94.9 %; sparse-window 98.0, 94.5, 96.5 %), so w* is 32 \
                  for both at every N and the excess log₂ growth is +0.00 [+0.00, +0.00]; at \
                  width 64 standard 100.0 / 98.0 / 98.8 %, sparse-window 100.0 / 96.1 / 97.3 %. \
                  Steps to the threshold: 3,000-10,000. Six of the 18 width-32 restarts hit the \
                  cap below 90 % (79.7-89.5 % at N = 3 and 4, 11-16 % at N = 5), so a cell's \
                  w* rests on its best restart; runs stop once validation holds 90 %, and \
                  their test figures sit near it (87.9 % for one width-64 restart at N = 5). \
                  What it does not show: w* sits at the grid's narrowest width (32) at every \
                  N, so growth below it would not show; √L grows 1.6× from N = 3 to 5 and the \
                  width grid has two steps, so a growth like √L would not show either; the \
                  result is a flat trend at our sizes, not the upper bound, and N = 6 (0.8 % \
                  standard, 5.5 % sparse-window at width 32 after 10,000 steps in a probe) \
                  was left out for cost. The grid of 2026-12-02 (N = 2, 4, 6, 2,000 steps at 3e-3: neither side \
                  above 33 % at N ≥ 4, inconclusive) is archived as locality-2026-12-02.",
    }
}
