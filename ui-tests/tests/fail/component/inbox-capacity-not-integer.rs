use myelin::prelude::*;

#[component]
pub struct Sink {
    #[inbox(capacity = "16")]
    inbox: Inbox<i64>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
