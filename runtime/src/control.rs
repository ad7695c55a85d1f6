//! The messages of the built-in `control` inbox and `signal` outbox.
//!
//! Axon has three overlapping shutdown messages (`producerFinished`,
//! `shutdownMicroprocess` and a legacy `shutdown`) and lets each component
//! pick which it honours. myelin has one typed enum, and the runtime emits it
//! itself: `Finished` or `Failed` goes out on a component's `signal` when its
//! body ends, whatever the body did.

use std::fmt;

/// A lifecycle message, carried by every component's `control` inbox and
/// `signal` outbox.
// Serialisable so that `control` and `signal` cross to process components.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Control {
    /// The named component finished normally: it will send nothing more.
    /// (Axon's `producerFinished`.)
    Finished {
        /// The sender's path in the system.
        component: String,
    },
    /// A request to stop now. (Axon's `shutdownMicroprocess`.)
    Shutdown,
    /// The named component failed.
    Failed {
        /// The failed component's path in the system.
        component: String,
        /// Its error or panic message.
        reason: String,
    },
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finished { component } => write!(f, "{component} finished"),
            Self::Shutdown => f.write_str("shutdown requested"),
            Self::Failed { component, reason } => write!(f, "{component} failed: {reason}"),
        }
    }
}

/// Reads what is left on a finished component's `control`. An upstream
/// `Finished` left unread says nothing the end of the data stream did not;
/// anything else (a `Shutdown` nobody acted on) is reported as undelivered.
pub(crate) fn settle(control: &mut crate::Inbox<Control>) {
    let mut unread = 0;
    while let Ok(msg) = control.try_recv() {
        if !matches!(msg, Control::Finished { .. }) {
            unread += 1;
        }
    }
    if unread > 0 {
        crate::scheduler::local::record_backlog("control", unread);
    }
}

/// What a component's `signal` says about how it ended: `Shutdown` for a
/// normal end if the body asked for it (`end_with_shutdown`).
fn ending(name: &str, outcome: &crate::Outcome, shutdown: bool) -> Control {
    match outcome {
        crate::Outcome::Failed(reason) => Control::Failed {
            component: name.to_owned(),
            reason: reason.clone(),
        },
        crate::Outcome::Finished if shutdown => Control::Shutdown,
        _ => Control::Finished {
            component: name.to_owned(),
        },
    }
}

/// What a component's `pass_on` makes of its send on `signal`: whether the
/// message was delivered. Nobody to hear it is not an error: an unlinked
/// `signal`, or a receiver that has ended, has no use for a lifecycle
/// message, as for the runtime's own announcements. Any other refusal
/// (which a component's own `signal` should never meet) is counted unsent.
pub(crate) fn passed_on(sent: Result<(), crate::SendError<Control>>) -> bool {
    match sent {
        Ok(()) => true,
        Err(e) => {
            if !matches!(
                e.kind(),
                crate::SendErrorKind::Unlinked | crate::SendErrorKind::Closed
            ) {
                crate::scheduler::local::record_unsent("signal", 1);
            }
            false
        }
    }
}

/// Sends how a component ended on its `signal` if its receiver can take it
/// now; hands the message back if the receiver's bounded `control` is full,
/// for the caller to wait for room (after closing its other outboxes, so
/// that a receiver reading its data to the end first is not kept waiting).
pub(crate) fn try_announce(
    signal: &mut crate::Outbox<Control>,
    name: &str,
    outcome: &crate::Outcome,
    shutdown: bool,
) -> Option<Control> {
    match signal.try_send(ending(name, outcome, shutdown)) {
        Err(e) if e.kind() == crate::SendErrorKind::Full => Some(e.into_inner()),
        // An unlinked or finished `signal` is normal; the report has the
        // outcome.
        _ => None,
    }
}

/// Sends how a component ended on its `signal`, off the scheduler:
/// waiting for room if need be, and counting it unsent if the wait is
/// cancelled.
pub(crate) fn announce(signal: &mut crate::Outbox<Control>, name: &str, outcome: &crate::Outcome) {
    if let Some(msg) = try_announce(signal, name, outcome, false) {
        announce_blocking(signal, msg);
    }
}

/// Waits for room for a component's last `signal`, off the scheduler; a
/// wait the system cancels counts the message unsent.
pub(crate) fn announce_blocking(signal: &mut crate::Outbox<Control>, msg: Control) {
    if crate::scheduler::local::is_inside() {
        // Cannot block a scheduler: account for it instead.
        crate::scheduler::local::record_unsent("signal", 1);
        return;
    }
    if let Err(e) = signal.blocking_send(msg)
        && e.kind() == crate::SendErrorKind::Cancelled
    {
        crate::scheduler::local::record_unsent("signal", 1);
    }
}
