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

// Links are separated by commas.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            double: Double::new(),
            sink: Sink::new(),
        }
        links {
            numbers.outbox -> double.inbox
            double.outbox -> sink.inbox
        }
    };
}
