//! The sending end of a link.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::AnyOutbox;
use super::chan::{Chan, Refused};
use super::link::{OutboxPort, Slot, Target};
use crate::error::{SendError, SendErrorKind};
use crate::scheduler::current;
use crate::sync::{Mutex, lock};

/// A typed outbox: where a component sends messages of type `T`.
///
/// Linked to at most one inbox. A send on an outbox that is not linked, or
/// whose receiver has finished, fails with a [`SendError`] that carries the
/// message back: nothing is dropped silently.
///
/// When the component ends, its outboxes close; once the receiver has read
/// what was sent, its `recv` returns `None`.
pub struct Outbox<T> {
    /// The destination, once taken from the shared slot.
    target: Option<Arc<Chan<T>>>,
    /// The slot shared with port handles, until the destination is taken.
    slot: Option<Slot<T>>,
    name: &'static str,
}

impl<T: Send + 'static> Outbox<T> {
    /// An unlinked outbox called `name`.
    pub fn new(name: &'static str) -> Self {
        Self {
            target: None,
            slot: Some(Arc::new(Mutex::new(Target::Unlinked))),
            name,
        }
    }

    /// Sends `msg`, waiting while a bounded destination is full.
    ///
    /// Resolves to `Err` carrying `msg` if the outbox is not linked or the
    /// receiver has finished.
    ///
    /// **Not cancel-safe:** the message travels inside the future until it
    /// is delivered, so dropping the future before it completes (the losing
    /// side of a select, a [`timeout`](crate::time::timeout) that ran out)
    /// drops the message with it, undelivered. To give up on a send
    /// without losing the message, keep the future and take the message
    /// back with [`SendFuture::into_message`], or use
    /// [`try_send`](Outbox::try_send), which hands it back when the
    /// destination is full and registers the component to be woken when
    /// room appears.
    #[inline]
    pub fn send(&mut self, msg: T) -> SendFuture<'_, T> {
        SendFuture {
            outbox: self,
            msg: Some(msg),
            ticket: 0,
        }
    }

    /// Sends `msg` if the destination can take it now; otherwise hands it back
    /// with the reason ([`SendErrorKind::Full`] for a full bounded inbox;
    /// [`SendErrorKind::Cancelled`] instead on a threaded component's
    /// thread once the system is stopping).
    ///
    /// On `Full` the calling component is registered to be woken when room
    /// appears, so a following pause (`cx.pause().await`, or
    /// [`ThreadContext::pause`](crate::ThreadContext::pause) on a thread)
    /// returns then.
    pub fn try_send(&mut self, msg: T) -> Result<(), SendError<T>> {
        let name = self.name;
        let Some(chan) = self.target() else {
            return Err(SendError::new(msg, SendErrorKind::Unlinked, name));
        };
        chan.push(msg, current::waker_for_room)
            .map(|()| crate::trace::sent::<T>(current::component_name, name))
            .map_err(|refused| match refused {
                // A threaded component being cancelled will never see room: its
                // receiver may be cancelled too, and a loop that pauses on
                // `Full` would spin (its pauses return at once). `blocking_send`
                // says the same.
                Refused::Full(m) if current::cancelled() => {
                    SendError::new(m, SendErrorKind::Cancelled, name)
                }
                Refused::Full(m) => SendError::new(m, SendErrorKind::Full, name),
                Refused::Closed(m) => SendError::new(m, SendErrorKind::Closed, name),
                Refused::Misplaced(m) => SendError::new(m, SendErrorKind::Misplaced, name),
            })
    }

    /// Whether it is linked to an inbox.
    pub fn is_linked(&self) -> bool {
        self.target.is_some()
            || self
                .slot
                .as_ref()
                .is_some_and(|s| matches!(*lock(s), Target::Linked(_)))
    }

    /// Its name, as declared.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// A handle used to link this outbox.
    pub fn port(&self) -> OutboxPort<T> {
        let slot = self.slot.clone().unwrap_or_else(|| {
            // Already started: hand out a slot that reports so when linked.
            Arc::new(Mutex::new(Target::Taken))
        });
        OutboxPort::new(slot, self.name)
    }

    /// The destination, if linked.
    pub(crate) fn chan(&mut self) -> Option<&Arc<Chan<T>>> {
        self.target()
    }

    /// A port on its destination, if linked: a supervisor links its
    /// children's outboxes there, so they send past it.
    pub(crate) fn target_port(&mut self) -> Option<super::InboxPort<T>> {
        let name = self.name;
        self.target()
            .map(|chan| super::InboxPort::new(chan.clone(), name))
    }

    /// The destination, taking it from the shared slot on first use.
    #[inline]
    fn target(&mut self) -> Option<&Arc<Chan<T>>> {
        if self.target.is_none() {
            self.take_target();
        }
        self.target.as_ref()
    }

    #[cold]
    fn take_target(&mut self) {
        let Some(slot) = self.slot.as_ref() else {
            return;
        };
        let mut shared = lock(slot);
        if let Target::Linked(_) = *shared {
            let Target::Linked(chan) = std::mem::replace(&mut *shared, Target::Taken) else {
                unreachable!("matched just above")
            };
            drop(shared);
            self.target = Some(chan);
            // Port handles may still hold the slot; this outbox no longer needs it.
            self.slot = None;
        }
    }
}

