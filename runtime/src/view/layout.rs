//! What both drawings share: node ids, nesting, and the text of each node
//! and edge.

use std::collections::HashMap;

use super::{ComponentView, Kind, Snapshot};

/// Where each component and cluster sits.
pub(super) struct Layout {
    /// Cluster paths, outermost first.
    pub(super) clusters: Vec<String>,
    /// The cluster each component sits directly in.
    pub(super) parent_of_component: Vec<Option<usize>>,
    /// The cluster each cluster sits directly in.
    pub(super) parent_of_cluster: Vec<Option<usize>>,
    /// Some link leads outside the system.
    pub(super) has_outside: bool,
    node_by_path: HashMap<String, usize>,
}

impl Layout {
    pub(super) fn new(snapshot: &Snapshot) -> Self {
        let clusters = snapshot.clusters();
        let index: HashMap<&str, usize> = clusters
            .iter()
            .enumerate()
            .map(|(k, name)| (name.as_str(), k))
            .collect();
        let parent = |path: &str| {
            path.rfind('.')
                .and_then(|dot| index.get(&path[..dot]).copied())
        };
        Self {
            parent_of_component: snapshot
                .components
                .iter()
                .map(|c| parent(&c.path))
                .collect(),
            parent_of_cluster: clusters.iter().map(|k| parent(k)).collect(),
            has_outside: snapshot.links.iter().any(|l| l.to.is_none()),
            node_by_path: snapshot
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| (c.path.clone(), i))
                .collect(),
            clusters,
        }
    }

    /// The node id of the component at `path`.
    pub(super) fn node_of(&self, path: &str) -> String {
        self.node_by_path
            .get(path)
            .map_or_else(|| "outside".to_owned(), |i| format!("n{i}"))
    }
}

/// A component's label: its name in its graph, its type (and kind, unless
/// a generator), and, when running, its state and time busy.
pub(super) fn node_lines(c: &ComponentView) -> Vec<String> {
    let name = c.path.rsplit('.').next().unwrap_or(&c.path);
    let mut lines = vec![name.to_owned()];
    let mut ty = c.type_name.to_owned();
    if c.kind != Kind::Generator {
        ty = format!("{ty} ({})", c.kind);
    }
    if ty != name {
        lines.push(ty);
    }
    if let Some(state) = &c.state {
        let mut line = state.to_string();
        if let Some(busy) = c.busy {
            line = format!("{line}, busy {busy:.1?}");
        }
        lines.push(line);
    }
    lines
}

/// A link's label: its ports and message type, and, when running, the
/// receiving inbox's counts.
pub(super) fn edge_lines(snapshot: &Snapshot, link: usize) -> Vec<String> {
    let link = &snapshot.links[link];
    let mut lines = vec![match &link.to {
        Some(to) => format!("{} → {}", link.from.port, to.port),
        None => link.from.port.to_owned(),
    }];
    lines.push(link.message.to_owned());
    let inbox = link.to.as_ref().and_then(|to| {
        snapshot
            .component(&to.component)?
            .inboxes
            .iter()
            .find(|i| i.port.name == to.port)
    });
    if let Some(inbox) = inbox
        && let Some(counts) = inbox.counts
    {
        let mut line = format!("{} in, {} queued", counts.delivered, counts.queued);
        if let Some(cap) = inbox.capacity {
            line = format!("{line} of {cap}");
        }
        if counts.returned > 0 {
            line = format!("{line}, {} returned", counts.returned);
        }
        lines.push(line);
    }
    lines
}
