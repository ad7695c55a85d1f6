use myelin::prelude::*;

#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// A graphline's outbox is one child's outbox.
fn main() {
    let _ = graphline! {
        components {
            a: Numbers::new(),
            b: Numbers::new(),
        }
        links {
            a.outbox -> self.outbox,
            b.outbox -> self.outbox,
        }
    };
}
