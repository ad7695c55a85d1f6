//! A binary that never calls `myelin::process::init()` cannot start process
//! components: the component fails at once with an error saying what to
//! do, instead of the child re-running this binary's whole `main`.

use myelin::Outcome;
use myelin::prelude::*;

/// Doubles numbers in a child process.
#[component(process)]
pub struct Double {
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

#[component]
struct One {
    outbox: Outbox<u64>,
}

impl Component for One {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(1).await?;
        Ok(())
    }
}

#[component]
struct Drain {
    inbox: Inbox<u64>,
}

impl Component for Drain {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Keeps the control messages it receives.
#[component]
struct Signals {
    inbox: Inbox<Control>,
    got: std::sync::Arc<std::sync::Mutex<Vec<Control>>>,
}

impl Component for Signals {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = self.inbox.recv().await {
            self.got.lock().unwrap().push(msg);
        }
        Ok(())
    }
}

#[test]
fn a_process_component_without_init_fails_with_directions() {
    let signals = std::sync::Arc::default();
    let err = myelin::run(graphline! {
        components {
            one: One::new(),
            double: Double::new(),
            drain: Drain::new(),
            signals: Signals::new(std::sync::Arc::clone(&signals)),
        }
        links {
            one.outbox -> double.inbox,
            double.outbox -> drain.inbox,
            double.signal -> signals.inbox,
        }
    })
    .unwrap_err();
    let report = err.report().unwrap();
    let Outcome::Failed(reason) = &report.component("double").unwrap().outcome else {
        panic!("{report}");
    };
    assert!(
        reason.contains("call `myelin::process::init()` first thing in `main`"),
        "{reason}"
    );
    // Its `signal` says so, as for any component that fails.
    let signals = signals.lock().unwrap();
    assert!(
        matches!(&signals[..], [Control::Failed { component, .. }] if component == "double"),
        "{signals:?}"
    );
}
