#![allow(clippy::disallowed_methods)] // tests read and write their own files
//! The task suite against independent solvers on ≥ 1000 seeds per task, plus determinism,
//! label balance, text round trips, the examples of TASKS.md and malformed-input handling.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/task_fixture.rs"]
mod task_fixture;

use expressivity_lab::tasks::{
    Example, Segment, Task, TaskError, TaskKind, TaskParams, TaskRng, TaskSpec,
};
use proptest::prelude::*;

const SEEDS: u64 = 1000;

fn build(kind: TaskKind, size: usize) -> Box<dyn Task> {
    TaskSpec::new(kind, size)
        .build()
        .unwrap_or_else(|e| panic!("{kind} at size {size}: {e}"))
}

/// Texts of the prompt, CoT and answer tokens.
fn parts(task: &dyn Task, ex: &Example) -> (Vec<String>, Vec<String>, Vec<String>) {
    let text = |ids: &[u32]| {
        ids.iter()
            .map(|&t| task.vocab().text(t).to_string())
            .collect()
    };
    (text(ex.prompt()), text(ex.cot()), text(ex.answer()))
}

/// Generate one example per seed, sizes cycling through `sizes`, and hand it to `check`
/// together with the solver's output for the prompt alone (which must equal the example).
fn for_seeds(kind: TaskKind, sizes: &[usize], mut check: impl FnMut(&dyn Task, &Example)) {
    for seed in 0..SEEDS {
        let size = sizes[seed as usize % sizes.len()];
        let task = build(kind, size);
        let ex = task.generate(&mut TaskRng::new(seed, 3));
        assert!(
            ex.len() <= task.max_seq_len(),
            "{kind} n={size} seed {seed}: too long"
        );
        assert_eq!(ex.trace.len(), ex.len() - ex.prompt_len);
        let solved = task.solve(ex.prompt()).unwrap_or_else(|e| {
            panic!("{kind} seed {seed}: solver rejects a generated prompt: {e}")
        });
        assert_eq!(
            solved, ex,
            "{kind} seed {seed}: solver disagrees with generator"
        );
        check(task.as_ref(), &ex);
    }
}

// ---- arithmetic: a separate recursive-descent evaluator ----

fn eval_mod11(tokens: &[String]) -> Option<u32> {
    fn expr(t: &[String], i: &mut usize) -> Option<u32> {
        let mut v = term(t, i)?;
        while let Some(op) = t.get(*i).filter(|s| *s == "+" || *s == "-") {
            let op = op.clone();
            *i += 1;
            let r = term(t, i)?;
            v = if op == "+" {
                (v + r) % 11
            } else {
                (v + 11 - r) % 11
            };
        }
        Some(v)
    }
    fn term(t: &[String], i: &mut usize) -> Option<u32> {
        let mut v = factor(t, i)?;
        while let Some(op) = t.get(*i).filter(|s| *s == "*" || *s == "/") {
            let op = op.clone();
            *i += 1;
            let r = factor(t, i)?;
            v = if op == "*" {
                v * r % 11
            } else {
                // Brute-force inverse.
                let inv = (1..11).find(|x| x * r % 11 == 1)?;
                v * inv % 11
            };
        }
        Some(v)
    }
    fn factor(t: &[String], i: &mut usize) -> Option<u32> {
        let tok = t.get(*i)?.clone();
        *i += 1;
        if tok == "(" {
            let v = expr(t, i)?;
            (t.get(*i)? == ")").then_some(())?;
            *i += 1;
            Some(v)
        } else {
            tok.parse().ok().filter(|v| *v < 11)
        }
    }
    let mut i = 0;
    let v = expr(tokens, &mut i)?;
    (i == tokens.len()).then_some(v)
}

fn operators(tokens: &[String]) -> usize {
    tokens
        .iter()
        .filter(|t| ["+", "-", "*", "/"].contains(&t.as_str()))
        .count()
}

