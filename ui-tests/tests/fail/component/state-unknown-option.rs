use myelin::prelude::*;

#[component]
pub struct Counter {
    inbox: Inbox<u64>,
    #[state(zero)]
    total: u64,
}

impl Component for Counter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
