use myelin::prelude::*;

#[component(process)]
pub struct Relay<T: Send + 'static> {
    inbox: Inbox<T>,
    outbox: Outbox<T>,
}

impl<T: Send + 'static> Component for Relay<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = self.inbox.recv().await {
            self.outbox.send(msg).await?;
        }
        Ok(())
    }
}

fn main() {}
