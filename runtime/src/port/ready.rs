//! Waiting on a chosen set of inboxes: Axon's per-box `dataReady` with a
//! `pause` that only those boxes end.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::inbox::Inbox;
use crate::error::TryRecvError;

mod sealed {
    pub trait Sealed {}
    impl<T> Sealed for crate::Inbox<T> {}
    impl<W: Sealed + ?Sized> Sealed for &mut W {}
}

/// An inbox [`first_ready`] can wait on, whatever its message type.
///
/// Implemented by every [`Inbox`] (and `&mut` to one, so `cx.control()`
/// serves as it is); not meant to be implemented elsewhere.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an inbox: `select!` and `first_ready` wait on inboxes",
    label = "expected an `Inbox<T>` here",
    note = "name an inbox field (`self.inbox`) or `cx.control()`; an outbox cannot be waited on"
)]
pub trait Watch: sealed::Sealed {
    /// Whether a receive would return at once (a message is queued, or the
    /// stream has ended and no receive has returned its end yet); when not,
    /// registers `waker` to be woken when that changes.
    #[doc(hidden)]
    fn ready_or_register(&self, waker: &Waker) -> bool;

    /// Whether one end of its link is outside the system (a handle's), so
    /// a thread waiting on it is waiting on the outside, not stalled.
    #[doc(hidden)]
    fn is_external(&self) -> bool;
}

impl<T: Send + 'static> Watch for Inbox<T> {
    fn ready_or_register(&self, waker: &Waker) -> bool {
        self.chan().ready_or_register_any_end(waker)
    }

    fn is_external(&self) -> bool {
        self.chan().is_external()
    }
}

#[diagnostic::do_not_recommend]
impl<W: Watch + ?Sized> Watch for &mut W {
    fn ready_or_register(&self, waker: &Waker) -> bool {
        (**self).ready_or_register(waker)
    }

    fn is_external(&self) -> bool {
        (**self).is_external()
    }
}

/// Waits until one of `inboxes` has a message queued or has ended, and
/// returns its position in `inboxes` (the first such, in the order given).
///
/// Only these inboxes end the wait: a message on any other inbox of the
/// component, `control` included unless it is in the set, does not wake it
/// (unlike [`Context::pause`](crate::Context::pause), which wakes for every
/// inbox). This is Axon's `while not self.dataReady("inA") and not
/// self.dataReady("inB"): self.pause()`, with the answer to which one.
///
/// "Ready" means that a receive on that inbox would return at once:
/// [`try_recv`](Inbox::try_recv) gives a message, or says `Closed` for the
/// end of the stream. An end counts once: after a receive has returned it
/// (`None` from [`recv`](Inbox::recv), `Closed` from `try_recv`) the inbox
/// is no longer ready, so an inbox that has ended can stay in the set
/// without waking the component again. An inbox nothing was linked to has
/// ended from the start, as its `recv` says.
///
/// Level-triggered, like `pause`: it returns at once if one of the inboxes
/// is ready already, so take what is there before waiting again or it will
/// not sleep. The [`select!`](crate::select!) macro does the taking for you.
///
/// Cancel-safe: it takes nothing, so dropping the future (a timeout around
/// it, say) loses nothing.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::first_ready;
///
/// /// Says whether each pair of numbers from its two inputs is equal.
/// #[component]
/// struct Compare {
///     /// One stream.
///     left: Inbox<u32>,
///     /// The other.
///     right: Inbox<u32>,
///     /// `true` for each equal pair.
///     outbox: Outbox<bool>,
/// }
///
/// impl Component for Compare {
///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
///         loop {
///             // Wait for a left number or a `Shutdown`, not for the right.
///             match first_ready([cx.control(), &self.left]).await {
///                 0 => {
///                     if let Ok(Control::Shutdown) = cx.control().try_recv() {
///                         return Ok(());
///                     }
///                 }
///                 _ => {
///                     let Some(a) = self.left.recv().await else { return Ok(()) };
///                     let Some(b) = self.right.recv().await else { return Ok(()) };
///                     self.outbox.send(a == b).await?;
///                 }
///             }
///         }
///     }
/// }
/// # let _ = Compare::new();
/// ```
pub fn first_ready<'a, const N: usize>(inboxes: [&'a dyn Watch; N]) -> FirstReady<'a, N> {
    FirstReady { inboxes }
}

