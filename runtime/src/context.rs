//! What a running component can reach besides its own ports.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use crate::Control;
use crate::port::{Inbox, Outbox, Readiness};
use crate::scheduler::current;

/// A running component's link to the runtime: its name, its built-in
/// `control` inbox and `signal` outbox, and the generator operations (pause,
/// yield, shut the system down).
///
/// The body receives it as `cx: &mut Context`. The component's own ports stay
/// fields of `self`, so sending and receiving read as `self.outbox.send(x)`;
/// the context carries only what every component has.
pub struct Context {
    name: Arc<str>,
    /// The component's own inboxes, for `pause`.
    inboxes: Inboxes,
    /// `control` and `signal`, once either is linked or asked for: a
    /// component nothing can ever reach through `control`, and whose
    /// `signal` leads nowhere, keeps neither (an idle component's memory
    /// is a target; see `BENCHMARKS.md`).
    ends: Option<Box<Ends>>,
    /// Parts started from this component so far (`Context::start`), for
    /// their names.
    pub(crate) started: u32,
}

/// A component's `control` and `signal`, kept together behind one pointer.
struct Ends {
    /// `None` until asked for when nothing could ever send to it.
    control: Option<Inbox<Control>>,
    signal: Outbox<Control>,
}

/// The inboxes `pause` looks at: one kept inline (the common case costs no
/// allocation), more behind one pointer, so the list takes two words.
pub(crate) enum Inboxes {
    One(Arc<dyn Readiness>),
    Many(Box<Box<[Arc<dyn Readiness>]>>),
}

impl Inboxes {
    /// The list, from the inboxes a component's `for_each_inbox` gave.
    pub(crate) fn new(mut list: Vec<Arc<dyn Readiness>>) -> Self {
        match list.len() {
            // A component with no inbox: one that is never ready stands for
            // none, shared by all of them.
            0 => Self::One(Never::shared()),
            1 => Self::One(list.pop().expect("one element")),
            _ => Self::Many(Box::new(list.into_boxed_slice())),
        }
    }

    fn as_slice(&self) -> &[Arc<dyn Readiness>] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

/// An inbox that never has a message, for a component with none.
struct Never;

impl Never {
    fn shared() -> Arc<dyn Readiness> {
        static NEVER: std::sync::OnceLock<Arc<dyn Readiness>> = std::sync::OnceLock::new();
        NEVER.get_or_init(|| Arc::new(Self)).clone()
    }
}

impl Readiness for Never {
    fn ready_or_register(&self, _waker: &std::task::Waker) -> bool {
        false
    }
    fn is_external(&self) -> bool {
        false
    }
}

impl Context {
    /// `control` is `None` when nothing can ever send to it (see
    /// `Node::start`); `signal` is sealed.
    pub(crate) fn new(
        name: Arc<str>,
        control: Option<Inbox<Control>>,
        signal: Outbox<Control>,
        inboxes: Inboxes,
    ) -> Self {
        let ends =
            (control.is_some() || signal.is_linked()).then(|| Box::new(Ends { control, signal }));
        Self {
            name,
            inboxes,
            ends,
            started: 0,
        }
    }

    fn ends(&mut self) -> &mut Ends {
        self.ends.get_or_insert_with(|| {
            // Sealed and unlinked, as the one it stands for was: sends on
            // it fail as unlinked, and it can no longer be linked.
            let mut signal = Outbox::new("signal");
            crate::port::AnyOutbox::seal(&mut signal);
            Box::new(Ends {
                control: None,
                signal,
            })
        })
    }

    /// `control`, if anything can send to it: the runtime's own waits
    /// look at it without making one.
    pub(crate) fn linked_control(&mut self) -> Option<&mut Inbox<Control>> {
        self.ends.as_deref_mut()?.control.as_mut()
    }

    /// The component's path in the system, e.g. `wordcount.split`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The built-in `control` inbox: lifecycle requests such as
    /// [`Control::Shutdown`], and in a pipeline the upstream component's
    /// [`Control::Finished`].
    pub fn control(&mut self) -> &mut Inbox<Control> {
        self.ends().control.get_or_insert_with(|| {
            // Nothing could send to it until now: a fresh inbox, bound to
            // this scheduler as the one it stands for would have been.
            let control = Inbox::new("control");
            crate::port::started_here(control.chan());
            control
        })
    }

