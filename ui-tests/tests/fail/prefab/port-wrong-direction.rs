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

// `results` is an outbox of the graph, declared as an inbox.
#[prefab(results: Inbox<u64>)]
fn doubler() -> Graph<DoublerPorts> {
    graphline! {
        components { double: Double::new() }
        links { double.outbox -> self.results }
    }
}

fn main() {
    let _ = doubler();
}
