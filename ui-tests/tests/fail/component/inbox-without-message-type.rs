use myelin::prelude::*;

#[component]
pub struct Sink {
    inbox: Inbox,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
