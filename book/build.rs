//! Expands mdBook's `{{#include path}}` and `{{#include path:anchor}}`
//! in every chapter before rustdoc reads it, so the book crate tests the
//! same text `mdbook build` renders, and an include that names a missing
//! file or anchor fails the build here instead of rendering as an empty
//! block.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let src = manifest.join("src");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo::rerun-if-changed={}", src.display());

    let mut failures = String::new();
    let mut chapters: Vec<_> = fs::read_dir(&src)
        .expect("book/src is readable")
        .map(|entry| entry.expect("book/src is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    chapters.sort();
    for chapter in chapters {
        let text = fs::read_to_string(&chapter).expect("a chapter is UTF-8 text");
        match expand(&chapter, &text) {
            Ok(expanded) => {
                let name = chapter.file_name().expect("a chapter has a name");
                fs::write(out.join(name), expanded).expect("OUT_DIR is writable");
            }
            Err(errors) => failures.push_str(&errors),
        }
    }
    if !failures.is_empty() {
        eprintln!("{failures}");
        std::process::exit(1);
    }
}

/// The chapter with each include replaced by the text it names; or every
/// include that cannot be resolved, one line each, naming the chapter and
/// its line.
fn expand(chapter: &Path, text: &str) -> Result<String, String> {
    let base = chapter.parent().expect("a chapter lies in a directory");
    let mut expanded = String::with_capacity(text.len());
    let mut errors = String::new();
    for (number, line) in text.lines().enumerate() {
        let Some(directive) = include_directive(line) else {
            expanded.push_str(line);
            expanded.push('\n');
            continue;
        };
        let (path, anchor) = match directive.rsplit_once(':') {
            Some((path, anchor)) if !anchor.contains('/') => (path, Some(anchor)),
            _ => (directive, None),
        };
        let target = base.join(path);
        println!("cargo::rerun-if-changed={}", target.display());
        let place = format!("{}:{}", chapter.display(), number + 1);
        match fs::read_to_string(&target) {
            Err(err) => {
                let _ = writeln!(errors, "{place}: cannot include `{path}`: {err}");
            }
            Ok(included) => match anchor {
                None => expanded.push_str(&without_anchor_lines(&included)),
                Some(anchor) => match anchored(&included, anchor) {
                    Some(part) => expanded.push_str(&part),
                    None => {
                        let _ = writeln!(
                            errors,
                            "{place}: `{path}` has no `ANCHOR: {anchor}` ... `ANCHOR_END: {anchor}`"
                        );
                    }
                },
            },
        }
    }
    if errors.is_empty() {
        Ok(expanded)
    } else {
        Err(errors)
    }
}

/// What `{{#include ...}}` names, when the line is one (alone on its line,
/// as every include in the book is).
fn include_directive(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("{{#include ")?
        .strip_suffix("}}")
        .map(str::trim)
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without the
/// markers of any other anchor, as mdBook renders them.
fn anchored(text: &str, anchor: &str) -> Option<String> {
    let start = format!("ANCHOR: {anchor}");
    let end = format!("ANCHOR_END: {anchor}");
    let mut lines = text.lines();
    lines.find(|line| marker(line) == Some(start.as_str()))?;
    let mut part = String::new();
    for line in lines {
        match marker(line) {
            Some(found) if found == end => return Some(part),
            Some(_) => {}
            None => {
                part.push_str(line);
                part.push('\n');
            }
        }
    }
    None
}

fn without_anchor_lines(text: &str) -> String {
    text.lines()
        .filter(|line| marker(line).is_none())
        .fold(String::new(), |mut all, line| {
            all.push_str(line);
            all.push('\n');
            all
        })
}

/// `ANCHOR: x` or `ANCHOR_END: x` when the line is such a marker comment.
fn marker(line: &str) -> Option<&str> {
    let comment = line.trim().strip_prefix("//")?.trim();
    (comment.starts_with("ANCHOR: ") || comment.starts_with("ANCHOR_END: ")).then_some(comment)
}
