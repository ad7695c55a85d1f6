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

// The pipeline's last stage has no `outbox`.
#[prefab(inbox: Inbox<u64>, outbox: Outbox<u64>)]
fn double_then_sink() -> Graph<DoubleThenSinkPorts> {
    pipeline![Double::new(), Sink::new()]
}

fn main() {
    let _ = double_then_sink();
}
