//! Shutdown at the boundary between the scheduler and threaded components.

use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind};

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
