//! The book's own links: every link between chapters reaches a chapter
//! that exists, and a `#fragment` reaches a heading in it; every chapter
//! is in `SUMMARY.md` (so mdBook renders it) and in `src/lib.rs` (so its
//! code is tested). Links to the web are left to the reader.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn chapters() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    fs::read_dir(&src)
        .expect("book/src is readable")
        .map(|entry| entry.expect("book/src is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&path).expect("a chapter is UTF-8"))
        })
        .collect()
}

/// The lines of a chapter outside fenced code blocks, numbered from 1.
fn prose(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut fenced = false;
    text.lines().enumerate().filter_map(move |(index, line)| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return None;
        }
        (!fenced).then_some((index + 1, line))
    })
}

/// The targets of the inline links `[text](target)` on a line, outside
/// inline code.
fn link_targets(line: &str) -> Vec<&str> {
    let mut targets = Vec::new();
    let mut in_code = false;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => in_code = !in_code,
            b']' if !in_code && bytes.get(i + 1) == Some(&b'(') => {
                if let Some(len) = line[i + 2..].find(')') {
                    targets.push(&line[i + 2..i + 2 + len]);
                    i += 2 + len;
                }
            }
            _ => {}
        }
        i += 1;
    }
    targets
}

/// The id mdBook gives a heading: its text without markup, lower case,
/// spaces made dashes, other punctuation dropped; repeats numbered.
fn heading_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, line) in prose(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#').trim();
        let mut plain = String::new();
        let mut rest = heading;
        // A link in a heading renders as its text.
        while let Some(open) = rest.find('[') {
            plain.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find("](").zip(after.find(')')) {
                Some((close, end)) if close < end => {
                    plain.push_str(&after[..close]);
                    rest = &after[end + 1..];
                }
                _ => {
                    plain.push('[');
                    rest = after;
                }
            }
        }
        plain.push_str(rest);
        let id: String = plain
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                '-' | '_' => Some(c),
                c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect();
        let count = seen.entry(id.clone()).or_default();
        ids.insert(if *count == 0 {
            id.clone()
        } else {
            format!("{id}-{count}")
        });
        *count += 1;
    }
    ids
}

#[test]
fn every_link_between_chapters_reaches_a_chapter_and_heading() {
    let chapters = chapters();
    let ids: BTreeMap<&str, BTreeSet<String>> = chapters
        .iter()
        .map(|(name, text)| (name.as_str(), heading_ids(text)))
        .collect();
    let mut broken = Vec::new();
    for (name, text) in &chapters {
        for (line, content) in prose(text) {
            for target in link_targets(content) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, fragment) = match target.split_once('#') {
                    Some((file, fragment)) => (file, Some(fragment)),
                    None => (target, None),
                };
                let file = if file.is_empty() { name.as_str() } else { file };
                let Some(headings) = ids.get(file) else {
                    broken.push(format!("{name}:{line}: `{target}`: no chapter `{file}`"));
                    continue;
                };
                if let Some(fragment) = fragment
                    && !headings.contains(fragment)
                {
                    broken.push(format!(
                        "{name}:{line}: `{target}`: `{file}` has no heading `#{fragment}`"
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_chapter_is_rendered_and_tested() {
    let chapters = chapters();
    let summary = &chapters["SUMMARY.md"];
    let lib = include_str!("../src/lib.rs");
    let listed: BTreeSet<&str> = prose(summary)
        .flat_map(|(_, line)| link_targets(line))
        .collect();
    let mut missing = Vec::new();
    for name in chapters.keys().filter(|name| *name != "SUMMARY.md") {
        if !listed.contains(name.as_str()) {
            missing.push(format!("{name} is not in SUMMARY.md"));
        }
        if !lib.contains(&format!("\"/{name}\"")) {
            missing.push(format!("{name} is not included by src/lib.rs"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn heading_ids_follow_mdbook() {
    let ids = heading_ids("# The report\n## `Inbox::recv` and [links](x.md)\n# The report\n");
    let expected: BTreeSet<String> = ["the-report", "inboxrecv-and-links", "the-report-1"]
        .map(String::from)
        .into();
    assert_eq!(ids, expected);
}
