//! `arithmetic`: evaluate an expression mod 11 with a chain of thought (TASKS.md).
//!
//! Prompt `expr =`; each CoT step rewrites the previous expression by evaluating exactly one
//! operator, then `=`; the last step, a single number, is the answer. Canonical order: the
//! leftmost innermost parenthesised group first; inside it the leftmost `*` or `/`, else the
//! leftmost `+` or `-`; parentheses left around a single number are dropped in the same step.

use super::error::malformed;
use super::{
    Cell, CellTrace, Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind,
    TaskRng, Vocab,
};

/// The modulus: numbers are residues `0..=10`.
pub const MODULUS: u8 = 11;
pub const MIN_SIZE: usize = 1;
pub const MAX_SIZE: usize = 12;

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Arithmetic,
    name: "arithmetic",
    title: "Arithmetic mod 11",
    size_meaning: "number of operators",
    min_size: MIN_SIZE,
    max_size: MAX_SIZE,
    default_size: 4,
    chain_of_thought: true,
    paper: Paper::EfficientTransformers,
    tests: "evaluating an expression mod 11 one operator per step",
    claim: "With chain of thought a constant-size transformer evaluates arithmetic expressions. \
            Each step only rewrites the previous one, so the problem is local: Yang et al. show \
            sparse attention solves it at constant width, unlike LIS and edit distance.",
    params: &[],
    locality: Locality::PreviousStep,
};

/// One symbol of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    Num(u8),
    Op(Op),
    Open,
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    const ALL: [Op; 4] = [Op::Add, Op::Sub, Op::Mul, Op::Div];

    fn text(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
        }
    }

    fn precedence(self) -> u8 {
        match self {
            Op::Add | Op::Sub => 1,
            Op::Mul | Op::Div => 2,
        }
    }

    /// `a op b` mod 11, or `None` for a division by zero.
    fn apply(self, a: u8, b: u8) -> Option<u8> {
        let (a, b, m) = (a as u32, b as u32, MODULUS as u32);
        let v = match self {
            Op::Add => (a + b) % m,
            Op::Sub => (a + m - b) % m,
            Op::Mul => (a * b) % m,
            Op::Div => {
                if b == 0 {
                    return None;
                }
                // b⁻¹ = b^(m-2) mod m (Fermat; 11 is prime).
                let inv = (0..m - 2).fold(1, |acc, _| acc * b % m);
                a * inv % m
            }
        };
        Some(v as u8)
    }
}

/// A random expression tree (generation only; the CoT is computed from the printed string).
enum Expr {
    Num(u8),
    Bin(Box<Expr>, Op, Box<Expr>),
}

impl Expr {
    fn random(ops: usize, rng: &mut TaskRng) -> Expr {
        if ops == 0 {
            return Expr::Num(rng.range(0, MODULUS as u32 - 1) as u8);
        }
        let left = rng.index(ops);
        let op = Op::ALL[rng.index(4)];
        Expr::Bin(
            Box::new(Expr::random(left, rng)),
            op,
            Box::new(Expr::random(ops - 1 - left, rng)),
        )
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Num(_) => 3,
            Expr::Bin(_, op, _) => op.precedence(),
        }
    }

    /// Print with parentheses only where precedence needs them: a lower-precedence child, or
    /// a right child of equal precedence under the non-associative `-` and `/`.
    fn print(&self, out: &mut Vec<Sym>) {
        match self {
            Expr::Num(v) => out.push(Sym::Num(*v)),
            Expr::Bin(l, op, r) => {
                let wrap = |e: &Expr, needed: bool, out: &mut Vec<Sym>| {
                    if needed {
                        out.push(Sym::Open);
                    }
                    e.print(out);
                    if needed {
                        out.push(Sym::Close);
                    }
                };
                wrap(l, l.precedence() < op.precedence(), out);
                out.push(Sym::Op(*op));
                let p = r.precedence();
                let right_needs = p < op.precedence()
                    || (p == op.precedence() && matches!(op, Op::Sub | Op::Div));
                wrap(r, right_needs, out);
            }
        }
    }
}

