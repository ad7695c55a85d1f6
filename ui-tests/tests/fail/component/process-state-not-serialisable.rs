use myelin::prelude::*;

/// Has no serde impls, so it cannot be sent to a child process.
pub struct Settings {
    pub offset: u64,
}

#[component(process)]
pub struct Worker {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    settings: Settings,
}

impl Component for Worker {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n + self.settings.offset).await?;
        }
        Ok(())
    }
}

fn main() {}
