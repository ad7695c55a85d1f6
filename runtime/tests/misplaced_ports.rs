//! A port moved away from its generator component's thread is refused with
//! an error that hands the message back; dropping it there does not abort.

use std::sync::{Arc, Mutex};

use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind};

/// Moves its outbox to an OS thread, tries to send from there, and records
/// what the send returned.
#[component]
pub struct Smuggler {
    /// The outbox that gets moved.
    outbox: Outbox<u32>,
    seen: Arc<Mutex<Option<(SendErrorKind, u32)>>>,
}

impl Component for Smuggler {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut moved = std::mem::replace(&mut self.outbox, Outbox::new("outbox"));
        let result = std::thread::spawn(move || {
            let result = moved.try_send(7).map_err(|e| (e.kind(), e.into_inner()));
            drop(moved); // must not abort the process
            result
        })
        .join()
        .expect("the thread did not panic");
        *self.seen.lock().unwrap() = result.err();
        Ok(())
    }
}

/// Waits for numbers.
#[component]
pub struct Listen {
    /// Numbers.
    inbox: Inbox<u32>,
}

impl Component for Listen {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

#[test]
fn a_send_from_another_thread_is_refused_with_the_message() {
    let seen = Arc::new(Mutex::new(None));
    let result = myelin::run(pipeline![Smuggler::new(seen.clone()), Listen::new()]);
    assert_eq!(*seen.lock().unwrap(), Some((SendErrorKind::Misplaced, 7)));
    // The moved outbox's link can no longer be closed from its owner's side,
    // so its receiver waits for good: reported, not hung.
    let err = result.unwrap_err();
    let report = err.report().unwrap();
    assert_eq!(
        report.component("Listen").unwrap().outcome,
        Outcome::Stalled
    );
    assert_eq!(
        report.component("Smuggler").unwrap().outcome,
        Outcome::Finished
    );
}
