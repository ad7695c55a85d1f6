use myelin::prelude::*;

#[component]
struct Sink {
    inbox: Inbox<u64>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// A graphline has `components` and `links`, nothing else.
fn main() {
    let _ = graphline! {
        components {
            sink: Sink::new(),
        }
        link {}
    };
}
