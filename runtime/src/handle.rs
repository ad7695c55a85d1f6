//! Driving a system from ordinary code: run it in the background, send into
//! its inboxes and receive from its outboxes, stop it and collect its report.
//!
//! Axon's `Handle` wraps one component in a threaded proxy that polls every
//! 10 ms and knows only the four standard boxes, and `background` allows one
//! scheduler per process. Here [`spawn`] runs any system on its own thread,
//! as many as you like, and [`Sender`]/[`Receiver`] attach to any port by its
//! typed handle: blocking for plain code, `async` for code that runs on
//! another executor. They are ordinary endpoints of the same links the
//! components use, so backpressure, end of stream and no-loss rules hold
//! across the boundary.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::graph::{IntoPart, Part, Spawner};
use crate::port::{External, Inbox, InboxPort, LinkError, Outbox, OutboxPort, link};
use crate::run::{hand_out, run_with};
use crate::scheduler::registry::Remote;
use crate::view::InboxCounts;
use crate::view::registry::Registry;
use crate::{Error, RecvTimeoutError, Report, SendError, TryRecvError};

/// Starts `system` on a new thread and returns a handle to it.
///
/// Create the [`Sender`]s and [`Receiver`]s you need from the system's port
/// handles *before* spawning it: once it runs, its links are fixed.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::{Receiver, Sender};
///
/// /// Doubles every number it receives.
/// #[component]
/// pub struct Double {
///     /// Numbers to double.
///     inbox: Inbox<i64>,
///     /// The doubled numbers.
///     outbox: Outbox<i64>,
/// }
///
/// impl Component for Double {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         while let Some(n) = self.inbox.recv().await {
///             self.outbox.send(n * 2).await?;
///         }
///         Ok(())
///     }
/// }
///
/// let system = pipeline![Double::new()];
/// let ports = myelin::Part::handles(&system);
/// let mut input = Sender::new(&ports.inbox)?;
/// let mut output = Receiver::new(&ports.outbox)?;
/// let handle = myelin::spawn(system);
///
/// input.send(21)?;
/// assert_eq!(output.recv(), Some(42));
/// drop(input); // end of stream: the pipeline finishes
/// assert_eq!(output.recv(), None);
/// let report = handle.join()?;
/// assert!(report.is_success());
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub fn spawn(system: impl IntoPart + Send + 'static) -> Handle {
    spawn_on(
        system,
        crate::scheduler::system::default_schedulers(),
        false,
    )
}

/// `spawn` on up to `schedulers` schedulers, introspected or not.
pub(crate) fn spawn_on(
    system: impl IntoPart + Send + 'static,
    schedulers: usize,
    introspect: bool,
) -> Handle {
    let (started_tx, started_rx) = mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name("myelin".to_owned())
        .spawn(move || {
            run_with(system, schedulers, introspect, |remote| {
                // The handle may already be gone; the system runs regardless.
                // Its hold on the places counts from before the first
                // component runs (see `meeting/waiters.rs`).
                let _ = started_tx.send((remote.clone(), remote.places.for_outside()));
            })
        });
    match thread {
        Ok(thread) => {
            // `None` if the run failed before starting (its error is in
            // `join`).
            let (remote, places) = started_rx.recv().ok().unzip();
            Handle {
                remote,
                places,
                thread: Some(thread),
            }
        }
        Err(e) => {
            let message = format!("could not start the system's thread: {e}");
            Handle {
                remote: None,
                places: None,
                thread: Some(std::thread::spawn(move || Err(Error::msg(message)))),
            }
        }
    }
}

/// A system running in the background, started by [`spawn`].
///
/// Dropping the handle shuts the system down and waits for it; call
/// [`join`](Handle::join) to let it finish on its own and get its report.
/// In `async` code, [`join_async`](Handle::join_async) hands the system
/// over to a [`JoinFuture`], whose drop shuts the system down without
/// waiting.
#[must_use = "dropping the handle shuts the system down at once"]
pub struct Handle {
    remote: Option<Arc<Remote>>,
    /// The system's places as held from outside; let go when joining.
    places: Option<crate::meeting::Places>,
    thread: Option<JoinHandle<Result<Report, Error>>>,
}

