use myelin::prelude::*;

#[component]
pub struct Reporter {
    signal: Outbox<Control>,
}

impl Component for Reporter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let _ = myelin::run(Reporter::new());
}