/// One rewrite: the new expression and the inclusive range `a..=b` of old symbols that were
/// replaced by the single result symbol now at index `a`.
struct Rewrite {
    next: Vec<Sym>,
    a: usize,
    b: usize,
}

/// Evaluate one operator in canonical order. `syms` must be a valid expression (checked by
/// [`validate`]) with at least one operator.
fn rewrite(syms: &[Sym]) -> Result<Rewrite, TaskError> {
    let close = syms.iter().position(|s| *s == Sym::Close);
    let (start, end, open) = match close {
        Some(r) => {
            let l = syms[..r]
                .iter()
                .rposition(|s| *s == Sym::Open)
                .ok_or_else(|| malformed("unbalanced parentheses"))?;
            (l + 1, r, Some(l))
        }
        None => (0, syms.len(), None),
    };
    let group = &syms[start..end];
    let find = |ops: &[Op]| {
        group
            .iter()
            .position(|s| matches!(s, Sym::Op(o) if ops.contains(o)))
    };
    let k = find(&[Op::Mul, Op::Div])
        .or_else(|| find(&[Op::Add, Op::Sub]))
        .ok_or_else(|| malformed("parentheses around a single number"))?;
    let at = start + k;
    let (Some(Sym::Num(x)), Sym::Op(op), Some(Sym::Num(y))) =
        (syms.get(at.wrapping_sub(1)), syms[at], syms.get(at + 1))
    else {
        return Err(malformed("an operator needs a number on each side"));
    };
    let value = op
        .apply(*x, *y)
        .ok_or_else(|| malformed("division by zero"))?;
    let (a, b) = match open {
        // The group shrinks to one number: drop its parentheses in the same step.
        Some(l) if end - start == 3 => (l, end),
        _ => (at - 1, at + 1),
    };
    let mut next = syms[..a].to_vec();
    next.push(Sym::Num(value));
    next.extend_from_slice(&syms[b + 1..]);
    Ok(Rewrite { next, a, b })
}

/// Check the grammar `expr := term (('+'|'-') term)*`, `term := factor (('*'|'/') factor)*`,
/// `factor := number | '(' expr ')'`, and count the operators.
fn validate(syms: &[Sym]) -> Result<usize, TaskError> {
    struct P<'a> {
        s: &'a [Sym],
        i: usize,
        ops: usize,
        depth: usize,
        /// Where the parenthesised factor starting at each `(` ends (one past its `)`).
        closes: Vec<usize>,
    }
    impl P<'_> {
        /// Validity does not depend on precedence, so the grammar is parsed flat.
        fn expr(&mut self) -> Result<(), TaskError> {
            self.factor()?;
            while let Some(Sym::Op(_)) = self.s.get(self.i) {
                self.i += 1;
                self.ops += 1;
                self.factor()?;
            }
            Ok(())
        }
        fn factor(&mut self) -> Result<(), TaskError> {
            match self.s.get(self.i) {
                Some(Sym::Num(_)) => {
                    self.i += 1;
                    Ok(())
                }
                Some(Sym::Open) => {
                    self.depth += 1;
                    if self.depth > 64 {
                        return Err(malformed("parentheses nested too deeply"));
                    }
                    let open = self.i;
                    self.i += 1;
                    let before = self.ops;
                    self.expr()?;
                    if self.s.get(self.i) != Some(&Sym::Close) {
                        return Err(malformed("missing `)`"));
                    }
                    // `( ( e ) )`: the inner group is the whole content of the outer one.
                    if self.s.get(open + 1) == Some(&Sym::Open) && self.closes[open + 1] == self.i {
                        return Err(malformed(
                            "redundant parentheses: a parenthesised expression wrapped in another pair `( ( … ) )`",
                        ));
                    }
                    if self.ops == before {
                        return Err(malformed("parentheses around a single number"));
                    }
                    self.depth -= 1;
                    self.i += 1;
                    self.closes[open] = self.i;
                    Ok(())
                }
                Some(other) => Err(malformed(format!(
                    "expected a number or `(` at symbol {}, found {other:?}",
                    self.i + 1
                ))),
                None => Err(malformed("the expression ends early")),
            }
        }
    }
    let mut p = P {
        s: syms,
        i: 0,
        ops: 0,
        depth: 0,
        closes: vec![0; syms.len()],
    };
    p.expr()?;
    if p.i != syms.len() {
        return Err(malformed(format!(
            "unexpected symbol at position {}",
            p.i + 1
        )));
    }
    Ok(p.ops)
}