impl<T: Send + 'static> AnyOutbox for Outbox<T> {
    fn seal(&mut self) {
        if let Some(slot) = self.slot.take()
            && let Target::Linked(chan) = std::mem::replace(&mut *lock(&slot), Target::Taken)
        {
            self.target = Some(chan);
        }
    }

    fn target_state(&self) -> Option<Arc<dyn super::LinkState>> {
        self.target
            .as_ref()
            .map(|chan| chan.clone() as Arc<dyn super::LinkState>)
    }

    fn port_name(&self) -> &'static str {
        self.name
    }

    fn peek_target(&self) -> Option<Arc<dyn super::LinkState>> {
        if let Some(chan) = &self.target {
            return Some(chan.clone());
        }
        match &*lock(self.slot.as_ref()?) {
            Target::Linked(chan) => Some(chan.clone()),
            Target::Unlinked | Target::Taken => None,
        }
    }
}

impl<T> Drop for Outbox<T> {
    fn drop(&mut self) {
        let chan = match self.target.take() {
            Some(chan) => Some(chan),
            None => self.slot.as_ref().and_then(|slot| {
                match std::mem::replace(&mut *lock(slot), Target::Taken) {
                    Target::Linked(chan) => Some(chan),
                    _ => None,
                }
            }),
        };
        if let Some(chan) = chan {
            chan.remove_sender();
        }
    }
}

impl<T> std::fmt::Debug for Outbox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("name", &self.name)
            .field("type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Outbox::send`].
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture<'a, T> {
    outbox: &'a mut Outbox<T>,
    msg: Option<T>,
    /// Its place in line while the destination is full (0: none): kept
    /// across polls, so a re-poll neither duplicates it nor loses its turn
    /// (see `Chan::push_or_wait`).
    ticket: u64,
}

impl<T> Unpin for SendFuture<'_, T> {}

impl<T> SendFuture<'_, T> {
    /// Gives up on the send: the message back if the future has not
    /// completed, `None` if it has (the message was delivered, or handed
    /// back in its `Err`). Awaiting `&mut` the future (it is `Unpin`) keeps
    /// it, so a send raced against something else, or given a time limit,
    /// loses nothing when it loses:
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use myelin::prelude::*;
    /// use myelin::time::timeout;
    ///
    /// /// Sends `n`, waiting at most a second for room: `Some(n)` back if
    /// /// there was none.
    /// async fn send_within(outbox: &mut Outbox<u32>, n: u32) -> Result<Option<u32>, Error> {
    ///     let mut send = outbox.send(n);
    ///     match timeout(Duration::from_secs(1), &mut send).await {
    ///         Ok(sent) => sent.map(|()| None).map_err(Error::from),
    ///         Err(_elapsed) => Ok(send.into_message()),
    ///     }
    /// }
    /// # let _ = send_within;
    /// ```
    pub fn into_message(self) -> Option<T> {
        // Its place in line, if it had one, is covered by the receiver's
        // safety net (see `park`).
        self.msg
    }
}

/// Tells the scheduler the running component now waits holding a message
/// for `port`, so a cancellation counts it as unsent. The scheduler forgets
/// it at the component's next resume.
//
// `SendFuture` has no `Drop` impl to give its place in line up when it is
// dropped while waiting: measured, the check and the call it guards cost
// every send five to eleven instructions (a pipeline hop is about ninety).
// The receiver's safety net covers a send dropped after its turn came (see
// `Parked` in `chan.rs`).
#[cold]
#[inline(never)]
fn park(port: &'static str) {
    current::park_send(port);
}

impl<T: Send + 'static> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let msg = this.msg.take().expect("`Send` polled after completion");
        let name = this.outbox.name;
        if !current::consume_budget() {
            this.msg = Some(msg);
            park(name);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let Some(chan) = this.outbox.target() else {
            return Poll::Ready(Err(SendError::new(msg, SendErrorKind::Unlinked, name)));
        };
        match chan.push_or_wait(msg, cx.waker(), &mut this.ticket) {
            Ok(()) => {
                crate::trace::sent::<T>(current::component_name, name);
                Poll::Ready(Ok(()))
            }
            Err(Refused::Full(m)) => {
                this.msg = Some(m);
                park(name);
                Poll::Pending
            }
            Err(Refused::Closed(m)) => {
                Poll::Ready(Err(SendError::new(m, SendErrorKind::Closed, name)))
            }
            Err(Refused::Misplaced(m)) => {
                Poll::Ready(Err(SendError::new(m, SendErrorKind::Misplaced, name)))
            }
        }
    }
}
