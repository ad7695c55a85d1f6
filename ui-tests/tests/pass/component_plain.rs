//! The plain form: an inbox, an outbox, a state field as `new`'s parameter.
use myelin::prelude::*;

/// Multiplies every number it receives.
#[component]
pub struct Scale {
    /// Numbers to scale.
    inbox: Inbox<i64>,
    /// The scaled numbers.
    outbox: Outbox<i64>,
    factor: i64,
}

impl Component for Scale {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * self.factor).await?;
        }
        Ok(())
    }
}

fn main() {
    let scale = Scale::new(3);
    assert_eq!(scale.factor, 3);
    let report = myelin::run(scale).unwrap();
    assert_eq!(report.components()[0].outcome, myelin::Outcome::Finished);
}
