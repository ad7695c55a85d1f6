use myelin::prelude::*;

#[component(name = "doubler")]
pub struct Double {
    inbox: Inbox<i64>,
    outbox: Outbox<i64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let _ = myelin::run(Double::new());
}
