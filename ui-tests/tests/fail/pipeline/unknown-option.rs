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

// The option is spelled `circular`.
fn main() {
    let _ = pipeline![circle; Double::new(), Double::new()];
}
