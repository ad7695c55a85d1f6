//! How every kind of component ends, beside its [`Context`](crate::Context):
//! what is left on `control` is settled, and how the body ended goes out on
//! `signal`. Generator, threaded and process components all end through
//! these helpers, so their `signal`s and reports agree.

use crate::control::Control;
use crate::error::SendErrorKind;
use crate::port::{Inbox, Outbox};
use crate::report::Outcome;
use crate::scheduler::current;

/// Reads what is left on a finished component's `control`. An upstream
/// `Finished` left unread says nothing the end of the data stream did not;
/// anything else (a `Shutdown` nobody acted on) is reported as undelivered.
pub(crate) fn settle(control: &mut Inbox<Control>) {
    let mut unread = 0;
    while let Ok(msg) = control.try_recv() {
        if !matches!(msg, Control::Finished { .. }) {
            unread += 1;
        }
    }
    if unread > 0 {
        current::record_backlog("control", unread);
    }
}

/// What a component's `signal` says about how it ended: `Shutdown` for a
/// normal end if the body asked for it (`end_with_shutdown`).
fn ending(name: &str, outcome: &Outcome, shutdown: bool) -> Control {
    match outcome {
        Outcome::Failed(reason) => Control::Failed {
            component: name.to_owned(),
            reason: reason.clone(),
        },
        Outcome::Finished if shutdown => Control::Shutdown,
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
pub(crate) fn passed_on(sent: Result<(), crate::error::SendError<Control>>) -> bool {
    match sent {
        Ok(()) => true,
        Err(e) => {
            if !matches!(e.kind(), SendErrorKind::Unlinked | SendErrorKind::Closed) {
                current::record_unsent("signal", 1);
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
    signal: &mut Outbox<Control>,
    name: &str,
    outcome: &Outcome,
    shutdown: bool,
) -> Option<Control> {
    match signal.try_send(ending(name, outcome, shutdown)) {
        Err(e) if e.kind() == SendErrorKind::Full => Some(e.into_inner()),
        // An unlinked or finished `signal` is normal; the report has the
        // outcome.
        _ => None,
    }
}

/// Sends how a component ended on its `signal`, off the scheduler:
/// waiting for room if need be, and counting it unsent if the wait is
/// cancelled.
pub(crate) fn announce(signal: &mut Outbox<Control>, name: &str, outcome: &Outcome) {
    if let Some(msg) = try_announce(signal, name, outcome, false) {
        announce_blocking(signal, msg);
    }
}

/// Waits for room for a component's last `signal`, off the scheduler; a
/// wait the system cancels counts the message unsent.
pub(crate) fn announce_blocking(signal: &mut Outbox<Control>, msg: Control) {
    if current::is_inside() {
        // Cannot block a scheduler: account for it instead.
        current::record_unsent("signal", 1);
        return;
    }
    if let Err(e) = signal.blocking_send(msg)
        && e.kind() == SendErrorKind::Cancelled
    {
        current::record_unsent("signal", 1);
    }
}
