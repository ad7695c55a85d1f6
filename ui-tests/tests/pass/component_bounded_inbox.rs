//! `#[inbox(capacity = N)]` gives the inbox a bound.
use myelin::prelude::*;
use myelin::{Node, Part};

#[component]
struct Sink {
    #[inbox(capacity = 16)]
    inbox: Inbox<String>,
    #[inbox(capacity = 1_000usize)]
    bulk: Inbox<Vec<u8>>,
    unbounded: Inbox<u8>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let node = Node::new(Sink::new());
    let handles = node.handles();
    assert_eq!(handles.inbox.capacity(), Some(16));
    assert_eq!(handles.bulk.capacity(), Some(1000));
    assert_eq!(handles.unbounded.capacity(), None);
    myelin::run(Sink::new()).unwrap();
}