impl Handle {
    /// Asks the system to stop: every component still running is cancelled
    /// at its next pause point (threaded components see
    /// [`ThreadContext::is_cancelled`](crate::ThreadContext::is_cancelled)).
    /// Returns at once; [`join`](Handle::join) waits for the end.
    pub fn shutdown(&self) {
        if let Some(remote) = &self.remote {
            remote.request_shutdown();
        }
    }

    /// The meeting places of the running system (see
    /// [`meeting`](crate::meeting)): what its components reach through
    /// [`Context::places`](crate::Context::places). They stay readable after
    /// the system ends. If the system could not start, an empty set of
    /// places of its own.
    ///
    /// While the handle, or places, backplanes, publishers or subscriptions
    /// taken from it, are alive, a component waiting at a place counts as
    /// waiting on the outside (that code may still publish or set a value),
    /// so it is not taken for stalled. [`join`](Handle::join) lets go of the
    /// handle's own hold.
    ///
    /// ```
    /// use myelin::meeting::Key;
    /// use myelin::prelude::*;
    ///
    /// const STARTED: Key<bool> = Key::new("started");
    ///
    /// /// Says it has started.
    /// #[component]
    /// struct Starter {}
    ///
    /// impl Component for Starter {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         cx.places().tracked().track(&STARTED, true)?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let handle = myelin::spawn(Starter::new());
    /// let places = handle.places();
    /// let started = places.tracked().wait_timeout(&STARTED, std::time::Duration::from_secs(10))?;
    /// assert!(started);
    /// handle.join()?;
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn places(&self) -> crate::meeting::Places {
        self.places.clone().unwrap_or_default()
    }

    /// A snapshot of the running system (see [`view`](crate::view)): every
    /// component with its state and the time its body has run, every port
    /// and link, and what each inbox has seen.
    ///
    /// Each scheduler reads the inboxes bound to its thread at its next
    /// look outside (between resumes), so the counts of different
    /// schedulers are not of one instant. If the system has ended, or a
    /// scheduler does not answer within a second (a body that never
    /// pauses), what could not be read has no counts.
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::Sender;
    ///
    /// /// Waits for numbers until its input ends.
    /// #[component]
    /// struct Wait {
    ///     /// Numbers.
    ///     inbox: Inbox<u32>,
    /// }
    ///
    /// impl Component for Wait {
    ///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
    ///         while self.inbox.recv().await.is_some() {}
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let node = Wait::new().into_part();
    /// let mut input = Sender::new(&node.handles().inbox)?;
    /// let handle = myelin::Runtime::new().introspect().spawn(node);
    /// input.send(7)?;
    /// # let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    /// let inbox = loop {
    ///     let seen = handle.snapshot()?;
    ///     let inbox = seen.component("Wait").unwrap().inboxes[0].clone();
    ///     if inbox.counts.is_some_and(|c| c.taken == 1) {
    ///         break inbox;
    ///     }
    /// #   assert!(std::time::Instant::now() < deadline, "never taken");
    ///     std::thread::yield_now();
    /// };
    /// assert_eq!((inbox.port.name, inbox.port.message), ("inbox", "u32"));
    /// drop(input);
    /// handle.join()?;
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    ///
    /// # Errors
    /// If the system was not started with
    /// [`Runtime::introspect`](crate::Runtime::introspect), or could not
    /// start.
    pub fn snapshot(&self) -> Result<crate::view::Snapshot, Error> {
        let remote = self
            .remote
            .as_ref()
            .ok_or_else(|| Error::msg("the system could not start"))?;
        let registry = remote.view.get().ok_or_else(crate::view::off)?;
        Ok(gather(remote, registry))
    }

