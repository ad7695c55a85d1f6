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

// Every mistake the macro can see is reported at once, each at its own place.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            sink: Sink::new(),
        }
        links {
            nmbers.outbox -> sink.inbox,
            numbers.outbox sink.inbox,
            numbers.outbox -> sink.inbox (capacity = 0),
        }
    };
}
