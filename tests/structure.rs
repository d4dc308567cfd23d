#![allow(clippy::disallowed_methods)] // reads the crate's own sources
//! The library's files import each other without circles: for every file under `src/` (the
//! library crate; the binaries are crates of their own), the modules its `use` statements and
//! paths name (`crate::…`, `super::…`), resolved to the file that defines the longest module
//! prefix; a module's `mod.rs` (a facade that declares and re-exports) is no edge. Test modules
//! (`#[cfg(test)]` to the end of a file) are left out. A circle fails the test, naming its
//! files.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `crate::a::b` for `src/a/b.rs` and `src/a/b/mod.rs`; `crate` for `src/lib.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    std::iter::once("crate".to_string())
        .chain(parts)
        .collect::<Vec<_>>()
        .join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "bin") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path = path.trim();
    let Some(open) = path.find('{') else {
        return vec![path.split(" as ").next().unwrap_or(path).trim().to_string()];
    };
    let prefix = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(&format!("{prefix}{}", p.trim())))
        .collect()
}

/// Every path a file's code names that starts at `crate` or `super`, made absolute.
fn named_paths(module: &str, is_facade: bool, code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or(code);
    let lines: Vec<&str> = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect();
    let text = lines.join("\n");
    let mut raw = Vec::new();
    // `use` statements (a line that starts one, to its `;`), braces expanded.
    let mut statement: Option<String> = None;
    for line in &lines {
        let trimmed = line.trim_start();
        if statement.is_none() {
            let body = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
                .iter()
                .find_map(|start| trimmed.strip_prefix(start));
            statement = body.map(str::to_string);
        } else if let Some(s) = statement.as_mut() {
            s.push_str(trimmed);
        }
        if let Some(s) = statement.take_if(|s| s.contains(';')) {
            raw.extend(expand(s.split(';').next().unwrap_or("")));
        }
    }
    // Paths written in the code.
    let bytes = text.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            let mut end = at;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b':')
            {
                end += 1;
            }
            raw.push(text[at..end].trim_end_matches(':').to_string());
            from = end.max(at + 1);
        }
    }
    // `super` of a facade (`a/mod.rs`, module `crate::a`) is `crate`; of `a/b.rs` it is `crate::a`.
    let own: Vec<&str> = module.split("::").collect();
    let parent = if is_facade || own.len() == 1 {
        own[..own.len().saturating_sub(1).max(1)].join("::")
    } else {
        own[..own.len() - 1].join("::")
    };
    let mut seen = BTreeSet::new();
    raw.into_iter()
        .filter_map(|p| {
            let mut p = p.trim().to_string();
            if let Some(rest) = p.strip_prefix("super::") {
                let mut base = parent.clone();
                let mut rest = rest.to_string();
                while let Some(r) = rest.strip_prefix("super::") {
                    base = base
                        .rsplit_once("::")
                        .map_or("crate".into(), |(b, _)| b.to_string());
                    rest = r.to_string();
                }
                p = format!("{base}::{rest}");
            } else if !p.starts_with("crate::") {
                return None;
            }
            Some(p)
        })
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

/// Strongly connected components of more than one node (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn the_circle_finder_finds_circles_and_only_circles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a", "d"]),
        ("d", vec![]),
        ("e", vec!["d"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(circles(&graph), vec![vec!["a", "b", "c"]]);
    assert_eq!(
        expand("crate::claims::{plan::RunKey, record::{Provenance, RunRecord as R}}"),
        vec![
            "crate::claims::plan::RunKey",
            "crate::claims::record::Provenance",
            "crate::claims::record::RunRecord"
        ]
    );
    assert_eq!(
        named_paths(
            "crate::claims::run",
            false,
            "use super::plan::plan;\nlet x = super::super::files::read(p);"
        ),
        vec!["crate::claims::plan::plan", "crate::files::read"]
    );
}

#[test]
fn the_library_has_no_import_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| {
        let name = f.file_name().unwrap();
        f.parent() != Some(src.as_path()) || name == "lib.rs"
    });
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let facade = |f: &Path| {
        f.file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let code = std::fs::read_to_string(file).unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for path in named_paths(&module, facade(file), &code) {
            // The longest prefix that is a module of the crate.
            let mut target = path.as_str();
            let found = loop {
                if modules.contains_key(target) {
                    break Some(target);
                }
                match target.rsplit_once("::") {
                    Some((head, _)) => target = head,
                    None => break None,
                }
            };
            if let Some(target) = found
                && target != module
                && !facade(&modules[target])
            {
                edges.insert(target.to_string());
            }
        }
    }
    assert!(graph.len() > 50, "read {} files", graph.len());
    let found = circles(&graph);
    assert!(
        found.is_empty(),
        "import circles between files (break them by moving what both need into a module of its own): {found:#?}"
    );
}

/// The page's stylesheet is well nested: a `}` too many drops the rule after it, one too few
/// puts every later rule inside the block before (both happened: a media query left open, a
/// stray brace after a container query). Comments are skipped.
#[test]
fn the_stylesheets_braces_balance() {
    let css =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/style.css")).unwrap();
    let mut depth = 0i32;
    let mut rest = css.as_str();
    while let Some(i) = rest.find(['{', '}', '/']) {
        let (c, after) = (rest.as_bytes()[i], &rest[i + 1..]);
        rest = match c {
            b'/' if after.starts_with('*') => after.find("*/").map_or("", |end| &after[end + 2..]),
            b'{' => {
                depth += 1;
                after
            }
            b'}' => {
                depth -= 1;
                let line = css.len() - after.len();
                assert!(depth >= 0, "a `}}` closes nothing at byte {line}");
                after
            }
            _ => after,
        };
    }
    assert_eq!(depth, 0, "{depth} block(s) left open");
}
