use myelin::prelude::*;

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

// A link must start at an outbox.
fn main() {
    let _ = graphline! {
        components {
            double: Double::new(),
            sink: Sink::new(),
        }
        links {
            double.inbox -> sink.inbox,
        }
    };
}
