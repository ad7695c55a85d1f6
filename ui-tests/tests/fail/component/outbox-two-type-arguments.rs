use myelin::prelude::*;

#[component]
pub struct Split {
    inbox: Inbox<String>,
    outbox: Outbox<String, usize>,
}

impl Component for Split {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
