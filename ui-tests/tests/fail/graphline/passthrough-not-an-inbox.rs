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

// `self.x -> child.y` makes the inbox `child.y` the graphline's inbox `x`.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
        }
        links {
            self.inbox -> numbers.outbox,
        }
    };
}
