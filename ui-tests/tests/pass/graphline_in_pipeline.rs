//! A graphline with passthrough `inbox` and `outbox` is a pipeline stage.

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

/// Doubles numbers.
#[component]
struct Double {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
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

fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let quadruple = graphline! {
        components {
            first: Double::new(),
            second: Double::new(),
        }
        links {
            self.inbox -> first.inbox,
            first.outbox -> second.inbox,
            second.outbox -> self.outbox,
        }
    };
    myelin::run(pipeline![
        Numbers::new(2),
        quadruple,
        Collect::new(seen.clone())
    ])
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), [4, 8]);
}
