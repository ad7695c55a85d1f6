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

// Every stage but the first receives on `inbox`.
fn main() {
    let _ = pipeline![Numbers::new(), Numbers::new()];
}
