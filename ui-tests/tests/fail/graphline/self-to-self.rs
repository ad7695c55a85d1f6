use myelin::prelude::*;

#[component]
struct Sink {
    inbox: Inbox<u64>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// A link must start or end at a component.
fn main() {
    let _ = graphline! {
        components {
            sink: Sink::new(),
        }
        links {
            self.inbox -> self.outbox,
        }
    };
}