#[test]
fn arithmetic_against_an_independent_evaluator() {
    for_seeds(
        TaskKind::Arithmetic,
        &[1, 2, 3, 4, 5, 6, 8, 12],
        |task, ex| {
            let (prompt, cot, answer) = parts(task, ex);
            assert_eq!(prompt.last().map(String::as_str), Some("="));
            let expr = &prompt[..prompt.len() - 1];
            assert_eq!(operators(expr), task.size());
            let value =
                eval_mod11(expr).expect("generated prompt evaluates without division by zero");
            assert_eq!(answer, vec![value.to_string()]);
            // Every step: one operator fewer, the same value, no division by zero.
            let mut steps: Vec<Vec<String>> =
                cot.split(|t| t == "=").map(<[String]>::to_vec).collect();
            steps.pop(); // the CoT ends with `=`
            steps.push(answer.clone());
            let mut ops = operators(expr);
            for step in &steps {
                assert_eq!(
                    operators(step),
                    ops - 1,
                    "each step evaluates exactly one operator"
                );
                ops -= 1;
                assert_eq!(eval_mod11(step), Some(value));
                // No parentheses around a single number survive.
                for w in step.windows(3) {
                    assert!(!(w[0] == "(" && w[2] == ")"), "({}) left in {step:?}", w[1]);
                }
            }
            assert_eq!(ops, 0);
        },
    );
}

// ---- lis: enumerate all subsequences ----

fn lis_brute_force(xs: &[u32]) -> Vec<u32> {
    let n = xs.len();
    let mut dp = vec![0u32; n];
    for mask in 1u32..(1 << n) {
        let idx: Vec<usize> = (0..n).filter(|&k| mask & (1 << k) != 0).collect();
        if idx.windows(2).all(|w| xs[w[0]] < xs[w[1]]) {
            let end = *idx.last().unwrap();
            dp[end] = dp[end].max(idx.len() as u32);
        }
    }
    dp
}

#[test]
fn lis_against_subsequence_enumeration() {
    for_seeds(TaskKind::Lis, &[3, 4, 5, 7, 9, 12], |task, ex| {
        let (prompt, cot, answer) = parts(task, ex);
        let n = task.size();
        let xs: Vec<u32> = prompt[..n].iter().map(|t| t.parse().unwrap()).collect();
        assert!(xs.iter().all(|&x| x > n as u32 && x <= 249));
        let dp: Vec<String> = lis_brute_force(&xs).iter().map(u32::to_string).collect();
        assert_eq!(cot[..n], dp[..]);
        assert_eq!(cot[n], "<sep>");
        let best = lis_brute_force(&xs).into_iter().max().unwrap();
        assert_eq!(answer, vec![best.to_string()]);
    });
}

// ---- ed: top-down recursion with memo ----

fn ed_memo(a: &[char], b: &[char], i: usize, j: usize, memo: &mut Vec<Vec<Option<u32>>>) -> u32 {
    if i == 0 {
        return j as u32;
    }
    if j == 0 {
        return i as u32;
    }
    if let Some(v) = memo[i][j] {
        return v;
    }
    let sub = if a[i - 1] == b[j - 1] { 0 } else { 3 };
    let v = (ed_memo(a, b, i - 1, j - 1, memo) + sub)
        .min(ed_memo(a, b, i - 1, j, memo) + 2)
        .min(ed_memo(a, b, i, j - 1, memo) + 2);
    memo[i][j] = Some(v);
    v
}

