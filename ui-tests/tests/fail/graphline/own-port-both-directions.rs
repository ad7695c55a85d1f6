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

// One name cannot be both the graphline's inbox and its outbox.
fn main() {
    let _ = graphline! {
        components {
            double: Double::new(),
        }
        links {
            self.data -> double.inbox,
            double.outbox -> self.data,
        }
    };
}
