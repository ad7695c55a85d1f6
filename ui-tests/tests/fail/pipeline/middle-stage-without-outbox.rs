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

// Every stage but the last sends on `outbox`.
fn main() {
    let _ = pipeline![Numbers::new(), Sink::new(), Double::new()];
}
