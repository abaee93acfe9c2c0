//! The core's layers (see ARCHITECTURE.md): a module imports only from its own layer's shared
//! pieces and the layers below it, and engines never import each other. This test reads every
//! `crate::` path in the core's non-test code and fails on an edge that runs against them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Layer of each top-level module: 0 foundation, 1 vocabulary, 2 engines, 3 composition.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("wire", 0),
    ("time", 0),
    ("model", 1),
    ("condition", 1),
    ("action", 1),
    ("columnar", 1),
    ("lifecycle", 2),
    ("scoring", 2),
    ("predictive", 2),
    ("routing", 2),
    ("sla", 2),
    ("analytics", 2),
    ("forecast", 2),
    ("playbook", 3),
];

/// Edges allowed against the rule, each with its reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "analytics",
    "lifecycle",
    "pipeline analytics read lifecycle records (states, stages) as data; they own no lifecycle logic",
)];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Names `lib.rs` re-exports at the crate root, and the module each comes from.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let flat = lib.replace('\n', " ");
    for stmt in flat.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.trim().to_owned());
            }
        }
    }
    names
}

/// The top-level modules a source text refers to through `crate::`, outside comments and
/// `#[cfg(test)]` modules.
fn imports(text: &str, roots: &BTreeMap<String, String>) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue; // `crate::{...}`: not used in the core
            }
            let module = if name.chars().next().is_some_and(char::is_uppercase) {
                roots.get(&name).cloned().unwrap_or(name)
            } else {
                name
            };
            out.insert(module);
        }
    }
    out
}

#[test]
fn imports_follow_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let roots = root_names(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut bad = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = rel
            .iter()
            .next()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let from = layer(&module)
            .unwrap_or_else(|| panic!("module `{module}` has no layer: add it to LAYERS"));
        for target in imports(&fs::read_to_string(&file).unwrap(), &roots) {
            if target == module {
                continue;
            }
            let Some(to) = layer(&target) else {
                bad.push(format!(
                    "{}: `crate::{target}` is no module with a layer",
                    rel.display()
                ));
                continue;
            };
            let allowed = to < from
                || (to == from && from <= 1)
                || EXCEPTIONS
                    .iter()
                    .any(|(a, b, _)| *a == module && *b == target);
            if !allowed {
                bad.push(format!(
                    "{}: `{module}` (layer {from}) imports `{target}` (layer {to})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_sees_edges() {
    let roots = root_names("pub use playbook::{Format, Playbook};\npub use error::Error;");
    let text = "use crate::scoring::Scoring;\n// crate::lifecycle in a comment\nfn f() -> crate::Playbook { todo!() }\n#[cfg(test)]\nmod tests { use crate::routing::X; }";
    let found = imports(text, &roots);
    assert_eq!(
        found,
        BTreeSet::from(["playbook".to_owned(), "scoring".to_owned()])
    );
}
