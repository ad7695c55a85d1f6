//! Pictures of a system, before it runs and while it runs, as Graphviz DOT
//! and Mermaid: every component and link present, nested graphs as
//! clusters, and the text well formed (checked by a small reader of each
//! syntax's structure, not by string matching alone).

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use myelin::Runtime;
use myelin::components::{Collect, Discard, Map, Source};
use myelin::prelude::*;
use myelin::view::{Snapshot, State};

/// Splits numbers into evens and odds.
#[component]
struct Split {
    /// Numbers.
    inbox: Inbox<u32>,
    /// The even ones.
    evens: Outbox<u32>,
    /// The odd ones, as text.
    odds: Outbox<String>,
}

impl Component for Split {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            if n % 2 == 0 {
                self.evens.send(n).await?;
            } else {
                self.odds.send(n.to_string()).await?;
            }
        }
        Ok(())
    }
}

/// A graphline nested in a pipeline: `source`, then `inner` (a `Split`
/// feeding two sinks), then nothing.
fn system() -> impl Part + IntoPart {
    let inner = graphline! {
        components {
            split: Split::new(),
            evens: Discard::<u32>::new(),
            odds: Collect::<String>::new(),
        }
        links {
            self.inbox -> split.inbox,
            split.evens -> evens.inbox,
            split.odds -> odds.inbox,
        }
    };
    pipeline![Source::new(0..10u32), Map::new(|n: u32| n + 1), inner]
}

/// What a DOT text declares: node ids, edges (from, to), cluster labels.
struct Dot {
    nodes: HashSet<String>,
    edges: Vec<(String, String)>,
    clusters: Vec<String>,
}

/// Reads the structure of the DOT text `to_dot` writes, checking as it
/// goes that it is one `digraph` whose braces balance and whose quoted
/// strings all close.
fn read_dot(text: &str) -> Dot {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("digraph myelin {"));
    let mut depth = 1;
    let mut dot = Dot {
        nodes: HashSet::new(),
        edges: Vec::new(),
        clusters: Vec::new(),
    };
    for line in lines {
        let line = line.trim();
        // Quotes balance once escaped ones are left out.
        let quotes = line.replace("\\\"", "").matches('"').count();
        assert_eq!(quotes % 2, 0, "unclosed string: {line}");
        if line == "}" {
            depth -= 1;
            continue;
        }
        assert!(depth > 0, "text after the graph closed: {line}");
        if let Some(rest) = line.strip_prefix("subgraph ") {
            assert!(
                rest.starts_with("cluster_") && rest.ends_with('{'),
                "{line}"
            );
            depth += 1;
        } else if let Some(label) = line.strip_prefix("label=\"") {
            dot.clusters.push(label.trim_end_matches("\";").to_owned());
        } else if let Some((from, rest)) = line.split_once(" -> ") {
            let to = rest.split_whitespace().next().unwrap();
            assert!(rest.ends_with("];"), "{line}");
            dot.edges.push((from.to_owned(), to.to_owned()));
        } else if let Some((id, rest)) = line.split_once(" [") {
            assert!(rest.ends_with("];"), "{line}");
            if !["node", "edge"].contains(&id) {
                dot.nodes.insert(id.to_owned());
            }
        } else {
            assert!(line.ends_with(';'), "not a statement: {line}");
        }
    }
    assert_eq!(depth, 0, "braces do not balance");
    for (from, to) in &dot.edges {
        assert!(
            dot.nodes.contains(from) && dot.nodes.contains(to),
            "{from} -> {to}: undeclared"
        );
    }
    dot
}

/// What a Mermaid text declares: node ids, edges, subgraph titles.
struct Mermaid {
    nodes: HashSet<String>,
    edges: Vec<(String, String)>,
    subgraphs: Vec<String>,
}

/// Reads the structure of the Mermaid text `to_mermaid` writes: one
/// flowchart, `subgraph`/`end` balanced, labels quoted and free of raw
/// quotes and angle brackets, every edge between declared nodes.
fn read_mermaid(text: &str) -> Mermaid {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut depth = 0;
    let mut m = Mermaid {
        nodes: HashSet::new(),
        edges: Vec::new(),
        subgraphs: Vec::new(),
    };
    let label = |quoted: &str| -> String {
        let inner = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or_else(|| panic!("label not quoted: {quoted}"));
        assert!(
            !inner.contains(['"', '<', '>']) || inner.contains("<br/>"),
            "{inner}"
        );
        assert!(
            !inner.replace("<br/>", "").contains(['"', '<', '>']),
            "raw markup: {inner}"
        );
        inner.to_owned()
    };
    for line in lines {
        let line = line.trim();
        if line == "end" {
            depth -= 1;
            assert!(depth >= 0, "`end` without `subgraph`");
        } else if let Some(rest) = line.strip_prefix("subgraph ") {
            let (_, title) = rest.split_once('[').unwrap();
            m.subgraphs.push(label(title.strip_suffix(']').unwrap()));
            depth += 1;
        } else if let Some((from, rest)) = line
            .split_once(" -->|")
            .or_else(|| line.split_once(" -.->|"))
        {
            let (text, to) = rest.rsplit_once("| ").unwrap();
            label(text);
            m.edges.push((from.to_owned(), to.to_owned()));
        } else if let Some((id, rest)) = line.split_once('[') {
            label(rest.strip_suffix(']').unwrap());
            m.nodes.insert(id.to_owned());
        } else if let Some((id, _)) = line.split_once("((") {
            m.nodes.insert(id.to_owned());
        } else {
            panic!("not a statement: {line}");
        }
    }
    assert_eq!(depth, 0, "`subgraph` without `end`");
    for (from, to) in &m.edges {
        assert!(
            m.nodes.contains(from) && m.nodes.contains(to),
            "{from} --> {to}: undeclared"
        );
    }
    m
}

