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
struct Double {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// A link must end at an inbox.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            double: Double::new(),
        }
        links {
            numbers.outbox -> double.outbox,
        }
    };
}
