//! Threaded components: a blocking body on its own OS thread, linked like any
//! other component.
//!
//! Axon's `threadedcomponent` runs `main` on a daemon thread and shuttles
//! every message through extra bounded queues owned by a proxy generator, with
//! a hidden second bound and no way to stop the thread. Here a threaded
//! component uses the very same inbox and outbox queues as everyone else:
//! links that reach a thread simply stay in shared (locked) mode, a thread
//! blocks by parking with a waker that unparks it, and a generator waiting on
//! a thread is woken through the scheduler's remote queue. A small proxy task
//! on the scheduler stands for the thread: it reports how the thread ended
//! and, if the system shuts down first, asks the thread to stop.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::Poll;
use std::thread::Thread;
use std::time::{Duration, Instant};

use crate::component::Ports;
use crate::describe;
use crate::error::panic_message;
use crate::graph::{GroupGuard, Node, Part, Spawner};
use crate::port::{AnyInbox, AnyOutbox, Inbox, InboxPort, Outbox, OutboxPort, Readiness};
use crate::report::Outcome;
use crate::scheduler::WakeRef;
use crate::scheduler::current::{self, park_here, thread_waker};
use crate::scheduler::park::Parker;
use crate::scheduler::registry::{Active, Remote};
use crate::sync::lock_std as lock;
use crate::{Control, Error};

mod start;

/// The behaviour of a threaded component: a blocking body on its own OS
/// thread.
///
/// Mark the struct `#[component(thread)]` and implement this trait instead of
/// [`Component`](crate::Component). The body may block: call blocking
/// libraries, sleep, and use the blocking port operations
/// ([`Inbox::blocking_recv`], [`Inbox::recv_timeout`],
/// [`Outbox::blocking_send`], [`ThreadContext::pause`]). It links in
/// `pipeline!` and `graphline!` exactly like a generator component, with the
/// same compile-time type checks.
///
/// ```
/// use myelin::prelude::*;
///
/// /// Sums numbers on its own thread, the blocking way.
/// #[component(thread)]
/// pub struct BlockingSum {
///     /// Numbers to add.
///     inbox: Inbox<u64>,
///     /// The total, once the input ends.
///     outbox: Outbox<u64>,
/// }
///
/// impl ThreadComponent for BlockingSum {
///     fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
///         let mut total = 0;
///         while let Some(n) = self.inbox.blocking_recv() {
///             total += n;
///         }
///         self.outbox.blocking_send(total)?;
///         Ok(())
///     }
/// }
///
/// #[component]
/// struct Numbers {
///     outbox: Outbox<u64>,
/// }
///
/// impl Component for Numbers {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for n in 1..=100 {
///             self.outbox.send(n).await?;
///         }
///         Ok(())
///     }
/// }
///
/// #[component]
/// struct Expect {
///     inbox: Inbox<u64>,
/// }
///
/// impl Component for Expect {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         assert_eq!(self.inbox.recv().await, Some(5050));
///         Ok(())
///     }
/// }
///
/// myelin::run(pipeline![Numbers::new(), BlockingSum::new(), Expect::new()])?;
/// # Ok::<(), myelin::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a threaded component",
    label = "expected a threaded component here",
    note = "mark the struct `#[component(thread)]` and write `impl ThreadComponent for {Self}` \
            with `fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error>`"
)]
pub trait ThreadComponent: Ports {
    /// The component's blocking body.
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error>;
}

/// What a threaded component's body reaches besides its own ports: its name,
/// its built-in `control` and `signal`, a pause that a message interrupts,
/// and whether the system is stopping.
pub struct ThreadContext {
    name: Arc<str>,
    control: Inbox<Control>,
    signal: Outbox<Control>,
    inboxes: Box<[Arc<dyn Readiness>]>,
    shared: Arc<Shared>,
    /// `signal` says `Shutdown` rather than `Finished` at a normal end.
    end_with_shutdown: bool,
    /// Parts started so far (`ThreadContext::start`), for their names.
    started: u32,
}

