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

// The graphline's `control` carries `Control`.
fn main() {
    let _ = graphline! {
        components {
            sink: Sink::new(),
        }
        links {
            self.control -> sink.inbox,
        }
    };
}
