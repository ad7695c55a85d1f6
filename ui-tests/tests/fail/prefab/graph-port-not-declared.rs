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

// The graph passes `outbox` through, but the prefab does not declare it: no
// one outside could link it.
#[prefab(inbox: Inbox<u64>)]
fn doubler() -> Graph<DoublerPorts> {
    graphline! {
        components { double: Double::new() }
        links { self.inbox -> double.inbox, double.outbox -> self.outbox }
    }
}

fn main() {
    let _ = doubler();
}
