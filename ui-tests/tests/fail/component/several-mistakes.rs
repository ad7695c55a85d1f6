use myelin::prelude::*;

// Every mistake is reported at once, each at its own place.
#[component]
pub struct Confused {
    #[inbox(capacity = 0)]
    inbox: Inbox<i64>,
    control: Inbox<Control>,
    #[state(default)]
    outbox: Outbox<i64>,
    #[inbox(capacity = 2)]
    count: u64,
}

impl Component for Confused {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let _ = myelin::run(Confused::new(0));
}