    /// Whether the system has ended: every component's body has ended
    /// (finished, failed, cancelled or stalled) and `run` has returned on
    /// the system's thread, so [`join`](Handle::join) returns at once.
    ///
    /// Ended, not drained: messages the system sent to a [`Receiver`] that
    /// have not been read are still there to read after it, and the
    /// report is handed out only by `join`. It is `false` for a moment
    /// after the last component ends, while the run winds down.
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::Receiver;
    ///
    /// /// Sends 1, 2, 3.
    /// #[component]
    /// struct Three {
    ///     outbox: Outbox<u32>,
    /// }
    ///
    /// impl Component for Three {
    ///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
    ///         for n in 1..=3 {
    ///             self.outbox.send(n).await?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let node = Three::new().into_part();
    /// let mut output = Receiver::new(&node.handles().outbox)?;
    /// let handle = myelin::spawn(node);
    /// # let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    /// while !handle.is_finished() {
    /// #   assert!(std::time::Instant::now() < deadline, "the system did not end");
    ///     std::thread::yield_now();
    /// }
    /// // Ended, not drained: everything it sent is still there.
    /// assert_eq!(output.try_recv(), Ok(1));
    /// assert_eq!((output.recv(), output.recv(), output.recv()), (Some(2), Some(3), None));
    /// assert!(handle.join()?.is_success());
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Starts more components in the running system. `build` runs on the
    /// system's own thread, so it may link the new parts to port handles of
    /// components already running (taken before [`spawn`]). The new
    /// components run on the system's home scheduler (the first), and may
    /// link to components running there; linking to a component that runs
    /// on another scheduler fails with [`LinkError::Running`].
    ///
    /// Fails if the system has already ended. An error from `build`, or a
    /// failure of the new components, shows in the run's report.
    pub fn add<P, F>(&self, build: F) -> Result<(), Error>
    where
        P: IntoPart,
        F: FnOnce() -> Result<P, Error> + Send + 'static,
    {
        let Some(remote) = self.remote.as_ref().filter(|_| !self.is_finished()) else {
            return Err(Error::msg("the system has already ended"));
        };
        let accepted = remote.submit(Box::new(move |core| {
            let mut spawner = Spawner::home_only(core);
            // `build` is user code running on the scheduler's thread: a panic
            // in it fails the addition, not the system.
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(build))
                .unwrap_or_else(|panic| Err(Error::msg(crate::error::panic_message(&*panic))));
            match built {
                Ok(part) => {
                    let part = part.into_part();
                    let name = part.default_name().to_owned();
                    part.start(name, &mut spawner);
                }
                Err(e) => core.report_added_failure(&e),
            }
            spawner.finish();
        }));
        if accepted {
            Ok(())
        } else {
            Err(Error::msg("the system has already ended"))
        }
    }

    /// Waits for the system to end and returns its report, as
    /// [`run`](crate::run) does.
    ///
    /// The report is handed out when `join` returns: it counts what every
    /// [`Receiver`] dropped by then still held, even one dropped after the
    /// system ended. A receiver still alive keeps its messages for you to
    /// read, and they are not in the report; dropping it later cannot
    /// change a report already handed out.
    pub fn join(mut self) -> Result<Report, Error> {
        // Joining, the handle will not publish or set anything: a deadlock
        // at the places is a stall again, unless they are held elsewhere.
        self.places.take();
        let run = join_thread(self.thread.take());
        hand_out(run, self.remote.as_deref())
    }

    /// Waits without blocking the calling `async` task's executor thread
    /// (the wait happens on a helper thread), and returns the report as
    /// [`join`](Handle::join) does.
    ///
    /// The returned [`JoinFuture`] stands for the system as the handle did:
    /// call [`JoinFuture::shutdown`] on it to stop the system and still
    /// await its report. **Dropping it before it completes shuts the system
    /// down**, as dropping a `Handle` does, but without waiting: the drop
    /// only asks the system to stop, so it never blocks the executor's
    /// thread; the system's components are cancelled and its thread ends
    /// in the background, and its report is lost. So a
    /// `tokio::time::timeout` around `join_async` that expires, or a
    /// `select!` that takes another branch, stops the system. (Dropping
    /// tokio's `JoinHandle` detaches its task instead; a detached system
    /// would have nothing left to stop it with.) To let the system run on
    /// past a timeout, await `&mut` the future instead of dropping it.
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::{IntoPart, Outcome, Part, Sender};
    ///
    /// /// Waits for numbers until its input ends.
    /// #[component]
    /// struct Wait {
    ///     inbox: Inbox<u32>,
    /// }
    ///
    /// impl Component for Wait {
    ///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
    ///         while self.inbox.recv().await.is_some() {}
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let node = Wait::new().into_part();
    /// // Held open: the system would wait for it forever.
    /// let _input = Sender::new(&node.handles().inbox)?;
    /// let join = myelin::spawn(node).join_async();
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    /// # rt.block_on(async move {
    /// tokio::pin!(join);
    /// let waited = tokio::time::timeout(std::time::Duration::from_millis(10), &mut join).await;
    /// assert!(waited.is_err()); // still running: the future was not dropped
    /// join.shutdown();
    /// let report = join.await?;
    /// assert_eq!(report.component("Wait").unwrap().outcome, Outcome::Cancelled);
    /// # Ok::<(), myelin::Error>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn join_async(mut self) -> JoinFuture {
        self.places.take();
        let thread = self.thread.take();
        let remote = self.remote.take();
        let (tx, rx) = futures_oneshot();
        let helper = std::thread::Builder::new()
            .name("myelin-join".to_owned())
            .spawn(move || tx.send(join_thread(thread)));
        let result = match helper {
            Ok(_) => rx,
            Err(e) => {
                // The system's thread went with the closure: stop the
                // system, since nothing can join it now.
                if let Some(remote) = &remote {
                    remote.request_shutdown();
                }
                let (tx, rx) = futures_oneshot();
                tx.send(Err(Error::msg(format!(
                    "could not start a thread to wait for the system: {e}"
                ))));
                rx
            }
        };
        JoinFuture {
            remote,
            result,
            done: false,
        }
    }

    fn wait(&mut self) -> Result<Report, Error> {
        join_thread(self.thread.take())
    }
}