impl ThreadContext {
    /// The component's path in the system.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The built-in `control` inbox.
    pub fn control(&mut self) -> &mut Inbox<Control> {
        &mut self.control
    }

    /// The built-in `signal` outbox. The runtime sends [`Control::Finished`]
    /// or [`Control::Failed`] on it when the body ends.
    pub fn signal(&mut self) -> &mut Outbox<Control> {
        &mut self.signal
    }

    /// Passes a control message on to whatever `signal` is linked to,
    /// blocking while a bounded `control` downstream is full; returns
    /// whether it was delivered. Nobody to hear it (an unlinked `signal`,
    /// a receiver that has ended) is not an error. See
    /// [`Context::pass_on`](crate::Context::pass_on).
    pub fn pass_on(&mut self, msg: Control) -> bool {
        crate::lifecycle::passed_on(self.signal.blocking_send(msg))
    }

    /// Makes `signal` say [`Control::Shutdown`] rather than
    /// [`Control::Finished`] when the body returns `Ok`. See
    /// [`Context::end_with_shutdown`](crate::Context::end_with_shutdown).
    pub fn end_with_shutdown(&mut self) {
        self.end_with_shutdown = true;
    }

    /// Blocks until a message is waiting in any inbox (including
    /// `control`), an inbox reaches end of stream, the system is stopping,
    /// or `timeout` passes (`None`: no limit). Returns at once if a message
    /// is already waiting.
    ///
    /// Returns `true` if it was woken (something may have changed) and
    /// `false` if the timeout passed. Like [`Context::pause`](crate::Context::pause),
    /// it may return with nothing to do: re-check the inboxes.
    pub fn pause(&mut self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let waker = thread_waker();
        let mut ready = false;
        for inbox in &self.inboxes {
            ready |= inbox.ready_or_register(&waker);
        }
        if ready || self.is_cancelled() {
            return true;
        }
        let outside = current::take_waits_outside();
        match deadline {
            None => park_here(outside || self.inboxes.iter().any(|inbox| inbox.is_external())),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    return false;
                }
                std::thread::park_timeout(deadline - now);
                if Instant::now() >= deadline {
                    return false;
                }
            }
        }
        true
    }

    /// Whether the system is shutting down: blocking port operations then
    /// return at once (`None`, or a [`SendError`](crate::SendError) of kind
    /// [`Cancelled`](crate::SendErrorKind::Cancelled)), and a body that
    /// blocks elsewhere should check this and return.
    pub fn is_cancelled(&self) -> bool {
        self.shared.is_cancelled()
    }

    /// Asks the whole system to stop, as
    /// [`Context::shutdown_system`](crate::Context::shutdown_system) does.
    pub fn shutdown_system(&self) {
        self.shared.remote.request_shutdown();
    }

    /// The meeting places of the running system, as
    /// [`Context::places`](crate::Context::places) gives them.
    pub fn places(&self) -> crate::meeting::Places {
        self.shared.remote.places.clone()
    }
}

impl std::fmt::Debug for ThreadContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadContext")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What the thread (or a process component's bridge threads) and its proxy
/// on the scheduler share.
pub(crate) struct Shared {
    cancelled: AtomicBool,
    thread: Mutex<Option<Thread>>,
    done: Mutex<Option<Done>>,
    /// Signalled when `done` is set, for a proxy waiting on a cancelled
    /// thread.
    finished: Condvar,
    /// The proxy's waker, kept as a bare task key: the thread that will use
    /// it is counted among the active threads, so it need not count as a
    /// way in from outside (see `scheduler/waker.rs`).
    proxy: Mutex<Option<WakeRef>>,
    /// How each of the component's threads parks (a threaded component has
    /// one, a process component's bridge two), added as each starts:
    /// `cancel` reaches every one of them.
    parkers: Mutex<Vec<Arc<Parker>>>,
    /// The component's thread (or child process) counted among the
    /// scheduler's active threads, from its proxy's start until `finish`.
    active: Mutex<Option<Active>>,
    pub(crate) remote: Arc<Remote>,
}

