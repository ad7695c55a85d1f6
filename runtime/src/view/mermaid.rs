//! A snapshot as a Mermaid flowchart.

use std::fmt::Write;

use super::Snapshot;
use super::layout::{Layout, edge_lines, node_lines};

pub(super) fn render(snapshot: &Snapshot) -> String {
    let layout = Layout::new(snapshot);
    let mut out = String::from("flowchart LR\n");
    write_cluster(&mut out, snapshot, &layout, None, 1);
    if layout.has_outside {
        out.push_str("  outside((\"outside\"))\n");
    }
    for (i, link) in snapshot.links.iter().enumerate() {
        let from = layout.node_of(&link.from.component);
        let to = link.to.as_ref().map_or_else(
            || "outside".to_owned(),
            |end| layout.node_of(&end.component),
        );
        let label = join(&edge_lines(snapshot, i));
        let arrow = if link.lifecycle { "-.->" } else { "-->" };
        let _ = writeln!(out, "  {from} {arrow}|\"{label}\"| {to}");
    }
    out
}

/// The components directly in `cluster` (`None`: at the top), then its
/// nested clusters, each as a `subgraph`.
fn write_cluster(
    out: &mut String,
    snapshot: &Snapshot,
    layout: &Layout,
    cluster: Option<usize>,
    depth: usize,
) {
    let pad = "  ".repeat(depth);
    for (i, c) in snapshot.components.iter().enumerate() {
        if layout.parent_of_component[i] == cluster {
            let label = join(&node_lines(c));
            let _ = writeln!(out, "{pad}n{i}[\"{label}\"]");
        }
    }
    for (k, name) in layout.clusters.iter().enumerate() {
        if layout.parent_of_cluster[k] == cluster {
            let _ = writeln!(out, "{pad}subgraph c{k}[\"{}\"]", escape(name));
            write_cluster(out, snapshot, layout, Some(k), depth + 1);
            let _ = writeln!(out, "{pad}end");
        }
    }
}

fn join(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

/// Text inside a Mermaid quoted label: quotes and angle brackets (as in
/// `Vec<String>`) as entity codes, so neither ends the label nor reads as
/// markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("#34;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '#' => out.push_str("#35;"),
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}
