//! The accepted forms of a graphline: sections in either order, with or
//! without trailing commas, empty `links {}`.

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
    let no_trailing_commas = graphline! {
        components { source: Numbers::new(1), sink: Collect::new(seen.clone()) }
        links { source.outbox -> sink.inbox }
    };
    myelin::run(no_trailing_commas).unwrap();

    let links_first = graphline! {
        links {
            source.outbox -> double.inbox,
            double.outbox -> sink.inbox,
        }
        components {
            source: Numbers::new(1),
            double: Double::new(),
            sink: Collect::new(seen.clone()),
        }
    };
    myelin::run(links_first).unwrap();

    let unlinked = graphline! {
        components {
            sink: Collect::new(seen.clone()),
        }
        links {}
    };
    myelin::run(unlinked).unwrap();

    assert_eq!(*seen.lock().unwrap(), [1, 2]);
}