/// One step of the chain: its symbols and the rewrite that produced it (`None` for step 0).
type Step = (Vec<Sym>, Option<(usize, usize)>);

/// The arithmetic task at one size (number of operators).
#[derive(Debug, Clone)]
pub struct Arithmetic {
    base: TaskBase,
}

impl Arithmetic {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        // At most `n − 1` parenthesis pairs, so step `s` has at most `4n − 1 − 2s` symbols
        // plus its `=`.
        let base = TaskBase::new(&INFO, n, Self::vocabulary(), |n| 3 * n * (n + 1))?;
        Ok(Self { base })
    }

    /// `<pad> 0 … 10 + - * / ( ) =`.
    pub fn vocabulary() -> Vocab {
        let numbers = (0..MODULUS).map(|v| v.to_string());
        let symbols = ["+", "-", "*", "/", "(", ")", "="].map(String::from);
        Vocab::new(numbers.chain(symbols))
    }

    fn id(&self, sym: Sym) -> u32 {
        let text = match sym {
            Sym::Num(v) => {
                return self
                    .base
                    .vocab
                    .id(&v.to_string())
                    .expect("number in vocabulary");
            }
            Sym::Op(op) => op.text(),
            Sym::Open => "(",
            Sym::Close => ")",
        };
        self.base.vocab.id(text).expect("symbol in vocabulary")
    }

    fn sym(&self, id: u32) -> Result<Sym, TaskError> {
        let text = self.base.vocab.text(id);
        Ok(match text {
            "+" => Sym::Op(Op::Add),
            "-" => Sym::Op(Op::Sub),
            "*" => Sym::Op(Op::Mul),
            "/" => Sym::Op(Op::Div),
            "(" => Sym::Open,
            ")" => Sym::Close,
            _ => match text.parse::<u8>() {
                Ok(v) if v < MODULUS => Sym::Num(v),
                _ => {
                    return Err(malformed(format!(
                        "`{text}` cannot appear in an expression"
                    )));
                }
            },
        })
    }

    /// Every step from the prompt expression to the final number, with the rewrite that
    /// produced each step (`None` for step 0).
    fn steps(syms: Vec<Sym>) -> Result<Vec<Step>, TaskError> {
        let mut steps = vec![(syms, None)];
        while steps.last().is_some_and(|(s, _)| s.len() > 1) {
            let r = rewrite(&steps.last().expect("non-empty").0)?;
            steps.push((r.next, Some((r.a, r.b))));
        }
        Ok(steps)
    }

    fn example_for(&self, syms: Vec<Sym>) -> Result<Example, TaskError> {
        let eq = self.base.vocab.id("=").expect("vocabulary has =");
        let steps = Self::steps(syms)?;
        let last = steps.len() - 1;
        let mut prompt: Vec<u32> = steps[0].0.iter().map(|&s| self.id(s)).collect();
        prompt.push(eq);
        let mut after = Vec::new();
        let mut trace = Vec::new();
        // Position of the first symbol of the previous step, and its length.
        let mut prev_start = 0;
        let mut pos = prompt.len();
        for (s, (syms, rewrite)) in steps.iter().enumerate().skip(1) {
            let (a, b) = rewrite.expect("every step after the first is a rewrite");
            let prev_len = steps[s - 1].0.len();
            let start = pos;
            for (k, &sym) in syms.iter().enumerate() {
                let from: Vec<usize> = if k < a {
                    vec![k]
                } else if k == a {
                    (a..=b).collect()
                } else {
                    vec![k + (b - a)]
                };
                trace.push(CellTrace {
                    cell: Some(Cell::two(s, k)),
                    deps: from.iter().map(|&j| Cell::two(s - 1, j)).collect(),
                    dep_positions: from.iter().map(|&j| prev_start + j).collect(),
                });
                after.push(self.id(sym));
                pos += 1;
            }
            if s < last {
                trace.push(CellTrace {
                    cell: Some(Cell::two(s, syms.len())),
                    deps: vec![Cell::two(s - 1, prev_len)],
                    dep_positions: vec![prev_start + prev_len],
                });
                after.push(eq);
                pos += 1;
            }
            prev_start = start;
        }
        let cot_len = after.len() - 1;
        let answer = after.split_off(cot_len);
        Ok(Example::from_parts(prompt, &after, &answer, trace))
    }
}

