//! The runtime's modules form layers that point one way.
//!
//! Every file of `runtime/src` may use modules of its own layer and of the
//! layers below it, never one above; and no two top-level modules (a file
//! at the root of `src`, or a directory) may use each other, even through
//! others, so an import cycle never crosses a directory. `DEVELOPMENT.md`
//! draws the same layers.
//!
//! The test reads the sources: every `crate::` path outside comments and
//! string literals counts (doc-comment links do not), names re-exported
//! from `lib.rs` (`crate::Outcome`) are traced to the module that defines
//! them, and `super::` paths stay inside their directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom to top: the top-level modules in each.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations: primitives and plain data",
        &["sync", "error", "report", "control", "trace", "view"],
    ),
    (
        "meeting places: backplanes, the store, tracked values",
        &["meeting"],
    ),
    (
        "scheduler: per-thread context, wakers, timers, parker, the generator core",
        &["scheduler"],
    ),
    (
        "ports, and time over the scheduler's timers",
        &["port", "time"],
    ),
    (
        "what a component is, reaches, and how it ends",
        &["component", "context", "lifecycle"],
    ),
    (
        "graphs: parts, starting them, placing them, wiring",
        &[
            "graph", "children", "describe", "placed", "services", "wiring",
        ],
    ),
    ("threaded components; running a system", &["thread", "run"]),
    (
        "process components; handles; the runtime builder",
        &["process", "handle", "runtime"],
    ),
    ("the ready-made components", &["components"]),
    ("the crate root", &["lib"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`lib` for `lib.rs`).
fn unit_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .expect("a file under src")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The source with comments, string literals and character literals
/// blanked out, so that only code remains.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            while i < b.len() {
                if src[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if src[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            i += end;
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && is_char_literal(rest) {
            let len = rest[1..].find('\'').map_or(rest.len(), |e| e + 2);
            i += len;
            out.push_str("' '");
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `r"`, `r#"`, ... at the start of `s` (not inside an identifier):
/// how many `#`.
fn raw_string_start(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    rest[hashes..].starts_with('"').then_some(hashes)
}

/// A character literal (`'a'`, `'\n'`, `'"'`) rather than a lifetime.
fn is_char_literal(s: &str) -> bool {
    let mut chars = s.chars().skip(1);
    match chars.next() {
        Some('\\') => true,
        Some(_) => chars.next() == Some('\''),
        None => false,
    }
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segment of every path a `crate::` reference starts, and
/// whether more segments follow it (then it names a module).
fn crate_paths(code: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `pub(crate)`'s cousins, `$crate`, `mycrate::`
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, C}`: the first segment of each element.
            let mut depth = 0;
            let mut element_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => element_start = true,
                    c if element_start && (c.is_alphanumeric() || c == '_') => {
                        let name = ident_at(&group[k..]);
                        let path = group[k + name.len()..].starts_with("::");
                        found.push((name.to_owned(), path));
                        element_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident_at(rest);
            if !name.is_empty() {
                let path = rest[name.len()..].starts_with("::");
                found.push((name.to_owned(), path));
            }
        }
    }
    found
}

/// What `lib.rs` re-exports at its top level: name -> the module (or
/// crate) it comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut rest = lib;
    while let Some(at) = rest.find("\npub use ") {
        rest = &rest[at + "\npub use ".len()..];
        let end = rest.find(';').expect("a `use` ends with `;`");
        let item = &rest[..end];
        let (module, names) = item.split_once("::").expect("`pub use module::name`");
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            if !name.is_empty() {
                map.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    map
}

struct Uses {
    /// (file, module used) for every reference to another top-level module.
    edges: Vec<(String, String)>,
}

fn collect() -> Uses {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let units: BTreeSet<String> = files
        .iter()
        .map(|f| unit_of(f.strip_prefix(&root).expect("under src")))
        .collect();
    let lib = code_only(&std::fs::read_to_string(root.join("lib.rs")).expect("lib.rs"));
    let mut reexported = reexports(&lib);
    // `#[macro_export]` macros live at the crate root, wherever defined.
    for file in &files {
        let code = std::fs::read_to_string(file).expect("a source file");
        for line in code.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("macro_rules! ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let unit = unit_of(file.strip_prefix(&root).expect("under src"));
                reexported.entry(name).or_insert(unit);
            }
        }
    }
    let mut edges = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).expect("under src");
        let unit = unit_of(relative);
        let code = code_only(&std::fs::read_to_string(file).expect("a source file"));
        for (name, is_path) in crate_paths(&code) {
            let target = if is_path && units.contains(&name) {
                name.clone()
            } else if let Some(module) = reexported.get(&name) {
                module.clone()
            } else if units.contains(&name) {
                name.clone()
            } else if lib.contains(&format!("pub mod {name} {{")) {
                // An inline module of `lib.rs` (`prelude`, `__private`).
                "lib".to_owned()
            } else {
                panic!(
                    "{}: cannot tell which module `crate::{name}` belongs to; \
                     teach tests/layers.rs",
                    relative.display()
                )
            };
            // Re-exports of other crates (`myelin_macros`) are no layer.
            if units.contains(&target) && target != unit {
                edges.push((relative.display().to_string(), target));
            }
        }
    }
    edges.sort();
    edges.dedup();
    Uses { edges }
}

fn layer_of(unit: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, units)| units.contains(&unit))
}