/// A snapshot of the system whose home scheduler is `home`, with the
/// counts each scheduler reads on its own thread (home, then home asks
/// each worker).
fn gather(home: &Arc<Remote>, registry: &Arc<Registry>) -> crate::view::Snapshot {
    /// How long to wait for the schedulers' answers.
    const PATIENCE: Duration = Duration::from_secs(1);
    let (tx, rx) = mpsc::channel::<(usize, HashMap<usize, InboxCounts>)>();
    let asked = {
        let registry = registry.clone();
        home.submit(Box::new(move |core| {
            let workers = core.system().worker_remotes();
            let _ = tx.send((workers.len(), registry.read_here()));
            for worker in workers {
                let (answer, registry) = (tx.clone(), registry.clone());
                let asked = worker.submit(Box::new(move |_| {
                    let _ = answer.send((0, registry.read_here()));
                }));
                if !asked {
                    // Stopping: nothing more to read there.
                    let _ = tx.send((0, HashMap::new()));
                }
            }
        }))
    };
    let mut read = HashMap::new();
    if asked {
        let deadline = std::time::Instant::now() + PATIENCE;
        let mut waiting = 1;
        while waiting > 0 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok((more, counts)) = rx.recv_timeout(left) else {
                break;
            };
            waiting += more;
            waiting -= 1;
            read.extend(counts);
        }
    }
    registry.snapshot(&read)
}

/// The future [`Handle::join_async`] returns: the system's report, or the
/// error of a failed run, once the system has ended.
///
/// It stands for the system as the [`Handle`] did. Dropping it before it
/// completes asks the system to shut down and returns at once (it never
/// blocks the executor's thread); the system's components are cancelled,
/// its thread ends in the background, and its report is lost. Call
/// [`shutdown`](JoinFuture::shutdown) and keep awaiting to stop the system
/// and still get the report.
#[must_use = "dropping the future shuts the system down; await it"]
pub struct JoinFuture {
    remote: Option<Arc<Remote>>,
    result: OneshotRx<Result<Report, Error>>,
    /// The report was handed out: dropping now stops nothing.
    done: bool,
}

