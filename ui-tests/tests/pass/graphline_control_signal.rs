//! `control` and `signal` pass through, and a `signal` links to a `control`.

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

/// Records the first message on its `control`.
#[component]
struct Watch {
    seen: Arc<Mutex<Vec<Control>>>,
}

impl Component for Watch {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if let Some(msg) = cx.control().recv().await {
            self.seen.lock().unwrap().push(msg);
        }
        Ok(())
    }
}

fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::new(Mutex::new(Vec::new()));
    let inner = graphline! {
        components {
            source: Numbers::new(2),
            sink: Collect::new(seen.clone()),
        }
        links {
            source.outbox -> sink.inbox,
            self.control -> source.control,
            sink.signal -> self.signal,
        }
    };
    let system = graphline! {
        components {
            inner: inner,
            watch: Watch::new(heard.clone()),
        }
        links {
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(*seen.lock().unwrap(), [1, 2]);
    // The graphline's `signal` is its sink's.
    assert_eq!(
        *heard.lock().unwrap(),
        [Control::Finished {
            component: "inner.sink".into()
        }]
    );
}
