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

// The graph's `outbox` carries `u64`, not `String`.
#[prefab(outbox: Outbox<String>)]
fn doubler() -> Graph<DoublerPorts> {
    graphline! {
        components { double: Double::new() }
        links { double.outbox -> self.outbox }
    }
}

fn main() {
    let _ = doubler();
}
