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

// An endpoint names a component and one of its ports.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            sink: Sink::new(),
        }
        links {
            numbers -> sink.inbox,
        }
    };
}