    /// The built-in `signal` outbox. The runtime sends [`Control::Finished`] or
    /// [`Control::Failed`] on it when the body ends; a body may send its own
    /// messages too ([`pass_on`](Context::pass_on) is the way to pass a
    /// control message on).
    pub fn signal(&mut self) -> &mut Outbox<Control> {
        &mut self.ends().signal
    }

    /// Passes a control message on to whatever `signal` is linked to (in a
    /// pipeline, the next stage's `control`), the Kamaelia way; returns
    /// whether it was delivered.
    ///
    /// Unlike `cx.signal().send(msg)`, it is not an error for nobody to hear
    /// it: if `signal` is not linked, or the component it leads to has
    /// already ended (a race that no wiring can rule out), there is no one
    /// left for the message to act on, and it returns `false`, as the
    /// runtime's own announcements on `signal` do. It waits while a bounded
    /// `control` downstream is full; a shutdown of the whole system during
    /// that wait counts the message as unsent, as for any send.
    ///
    /// There is no need to pass [`Control::Finished`] on: the runtime
    /// announces the component's own end when its body returns. To stop
    /// and ask the next component to stop too, return after
    /// [`end_with_shutdown`](Context::end_with_shutdown) instead, so the
    /// next component hears one `Shutdown` rather than a `Shutdown` and
    /// then a `Finished`.
    ///
    /// ```
    /// use myelin::prelude::*;
    ///
    /// /// Passes numbers on; on a `Shutdown`, tells the next component
    /// /// first, then goes on until its input ends.
    /// #[component]
    /// struct Relay {
    ///     inbox: Inbox<u32>,
    ///     outbox: Outbox<u32>,
    /// }
    ///
    /// impl Component for Relay {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         loop {
    ///             select! {
    ///                 msg = cx.control() => if let Some(Control::Shutdown) = msg {
    ///                     cx.pass_on(Control::Shutdown).await;
    ///                 },
    ///                 n = self.inbox => match n {
    ///                     Some(n) => self.outbox.send(n).await?,
    ///                     None => return Ok(()),
    ///                 },
    ///             }
    ///         }
    ///     }
    /// }
    /// # let _ = Relay::new();
    /// ```
    pub async fn pass_on(&mut self, msg: Control) -> bool {
        crate::lifecycle::passed_on(self.signal().send(msg).await)
    }

    /// Makes `signal` say [`Control::Shutdown`] rather than
    /// [`Control::Finished`] when the body returns `Ok`: the component
    /// stopped because it was asked to, and asks the next one to stop too
    /// (Kamaelia's "pass `shutdownMicroprocess` on, then exit"). A body that
    /// fails still says [`Control::Failed`]. The run's report says
    /// [`Outcome::Finished`](crate::Outcome::Finished) either way.
    ///
    /// ```
    /// use myelin::prelude::*;
    ///
    /// /// Passes numbers on until its input ends, or until it is asked to
    /// /// stop, and then asks the next component to stop too.
    /// #[component]
    /// struct Relay {
    ///     inbox: Inbox<u32>,
    ///     outbox: Outbox<u32>,
    /// }
    ///
    /// impl Component for Relay {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         loop {
    ///             select! {
    ///                 msg = cx.control() => if let Some(Control::Shutdown) = msg {
    ///                     cx.end_with_shutdown();
    ///                     return Ok(());
    ///                 },
    ///                 n = self.inbox => match n {
    ///                     Some(n) => self.outbox.send(n).await?,
    ///                     None => return Ok(()),
    ///                 },
    ///             }
    ///         }
    ///     }
    /// }
    /// # let _ = Relay::new();
    /// ```
    pub fn end_with_shutdown(&mut self) {
        current::set_end_with_shutdown();
    }

