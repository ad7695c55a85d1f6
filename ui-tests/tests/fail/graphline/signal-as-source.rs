use myelin::prelude::*;

#[component]
struct Stop {
    outbox: Outbox<Control>,
}

impl Component for Stop {
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

// `self.signal` is the graphline's outbox; `self.control` its inbox.
fn main() {
    let _ = graphline! {
        components {
            stop: Stop::new(),
            sink: Sink::new(),
        }
        links {
            self.signal -> sink.control,
            stop.outbox -> self.control,
        }
    };
}
