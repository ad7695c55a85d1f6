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

// The ports struct's parameters are the function's.
#[prefab(inbox: Inbox<u64>)]
fn drain<T>() -> Graph<DrainPorts<u64, T>> {
    pipeline![Sink::new()]
}

fn main() {}