/// How a threaded (or process) component ended, and the messages it left:
/// `(port, count, unsent)`.
pub(crate) struct Done {
    pub(crate) outcome: Outcome,
    pub(crate) undelivered: Vec<(&'static str, usize, bool)>,
}

impl Shared {
    pub(crate) fn new(remote: Arc<Remote>) -> Self {
        Self {
            cancelled: AtomicBool::new(false),
            thread: Mutex::new(None),
            done: Mutex::new(None),
            finished: Condvar::new(),
            proxy: Mutex::new(None),
            parkers: Mutex::new(Vec::new()),
            active: Mutex::new(None),
            remote,
        }
    }

    /// Adds a parker of one of the component's threads to those `cancel`
    /// unparks. The thread registers before its first blocking operation,
    /// which looks at `is_cancelled` before it parks: a cancellation that
    /// comes before the registration is seen there, one after it unparks
    /// the thread.
    fn add_parker(&self, parker: Arc<Parker>) {
        lock(&self.parkers).push(parker);
    }

    /// Records how the component ended and wakes its proxy; then the
    /// scheduler may count the component's thread out.
    pub(crate) fn finish(&self, done: Done) {
        *lock(&self.done) = Some(done);
        self.finished.notify_all();
        if let Some(waker) = lock(&self.proxy).take() {
            waker.wake();
        }
        // Only now, with the proxy's wake-up queued, may the scheduler count
        // this thread out.
        self.count_out();
    }

    /// Counts the component active (if it is not): it runs, or may act.
    pub(crate) fn count_in(&self) {
        let mut active = lock(&self.active);
        if active.is_none() {
            *active = Some(Active::new(&self.remote));
        }
    }

    /// Counts the component out (if it is counted): it can act only once
    /// the system gives it something.
    pub(crate) fn count_out(&self) {
        let counted = lock(&self.active).take();
        drop(counted);
    }

    /// Cancelled, or the system is shutting down.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire) || self.remote.shutdown.load(Ordering::Acquire)
    }

    /// Waits until the component's threads have ended and takes how.
    fn wait_done(&self) -> Done {
        let mut done = lock(&self.done);
        loop {
            if let Some(done) = done.take() {
                return done;
            }
            done = self
                .finished
                .wait(done)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Cancels the component: every one of its threads parked in a
    /// blocking port operation wakes, and the operation returns at once
    /// (`None`, or [`SendErrorKind::Cancelled`](crate::SendErrorKind::Cancelled)).
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        let parkers = lock(&self.parkers).clone();
        for parker in &parkers {
            parker.unpark();
        }
        if parkers.is_empty()
            && let Some(thread) = lock(&self.thread).as_ref()
        {
            thread.unpark();
        }
    }
}

impl current::Owner for Shared {
    fn is_cancelled(&self) -> bool {
        Shared::is_cancelled(self)
    }
}

/// Runs `f` on the calling thread as a helper of the component `shared`
/// belongs to: blocking port operations park through `parker`, which
/// `Shared::cancel` unparks, and return when the component is cancelled;
/// the messages left in ports dropped here are collected and returned.
///
/// Every thread a component owns runs through here, so cancellation
/// reaches each of them.
pub(crate) fn as_helper<R>(
    shared: Arc<Shared>,
    parker: Arc<Parker>,
    f: impl FnOnce() -> R,
) -> (R, Vec<(&'static str, usize, bool)>) {
    shared.add_parker(parker.clone());
    current::as_helper(shared, parker, f)
}

/// A threaded component with its built-in `control` and `signal` boxes.
pub struct ThreadNode<C> {
    node: Node<C>,
}

impl<C: ThreadComponent> ThreadNode<C> {
    /// Wraps `component`, giving it its `control` and `signal` boxes.
    pub fn new(component: C) -> Self {
        Self {
            node: Node::wrap(component),
        }
    }
}

#[diagnostic::do_not_recommend]
impl<C: ThreadComponent> crate::IntoPart for ThreadNode<C> {
    type Part = Self;
    fn into_part(self) -> Self {
        self
    }
}

impl<C: ThreadComponent> Part for ThreadNode<C> {
    type Handles = C::Handles;

    fn handles(&self) -> C::Handles {
        self.node.port_handles()
    }

    fn control_port(&self) -> InboxPort<Control> {
        self.node.control_port_any()
    }

    fn signal_port(&self) -> OutboxPort<Control> {
        self.node.signal_port_any()
    }

    fn default_name(&self) -> &'static str {
        C::INFO.name
    }

    fn describe(&self, path: &str, out: &mut crate::view::Builder) {
        self.node.describe_as(path, crate::view::Kind::Thread, out);
    }

    fn start(self, path: String, spawner: &mut Spawner<'_>) {
        let (mut component, control, mut signal) = self.node.into_parts();
        let name: Arc<str> = if path.is_empty() {
            C::INFO.name.into()
        } else {
            path.into()
        };
        let seen = describe::seen(
            spawner.core,
            &component,
            &control,
            &signal,
            &name,
            crate::view::Kind::Thread,
        );
        let inboxes = pin_links(&mut component, &control, &mut signal, spawner, &name);

        let shared = Arc::new(Shared::new(spawner.core.remote().clone()));
        let cx = ThreadContext {
            name: name.clone(),
            control,
            signal,
            inboxes: inboxes.into(),
            shared: shared.clone(),
            end_with_shutdown: false,
            started: 0,
        };
        Proxy::spawn(&shared, &name, spawner, seen);
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || body(component, cx));
        match spawned {
            Ok(handle) => *lock(&shared.thread) = Some(handle.thread().clone()),
            Err(e) => shared.finish(Done {
                outcome: Outcome::Failed(format!("could not start its thread: {e}")),
                undelivered: Vec::new(),
            }),
        }
    }
}

