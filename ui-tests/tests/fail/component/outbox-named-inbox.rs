use myelin::prelude::*;

#[component]
pub struct Source {
    inbox: Outbox<u64>,
}

impl Component for Source {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
