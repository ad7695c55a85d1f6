use myelin::prelude::*;

#[component(thread)]
pub struct Compress {
    inbox: Inbox<Vec<u8>>,
    outbox: Outbox<Vec<u8>>,
}

// A threaded component needs `impl ThreadComponent`, not `impl Component`.
impl Component for Compress {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let _ = myelin::run(Compress::new());
}
