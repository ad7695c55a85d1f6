//! Stall detection and shutdown at the boundary between a system and its
//! handles.

use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind, Sender};

/// Passes numbers on.
#[component]
pub struct Pass {
    /// Numbers in.
    inbox: Inbox<u32>,
    /// Numbers out.
    outbox: Outbox<u32>,
}

impl Component for Pass {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// A ring of two relays, one of them also fed by a handle: once the handle's
/// sender is gone, nothing can ever send again, and the system must say so
/// instead of waiting forever.
#[test]
fn a_ring_left_alone_when_its_sender_drops_is_reported_stalled() {
    let ring = graphline! {
        components {
            a: Pass::new(),
            b: Pass::new(),
        }
        links {
            self.inbox -> a.inbox,
            a.outbox -> b.inbox,
            b.outbox -> a.inbox,
        }
    };
    let ports = myelin::Part::handles(&ring);
    let input = Sender::new(&ports.inbox).unwrap();
    let handle = myelin::spawn(ring);
    // While the sender lives, the ring waits for it: not a stall.
    assert!(!handle.is_finished());
    drop(input);
    let err = handle.join().unwrap_err();
    let report = err.report().unwrap();
    for name in ["a", "b"] {
        assert_eq!(
            report.component(name).unwrap().outcome,
            Outcome::Stalled,
            "{report}"
        );
    }
}

/// Sends numbers into a slow-to-start consumer, the blocking way, and
/// returns the error of the first refused send with `?`.
#[component(thread)]
pub struct Flood {
    /// Numbers out.
    outbox: Outbox<u32>,
}

impl ThreadComponent for Flood {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for n in 0.. {
            self.outbox.blocking_send(n)?;
        }
        Ok(())
    }
}

/// Takes one number, then stops the whole system.
#[component]
pub struct TakeOneThenStop {
    /// Numbers in.
    #[inbox(capacity = 1)]
    inbox: Inbox<u32>,
}

impl Component for TakeOneThenStop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let _ = self.inbox.recv().await;
        cx.shutdown_system();
        Ok(())
    }
}

/// A threaded component whose send is refused because the system is shutting
/// down was cancelled, not failed, even though it returned the error.
#[test]
fn a_thread_stopped_by_shutdown_mid_send_is_cancelled_not_failed() {
    let report = myelin::run(pipeline![Flood::new(), TakeOneThenStop::new()]).unwrap();
    assert_eq!(
        report.component("Flood").unwrap().outcome,
        Outcome::Cancelled,
        "{report}"
    );
    let _ = SendErrorKind::Cancelled;
}
