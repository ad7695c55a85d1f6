use myelin::prelude::*;

/// Has no serde impls, so it cannot travel to a child process.
pub struct Foo {
    pub n: u64,
}

#[component(process)]
pub struct Worker {
    inbox: Inbox<Foo>,
    outbox: Outbox<u64>,
}

impl Component for Worker {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(foo) = self.inbox.recv().await {
            self.outbox.send(foo.n).await?;
        }
        Ok(())
    }
}

fn main() {}