fn check_picture(picture: &Snapshot) {
    let paths: Vec<&str> = picture.components.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Source",
            "Map",
            "graphline.split",
            "graphline.evens",
            "graphline.odds"
        ]
    );
    assert_eq!(picture.clusters(), ["graphline"]);
    let links: Vec<String> = picture
        .links
        .iter()
        .map(|l| {
            let to =
                l.to.as_ref()
                    .map_or("outside".to_owned(), ToString::to_string);
            let kind = if l.lifecycle { ", lifecycle" } else { "" };
            format!("{} -> {to} ({}{kind})", l.from, l.message)
        })
        .collect();
    assert_eq!(
        links,
        [
            "Source.outbox -> Map.inbox (u32)",
            // The pipeline's stop protocol; `Map`'s `signal` goes to the
            // graphline's own `control`, not a component: left out.
            "Source.signal -> Map.control (Control, lifecycle)",
            "Map.outbox -> graphline.split.inbox (u32)",
            "graphline.split.evens -> graphline.evens.inbox (u32)",
            "graphline.split.odds -> graphline.odds.inbox (String)",
        ]
    );
    let split = picture.component("graphline.split").unwrap();
    assert_eq!(split.outboxes[1].doc.trim(), "The odd ones, as text.");

    let dot = read_dot(&picture.to_dot());
    assert_eq!(dot.nodes.len(), picture.components.len());
    assert_eq!(dot.edges.len(), picture.links.len());
    assert_eq!(dot.clusters, ["graphline"]);
    let mermaid = read_mermaid(&picture.to_mermaid());
    assert_eq!(mermaid.nodes.len(), picture.components.len());
    assert_eq!(mermaid.edges.len(), picture.links.len());
    assert_eq!(mermaid.subgraphs, ["graphline"]);
    // The edges join the same components in both drawings.
    assert_eq!(dot.edges, mermaid.edges);
}

#[test]
fn a_system_is_pictured_before_it_runs_with_nested_graphs_as_clusters() {
    let system = system();
    let picture = system.snapshot();
    assert!(picture.components.iter().all(|c| c.state.is_none()));
    assert!(
        picture
            .components
            .iter()
            .flat_map(|c| &c.inboxes)
            .all(|i| i.counts.is_none())
    );
    check_picture(&picture);
    let dot = picture.to_dot();
    assert!(dot.contains("evens → inbox\\nu32"), "{dot}");
    // The picture changes nothing: the system still runs.
    let report = common::within_hang(move || myelin::run(system)).unwrap();
    assert!(report.is_success());
}

#[test]
fn a_running_system_is_pictured_with_its_states_and_counts() {
    let system = system();
    let handle = Runtime::new().introspect().spawn(system);
    let deadline = Instant::now() + common::HANG;
    let seen = loop {
        let seen = handle.snapshot().unwrap();
        let done = seen
            .component("graphline.odds")
            .is_some_and(|c| c.state == Some(State::Finished));
        if done {
            break seen;
        }
        assert!(Instant::now() < deadline, "never finished");
        std::thread::sleep(Duration::from_millis(1));
    };
    check_picture(&seen);
    let dot = seen.to_dot();
    assert!(
        dot.contains("odds → inbox\\nString\\n5 in, 0 queued"),
        "{dot}"
    );
    assert!(dot.contains("finished, busy"), "{dot}");
    let mermaid = seen.to_mermaid();
    assert!(
        mermaid.contains("odds → inbox<br/>String<br/>5 in, 0 queued"),
        "{mermaid}"
    );
    assert!(handle.join().unwrap().is_success());
}

#[test]
fn a_link_to_a_receiver_outside_the_system_is_drawn_to_the_outside() {
    let source = Source::new(0..1u32).into_part();
    let mut out = myelin::Receiver::new(&source.handles().outbox).unwrap();
    let system = pipeline![source];
    let picture = system.snapshot();
    assert_eq!(picture.links.len(), 1);
    assert!(picture.links[0].to.is_none());
    let dot = read_dot(&picture.to_dot());
    assert!(dot.nodes.contains("outside"));
    assert_eq!(dot.edges, [("n0".to_owned(), "outside".to_owned())]);
    let mermaid = read_mermaid(&picture.to_mermaid());
    assert_eq!(mermaid.edges, [("n0".to_owned(), "outside".to_owned())]);
    let handle = myelin::spawn(system);
    assert_eq!(out.recv(), Some(0));
    assert!(handle.join().unwrap().is_success());
}

#[test]
fn labels_with_quotes_and_angle_brackets_stay_inside_their_strings() {
    let system = pipeline![
        Source::new(vec![vec!["a\"b".to_owned()]]),
        Collect::<Vec<String>>::new()
    ];
    let picture = system.snapshot();
    read_dot(&picture.to_dot());
    let mermaid = picture.to_mermaid();
    read_mermaid(&mermaid);
}
