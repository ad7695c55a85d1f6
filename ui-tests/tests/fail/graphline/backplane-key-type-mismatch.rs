use myelin::components::PublishTo;
use myelin::meeting::Key;
use myelin::prelude::*;

const CHAT: Key<String> = Key::new("chat");

#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// A backplane's key fixes its message type: publishing numbers into a
// backplane of strings is a link type error naming both types.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            publish: PublishTo::new(CHAT),
        }
        links {
            numbers.outbox -> publish.inbox,
        }
    };
}
