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

#[component]
struct Sum {
    inbox: Inbox<u64>,
}

impl Component for Sum {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// The last stage of a circle must feed the first.
fn main() {
    let _ = pipeline![circular; Double::new(), Sum::new()];
}
