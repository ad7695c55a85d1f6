use myelin::prelude::*;

pub struct Double {
    inbox: Inbox<i64>,
    outbox: Outbox<i64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
        }
        Ok(())
    }
}

fn main() {
    let double = Double {
        inbox: Inbox::new("inbox"),
        outbox: Outbox::new("outbox"),
    };
    let _ = myelin::run(double);
}
