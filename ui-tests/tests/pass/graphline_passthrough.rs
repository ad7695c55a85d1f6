//! A graphline's own ports, with any names, pass through to its children's ports,
//! and nest: a graphline in a graphline in a graphline.

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
    let inner = graphline! {
        components { double: Double::new() }
        links {
            self.numbers -> double.inbox,
            double.outbox -> self.doubled,
        }
    };
    let middle = graphline! {
        components { inner: inner, again: Double::new() }
        links {
            self.inbox -> inner.numbers,
            inner.doubled -> again.inbox,
            again.outbox -> self.outbox,
        }
    };
    let system = graphline! {
        components {
            source: Numbers::new(2),
            middle: middle,
            sink: Collect::new(seen.clone()),
        }
        links {
            source.outbox -> middle.inbox,
            middle.outbox -> sink.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(*seen.lock().unwrap(), [4, 8]);
    assert!(report.component("middle.inner.double").is_some());
}