#[test]
fn ed_against_memoised_recursion() {
    let mut second_random_len = 0;
    for_seeds(TaskKind::Ed, &[3, 4, 6, 8, 12, 20], |task, ex| {
        let (prompt, cot, answer) = parts(task, ex);
        let n = task.size();
        let bar = prompt.iter().position(|t| t == "|").unwrap();
        let a: Vec<char> = prompt[..bar]
            .iter()
            .map(|t| t.chars().next().unwrap())
            .collect();
        let b: Vec<char> = prompt[bar + 1..prompt.len() - 1]
            .iter()
            .map(|t| t.chars().next().unwrap())
            .collect();
        assert!(a.len() <= b.len(), "shorter string first");
        assert!(a.len() <= n && b.len() <= n + 2 && a.len() + 3 >= n);
        let mut letters: Vec<char> = a.iter().chain(&b).copied().collect();
        letters.sort_unstable();
        letters.dedup();
        assert!(letters.len() <= 10, "alphabet of at most 10 letters");
        if a.len() != n && b.len() != n {
            second_random_len += 1;
        }
        let mut memo = vec![vec![None; b.len() + 1]; a.len() + 1];
        let mut expected = Vec::new();
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                expected.push(ed_memo(&a, &b, i, j, &mut memo).to_string());
            }
            expected.push(",".to_string());
        }
        expected.push("<sep>".to_string());
        assert_eq!(cot, expected);
        assert_eq!(
            answer,
            vec![ed_memo(&a, &b, a.len(), b.len(), &mut memo).to_string()]
        );
    });
    // One of the two strings always has the generating length n.
    assert_eq!(second_random_len, 0);
}

// ---- the separation tasks ----

#[test]
fn index_lookup_answers_the_indexed_symbol() {
    for_seeds(TaskKind::IndexLookup, &[2, 5, 16, 64, 256], |task, ex| {
        let (prompt, _, answer) = parts(task, ex);
        let n = task.size();
        assert_eq!(prompt.len(), n + 2);
        assert_eq!(prompt[n], "<q>");
        let i: usize = prompt[n + 1].strip_prefix('@').unwrap().parse().unwrap();
        assert!(i < n);
        assert_eq!(answer, vec![prompt[i].clone()]);
        assert_eq!(ex.trace[0].dep_positions, vec![i]);
    });
}

/// Dyck membership by repeatedly deleting adjacent matched pairs; depth by a counter.
fn dyck_member(w: &[String], k: usize, m: usize) -> bool {
    let pairs = [("(", ")"), ("[", "]"), ("{", "}"), ("<", ">")];
    if w.iter()
        .any(|t| !pairs[..k].iter().any(|(o, c)| t == o || t == c))
    {
        return false;
    }
    let mut depth: i64 = 0;
    let mut max = 0;
    for t in w {
        depth += if pairs.iter().any(|(o, _)| t == o) {
            1
        } else {
            -1
        };
        max = max.max(depth);
    }
    let mut s: Vec<String> = w.to_vec();
    loop {
        let at = s
            .windows(2)
            .position(|p| pairs.iter().any(|(o, c)| p[0] == *o && p[1] == *c));
        match at {
            Some(i) => {
                s.drain(i..i + 2);
            }
            None => break,
        }
    }
    s.is_empty() && max <= m as i64
}

#[test]
fn dyck_labels_match_an_independent_recogniser_and_negatives_are_near_misses() {
    for_seeds(TaskKind::Dyck, &[2, 4, 6, 10, 16, 32, 64], |task, ex| {
        let (prompt, _, answer) = parts(task, ex);
        let w = &prompt[..prompt.len() - 1];
        assert_eq!(w.len(), task.size());
        let member = dyck_member(w, 2, 2);
        assert_eq!(answer, vec![if member { "yes" } else { "no" }.to_string()]);
        // Never unbalanced only by count: as many openers as closers.
        let opens = w
            .iter()
            .filter(|t| ["(", "[", "{", "<"].contains(&t.as_str()))
            .count();
        assert_eq!(2 * opens, w.len(), "negative unbalanced by count: {w:?}");
    });
    // Other k and m, through the spec.
    for (k, m) in [(1, 1), (1, 3), (3, 4), (4, 8)] {
        let task = TaskSpec {
            task: TaskKind::Dyck,
            size: 24,
            params: TaskParams::from([("brackets", k), ("depth", m)]),
            data: None,
        }
        .build()
        .unwrap();
        for ex in task.sample(5, 300) {
            let (prompt, _, answer) = parts(task.as_ref(), &ex);
            let member = dyck_member(&prompt[..prompt.len() - 1], k, m);
            assert_eq!(answer[0] == "yes", member, "k={k} m={m}: {prompt:?}");
        }
    }
}

