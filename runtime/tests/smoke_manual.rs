//! The runtime driven without the macros: hand-written `Ports` impls, wired
//! with the public linking API. Keeps the runtime testable on its own.

use std::sync::{Arc, Mutex};

use myelin::__private::{AnyInbox, AnyOutbox, ComponentInfo, InboxPort, OutboxPort, Ports};
use myelin::{Component, Context, Control, Error, Graph, Inbox, Node, Outbox, Outcome, Part};

struct Source {
    outbox: Outbox<u64>,
    n: u64,
}

#[derive(Clone)]
struct SourcePorts {
    outbox: OutboxPort<u64>,
}

impl Ports for Source {
    type Handles = SourcePorts;
    const INFO: ComponentInfo = ComponentInfo {
        name: "Source",
        doc: "",
        inboxes: &[],
        outboxes: &[],
    };
    fn handles(&self, _: InboxPort<Control>, _: OutboxPort<Control>) -> SourcePorts {
        SourcePorts {
            outbox: self.outbox.port(),
        }
    }
    fn for_each_inbox(&self, _: &mut dyn FnMut(&dyn AnyInbox)) {}
    fn for_each_outbox(&mut self, visit: &mut dyn FnMut(&mut dyn AnyOutbox)) {
        visit(&mut self.outbox);
    }
}

impl Component for Source {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

struct Sink {
    inbox: Inbox<u64>,
    got: Arc<Mutex<Vec<u64>>>,
}

#[derive(Clone)]
struct SinkPorts {
    inbox: InboxPort<u64>,
}

impl Ports for Sink {
    type Handles = SinkPorts;
    const INFO: ComponentInfo = ComponentInfo {
        name: "Sink",
        doc: "",
        inboxes: &[],
        outboxes: &[],
    };
    fn handles(&self, _: InboxPort<Control>, _: OutboxPort<Control>) -> SinkPorts {
        SinkPorts {
            inbox: self.inbox.port(),
        }
    }
    fn for_each_inbox(&self, visit: &mut dyn FnMut(&dyn AnyInbox)) {
        visit(&self.inbox);
    }
    fn for_each_outbox(&mut self, _: &mut dyn FnMut(&mut dyn AnyOutbox)) {}
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(x) = self.inbox.recv().await {
            self.got.lock().unwrap().push(x);
        }
        Ok(())
    }
}

#[test]
fn source_to_sink_by_hand() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let source = Node::new(Source {
        outbox: Outbox::new("outbox"),
        n: 1000,
    });
    let sink = Node::new(Sink {
        inbox: Inbox::bounded("inbox", 3),
        got: got.clone(),
    });
    myelin::link(&source.handles().outbox, &sink.handles().inbox, None).unwrap();
    let graph = Graph::new("graph")
        .child(Some("source"), source)
        .child(Some("sink"), sink);
    let report = myelin::run(graph).unwrap();
    assert_eq!(*got.lock().unwrap(), (0..1000).collect::<Vec<_>>());
    assert_eq!(report.components().len(), 2);
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished)
    );
    assert_eq!(report.components()[0].name, "source");
}

#[test]
fn unlinked_sink_finishes_at_once() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let report = myelin::run(Node::new(Sink {
        inbox: Inbox::new("inbox"),
        got: got.clone(),
    }))
    .unwrap();
    assert_eq!(report.components()[0].name, "Sink");
    assert!(got.lock().unwrap().is_empty());
}

#[test]
fn unlinked_source_fails_with_its_message_back() {
    let err = myelin::run(Node::new(Source {
        outbox: Outbox::new("outbox"),
        n: 1,
    }))
    .unwrap_err();
    let report = err.report().unwrap();
    assert!(
        matches!(&report.components()[0].outcome, Outcome::Failed(r) if r.contains("not linked")),
        "{report}"
    );
}
