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

#[test]
fn a_process_component_without_init_fails_with_directions() {
    let err = myelin::run(pipeline![One::new(), Double::new(), Drain::new()]).unwrap_err();
    let report = err.report().unwrap();
    let Outcome::Failed(reason) = &report.component("Double").unwrap().outcome else {
        panic!("{report}");
    };
    assert!(
        reason.contains("call `myelin::process::init()` first thing in `main`"),
        "{reason}"
    );
}
