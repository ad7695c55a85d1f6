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

// A passthrough is not a link: its capacity is set where the graphline is linked.
fn main() {
    let _ = graphline! {
        components {
            sink: Sink::new(),
        }
        links {
            self.inbox -> sink.inbox (capacity = 4),
        }
    };
}
