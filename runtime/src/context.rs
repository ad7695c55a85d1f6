//! What a running component can reach besides its own ports.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use crate::Control;
use crate::port::{Inbox, Outbox, Readiness};
use crate::scheduler::local;

/// A running component's link to the runtime: its name, its built-in
/// `control` inbox and `signal` outbox, and the generator operations (pause,
/// yield, shut the system down).
///
/// The body receives it as `cx: &mut Context`. The component's own ports stay
/// fields of `self`, so sending and receiving read as `self.outbox.send(x)`;
/// the context carries only what every component has.
pub struct Context {
    name: Box<str>,
    control: Inbox<Control>,
    signal: Outbox<Control>,
    inboxes: Box<[Arc<dyn Readiness>]>,
}

impl Context {
    pub(crate) fn new(
        name: Box<str>,
        control: Inbox<Control>,
        signal: Outbox<Control>,
        inboxes: Box<[Arc<dyn Readiness>]>,
    ) -> Self {
        Self {
            name,
            control,
            signal,
            inboxes,
        }
    }

    /// The component's path in the system, e.g. `wordcount.split`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The built-in `control` inbox: lifecycle requests such as
    /// [`Control::Shutdown`], and in a pipeline the upstream component's
    /// [`Control::Finished`].
    pub fn control(&mut self) -> &mut Inbox<Control> {
        &mut self.control
    }

    /// The built-in `signal` outbox. The runtime sends [`Control::Finished`] or
    /// [`Control::Failed`] on it when the body ends; a body may send its own
    /// messages too.
    pub fn signal(&mut self) -> &mut Outbox<Control> {
        &mut self.signal
    }

    /// Pauses until a message is waiting in any inbox (including `control`),
    /// or the component is woken for another reason (an inbox reaching end of
    /// stream, room appearing downstream).
    ///
    /// Returns at once if a message is already waiting, so "handle what is
    /// there, then pause" cannot strand a message (Axon's `pause()` could).
    /// Like a condition variable it may return without a message: re-check
    /// the inboxes after it returns.
    pub fn pause(&mut self) -> Pause<'_> {
        Pause {
            inboxes: &self.inboxes,
            waited: false,
        }
    }

    /// Lets every other runnable component run once before continuing (a
    /// generator `yield`).
    pub fn yield_now(&mut self) -> YieldNow {
        YieldNow { yielded: false }
    }

    /// Asks the whole system to stop: every component still running is
    /// cancelled at its next pause point (its future is dropped), reported as
    /// [`Outcome::Cancelled`](crate::Outcome::Cancelled), and
    /// [`run`](crate::run) returns.
    pub fn shutdown_system(&self) {
        local::request_shutdown();
    }

    pub(crate) fn finish(&mut self, outcome: &crate::Outcome) {
        let msg = match outcome {
            crate::Outcome::Failed(reason) => Control::Failed {
                component: self.name.to_string(),
                reason: reason.clone(),
            },
            _ => Control::Finished {
                component: self.name.to_string(),
            },
        };
        // An unlinked or finished `signal` is normal; the report has the outcome.
        let _ = self.signal.try_send(msg);
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Context::pause`].
#[must_use = "futures do nothing unless awaited"]
pub struct Pause<'a> {
    inboxes: &'a [Arc<dyn Readiness>],
    waited: bool,
}

impl Future for Pause<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.waited {
            return Poll::Ready(());
        }
        // Register on every inbox before deciding: a message landing between
        // two checks then still wakes us.
        let mut ready = false;
        for inbox in self.inboxes {
            ready |= inbox.ready_or_register(cx.waker());
        }
        if ready {
            Poll::Ready(())
        } else {
            self.waited = true;
            Poll::Pending
        }
    }
}

/// The future returned by [`Context::yield_now`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
