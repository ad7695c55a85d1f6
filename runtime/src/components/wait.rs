//! Waits that a `Shutdown` on `control` ends: a generator's send waiting
//! for room, and the threaded forms of [`next`](super::next) and of that
//! send.
//!
//! A ready component stops at once on `Shutdown` wherever it waits, not only
//! while it waits for input: a send into a full inbox that is never drained
//! would otherwise keep it deaf (Axon's "one deaf stage hangs a pipeline").
//! A message given up that way was waiting to be sent, so it is counted in
//! the report as unsent on its outbox, as the runtime counts a waiting send
//! it cancels.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

use super::Next;
use crate::scheduler::local;
use crate::{Context, Control, Error, Inbox, Outbox, SendErrorKind, ThreadContext, TryRecvError};

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

/// Sends `msg` on `outbox`, waiting for room like `send().await`, unless a
/// `Shutdown` arrives on `control` first. Fails, as `send` does, if the
/// outbox is unlinked or its receiver has finished.
pub(crate) async fn send<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    msg: T,
    cx: &mut Context,
) -> Result<Sent, Error> {
    let port = outbox.name();
    let mut sending = outbox.send(msg);
    let control = cx.control();
    poll_fn(|task| {
        if let Poll::Ready(result) = Pin::new(&mut sending).poll(task) {
            return Poll::Ready(result.map(|()| Sent::Delivered).map_err(Error::from));
        }
        // Waiting for room (or for its next turn): the send has registered
        // the task to be woken then; a control message wakes it too.
        if shutdown_on(control) {
            local::record_unsent(port, 1);
            return Poll::Ready(Ok(Sent::Shutdown));
        }
        if control.ready_or_register(task.waker()) {
            task.waker().wake_by_ref();
        }
        Poll::Pending
    })
    .await
}

/// Like [`next`](super::next), but waits on `inbox` and `control` alone.
///
/// `next` pauses the whole component, and a pause returns at once while any
/// of its inboxes holds a message: a component that leaves messages queued
/// in one inbox on purpose (a [`Turnstile`](super::Turnstile)'s items, until
/// requested) and waits on another would spin. This wait is woken only by
/// `inbox` and `control`.
pub(crate) async fn next_only<T: Send + 'static>(
    inbox: &mut Inbox<T>,
    cx: &mut Context,
) -> Next<T> {
    let control = cx.control();
    let mut receiving = inbox.recv();
    poll_fn(|task| {
        if shutdown_on(control) {
            return Poll::Ready(Next::Shutdown);
        }
        if control.ready_or_register(task.waker()) {
            // A control message came after the look above: look again.
            task.waker().wake_by_ref();
            return Poll::Pending;
        }
        match Pin::new(&mut receiving).poll(task) {
            Poll::Ready(Some(msg)) => Poll::Ready(Next::Message(msg)),
            Poll::Ready(None) => Poll::Ready(Next::End),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
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

/// The threaded form of [`send`]: blocks while the receiving inbox is full,
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
                    local::record_unsent(outbox.name(), 1);
                    return Ok(Sent::Shutdown);
                }
                cx.pause(None);
            }
            Err(e) if e.kind() == SendErrorKind::Cancelled => {
                local::record_unsent(outbox.name(), 1);
                return Ok(Sent::Shutdown);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