impl Task for Arithmetic {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        loop {
            let mut syms = Vec::new();
            Expr::random(self.base.size, rng).print(&mut syms);
            // Reject expressions whose canonical evaluation divides by zero at any step.
            if let Ok(example) = self.example_for(syms) {
                return example;
            }
        }
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let eq = self.base.vocab.id("=")?;
        let Some((&last, body)) = prompt.split_last() else {
            return Err(malformed("empty prompt"));
        };
        if last != eq {
            return Err(malformed("the prompt must end with `=`"));
        }
        let syms = body
            .iter()
            .map(|&id| self.sym(id))
            .collect::<Result<Vec<_>, _>>()?;
        let ops = validate(&syms)?;
        if !(MIN_SIZE..=MAX_SIZE).contains(&ops) {
            return Err(malformed(format!(
                "expected {MIN_SIZE} to {MAX_SIZE} operators, found {ops}"
            )));
        }
        self.example_for(syms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solve(text: &str) -> Result<String, TaskError> {
        let task = Arithmetic::new(4).unwrap();
        task.solve_text(text).map(|ex| task.render(&ex))
    }

    #[test]
    fn example_from_tasks_md() {
        assert_eq!(
            solve("( 3 - 5 ) * ( 4 + 5 + 10 ) =").unwrap(),
            "( 3 - 5 ) * ( 4 + 5 + 10 ) = 9 * ( 4 + 5 + 10 ) = 9 * ( 9 + 10 ) = 9 * 8 = 6"
        );
    }

    #[test]
    fn precedence_and_division() {
        assert_eq!(solve("2 + 3 * 4 =").unwrap(), "2 + 3 * 4 = 2 + 1 = 3");
        // 1 / 2 = 1 · 6 = 6 (2 · 6 = 12 ≡ 1).
        assert_eq!(solve("1 / 2 =").unwrap(), "1 / 2 = 6");
        assert_eq!(solve("7 - 9 =").unwrap(), "7 - 9 = 9");
    }

    #[test]
    fn malformed_prompts_are_errors() {
        for bad in [
            "",
            "3 + 4",
            "3 + =",
            "( 3 + 4 =",
            "3 + 4 ) =",
            "( 3 ) + 4 =",
            "3 4 =",
            "4 / 0 =",
            "4 / ( 2 - 2 ) =",
            "3 + 4 = 7 =",
        ] {
            assert!(solve(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn trace_names_the_evaluated_operator() {
        let task = Arithmetic::new(2).unwrap();
        let ex = task.solve_text("2 + 3 * 4 =").unwrap();
        // CoT `2 + 1 =`: the `1` comes from `3 * 4` (positions 2..=4 of the prompt).
        assert_eq!(ex.trace[2].dep_positions, vec![2, 3, 4]);
        assert_eq!(ex.trace[0].dep_positions, vec![0]);
        // The answer reads the whole previous step `2 + 1`.
        assert_eq!(ex.trace.last().unwrap().dep_positions, vec![6, 7, 8]);
    }
}
