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

// A graphline's inbox is one child's inbox.
fn main() {
    let _ = graphline! {
        components {
            a: Sink::new(),
            b: Sink::new(),
        }
        links {
            self.inbox -> a.inbox,
            self.inbox -> b.inbox,
        }
    };
}