/// [`first_ready`] for a threaded component: blocks until one of
/// `inboxes` has a message queued or has ended, and returns its position;
/// `None` when the system is shutting down (as
/// [`blocking_recv`](Inbox::blocking_recv) returns `None` then).
///
/// Only these inboxes end the wait, unlike
/// [`ThreadContext::pause`](crate::ThreadContext::pause), which returns
/// for a message on any inbox. "Ready" means the same as for
/// `first_ready`: a receive would return at once, and an end counts once.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::blocking_first_ready;
///
/// /// Says whether each pair of numbers from its two inputs is equal,
/// /// watching `control` for a `Shutdown` while it waits for the left one.
/// #[component(thread)]
/// struct Compare {
///     left: Inbox<u32>,
///     right: Inbox<u32>,
///     outbox: Outbox<bool>,
/// }
///
/// impl ThreadComponent for Compare {
///     fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
///         loop {
///             match blocking_first_ready([cx.control(), &self.left]) {
///                 None => return Ok(()), // the system is stopping
///                 Some(0) => {
///                     if let Ok(Control::Shutdown) = cx.control().try_recv() {
///                         return Ok(());
///                     }
///                 }
///                 Some(_) => {
///                     let Some(a) = self.left.blocking_recv() else { return Ok(()) };
///                     let Some(b) = self.right.blocking_recv() else { return Ok(()) };
///                     self.outbox.blocking_send(a == b)?;
///                 }
///             }
///         }
///     }
/// }
/// # let _ = Compare::new();
/// ```
///
/// # Panics
/// If called from a generator component, where it would freeze the
/// scheduler: use [`first_ready`]`(..).await` there.
#[track_caller]
pub fn blocking_first_ready<const N: usize>(inboxes: [&dyn Watch; N]) -> Option<usize> {
    crate::scheduler::current::forbid_on_scheduler("blocking_first_ready");
    let waker = crate::scheduler::current::thread_waker();
    loop {
        for (i, inbox) in inboxes.iter().enumerate() {
            if inbox.ready_or_register(&waker) {
                return Some(i);
            }
        }
        if crate::scheduler::current::cancelled() {
            return None;
        }
        crate::scheduler::current::park_here(inboxes.iter().any(|inbox| inbox.is_external()));
    }
}

/// The future [`first_ready`] returns; its output is the position of the
/// inbox that is ready.
#[must_use = "futures do nothing unless awaited"]
pub struct FirstReady<'a, const N: usize> {
    inboxes: [&'a dyn Watch; N],
}

impl<const N: usize> Future for FirstReady<'_, N> {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        // A wait that returns at once (an inbox nobody reads, say) still
        // spends budget, so a loop around it cannot starve the others.
        if !crate::scheduler::current::consume_budget() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        // Every inbox found empty is registered before the next is looked
        // at, so a message landing on one already passed still wakes us.
        for (i, inbox) in self.inboxes.iter().enumerate() {
            if inbox.ready_or_register(cx.waker()) {
                return Poll::Ready(i);
            }
        }
        Poll::Pending
    }
}

impl<const N: usize> std::fmt::Debug for FirstReady<'_, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstReady")
            .field("inboxes", &N)
            .finish_non_exhaustive()
    }
}

/// What `select!` does with the inbox [`first_ready`] chose: a receive that
/// returns at once. `select!` reaches every branch's inbox through this
/// trait alone, so naming something that is not an inbox is one error, at
/// the user's expression.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an inbox: `select!` waits on inboxes",
    label = "expected an `Inbox<T>` here",
    note = "name an inbox field (`self.inbox`) or `cx.control()`; an outbox cannot be waited on"
)]
pub trait TakeReady: Watch {
    /// The message type.
    type Message;
    /// The message, or `None` at the end of the stream.
    fn take_ready(&mut self) -> Option<Self::Message>;
}

