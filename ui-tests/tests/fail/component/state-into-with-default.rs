use myelin::prelude::*;

#[component]
pub struct Counter {
    inbox: Inbox<u64>,
    #[state(default, into)]
    total: Option<u64>,
}

impl Component for Counter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
