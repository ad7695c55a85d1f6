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

// Both sections are required; `links {}` is enough when nothing is linked.
fn main() {
    let _ = graphline! {
        components {
            sink: Sink::new(),
        }
    };
}
