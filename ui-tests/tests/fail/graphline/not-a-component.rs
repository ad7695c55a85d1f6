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

// Components are components, pipelines or graphlines.
fn main() {
    let _ = graphline! {
        components {
            number: 42u64,
            sink: Sink::new(),
        }
        links {}
    };
}
