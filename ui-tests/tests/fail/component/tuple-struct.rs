use myelin::prelude::*;

#[component]
pub struct Double(Inbox<i64>, Outbox<i64>);

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
