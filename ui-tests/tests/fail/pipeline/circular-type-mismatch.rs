use myelin::prelude::*;

#[component]
struct Parse {
    inbox: Inbox<String>,
    outbox: Outbox<u64>,
}

impl Component for Parse {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

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

// The last stage feeds the first: `u64` cannot go round to a `String` inbox.
fn main() {
    let _ = pipeline![circular; Parse::new(), Double::new()];
}
