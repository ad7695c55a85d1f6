//! Several inboxes and outboxes, unusual message types and names.
use std::sync::Arc;

use myelin::prelude::*;

/// Routes words and numbers.
#[component]
pub struct Router {
    /// Words in.
    inbox: Inbox<String>,
    /// Numbers in.
    #[inbox(capacity = 4)]
    numbers: Inbox<(u32, Vec<Option<String>>)>,
    /// Shared buffers.
    shared: Inbox<Arc<[u8]>>,
    /// Words out.
    outbox: Outbox<String>,
    /// Errors out.
    errors: Outbox<Box<dyn std::error::Error + Send + Sync>>,
    /// A raw identifier.
    r#type: Outbox<&'static str>,
    name: String,
}

impl Component for Router {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let info = <Router as myelin::Ports>::INFO;
    let inboxes: Vec<_> = info.inboxes.iter().map(|p| (p.name, p.message)).collect();
    assert_eq!(
        inboxes,
        [
            ("inbox", "String"),
            ("numbers", "(u32, Vec<Option<String>>)"),
            ("shared", "Arc<[u8]>"),
        ]
    );
    let outboxes: Vec<_> = info.outboxes.iter().map(|p| (p.name, p.message)).collect();
    assert_eq!(
        outboxes,
        [
            ("outbox", "String"),
            ("errors", "Box<dyn std::error::Error + Send + Sync>"),
            ("type", "&'static str"),
        ]
    );
    let router = Router::new("r".to_owned());
    assert_eq!(router.name, "r");
    let handles = myelin::Part::handles(&myelin::Node::new(router));
    assert_eq!(handles.r#type.name(), "type");
    assert_eq!(handles.numbers.capacity(), Some(4));
    myelin::run(Router::new(String::new())).unwrap();
}
