//! The receiving end of a link.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::{Chan, Take};
use super::link::InboxPort;
use super::{AnyInbox, LinkState};
use crate::error::TryRecvError;
use crate::scheduler::current;

/// A typed inbox: a queue of messages of type `T` addressed to one component.
///
/// Unbounded unless created with [`Inbox::bounded`] (or given a capacity
/// where it is declared, `#[inbox(capacity = N)]`, or where it is linked).
/// Any number of outboxes may be linked to one inbox; their messages
/// interleave in arrival order.
///
/// End of stream: once every linked outbox's component has finished and the
/// queue is drained, [`recv`](Inbox::recv) returns `None`. An inbox that
/// nothing was linked to is at end of stream from the start.
///
/// When the owning component ends, messages still queued are counted in the
/// run's [`Report`](crate::Report) and later sends to it fail with
/// [`SendErrorKind::Closed`](crate::SendErrorKind::Closed), carrying the
/// message back. An inbox that no component owns (one you linked to a
/// system's outbox and read on a plain thread, like a handle's
/// [`Receiver`](crate::Receiver)) counts what it holds when dropped in the
/// report of the system that sends into it, under
/// `Receiver(<component>.<outbox>)`, if that report has not been handed
/// out yet (see [`Receiver`](crate::Receiver)).
pub struct Inbox<T> {
    chan: Arc<Chan<T>>,
    name: &'static str,
}

impl<T: Send + 'static> Inbox<T> {
    /// An unbounded inbox called `name`.
    pub fn new(name: &'static str) -> Self {
        Self::with_capacity(name, None)
    }

    /// An inbox called `name` holding at most `capacity` messages: when full,
    /// [`Outbox::send`](crate::Outbox::send) waits and
    /// [`Outbox::try_send`](crate::Outbox::try_send) hands the message back.
    ///
    /// # Panics
    /// If `capacity` is zero: a link that can hold nothing could never deliver.
    pub fn bounded(name: &'static str, capacity: usize) -> Self {
        assert!(capacity > 0, "inbox `{name}`: capacity must be at least 1");
        Self::with_capacity(name, Some(capacity))
    }

    fn with_capacity(name: &'static str, capacity: Option<usize>) -> Self {
        Self {
            chan: Arc::new(Chan::new(capacity)),
            name,
        }
    }

    /// Waits for the next message; `None` at end of stream.
    ///
    /// Pauses the component (it costs nothing while paused) until a message
    /// arrives or the last sender finishes.
    ///
    /// Cancel-safe: the message is taken from the inbox only in the poll
    /// that returns it, so a `recv` future dropped before it completes (the
    /// losing side of a select, a [`timeout`](crate::time::timeout) that
    /// ran out) leaves every message queued for the next receive. To wait
    /// on several inboxes at once, [`select!`](crate::select!) and
    /// [`first_ready`](crate::first_ready) need no racing at all.
    #[inline]
    pub fn recv(&mut self) -> RecvFuture<'_, T> {
        RecvFuture { inbox: self }
    }

    /// Takes the next message if one is queued now. It does not wait, so
    /// there is nothing to cancel.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match self.chan.take(None) {
            Take::Message(m) => Ok(m),
            Take::Empty => Err(TryRecvError::Empty),
            Take::Closed => Err(TryRecvError::Closed),
        }
    }

    /// Takes every message queued now (Axon's `for m in self.Inbox()`).
    ///
    /// It yields only messages: running dry at the end of the stream does not
    /// count as having seen the end, so a following
    /// [`Context::pause`](crate::Context::pause) still returns for it.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(|| self.chan.take_queued())
    }

    /// How many messages are queued (Axon's `dataReady`).
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the stream has ended: nothing queued and no sender left.
    pub fn is_finished(&self) -> bool {
        self.chan.is_finished()
    }

    /// The most messages it holds, `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.chan.capacity()
    }

    /// Messages delivered to it so far.
    pub fn delivered(&self) -> u64 {
        self.chan.delivered()
    }

    /// Its name, as declared.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// A handle used to link outboxes to this inbox.
    pub fn port(&self) -> InboxPort<T> {
        InboxPort::new(self.chan.clone(), self.name)
    }
}

impl<T: Send + 'static> Inbox<T> {
    pub(crate) fn has_senders(&self) -> bool {
        self.chan.has_senders()
    }

    pub(crate) fn ready_or_register(&self, waker: &std::task::Waker) -> bool {
        self.chan.ready_or_register(waker)
    }

    /// Whether nothing can ever send here: nothing was ever linked, and no
    /// port handle exists through which anything could be.
    pub(crate) fn is_unreachable(&self) -> bool {
        Arc::strong_count(&self.chan) == 1 && !self.chan.ever_linked()
    }
}

impl<T: Send + 'static> AnyInbox for Inbox<T> {
    fn link_state(&self) -> Arc<dyn LinkState> {
        self.chan.clone()
    }
}

impl<T> Inbox<T> {
    /// Closes the inbox and returns what it still held, in one step: a
    /// message sent after this comes back to its sender.
    pub(crate) fn close_and_take(self) -> Vec<T> {
        // Drop then finds nothing left to count.
        self.chan.close_receiver().into()
    }

    pub(crate) fn chan(&self) -> &Arc<Chan<T>> {
        &self.chan
    }

    /// Puts `msgs` back at the front, ahead of what is queued (see
    /// `Chan::put_back`).
    pub(crate) fn put_back(&self, msgs: std::collections::VecDeque<T>) {
        if !msgs.is_empty() {
            self.chan.put_back(msgs);
        }
    }
}

impl<T> Drop for Inbox<T> {
    fn drop(&mut self) {
        let left = self.chan.close_receiver();
        if !left.is_empty() && !current::record_backlog(self.name, left.len()) {
            // No component is dropping it (a handle's `Receiver`, or an
            // inbox on a plain thread): the link keeps the count for the
            // report of the system that sends here, if that report is
            // still to be handed out (see `run::hand_out`).
            self.chan.abandon(left.len());
        }
    }
}

impl<T> std::fmt::Debug for Inbox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("name", &self.name)
            .field("type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Inbox::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct RecvFuture<'a, T> {
    inbox: &'a mut Inbox<T>,
}

impl<T: Send + 'static> Future for RecvFuture<'_, T> {
    type Output = Option<T>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if !current::consume_budget() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        match self.inbox.chan.take(Some(cx.waker())) {
            Take::Message(m) => Poll::Ready(Some(m)),
            Take::Closed => Poll::Ready(None),
            Take::Empty => Poll::Pending,
        }
    }
}
