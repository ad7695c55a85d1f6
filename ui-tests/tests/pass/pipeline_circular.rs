//! `pipeline![circular; ..]`: the last stage feeds the first. The circle
//! keeps the first stage's `inbox` (fed from outside as well) and has no
//! `outbox` of its own.

use myelin::prelude::*;

/// Doubles numbers.
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

fn main() {
    let circle = pipeline![circular; Double::new(), Double::new(),];
    let ports = myelin::Part::handles(&circle);
    let _: myelin::InboxPort<u64> = ports.inbox;
    // It ends a chain, as a stage with an `inbox` and no `outbox` would.
    let _ = pipeline![Double::new(), circle];
    // A circle of one is a component feeding itself.
    let _ = pipeline![circular; Double::new()];
}