#[test]
fn every_module_has_a_layer() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let missing: BTreeSet<String> = files
        .iter()
        .map(|f| unit_of(f.strip_prefix(&root).expect("under src")))
        .filter(|unit| layer_of(unit).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "modules with no layer in tests/layers.rs: {missing:?}"
    );
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let uses = collect();
    assert!(
        !uses.edges.is_empty(),
        "found no `crate::` paths at all: the scan is broken"
    );
    let mut wrong = Vec::new();
    for (file, target) in &uses.edges {
        let unit = unit_of(Path::new(file));
        let (Some(own), Some(used)) = (layer_of(&unit), layer_of(target)) else {
            continue; // reported by `every_module_has_a_layer`
        };
        if used > own {
            wrong.push(format!(
                "{file} (layer `{}`) uses `crate::{target}` (layer `{}`)",
                LAYERS[own].0, LAYERS[used].0
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports from a higher layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_cycle_crosses_a_directory() {
    let uses = collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut via: BTreeMap<(String, String), String> = BTreeMap::new();
    for (file, target) in &uses.edges {
        let unit = unit_of(Path::new(file));
        graph
            .entry(unit.clone())
            .or_default()
            .insert(target.clone());
        via.entry((unit, target.clone()))
            .or_insert_with(|| file.clone());
    }
    // For each edge a -> b, b must not reach a.
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(next) = stack.pop() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.extend(graph.get(&next).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut cycles = Vec::new();
    for ((from, to), file) in &via {
        if reaches(to, from) {
            cycles.push(format!(
                "{file} uses `crate::{to}`, which leads back to `{from}`"
            ));
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between top-level modules:\n{}",
        cycles.join("\n")
    );
}

/// The scan itself: comments, doc links and strings do not count;
/// grouped imports and re-exports do.
#[test]
fn the_scan_reads_code_only() {
    let code = code_only(
        "/// [`crate::graph::Node`]\n//! crate::run\n/* crate::handle */\n\
         let s = \"crate::thread\"; let c = '\"'; let r = r#\"crate::x\"#;\n\
         use crate::{port::Inbox, Error};\nuse crate::scheduler::current;\n",
    );
    assert_eq!(
        crate_paths(&code),
        [
            ("port".to_owned(), true),
            ("Error".to_owned(), false),
            ("scheduler".to_owned(), true),
        ]
    );
    let lib = "\npub use error::{Error, SendError};\npub use run::run;\n";
    let map = reexports(lib);
    assert_eq!(map["Error"], "error");
    assert_eq!(map["run"], "run");
}