impl JoinFuture {
    /// Asks the system to stop, as [`Handle::shutdown`] does; awaiting the
    /// future then returns its report. Returns at once.
    pub fn shutdown(&self) {
        if let Some(remote) = &self.remote {
            remote.request_shutdown();
        }
    }

    /// Whether the system has ended, as [`Handle::is_finished`] says it
    /// (ended, not drained): awaiting the future then returns at once.
    pub fn is_finished(&self) -> bool {
        self.done || self.result.is_ready()
    }
}

impl Future for JoinFuture {
    type Output = Result<Report, Error>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        if self.done {
            return std::task::Poll::Ready(Err(Error::msg("the system was already joined")));
        }
        let run = std::task::ready!(std::pin::Pin::new(&mut self.result).poll(cx));
        self.done = true;
        std::task::Poll::Ready(hand_out(run, self.remote.as_deref()))
    }
}

impl Drop for JoinFuture {
    fn drop(&mut self) {
        if !self.done {
            // Only a request: waiting here could block an executor's thread
            // for as long as a component takes to notice.
            self.shutdown();
        }
    }
}

impl std::fmt::Debug for JoinFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinFuture")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

fn join_thread(thread: Option<JoinHandle<Result<Report, Error>>>) -> Result<Report, Error> {
    match thread.map(JoinHandle::join) {
        Some(Ok(result)) => result,
        Some(Err(panic)) => Err(Error::msg(format!(
            "the system's thread {}",
            crate::error::panic_message(&*panic)
        ))),
        None => Err(Error::msg("the system was already joined")),
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
            let _ = self.wait();
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

/// Sends into an inbox of a system from outside it.
///
/// While a sender exists, the inbox's stream stays open; dropping every
/// sender (and every linked outbox) ends it. Clone it to send from several
/// places.
pub struct Sender<T> {
    outbox: Outbox<T>,
    port: InboxPort<T>,
    /// After `outbox`: it drops first (see `port/external.rs`).
    external: External<T>,
}

impl<T: Send + 'static> Sender<T> {
    /// A sender into the inbox `port` refers to.
    ///
    /// Fails with [`LinkError::Running`] if that inbox's system is already
    /// running: create senders before [`spawn`].
    pub fn new(port: &InboxPort<T>) -> Result<Self, LinkError> {
        let mut outbox = Outbox::new("handle");
        let external =
            External::attach(&port.chan, port.name(), || link(&outbox.port(), port, None))?;
        crate::port::AnyOutbox::seal(&mut outbox);
        Ok(Self {
            outbox,
            port: port.clone(),
            external,
        })
    }

    /// Sends `msg`, blocking while the inbox is full. Hands the message back
    /// if the receiving component has finished.
    ///
    /// # Panics
    /// If called from a generator component: use
    /// [`send_async`](Sender::send_async) there, or link an outbox.
    pub fn send(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.outbox.blocking_send(msg)
    }

    /// Sends `msg` if the inbox can take it now.
    pub fn try_send(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.outbox.try_send(msg)
    }

    /// Sends `msg`, waiting (without blocking the thread) while the inbox is
    /// full; for `async` code on any executor.
    pub fn send_async(&mut self, msg: T) -> crate::SendFuture<'_, T> {
        self.outbox.send(msg)
    }
}

impl<T: Send + 'static> Clone for Sender<T> {
    fn clone(&self) -> Self {
        let mut outbox = Outbox::new("handle");
        // A fresh outbox into an inbox already pinned shared cannot fail.
        let external = self.external.another(|| {
            crate::port::link_another_handle(&outbox.port(), &self.port);
        });
        crate::port::AnyOutbox::seal(&mut outbox);
        Self {
            outbox,
            port: self.port.clone(),
            external,
        }
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sender({:?})", self.port)
    }
}

