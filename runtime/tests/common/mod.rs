//! Components and helpers shared by the Axon scenario tests and the no-loss
//! tests.
//!
//! Each test file uses a different subset.
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use myelin::prelude::*;

/// Results shared between a test and the components it runs.
pub(crate) type Shared<T> = Arc<Mutex<Vec<T>>>;

/// An empty [`Shared`].
pub(crate) fn shared<T>() -> Shared<T> {
    Arc::new(Mutex::new(Vec::new()))
}

/// A copy of what is in `s`.
pub(crate) fn take<T: Clone>(s: &Shared<T>) -> Vec<T> {
    s.lock().unwrap().clone()
}

/// Appends `value` to `s`.
pub(crate) fn push<T>(s: &Shared<T>, value: T) {
    s.lock().unwrap().push(value);
}

/// A count shared between components and the test, e.g. of how many times a
/// future was polled (that is, how many times its component was resumed while
/// waiting on it).
#[derive(Clone, Debug, Default)]
pub(crate) struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// The count now.
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Adds one.
    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Wraps `fut`, adding one to `polls` each time it is polled.
///
/// A component's body is polled once per resume, so the count of a future the
/// body is waiting on is the number of times the scheduler resumed the
/// component during that wait.
pub(crate) fn counted<F: Future>(fut: F, polls: &Counter) -> impl Future<Output = F::Output> {
    let polls = polls.clone();
    let mut fut = Box::pin(fut);
    std::future::poll_fn(move |cx| {
        polls.bump();
        fut.as_mut().poll(cx)
    })
}

/// Sends each of its items in order, then finishes.
#[component]
pub(crate) struct Feed<T: Send + 'static> {
    outbox: Outbox<T>,
    items: Vec<T>,
}

impl<T: Send + 'static> Component for Feed<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for item in std::mem::take(&mut self.items) {
            self.outbox.send(item).await?;
        }
        Ok(())
    }
}

/// Stores everything it receives, until end of stream.
#[component]
pub(crate) struct Collect<T: Send + 'static> {
    inbox: Inbox<T>,
    seen: Shared<T>,
}

impl<T: Send + 'static> Component for Collect<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            push(&self.seen, m);
        }
        Ok(())
    }
}

/// Passes on whatever it receives.
#[component]
pub(crate) struct Relay<T: Send + 'static> {
    inbox: Inbox<T>,
    outbox: Outbox<T>,
}

impl<T: Send + 'static> Component for Relay<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.outbox.send(m).await?;
        }
        Ok(())
    }
}

/// Stores every message on its `control`, until end of stream.
#[component]
pub(crate) struct Watch {
    heard: Shared<Control>,
}

impl Component for Watch {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = cx.control().recv().await {
            push(&self.heard, m);
        }
        Ok(())
    }
}

/// Waits for the first message on its `control`, stores it with its own
/// name, and finishes (a well-behaved component asked to stop).
#[component]
pub(crate) struct Obey {
    heard: Shared<(String, Control)>,
}

impl Component for Obey {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if let Some(m) = cx.control().recv().await {
            push(&self.heard, (cx.name().to_owned(), m));
        }
        Ok(())
    }
}

/// Yields `steps` times, logging `"<name> start"` and `"<name> end"`.
#[component]
pub(crate) struct Steps {
    steps: usize,
    log: Shared<String>,
}

impl Component for Steps {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        push(&self.log, format!("{} start", cx.name()));
        for _ in 0..self.steps {
            cx.yield_now().await;
        }
        push(&self.log, format!("{} end", cx.name()));
        Ok(())
    }
}

/// Pauses forever, ignoring everything (Axon's eternally paused component).
#[component]
pub(crate) struct Sleeper {}

impl Component for Sleeper {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            cx.pause().await;
        }
    }
}

/// Asks the whole system to stop, then finishes.
#[component]
pub(crate) struct StopSystem {}

impl Component for StopSystem {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.shutdown_system();
        Ok(())
    }
}

/// How long a system that should end promptly may take before a test calls
/// it a hang (far above what any of them needs, even under load).
pub(crate) const HANG: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `build()`'s system on a thread of its own and returns what `run`
/// returned; panics if it has not returned within [`HANG`], so a test whose
/// bug comes back fails instead of hanging.
pub(crate) fn run_bounded<P, F>(what: &str, build: F) -> Result<myelin::Report, myelin::Error>
where
    P: myelin::IntoPart,
    F: FnOnce() -> P + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(myelin::run(build()));
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("{what}: `run` did not return within {HANG:?}"))
}

/// Runs `f` on a thread of its own and returns what it returns; panics if
/// it has not returned within [`HANG`].
pub(crate) fn within_hang<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("did not return within {HANG:?}"))
}
