use myelin::prelude::*;
use myelin::{Node, OutboxPort};

#[component]
struct Double {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

#[component]
struct Sink {
    inbox: Inbox<u64>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

#[derive(Clone)]
struct ReaderPorts {
    outbox: OutboxPort<u64>,
}

// A graph given handles by hand is no pipeline stage: `#[prefab]` makes one.
fn reader() -> Graph<ReaderPorts> {
    let double = Node::new(Double::new());
    let outbox = myelin::Part::handles(&double).outbox;
    Graph::new("reader").child(None, double).with_handles(ReaderPorts { outbox })
}

fn main() {
    let _ = pipeline![reader(), Sink::new()];
}
