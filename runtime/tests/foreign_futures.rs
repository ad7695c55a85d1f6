//! A component body may await any future, not only myelin's ports: the
//! scheduler polls with a real waker, and a wake from another thread resumes
//! the component.

use std::sync::{Arc, Mutex, mpsc};

use myelin::Outcome;
use myelin::prelude::*;

/// Awaits a value from a oneshot channel fed by an OS thread.
#[component]
pub struct AwaitThread {
    /// The value the thread sent.
    outbox: Outbox<u32>,
    ready: Option<mpsc::Sender<()>>,
    value: Option<tokio::sync::oneshot::Receiver<u32>>,
}

impl Component for AwaitThread {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let value = self.value.take().expect("set at construction");
        // Tell the thread we are about to wait, so its send races our pause.
        self.ready.take().expect("set at construction").send(())?;
        let v = value.await?;
        self.outbox.send(v).await?;
        Ok(())
    }
}

/// Keeps what it receives.
#[component]
pub struct Keep {
    /// Values.
    inbox: Inbox<u32>,
    got: Arc<Mutex<Vec<u32>>>,
}

impl Component for Keep {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(v) = self.inbox.recv().await {
            self.got.lock().unwrap().push(v);
        }
        Ok(())
    }
}

#[test]
fn a_wake_from_another_thread_resumes_the_component() {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (value_tx, value_rx) = tokio::sync::oneshot::channel();
    let feeder = std::thread::spawn(move || {
        ready_rx.recv().unwrap();
        value_tx.send(42).unwrap();
    });
    let got = Arc::new(Mutex::new(Vec::new()));
    let report = myelin::run(pipeline![
        AwaitThread::new(Some(ready_tx), Some(value_rx)),
        Keep::new(got.clone())
    ])
    .unwrap();
    feeder.join().unwrap();
    assert_eq!(*got.lock().unwrap(), [42]);
    assert!(report.is_success());
}

/// Awaits a future that can never complete and keeps no waker.
#[component]
pub struct Forever {}

impl Component for Forever {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[test]
fn a_future_nothing_can_wake_is_reported_as_stalled_not_hung() {
    let err = myelin::run(Forever::new()).unwrap_err();
    let report = err.report().unwrap();
    assert_eq!(report.components()[0].outcome, Outcome::Stalled);
    assert!(err.to_string().contains("Forever"), "{err}");
}
