use myelin::prelude::*;

#[component]
struct Both {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for Both {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        select! {
            n = self.inbox => drop(n),
            n = self.outbox => drop(n),
        }
        Ok(())
    }
}

fn main() {}
