//! A pipeline is a component of a graphline; its `inbox` and `outbox` link like any other.

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
    let system = graphline! {
        components {
            source: Numbers::new(3),
            work: pipeline![Double::new(), Double::new()],
            sink: Collect::new(seen.clone()),
        }
        links {
            source.outbox -> work.inbox,
            work.outbox -> sink.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(*seen.lock().unwrap(), [4, 8, 12]);
    assert!(report.component("work.Double2").is_some());
}
