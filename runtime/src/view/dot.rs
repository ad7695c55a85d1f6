//! A snapshot as a Graphviz DOT digraph.

use std::fmt::Write;

use super::Snapshot;
use super::layout::{Layout, edge_lines, node_lines};

pub(super) fn render(snapshot: &Snapshot) -> String {
    let layout = Layout::new(snapshot);
    let mut out = String::from("digraph myelin {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    write_cluster(&mut out, snapshot, &layout, None, 1);
    if layout.has_outside {
        out.push_str("  outside [shape=plaintext, label=\"outside\"];\n");
    }
    for (i, link) in snapshot.links.iter().enumerate() {
        let from = layout.node_of(&link.from.component);
        let to = link.to.as_ref().map_or_else(
            || "outside".to_owned(),
            |end| layout.node_of(&end.component),
        );
        let label = join(&edge_lines(snapshot, i));
        let style = if link.lifecycle {
            ", style=dashed, color=gray50, fontcolor=gray50"
        } else {
            ""
        };
        let _ = writeln!(out, "  {from} -> {to} [label=\"{label}\"{style}];");
    }
    out.push_str("}\n");
    out
}

/// The components directly in `cluster` (`None`: at the top), then its
/// nested clusters, each as a `subgraph cluster_<n>`.
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
            let _ = writeln!(out, "{pad}n{i} [label=\"{label}\"];");
        }
    }
    for (k, name) in layout.clusters.iter().enumerate() {
        if layout.parent_of_cluster[k] == cluster {
            let _ = writeln!(out, "{pad}subgraph cluster_{k} {{");
            let _ = writeln!(out, "{pad}  label=\"{}\";", escape(name));
            write_cluster(out, snapshot, layout, Some(k), depth + 1);
            let _ = writeln!(out, "{pad}}}");
        }
    }
}

fn join(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// Text inside a DOT double-quoted string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(ch),
        }
    }
    out
}
