use myelin::prelude::*;

#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

#[component]
struct Label {
    inbox: Inbox<u64>,
    outbox: Outbox<String>,
}

impl Component for Label {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// A nested pipeline's `outbox` is its last stage's: types are checked through it.
fn main() {
    let _ = pipeline![Numbers::new(), pipeline![Label::new()], Label::new()];
}
