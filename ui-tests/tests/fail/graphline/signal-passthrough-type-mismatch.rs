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

// The graphline's `signal` carries `Control`.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
        }
        links {
            numbers.outbox -> self.signal,
        }
    };
}
