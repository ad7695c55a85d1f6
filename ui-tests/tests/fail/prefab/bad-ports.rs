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

// A port is an `Inbox<T>` or an `Outbox<T>`; built-in names are taken.
#[prefab(count: u64, control: Inbox<Control>, inbox: Inbox<u64>, inbox: Inbox<u64>, outbox: Inbox<u64>)]
fn drain() -> Graph<DrainPorts> {
    pipeline![Sink::new()]
}

fn main() {
    let _ = drain();
}
