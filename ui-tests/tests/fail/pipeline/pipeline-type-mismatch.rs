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

#[component]
struct Print {
    inbox: Inbox<String>,
}

impl Component for Print {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// Consecutive stages must agree on the message type.
fn main() {
    let _ = pipeline![Numbers::new(), Print::new()];
}