/// Fixes the links of the component at `name` whose ports are used off the
/// scheduler (on its own thread, or by a process component's bridges):
/// seals its outboxes (noting where they lead with `spawner`), keeps every
/// link it touches shared, and marks its inboxes started. Returns its
/// inboxes, `control` last.
pub(crate) fn pin_links<C: Ports>(
    component: &mut C,
    control: &Inbox<Control>,
    signal: &mut Outbox<Control>,
    spawner: &mut Spawner<'_>,
    name: &Arc<str>,
) -> Vec<Arc<dyn Readiness>> {
    component.for_each_outbox(&mut |outbox| {
        outbox.seal();
        spawner.note_target(outbox, name, None);
        if let Some(state) = outbox.target_state() {
            state.pin_shared();
        }
    });
    signal.seal();
    spawner.note_target(signal, name, None);
    if let Some(state) = signal.target_state() {
        state.pin_shared();
    }
    let mut inboxes: Vec<Arc<dyn Readiness>> = Vec::new();
    component.for_each_inbox(&mut |inbox| {
        let state = inbox.link_state();
        state.pin_shared();
        state.mark_started();
        inboxes.push(state);
    });
    let state = control.link_state();
    state.pin_shared();
    state.mark_started();
    inboxes.push(state);
    inboxes
}

/// Runs on the component's thread: the body, then the same end-of-life
/// steps a generator gets.
fn body<C: ThreadComponent>(component: C, cx: ThreadContext) {
    let shared = cx.shared.clone();
    let parker = Arc::new(Parker::new(shared.remote.clone()));
    let (outcome, undelivered) = as_helper(shared.clone(), parker, || run_body(component, cx));
    shared.finish(Done {
        outcome,
        undelivered,
    });
}

