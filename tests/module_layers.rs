//! The modules follow the data, without import cycles.
//!
//! Read from the source, not the compiler: every `crate::NAME` in a file of
//! module `M` (`src/M.rs` or `src/M/…`) is an edge `M → NAME`, whether in a
//! `use` line or a path in the code. A cycle between top-level modules
//! fails the test, except the ones listed in [`BEING_REMOVED`] (named, so
//! that a new cycle cannot hide behind them). The same reading checks that
//! no `cmd` module uses another: the commands share only `cmd/mod.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles known and being broken, named so that a new cycle cannot hide
/// behind them. Empty: the metadata side's (`ingest::clean` ↔
/// `report::metadata`, `report` ↔ `region`) went when numbering and dates
/// moved down into `text` and `Region` into `region`.
const BEING_REMOVED: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`None` for lib.rs and main.rs).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    match first.strip_suffix(".rs") {
        Some("lib" | "main") => None,
        Some(name) => Some(name.to_string()),
        None => Some(first),
    }
}

/// The names after `prefix` in `text` (identifiers), including each name
/// of a `prefix{a, b::c}` group.
fn names_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    let ident = |s: &'a str| {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    };
    let mut out = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|g| ident(g.trim())));
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// Top-level module → the top-level modules it names.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let entry = edges.entry(module.clone()).or_default();
        for name in names_after(&text, "crate::") {
            if name != module {
                entry.insert(name.to_string());
            }
        }
    }
    edges
}

/// Whether `to` can be reached from `from`.
fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(m) = stack.pop() {
        if m == to {
            return true;
        }
        if seen.insert(m.clone()) {
            stack.extend(edges.get(&m).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn no_import_cycles_between_modules() {
    let edges = edges();
    assert!(edges.contains_key("query") && edges.contains_key("engine"));
    // The over-time views sit between the engine and what it builds on.
    assert!(edges.contains_key("trends"));
    assert!(reaches(&edges, "engine", "trends") && reaches(&edges, "trends", "query"));
    let mut cycles = BTreeSet::new();
    for (from, tos) in &edges {
        for to in tos {
            if reaches(&edges, to, from) {
                let pair = if from < to { (from, to) } else { (to, from) };
                cycles.insert((pair.0.clone(), pair.1.clone()));
            }
        }
    }
    for (a, b) in BEING_REMOVED {
        assert!(
            cycles.contains(&(a.to_string(), b.to_string())),
            "{a} ↔ {b} is no longer a cycle: remove it from BEING_REMOVED"
        );
    }
    let unexpected: Vec<_> = cycles
        .iter()
        .filter(|(a, b)| !BEING_REMOVED.contains(&(a.as_str(), b.as_str())))
        .collect();
    assert!(
        unexpected.is_empty(),
        "modules that reach each other (directly or through others): {unexpected:?}\nedges: {edges:#?}"
    );
}

#[test]
fn no_command_uses_another() {
    let dir = src().join("cmd");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let commands: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_stem()?.to_str().map(str::to_string))
        .filter(|n| n != "mod")
        .collect();
    for file in &files {
        if file.file_stem().is_some_and(|s| s == "mod") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let mut used: Vec<&str> = names_after(&text, "super::");
        used.extend(names_after(&text, "crate::cmd::"));
        for name in used {
            assert!(
                !commands.iter().any(|c| c == name),
                "{} uses the command module {name}",
                file.display()
            );
        }
    }
}

/// The server is a front end beside `output`/`export`: above the engine,
/// below `cmd`, and no module but `cmd` uses it.
#[test]
fn serve_sits_between_engine_and_cmd() {
    let edges = edges();
    let serve = edges.get("serve").expect("src/serve exists");
    assert!(serve.contains("engine"), "{serve:?}");
    assert!(!reaches(&edges, "serve", "cmd"), "serve reaches cmd");
    for (module, names) in &edges {
        if module != "cmd" {
            assert!(!names.contains("serve"), "{module} uses serve");
        }
    }
}
