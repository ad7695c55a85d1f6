use myelin::prelude::*;

/// Has no serde impls, so it cannot travel from a child process.
pub struct Foo {
    pub n: u64,
}

#[component(process)]
pub struct Worker {
    inbox: Inbox<u64>,
    outbox: Outbox<Foo>,
}

impl Component for Worker {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(Foo { n }).await?;
        }
        Ok(())
    }
}

fn main() {}