/// The body and its end of life, on the component's thread; returns how it
/// ended.
fn run_body<C: ThreadComponent>(mut component: C, mut cx: ThreadContext) -> Outcome {
    let shared = cx.shared.clone();
    let outcome = match catch_unwind(AssertUnwindSafe(|| component.main(&mut cx))) {
        // A body that stops because the system is shutting down (its sends
        // refused, its receives ended) was cancelled, even if it says so
        // with an error.
        Ok(_) if shared.is_cancelled() => Outcome::Cancelled,
        Ok(Ok(())) => Outcome::Finished,
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(panic) => Outcome::Failed(panic_message(&*panic)),
    };
    // Cancelled means the system is stopping: a cancelled generator says
    // nothing on its `signal` (its body never returns), and neither does a
    // thread, whose listener is being cancelled too (a message it might
    // still receive would only be counted unread, or not, by a race).
    let late = if outcome == Outcome::Cancelled {
        None
    } else {
        crate::lifecycle::try_announce(&mut cx.signal, &cx.name, &outcome, cx.end_with_shutdown)
    };
    crate::lifecycle::settle(&mut cx.control);
    // Dropping closes the outboxes and counts what the inboxes still hold;
    // only then wait for room on a full `signal`, so that a receiver that
    // reads its data to the end before its `control` is not kept waiting.
    let dropped = catch_unwind(AssertUnwindSafe(move || {
        drop(component);
        if let Some(msg) = late {
            crate::lifecycle::announce_blocking(&mut cx.signal, msg);
        }
        drop(cx);
    }));
    match dropped {
        Err(panic) if !matches!(outcome, Outcome::Failed(_)) => {
            Outcome::Failed(panic_message(&*panic))
        }
        _ => outcome,
    }
}

/// Reports the messages a component's thread left behind, as the running
/// task's.
fn report_left(undelivered: Vec<(&'static str, usize, bool)>) {
    for (port, count, unsent) in undelivered {
        if unsent {
            current::record_unsent(port, count);
        } else {
            current::record_backlog(port, count);
        }
    }
}

/// Stands for the thread on the scheduler: finishes when the thread does.
pub(crate) struct Proxy {
    shared: Arc<Shared>,
    name: Arc<str>,
    guard: GroupGuard,
    /// The thread's end has been reported.
    reported: bool,
}

impl Proxy {
    /// Starts the proxy for the component `shared` belongs to, and counts
    /// its thread as active until `Shared::finish`.
    pub(crate) fn spawn(
        shared: &Arc<Shared>,
        name: &Arc<str>,
        spawner: &Spawner<'_>,
        seen: describe::Seen,
    ) {
        let proxy = Proxy {
            shared: shared.clone(),
            name: name.clone(),
            guard: GroupGuard::new(spawner.groups.clone()),
            reported: false,
        };
        // As `Core::spawn`, with the start-order number at hand for the
        // registry of an introspected system.
        let system = spawner.core.system();
        let seq = system.next_seq();
        system.add_live();
        spawner
            .core
            .spawn_placed(seq, name.clone(), Box::pin(proxy));
        describe::register(seen, seq);
        shared.count_in();
    }

    /// Reports what the finished thread left: its unread messages and how
    /// it ended.
    fn report(&mut self, done: Done) {
        self.reported = true;
        report_left(done.undelivered);
        self.guard.finished(&done.outcome, &self.name);
        current::record_outcome(done.outcome);
    }
}

impl Future for Proxy {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        // Register first, then look: a thread finishing in between still
        // finds the waker.
        *lock(&self.shared.proxy) = Some(WakeRef::new(cx.waker(), true));
        let Some(done) = lock(&self.shared.done).take() else {
            return Poll::Pending;
        };
        lock(&self.shared.proxy).take();
        self.report(done);
        Poll::Ready(())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if self.reported {
            return;
        }
        // Cancelled: blocking port operations on the thread return at once.
        // The system has not stopped until the thread has, so wait for it
        // and account for what it left, as for any cancelled component;
        // but only once every other task is dropped, so that the inboxes
        // the thread may be sending into have closed. A body blocked
        // outside myelin's operations delays this until it notices
        // `is_cancelled()`.
        self.shared.cancel();
        let shared = self.shared.clone();
        current::after_cancel(Box::new(move || {
            let done = shared.wait_done();
            // Cancelled or stalled, as the scheduler already recorded,
            // unless the thread failed on its way out.
            report_left(done.undelivered);
            if let Outcome::Failed(_) = &done.outcome {
                current::record_outcome(done.outcome);
            }
        }));
    }
}
