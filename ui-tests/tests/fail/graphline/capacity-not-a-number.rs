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

// A capacity is a `usize`.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            sink: Sink::new(),
        }
        links {
            numbers.outbox -> sink.inbox (capacity = "4"),
        }
    };
}
