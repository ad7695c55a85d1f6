use myelin::prelude::*;

#[component]
pub struct Stopper {
    inbox: Inbox<i64>,
    control: Inbox<Control>,
}

impl Component for Stopper {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let _ = myelin::run(Stopper::new());
}