/// Receives from an outbox of a system, outside it.
///
/// When the component owning the outbox finishes, `recv` returns `None`
/// after the last message.
///
/// Dropping a receiver closes its link: the component's next send there
/// fails with [`SendErrorKind::Closed`](crate::SendErrorKind::Closed),
/// handing the message back. What the receiver still held is counted in
/// the system's [`Report`], as undelivered on the outbox it was attached to,
/// in an entry of its own named `Receiver(<component>.<outbox>)` (for
/// example `Receiver(Count.outbox)`), placed after the component's entry:
///
/// - if it is dropped before the report is handed out, that is before
///   [`Handle::join`] returns (or the future of
///   [`join_async`](Handle::join_async) completes, or
///   [`run`](crate::run) returns), on whatever thread, and even after the
///   system has ended;
/// - a receiver still alive then outlives the system: its messages are
///   still yours to read, to the end of the stream, and they are not in the
///   report. Dropping it afterwards cannot change a report already handed
///   out, so what it holds then is not counted anywhere.
///
/// A receiver dropped inside a component (one held as a component's state)
/// is counted in that component's entry instead, like any inbox it owns.
/// A receiver dropped before its system starts holds nothing; the
/// component's sends to it are refused from the start.
pub struct Receiver<T> {
    inbox: Inbox<T>,
    /// Held for its `Drop`, after `inbox`, which drops first (see
    /// `port/external.rs`).
    _external: External<T>,
}

impl<T: Send + 'static> Receiver<T> {
    /// A receiver for the outbox `port` refers to.
    ///
    /// Fails if the outbox is already linked, or its component is running.
    pub fn new(port: &OutboxPort<T>) -> Result<Self, LinkError> {
        Self::attach(port, None)
    }

    /// Like [`new`](Receiver::new), with room for at most `capacity`
    /// messages: a component sending faster than this receiver takes waits.
    pub fn bounded(port: &OutboxPort<T>, capacity: usize) -> Result<Self, LinkError> {
        Self::attach(port, Some(capacity))
    }

    fn attach(port: &OutboxPort<T>, capacity: Option<usize>) -> Result<Self, LinkError> {
        let inbox = Inbox::new("handle");
        let own = inbox.port();
        let external = External::attach(&own.chan, own.name(), || link(port, &own, capacity))?;
        Ok(Self {
            inbox,
            _external: external,
        })
    }

    /// Blocks until the next message; `None` once the sender has finished
    /// and everything it sent has been received.
    ///
    /// # Panics
    /// If called from a generator component: use
    /// [`recv_async`](Receiver::recv_async) there.
    pub fn recv(&mut self) -> Option<T> {
        self.inbox.blocking_recv()
    }

    /// Like [`recv`](Receiver::recv), giving up after `timeout`.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.inbox.recv_timeout(timeout)
    }

    /// Takes the next message if one is there now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inbox.try_recv()
    }

    /// Waits (without blocking the thread) for the next message; for
    /// `async` code on any executor.
    pub fn recv_async(&mut self) -> crate::RecvFuture<'_, T> {
        self.inbox.recv()
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Receiver({:?})", self.inbox)
    }
}

/// A one-shot channel whose receiving end is a future, for `join_async`.
fn futures_oneshot<T: Send + 'static>() -> (OneshotTx<T>, OneshotRx<T>) {
    let shared = Arc::new(std::sync::Mutex::new((None, None::<std::task::Waker>)));
    (OneshotTx(shared.clone()), OneshotRx(shared))
}

struct OneshotTx<T>(Arc<std::sync::Mutex<(Option<T>, Option<std::task::Waker>)>>);

impl<T> OneshotTx<T> {
    fn send(self, value: T) {
        let waker = {
            let mut slot = crate::sync::lock_std(&self.0);
            slot.0 = Some(value);
            slot.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

struct OneshotRx<T>(Arc<std::sync::Mutex<(Option<T>, Option<std::task::Waker>)>>);

impl<T> OneshotRx<T> {
    /// Whether the value has been sent.
    fn is_ready(&self) -> bool {
        crate::sync::lock_std(&self.0).0.is_some()
    }
}

impl<T> Future for OneshotRx<T> {
    type Output = T;
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<T> {
        let mut slot = crate::sync::lock_std(&self.0);
        match slot.0.take() {
            Some(v) => std::task::Poll::Ready(v),
            None => {
                slot.1 = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    }
}