    /// Pauses until a message is waiting in any inbox (including `control`),
    /// an inbox reaches end of stream, or the component is woken for another
    /// reason (room appearing downstream).
    ///
    /// Level-triggered: returns at once if a message is already waiting, or
    /// an inbox has ended and no receive on it has returned `None`/`Closed`
    /// yet. So "handle what is there, then pause" can neither strand a message
    /// (Axon's `pause()` could) nor sleep through the end of the stream. Like a
    /// condition variable it may also return with nothing to do: re-check the
    /// inboxes after it returns.
    ///
    /// To wait on some inboxes only (say two of three, and `control`), use
    /// [`select!`](crate::select!) or [`first_ready`](crate::first_ready):
    /// `pause` returns for a message on any of them. It takes nothing, so
    /// it is cancel-safe.
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::TryRecvError;
    ///
    /// /// Adds up two streams in whatever order their numbers arrive.
    /// #[component]
    /// struct Merge {
    ///     /// One stream.
    ///     left: Inbox<u32>,
    ///     /// The other.
    ///     right: Inbox<u32>,
    ///     #[state(default)]
    ///     total: u32,
    /// }
    ///
    /// impl Component for Merge {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         let (mut left, mut right) = (true, true);
    ///         while left || right {
    ///             left = left && drain(&mut self.left, &mut self.total);
    ///             right = right && drain(&mut self.right, &mut self.total);
    ///             if left || right {
    ///                 cx.pause().await;
    ///             }
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// /// Adds what is queued; `false` once the stream has ended.
    /// fn drain(inbox: &mut Inbox<u32>, total: &mut u32) -> bool {
    ///     loop {
    ///         match inbox.try_recv() {
    ///             Ok(n) => *total += n,
    ///             Err(TryRecvError::Empty) => return true,
    ///             Err(TryRecvError::Closed) => return false,
    ///         }
    ///     }
    /// }
    /// # let _ = Merge::new();
    /// ```
    pub fn pause(&mut self) -> Pause<'_> {
        Pause {
            inboxes: self.inboxes.as_slice(),
            control: self.ends.as_deref().and_then(|ends| ends.control.as_ref()),
            waited: false,
        }
    }

    /// The meeting places of the running system: its backplanes, its store
    /// of transactional values and its tracked values (see
    /// [`meeting`](crate::meeting)). Every component of the system reaches
    /// the same places; another system's are out of reach. A process
    /// component runs in a child process, whose places are its own: the
    /// parent system's cannot be shared across the boundary.
    ///
    /// # Panics
    /// If the body is driven by something other than a myelin scheduler.
    pub fn places(&self) -> crate::meeting::Places {
        current::places().expect("myelin: a component's body runs on its system's scheduler")
    }

    /// A snapshot of the running system (see [`view`](crate::view)): every
    /// component with its state and the time its body has run, every port
    /// and link, and what each inbox has seen. The component taking it is
    /// [`Running`](crate::view::State::Running).
    ///
    /// Read on this scheduler's thread, without stopping anything: on a
    /// system that uses several schedulers, an inbox bound to another
    /// scheduler's thread has no counts here ([`InboxView::counts`] is
    /// `None`); [`Handle::snapshot`](crate::Handle::snapshot) asks every
    /// scheduler.
    ///
    /// [`InboxView::counts`]: crate::view::InboxView::counts
    ///
    /// # Errors
    /// If the system was not started with
    /// [`Runtime::introspect`](crate::Runtime::introspect).
    pub fn snapshot(&self) -> Result<crate::view::Snapshot, crate::Error> {
        let registry = current::view().ok_or_else(crate::view::off)?;
        Ok(registry.snapshot(&registry.read_here()))
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
        current::request_shutdown();
    }

    pub(crate) fn settle_control(&mut self) {
        if let Some(control) = self.linked_control() {
            crate::lifecycle::settle(control);
        }
    }

    /// Announces how the body ended on `signal`; hands the message back if
    /// the receiver's `control` is full (see `announce_late`).
    pub(crate) fn finish(&mut self, outcome: &crate::Outcome) -> Option<Control> {
        let shutdown = current::ends_with_shutdown();
        let ends = self.ends.as_deref_mut()?;
        crate::lifecycle::try_announce(&mut ends.signal, &self.name, outcome, shutdown)
    }

    /// Waits for room for the announcement `finish` handed back. A
    /// cancelled wait counts it unsent, as for any waiting send.
    pub(crate) async fn announce_late(&mut self, msg: Control) {
        // Unlinked cannot happen (it was full a moment ago); a receiver
        // that finished meanwhile has nothing to hear.
        let _ = self.signal().send(msg).await;
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // Also when the component is cancelled, not only when its body
        // returns: an upstream `Finished` is never worth reporting.
        self.settle_control();
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
    control: Option<&'a Inbox<Control>>,
    waited: bool,
}

impl Future for Pause<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.waited {
            return Poll::Ready(());
        }
        // A pause that returns at once (a message nobody reads, say) still
        // spends budget, so a loop around it cannot starve the others.
        if !current::consume_budget() {
            self.waited = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        // Register on every inbox before deciding: a message landing between
        // two checks then still wakes us.
        let mut ready = false;
        for inbox in self.inboxes {
            ready |= inbox.ready_or_register(cx.waker());
        }
        if let Some(control) = self.control {
            ready |= control.ready_or_register(cx.waker());
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