fn split_pair(prompt: &[String]) -> (Vec<&str>, Vec<&str>) {
    let bar = prompt.iter().position(|t| t == "|").unwrap();
    let x = prompt[..bar].iter().map(String::as_str).collect();
    let y = prompt[bar + 1..prompt.len() - 1]
        .iter()
        .map(String::as_str)
        .collect();
    (x, y)
}

#[test]
fn equality_negatives_cannot_be_told_apart_by_counting() {
    // Per TASKS.md: half the negatives are one swap (same number of ones, two positions
    // differ), a quarter one flip, a quarter random strings with as many ones as x.
    let (mut negatives, mut swaps, mut flips, mut same_count) = (0, 0, 0, 0);
    for_seeds(TaskKind::Equality, &[1, 4, 16, 64, 128], |task, ex| {
        let (prompt, _, answer) = parts(task, ex);
        let (x, y) = split_pair(&prompt);
        assert_eq!(x.len(), task.size());
        assert_eq!(answer[0] == "eq", x == y);
        if x == y || task.size() == 1 {
            return;
        }
        negatives += 1;
        let ones = |s: &[&str]| s.iter().filter(|&&b| b == "1").count();
        let differ = x.iter().zip(&y).filter(|(a, b)| a != b).count();
        if ones(&x) == ones(&y) {
            same_count += 1;
            swaps += usize::from(differ == 2);
        } else {
            assert_eq!(
                differ, 1,
                "a negative with another count is a one-position flip"
            );
            flips += 1;
        }
    });
    let share = |k: usize| k as f64 / negatives as f64;
    // Swaps: half the negatives, plus the random same-count strings that happen to be one
    // swap away (often at N = 4).
    assert!(
        (0.45..=0.70).contains(&share(swaps)),
        "swaps {:.3}",
        share(swaps)
    );
    assert!(
        (0.20..=0.30).contains(&share(flips)),
        "flips {:.3}",
        share(flips)
    );
    assert!(
        (0.70..=0.80).contains(&share(same_count)),
        "same count {:.3}",
        share(same_count)
    );
}

#[test]
fn disjointness_negatives_overlap_in_exactly_one_position() {
    for_seeds(TaskKind::Disjointness, &[1, 4, 16, 64, 128], |task, ex| {
        let (prompt, _, answer) = parts(task, ex);
        let (x, y) = split_pair(&prompt);
        let overlaps = x
            .iter()
            .zip(&y)
            .filter(|(a, b)| **a == "1" && **b == "1")
            .count();
        assert!(overlaps <= 1);
        assert_eq!(answer[0] == "yes", overlaps == 0);
    });
}

#[test]
fn nearest_neighbor_against_brute_force_distances() {
    for_seeds(
        TaskKind::NearestNeighbor,
        &[1, 2, 4, 8, 16, 64],
        |task, ex| {
            let (prompt, _, answer) = parts(task, ex);
            let q = prompt.iter().position(|t| t == "<q>").unwrap();
            let query = &prompt[q + 1..];
            assert_eq!(query.len(), 8);
            let pairs: Vec<&[String]> = prompt[..q].split(|t| t == ";").collect();
            assert_eq!(pairs.len(), task.size());
            let dist = |p: &[String]| p[..8].iter().zip(query).filter(|(a, b)| a != b).count();
            let best = pairs.iter().map(|p| dist(p)).min().unwrap();
            let nearest: Vec<_> = pairs.iter().filter(|p| dist(p) == best).collect();
            assert_eq!(nearest.len(), 1, "the nearest key must be unique");
            assert_eq!(answer[0], nearest[0][8]);
        },
    );
}

