//! A generic component's message type is inferred from what it is linked to.

use myelin::prelude::*;
use std::sync::{Arc, Mutex};

/// Sends `1..=upto`.
#[component]
struct Numbers {
    outbox: Outbox<u64>,
    upto: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 1..=self.upto {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Records the numbers it receives.
#[component]
struct Collect {
    inbox: Inbox<u64>,
    seen: Arc<Mutex<Vec<u64>>>,
}

impl Component for Collect {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.seen.lock().unwrap().push(n);
        }
        Ok(())
    }
}

/// Forwards what it receives.
#[component]
struct Pass<T: Send + 'static> {
    inbox: Inbox<T>,
    outbox: Outbox<T>,
}

impl<T: Send + 'static> Component for Pass<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.outbox.send(m).await?;
        }
        Ok(())
    }
}

fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let system = graphline! {
        components {
            source: Numbers::new(3),
            pass: Pass::new(),
            sink: Collect::new(seen.clone()),
        }
        links {
            source.outbox -> pass.inbox,
            pass.outbox -> sink.inbox,
        }
    };
    myelin::run(system).unwrap();
    myelin::run(pipeline![
        Numbers::new(1),
        Pass::new(),
        Collect::new(seen.clone())
    ])
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), [1, 2, 3, 1]);
}
