//! `#[component(thread)]`: a blocking body on its own thread, linked with
//! generator components by the same macros.

use std::sync::{Arc, Mutex};

use myelin::prelude::*;

/// Squares numbers, the blocking way.
#[component(thread)]
pub struct Square {
    /// Numbers in.
    #[inbox(capacity = 2)]
    inbox: Inbox<u64>,
    /// Their squares.
    outbox: Outbox<u64>,
}

impl ThreadComponent for Square {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n * n)?;
        }
        Ok(())
    }
}

#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 1..=4 {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[component]
struct Keep {
    inbox: Inbox<u64>,
    got: Arc<Mutex<Vec<u64>>>,
}

impl Component for Keep {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.got.lock().unwrap().push(n);
        }
        Ok(())
    }
}

fn main() {
    let got = Arc::new(Mutex::new(Vec::new()));
    myelin::run(pipeline![Numbers::new(), Square::new(), Keep::new(got.clone())]).unwrap();
    assert_eq!(*got.lock().unwrap(), [1, 4, 9, 16]);
}