#[test]
fn majority_and_parity_count_bits() {
    for (kind, sizes) in [
        (TaskKind::Majority, &[1, 3, 21, 101, 501, 1001][..]),
        (TaskKind::Parity, &[1, 2, 20, 100, 1001][..]),
    ] {
        for_seeds(kind, sizes, |task, ex| {
            let (prompt, _, answer) = parts(task, ex);
            let ones = prompt.iter().filter(|t| *t == "1").count();
            let zeros = prompt.iter().filter(|t| *t == "0").count();
            assert_eq!(ones + zeros, task.size());
            let expected = match kind {
                TaskKind::Majority => ones > zeros,
                _ => ones % 2 == 1,
            };
            assert_eq!(answer, vec![if expected { "1" } else { "0" }.to_string()]);
        });
    }
}

// ---- properties of every task ----

fn decision_tasks() -> Vec<(TaskKind, usize)> {
    vec![
        (TaskKind::Dyck, 16),
        (TaskKind::Equality, 16),
        (TaskKind::Disjointness, 16),
        (TaskKind::Majority, 21),
        (TaskKind::Parity, 21),
    ]
}

#[test]
fn decision_labels_are_balanced() {
    for (kind, size) in decision_tasks() {
        let task = build(kind, size);
        let examples = task.sample(11, 2000);
        let first = examples[0].answer()[0];
        let mut labels = std::collections::BTreeMap::new();
        for ex in &examples {
            *labels.entry(ex.answer()[0]).or_insert(0usize) += 1;
        }
        assert_eq!(labels.len(), 2, "{kind}: two labels");
        let share = labels[&first] as f64 / examples.len() as f64;
        assert!(
            (0.45..=0.55).contains(&share),
            "{kind}: label share {share:.3}"
        );
    }
}

#[test]
fn generators_are_deterministic_and_seed_dependent() {
    for &kind in TaskKind::all() {
        let task = TaskSpec::default_for(kind).build().unwrap();
        let a = task.sample(42, 20);
        assert_eq!(a, task.sample(42, 20), "{kind}: same seed, same examples");
        assert_ne!(
            a,
            task.sample(43, 20),
            "{kind}: another seed, other examples"
        );
    }
}

#[test]
fn examples_round_trip_through_text_and_segment_correctly() {
    for &kind in TaskKind::all() {
        let task = TaskSpec::default_for(kind).build().unwrap();
        for ex in task.sample(3, 50) {
            let text = task.render(&ex);
            assert_eq!(task.vocab().encode(&text).unwrap(), ex.tokens, "{kind}");
            assert_eq!(task.vocab().decode(&ex.tokens), text);
            assert_eq!(ex.answer().len(), 1, "{kind}: one answer token");
            assert_eq!(ex.segment(ex.len() - 1), Segment::Answer);
            assert_eq!(
                ex.loss_mask().iter().filter(|&&m| !m).count(),
                ex.prompt_len
            );
            assert_eq!(
                ex.cot().is_empty(),
                !kind.info().chain_of_thought || task.size() == 1
            );
        }
    }
}

#[test]
fn grading_reports_exact_answer_and_first_wrong_cell() {
    let task = build(TaskKind::Ed, 5);
    let ex = task.sample(1, 1).remove(0);
    let reference = ex.tokens[ex.prompt_len..].to_vec();
    assert!(ex.grade(&reference).exact);
    let mut wrong = reference.clone();
    let k = 1; // second DP value of row 1
    wrong[k] = if wrong[k] == wrong[0] {
        wrong[2]
    } else {
        wrong[0]
    };
    if wrong[k] != reference[k] {
        let g = ex.grade(&wrong);
        assert!(!g.exact && g.answer_correct);
        assert_eq!(g.first_wrong, Some(k));
        assert_eq!(g.first_wrong_cell, ex.trace[k].cell);
    }
    let mut bad_answer = reference.clone();
    let last = bad_answer.len() - 1;
    bad_answer[last] = reference[0];
    if reference[0] != reference[last] {
        assert!(!ex.grade(&bad_answer).answer_correct);
    }
}

