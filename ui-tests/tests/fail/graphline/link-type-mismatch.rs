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

// A link between ports of different message types names both ports and types.
fn main() {
    let _ = graphline! {
        components {
            numbers: Numbers::new(),
            print: Print::new(),
        }
        links {
            numbers.outbox -> print.inbox,
        }
    };
}
