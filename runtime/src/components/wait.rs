//! Waits that a `Shutdown` on `control` ends, for threaded components: the
//! threaded forms of [`next`](super::next) and [`send`](super::send).
//!
//! A ready component stops at once on `Shutdown` wherever it waits, not only
//! while it waits for input: a send into a full inbox that is never drained
//! would otherwise keep it deaf (Axon's "one deaf stage hangs a pipeline").
//! A message given up that way was waiting to be sent, so it is counted in
//! the report as unsent on its outbox, as the runtime counts a waiting send
//! it cancels.

use super::Next;
use crate::scheduler::current;
use crate::{Control, Error, Inbox, Outbox, SendErrorKind, ThreadContext, TryRecvError};

/// How a send that a `Shutdown` can interrupt ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    /// The message is in the receiver's inbox.
    Delivered,
    /// A `Shutdown` arrived (or the system is stopping) while the send
    /// waited for room: the message is counted unsent, and the component
    /// should return.
    Shutdown,
}

/// Reads `control` up to the first `Shutdown`; `true` if there was one.
/// Other control messages are passed over, as [`next`](super::next) does.
fn shutdown_on(control: &mut Inbox<Control>) -> bool {
    while let Ok(msg) = control.try_recv() {
        if msg == Control::Shutdown {
            return true;
        }
    }
    false
}

/// Whether a threaded component should stop: a `Shutdown` arrived on its
/// `control`, or the system is stopping.
pub(crate) fn should_stop(cx: &mut ThreadContext) -> bool {
    shutdown_on(cx.control()) || cx.is_cancelled()
}

/// The threaded form of [`next`](super::next): blocks until the next
/// message on `inbox`, its end, or a `Shutdown` on `control` (also returned
/// when the system is stopping).
pub(crate) fn blocking_next<T: Send + 'static>(
    inbox: &mut Inbox<T>,
    cx: &mut ThreadContext,
) -> Next<T> {
    loop {
        if should_stop(cx) {
            return Next::Shutdown;
        }
        match inbox.try_recv() {
            Ok(msg) => return Next::Message(msg),
            Err(TryRecvError::Closed) => return Next::End,
            Err(TryRecvError::Empty) => {
                cx.pause(None);
            }
        }
    }
}

/// The threaded form of [`send`](super::send): blocks while the receiving inbox is full,
/// until there is room, a `Shutdown` arrives on `control`, or the system
/// stops.
pub(crate) fn blocking_send<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    msg: T,
    cx: &mut ThreadContext,
) -> Result<Sent, Error> {
    let mut msg = msg;
    loop {
        match outbox.try_send(msg) {
            Ok(()) => return Ok(Sent::Delivered),
            // `Full` registered this thread to be woken when room appears,
            // so the pause below returns then, or on a control message.
            Err(e) if e.kind() == SendErrorKind::Full => {
                msg = e.into_inner();
                if should_stop(cx) {
                    current::record_unsent(outbox.name(), 1);
                    return Ok(Sent::Shutdown);
                }
                cx.pause(None);
            }
            Err(e) if e.kind() == SendErrorKind::Cancelled => {
                current::record_unsent(outbox.name(), 1);
                return Ok(Sent::Shutdown);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