#[test]
fn locality_separates_arithmetic_from_lis_and_ed() {
    // Arithmetic reads only the previous step; LIS can read back to the first DP cell.
    let reach = |kind, size| {
        let task = build(kind, size);
        task.sample(9, 50)
            .iter()
            .map(Example::dependency_reach)
            .max()
            .unwrap()
    };
    let lis = reach(TaskKind::Lis, 30);
    assert!(lis >= 25, "LIS reach {lis}");
    let ed = reach(TaskKind::Ed, 10);
    assert!((10..=14).contains(&ed), "ED reach one row back: {ed}");
    assert_eq!(
        TaskKind::Arithmetic.locality(),
        expressivity_lab::tasks::Locality::PreviousStep
    );
}

#[test]
fn bad_requests_are_error_values() {
    use TaskKind::*;
    let spec = |task, size, params: &[(&str, usize)]| TaskSpec {
        task,
        size,
        params: params.iter().copied().collect(),
        data: None,
    };
    for (s, why) in [
        (spec(Lis, 2, &[]), "size"),
        (spec(Arithmetic, 0, &[]), "size"),
        (spec(Arithmetic, 13, &[]), "size"),
        (spec(Ed, 21, &[]), "size"),
        (spec(Majority, 20, &[]), "even majority"),
        (spec(Dyck, 7, &[]), "odd dyck"),
        (spec(IndexLookup, 257, &[]), "size"),
        (spec(Dyck, 8, &[("brackets", 5)]), "brackets"),
        (spec(Dyck, 8, &[("depth", 0)]), "depth"),
        (spec(NearestNeighbor, 8, &[("bits", 17)]), "bits"),
        (spec(NearestNeighbor, 8, &[("bits", 2)]), "too few keys"),
        (spec(Lis, 5, &[("bits", 8)]), "unsupported"),
    ] {
        assert!(s.build().is_err(), "{why}: {s:?} should be rejected");
    }
    assert_eq!(
        spec(Dyck, 8, &[("brackets", 5)]).build().unwrap_err(),
        TaskError::ParamOutOfRange {
            task: "dyck",
            name: "brackets",
            value: 5,
            min: 1,
            max: 4
        }
    );
    assert_eq!(
        spec(Lis, 5, &[("bits", 8)])
            .build()
            .unwrap_err()
            .to_string(),
        "lis does not take the parameter `bits`"
    );
    assert!(matches!(
        TaskKind::from_name("sorting"),
        Err(TaskError::UnknownTask { .. })
    ));
    assert_eq!(TaskKind::from_name("index_lookup").unwrap(), IndexLookup);
    // Specs round trip through JSON in the layout checkpoints store; junk parameters are
    // rejected.
    let s = spec(Dyck, 8, &[("depth", 3)]);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, r#"{"task":"dyck","size":8,"params":{"depth":3}}"#);
    assert_eq!(serde_json::from_str::<TaskSpec>(&json).unwrap(), s);
    let plain = serde_json::to_string(&TaskSpec::new(Lis, 5)).unwrap();
    assert_eq!(plain, r#"{"task":"lis","size":5,"params":{}}"#);
    let junk: TaskSpec =
        serde_json::from_str(r#"{"task":"dyck","size":8,"params":{"x":1}}"#).unwrap();
    assert!(matches!(
        junk.build(),
        Err(TaskError::UnsupportedParam { name, .. }) if name == "x"
    ));
}

#[test]
fn malformed_prompts_are_rejected_per_task() {
    for (kind, bad) in [
        (TaskKind::IndexLookup, "a b c <q> @3"),
        (TaskKind::IndexLookup, "a b c @1"),
        (TaskKind::IndexLookup, "a b z <q> @1"),
        (TaskKind::Dyck, "( ) ( )"),
        (TaskKind::Dyck, "( { } ) <q>"),
        (TaskKind::Equality, "0 1 | 0 <q>"),
        (TaskKind::Equality, "0 1 0 1 <q>"),
        (TaskKind::Disjointness, "0 1 | 1 0"),
        (TaskKind::NearestNeighbor, "0 1 1 A ; 1 1 B <q> 0 0"),
        (TaskKind::NearestNeighbor, "0 0 A ; 1 1 B <q> 0 1"),
        (TaskKind::NearestNeighbor, "0 0 Z <q> 0 1"),
        (TaskKind::Majority, "0 1 <q>"),
        (TaskKind::Parity, "0 2 <q>"),
        (TaskKind::Parity, "<q>"),
    ] {
        let task = TaskSpec::default_for(kind).build().unwrap();
        assert!(
            task.solve_text(bad).is_err(),
            "{kind}: {bad:?} should be rejected"
        );
    }
}

#[test]
fn arithmetic_errors_name_what_is_wrong() {
    let task = TaskSpec::default_for(TaskKind::Arithmetic).build().unwrap();
    let err = |prompt: &str| task.solve_text(prompt).unwrap_err().to_string();
    assert!(err("( ( 1 + 2 ) ) =").contains("redundant parentheses"));
    assert!(task.solve_text("( ( 1 + 2 ) * 3 ) =").is_ok());
    assert!(err("( 3 ) + 1 =").contains("single number"));
    assert!(task.solve_text("( ( 1 + 2 ) * ( 3 + 4 ) ) =").is_ok());
    assert!(task.solve_text("( 1 + 2 ) * ( 3 + 4 ) =").is_ok());
}

#[test]
fn samples_match_the_cross_platform_fixture() {
    let rendered = task_fixture::render_samples();
    if std::env::var_os("UPDATE_TASK_FIXTURE").is_some() {
        std::fs::write("tests/fixtures/task_samples.txt", &rendered).unwrap();
    }
    assert_eq!(
        rendered,
        task_fixture::EXPECTED,
        "generators changed: rerun with UPDATE_TASK_FIXTURE=1 if intended"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any token soup, for any task, is solved or rejected, never a panic.
    #[test]
    fn solvers_never_panic(kind in 0usize..10, ids in proptest::collection::vec(0u32..300, 0..40)) {
        let kind = TaskKind::all()[kind];
        let task = TaskSpec::default_for(kind).build().unwrap();
        let n = task.vocab().len() as u32;
        let prompt: Vec<u32> = ids.into_iter().map(|t| t % n).collect();
        if let Ok(ex) = task.solve(&prompt) {
            prop_assert_eq!(ex.prompt(), &prompt[..]);
        }
    }

    /// Structured random prompts for the decision tasks are always solved consistently.
    #[test]
    fn random_bit_strings_solve(bits in proptest::collection::vec(any::<bool>(), 1..60)) {
        let text: Vec<&str> = bits.iter().map(|&b| if b { "1" } else { "0" }).collect();
        let parity = build(TaskKind::Parity, 3);
        let ex = parity.solve_text(&format!("{} <q>", text.join(" "))).unwrap();
        let ones = bits.iter().filter(|&&b| b).count();
        prop_assert_eq!(parity.vocab().text(ex.answer()[0]), if ones % 2 == 1 { "1" } else { "0" });
    }
}

/// Your own data: whatever the text, reading it gives data or an error naming a line that
/// exists — never a panic; data that is read survives being stored and read back.
fn check_custom_text(text: &str) -> Result<(), TestCaseError> {
    use expressivity_lab::tasks::CustomData;
    match CustomData::parse("fuzz", text) {
        Ok(data) => {
            prop_assert!(data.len() >= 8);
            let json = serde_json::to_string(&data).unwrap();
            let back: CustomData = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.fingerprint(), data.fingerprint());
            prop_assert_eq!(back.vocab(), data.vocab());
        }
        Err(e) => {
            let lines = text.split('\n').count();
            prop_assert!(e.line.is_none_or(|l| (1..=lines).contains(&l)), "{e}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_text_is_custom_data_or_a_line_numbered_error(text in "(?s).{0,300}") {
        check_custom_text(&text)?;
    }

    /// Lines built from the format's own characters, so that many are valid.
    #[test]
    fn format_like_lines_are_data_or_a_line_numbered_error(
        lines in proptest::collection::vec("[ab#<q>{}\\[\\]\":, \t]{0,6}( => [ab{}]{1,3})?", 0..24)
    ) {
        check_custom_text(&lines.join("\n"))?;
    }
}
