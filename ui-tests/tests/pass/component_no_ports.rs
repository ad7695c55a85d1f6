//! A component with no ports of its own: only `control` and `signal`.
use myelin::prelude::*;

#[component]
struct Tick {
    times: u32,
}

impl Component for Tick {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.times {
            cx.yield_now().await;
        }
        Ok(())
    }
}

#[component]
struct Nothing {}

impl Component for Nothing {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let info = <Tick as myelin::Ports>::INFO;
    assert!(info.inboxes.is_empty() && info.outboxes.is_empty());
    let handles = myelin::Part::handles(&myelin::Node::new(Tick::new(3)));
    assert_eq!(handles.control.name(), "control");
    myelin::run(Tick::new(3)).unwrap();
    myelin::run(Nothing::new()).unwrap();
}
