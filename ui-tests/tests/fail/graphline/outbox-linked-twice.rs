use myelin::prelude::*;

#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
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

// An outbox has one destination: fan-out needs a component.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            a: Sink::new(),
            b: Sink::new(),
        }
        links {
            numbers.outbox -> a.inbox,
            numbers.outbox -> b.inbox,
        }
    };
}
