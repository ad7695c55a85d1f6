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
struct Label {
    inbox: Inbox<u64>,
    outbox: Outbox<String>,
}

impl Component for Label {
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

// Types are checked through a nested graphline's passthrough ports.
fn main() {
    let labels = graphline! {
        components {
            label: Label::new(),
        }
        links {
            self.inbox -> label.inbox,
            label.outbox -> self.outbox,
        }
    };
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            labels: labels,
            sink: Sink::new(),
        }
        links {
            numbers.outbox -> labels.inbox,
            labels.outbox -> sink.inbox,
        }
    };
}