impl<T: Send + 'static> TakeReady for Inbox<T> {
    type Message = T;
    fn take_ready(&mut self) -> Option<T> {
        match self.try_recv() {
            Ok(msg) => Some(msg),
            Err(TryRecvError::Closed) => None,
            // Only the owner takes from an inbox, and nothing else ran
            // since `first_ready` saw it ready: the expression named a
            // different inbox the second time it was evaluated.
            Err(TryRecvError::Empty) => panic!(
                "myelin::select!: inbox `{}` was ready and then empty; each branch must name \
                 the same inbox every time it is evaluated",
                self.name()
            ),
        }
    }
}

#[diagnostic::do_not_recommend]
impl<I: TakeReady + ?Sized> TakeReady for &mut I {
    type Message = I::Message;
    fn take_ready(&mut self) -> Option<I::Message> {
        (**self).take_ready()
    }
}

/// `inbox` as `select!` hands it to [`first_ready`].
#[doc(hidden)]
pub fn watch<I: TakeReady>(inbox: &I) -> &dyn Watch {
    inbox
}

/// The message of the inbox [`first_ready`] chose, for `select!`.
#[doc(hidden)]
pub fn take_ready<I: TakeReady>(inbox: &mut I) -> Option<I::Message> {
    inbox.take_ready()
}

/// Waits until one of several inboxes has a message or has ended, receives
/// from that one, and runs its branch: a typed [`first_ready`].
///
/// ```text
/// myelin::select! {
///     pattern = inbox => expression,
///     ...
/// }
/// ```
///
/// Each `inbox` is an expression naming an [`Inbox`] (`self.left`, or
/// `cx.control()`); its branch runs with `pattern` bound to what a
/// [`recv`](Inbox::recv) on it would have returned: `Some(message)`, or
/// `None` at the end of its stream. When several are ready, the first
/// listed wins, so list `control` first to let a `Shutdown` overtake
/// queued data. Only the inboxes listed end the wait: a message on another
/// inbox of the component does not wake it.
///
/// Each branch's end counts once (see [`first_ready`]): after a branch has
/// seen `None` for an inbox, that inbox no longer wins, so a loop around
/// `select!` needs no bookkeeping to leave ended inboxes out. Once every
/// listed inbox has ended, `select!` waits for ever (the run reports the
/// component as stalled), so end the loop when the inputs you need are
/// done.
///
/// The branches are plain code after the wait, not futures raced against
/// each other: `break`, `continue`, `return` and `?` in them act on the
/// code around the `select!`, and nothing is cancelled, so nothing can be
/// lost.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::select;
///
/// /// Forwards numbers from two inboxes, labelled with where they came from,
/// /// until both have ended or a `Shutdown` comes.
/// #[component]
/// struct Label {
///     left: Inbox<u32>,
///     right: Inbox<u32>,
///     outbox: Outbox<(&'static str, u32)>,
/// }
///
/// impl Component for Label {
///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
///         let mut open = 2;
///         while open > 0 {
///             select! {
///                 msg = cx.control() => if msg == Some(Control::Shutdown) {
///                     break;
///                 },
///                 n = self.left => match n {
///                     Some(n) => self.outbox.send(("left", n)).await?,
///                     None => open -= 1,
///                 },
///                 n = self.right => match n {
///                     Some(n) => self.outbox.send(("right", n)).await?,
///                     None => open -= 1,
///                 },
///             }
///         }
///         Ok(())
///     }
/// }
/// # let _ = Label::new();
/// ```
#[macro_export]
macro_rules! select {
    ($($pat:pat = $inbox:expr => $body:expr),+ $(,)?) => {{
        let __myelin_which = $crate::first_ready([
            $($crate::__private::watch(&$inbox)),+
        ])
        .await;
        $crate::select!(@branch __myelin_which, 0usize, $($pat = $inbox => $body,)+)
    }};
    (@branch $which:ident, $n:expr, $pat:pat = $inbox:expr => $body:expr, $($rest:tt)+) => {
        if $which == $n {
            let $pat = $crate::__private::take_ready(&mut $inbox);
            $body
        } else {
            $crate::select!(@branch $which, $n + 1usize, $($rest)+)
        }
    };
    (@branch $which:ident, $n:expr, $pat:pat = $inbox:expr => $body:expr,) => {{
        let $pat = $crate::__private::take_ready(&mut $inbox);
        $body
    }};
}
