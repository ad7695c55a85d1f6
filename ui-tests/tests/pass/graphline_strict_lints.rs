//! The generated code is clean under strict lints.

#![deny(
    warnings,
    unused,
    nonstandard_style,
    rust_2018_idioms,
    future_incompatible
)]
#![deny(
    missing_docs,
    unreachable_pub,
    unused_qualifications,
    unused_results,
    unused_import_braces,
    trivial_casts,
    trivial_numeric_casts,
    single_use_lifetimes,
    unsafe_code,
    variant_size_differences
)]

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
        components {
            double: Double::new(),
        }
        links {
            self.inbox -> double.inbox,
            double.outbox -> self.outbox,
            self.control -> double.control,
            double.signal -> self.signal,
        }
    };
    let system = graphline! {
        components {
            source: Numbers::new(2),
            inner: inner,
            rest: pipeline![Double::new(), Collect::new(seen.clone())],
        }
        links {
            source.outbox -> inner.inbox (capacity = 2),
            inner.outbox -> rest.inbox,
        }
    };
    let _report = run(system).unwrap();
    assert_eq!(*seen.lock().unwrap(), [4, 8]);
}
