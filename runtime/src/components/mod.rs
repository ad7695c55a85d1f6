//! Ready-made components: sources, transformers, routers and sinks to wire
//! into pipelines and graphlines as they are, like Kamaelia's `Util`
//! library.
//!
//! Each is a `#[component]` like one of your own, generic over the messages
//! it carries, and each follows the shutdown protocol: it ends when its
//! input ends (the runtime then sends `Finished` on its `signal`), and it
//! stops at once when a [`Control::Shutdown`]
//! arrives on its `control`, even while its input is still open and while
//! it waits for room downstream.
//!
//! | component | what it does | Kamaelia / Axon |
//! |---|---|---|
//! | [`Source`] | sends each item of an iterator, then finishes | `DataSource` |
//! | [`OneShot`] | sends one message, then finishes | `OneShot` |
//! | [`Triggered`] | sends its next item each time a message arrives on `trigger` | `TriggeredSource` |
//! | [`Map`] | sends `f(message)` | `PureTransformer` |
//! | [`Filter`] | passes on the messages a predicate keeps | `Filter` |
//! | [`FilterMap`] | sends `f(message)` unless it is `None` | `PureTransformer` (its `None` rule) |
//! | [`Chain`] | applies a list of functions in turn | `SequentialTransformer` |
//! | [`Enumerate`] | tags each message with its sequence number | `TagWithSequenceNumber` |
//! | [`Chunk`] | gathers messages into `Vec`s of `n` | `Chunkifier` |
//! | [`Flatten`] | sends each item of each collection it receives | (the inverse of `Chunkifier`) |
//! | [`Fanout2`], [`Fanout3`] | copies each message to every outbox, waiting or dropping (counted) when one is full | `Fanout`, `TwoWaySplitter`, `LossyConnector` |
//! | [`Lossy`] | passes messages on, dropping (counted) those that find the destination full | `LossyConnector` |
//! | [`Zip`], [`Zip3`] | waits for one message on each input, then sends them together | `Sync(n)` |
//! | [`Merge`] | sends both inputs' messages, as [`Either`], as they come | |
//! | [`Compare`] | says whether each pair of messages from its two inputs is equal | `Comparator` |
//! | [`Collect`] | keeps everything it receives, for you to take when the run ends | `Collate` |
//! | [`Discard`] | reads and counts everything, keeps nothing | `NullSink` |
//! | [`Ticker`] | sends a tick number every period | `CheapAndCheerfulClock` |
//! | [`RateLimit`] | passes messages on at most so many a second | `MessageRateLimit` |
//! | [`ByteRateLimit`] | passes byte messages on at most so many bytes a second | `ByteRate_RequestControl` |
//! | [`TimedBatch`] | gathers messages into `Vec`s of up to `n`, or what came within a time | `Chunkifier` with a time limit |
//! | [`ReadLines`] | (thread) sends each line of a file | `ReadFileAdaptor` |
//! | [`ReadChunks`] | (thread) sends a file in chunks of bytes | `ReadFileAdaptor` |
//! | [`WriteFile`] | (thread) writes each message to a file, optionally as lines | `SimpleFileWriter` |
//! | [`Print`] | writes each message as a line to stdout (or any writer) | `ConsoleEchoer` |
//! | [`ReadStdin`] | (thread) sends each line read from stdin (or any reader) | `ConsoleReader` |
//! | [`ToJsonLine`] | serialises each message as one line of JSON | `Marshaller` |
//! | [`FromJsonLine`] | parses each line of JSON, a bad line as a [`ParseError`] value | `DeMarshaller` |
//! | [`Chooser`] | keeps a cursor over a list, sends the item each [`Choose`] command picks | `Chooser` |
//! | [`Turnstile`] | lets one queued item through per request | `PromptedTurnstile` |
//! | [`Introspector`] | sends a snapshot of its own system every period | `Introspector` |
//!
//! Kamaelia's run-time pluggable `Splitter`/`Plug` has no counterpart yet:
//! it needs outboxes created while the system runs.
//!
//! # A fixed number of ports
//!
//! A component's ports are its struct's fields, fixed when it is compiled:
//! `#[component]` knows a port by its `Inbox<T>`/`Outbox<T>` type, links it
//! by name and checks its type, and a `Vec<Outbox<T>>` would be state it
//! cannot see (the runtime would neither seal, link nor account for those
//! outboxes). So a fan-out to a number of destinations chosen at run time
//! cannot be a component yet. There is one per number instead, [`Fanout2`]
//! and [`Fanout3`], each port named (`first`, `second`, `third`) and typed,
//! each destination with its own [`WhenFull`] policy; the same holds for
//! the inputs of [`Zip`] and [`Zip3`]. For more destinations, chain them:
//! a [`Fanout3`] whose `third` feeds another [`Fanout3`] gives five.
//!
//! # Handles on what a component counted or kept
//!
//! A component that keeps or counts something for you hands out a handle
//! before it runs, from a method on the component: [`Collect::collected`]
//! gives a [`Collected`], [`Discard::discarded`] and
//! [`Fanout2::dropped`] give [`Count`]s. The handle shares the state with
//! the component, so you read it after [`run`](crate::run) (or while the
//! system runs, from a handle of a [`spawn`](crate::spawn)ed system). No
//! global state is involved.
//!
//! # Naming the message type
//!
//! A link makes its two ends carry one message type, whichever end names
//! it: a component generic over what it carries takes its type from the
//! stages around it. In the example below only `Map`'s closure names a
//! type, and `Collect` learns from the links that it keeps chunks of
//! `(u64, u32)`. A turbofish, as in `Collect::<u32>::new()`, is needed only
//! where no link fixes the type.
//!
//! # Nothing is lost silently
//!
//! A message a component has taken but cannot pass on when a `Shutdown`
//! stops it (one waiting for room, copies not yet sent by a fan-out, an
//! unfinished chunk) is counted in the run's [`Report`](crate::Report) as
//! unsent on the outbox it was for; messages still queued in its inboxes
//! are counted there as unread, as for any component. Besides what a
//! [`Filter`] or [`FilterMap`] is there to leave out, the only messages
//! dropped by design are those a lossy policy drops, and those are counted
//! in a [`Count`] you hold.
//!
//! That is for a `Shutdown` on `control`, which each component acts on
//! itself. When the whole system is shut down instead
//! ([`Context::shutdown_system`], [`Handle::shutdown`](crate::Handle::shutdown)),
//! components are cancelled where they wait, and the runtime's rules apply:
//! a message waiting for room is counted unsent, but what a component holds
//! while it waits for something else (an unfinished [`Chunk`], the rest of
//! a collection [`Flatten`] is sending, copies a fan-out has not made yet)
//! goes with it, like any value a body holds.
//!
//! # Example
//!
//! Numbers from a range, squared, the odd ones kept, tagged with their
//! position, in pairs:
//!
//! ```
//! use myelin::components::{Chunk, Collect, Enumerate, Filter, Map, Source};
//! use myelin::pipeline;
//!
//! let collect = Collect::new();
//! let pairs = collect.collected();
//! myelin::run(pipeline![
//!     Source::new(1..=6),
//!     Map::new(|n: u32| n * n),
//!     Filter::new(|n: &u32| n % 2 == 1),
//!     Enumerate::new(),
//!     Chunk::new(2),
//!     collect,
//! ])?;
//! assert_eq!(pairs.take(), [vec![(0, 1), (1, 9)], vec![(2, 25)]]);
//! # Ok::<(), myelin::Error>(())
//! ```

// Every `impl Component` in this module is marked
// `#[diagnostic::do_not_recommend]`, as `#[component]` marks the `Ports` and
// `IntoPart` impls it generates in this crate: when a user's type is not a
// component, rustc's "the following other types implement" hint should name
// the user's components, not the ready-made ones.
mod backplane;
mod chassis;
mod choose;
mod console;
mod file;
mod introspector;
mod marshal;
mod route;
mod sink;
mod source;
mod supervise;
mod timed;
mod transform;
mod wait;

pub use backplane::{PublishTo, SubscribeTo};
pub use chassis::{Carousel, MaybeInboxOf, Par, Seq};
pub use choose::{Choose, Chooser, Turnstile};
pub use console::{Print, ReadStdin};
pub use file::{ReadChunks, ReadLines, WriteFile};
pub use introspector::Introspector;
pub use marshal::{FromJsonLine, ParseError, ToJsonLine};
pub use route::{Compare, Either, Fanout2, Fanout3, Lossy, Merge, WhenFull, Zip, Zip3};
pub use sink::{Collect, Collected, Discard};
pub use source::{OneShot, Source, Triggered};
pub use supervise::{Backlog, Child, Children, RestartPolicy, Strategy, Supervision, Supervisor};
pub use timed::{ByteRateLimit, RateLimit, Ticker, TimedBatch};
pub use transform::{Chain, Chunk, Enumerate, Filter, FilterMap, Flatten, Map};

use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Poll, Waker};

use crate::scheduler::current;
use crate::{Context, Control, Error, Inbox, Outbox, SendError, SendErrorKind, TryRecvError};

/// A count a running component keeps and you read: messages a [`Discard`]
/// read, or copies a [`Fanout2`], [`Fanout3`] or [`Lossy`] dropped because
/// their destination was full.
///
/// A clone shares the count. The component adds to it as it goes, so it
/// can be read while the system runs as well as after.
///
/// ```
/// use myelin::components::{Discard, Source};
/// use myelin::pipeline;
///
/// let sink = Discard::<u32>::new();
/// let read = sink.discarded();
/// myelin::run(pipeline![Source::new(0..100), sink])?;
/// assert_eq!(read.get(), 100);
/// # Ok::<(), myelin::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Count(Arc<AtomicU64>);

impl Count {
    /// The count now.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

/// What a ready component waiting for input found.
#[derive(Debug)]
pub(crate) enum Next<T> {
    /// The next message.
    Message(T),
    /// The input has ended: every sender has finished and everything sent
    /// has been read.
    End,
    /// A `Shutdown` arrived on `control`: stop now.
    Shutdown,
}

impl<T> Next<T> {
    /// As `Inbox::recv` says it (`Some` message, `None` at the end), with a
    /// `Shutdown` as the error, for `?`.
    pub(crate) fn flow(self) -> Result<Option<T>, Stop> {
        match self {
            Self::Message(msg) => Ok(Some(msg)),
            Self::End => Ok(None),
            Self::Shutdown => Err(Stop::Shutdown),
        }
    }
}

/// Why a ready component's body stops before its input ends.
pub(crate) enum Stop {
    /// A `Shutdown` arrived on `control`: the component finishes normally.
    Shutdown,
    /// A send failed for good (its destination finished, or it is not
    /// linked): the component fails with this error.
    Failed(Error),
}

impl<T: Send + 'static> From<SendError<T>> for Stop {
    fn from(e: SendError<T>) -> Self {
        Self::Failed(e.into())
    }
}

/// What a ready component's body returns: `?` stops it at a `Shutdown` or
/// a failed send.
pub(crate) type Flow = Result<(), Stop>;

/// Whether a `Flow` stopped at a `Shutdown` (`Ok(true)`: the component
/// should return); a failed send is the component's error. For bodies that
/// return `Result<(), Error>` rather than a `Flow`.
pub(crate) fn stopped(flow: Flow) -> Result<bool, Error> {
    match flow {
        Ok(()) => Ok(false),
        Err(Stop::Shutdown) => Ok(true),
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// The result of a body that returned `flow`: a `Shutdown` finishes it
/// normally (the runtime then sends `Finished` on its `signal`).
pub(crate) fn finish(flow: Flow) -> Result<(), Error> {
    match flow {
        Ok(()) | Err(Stop::Shutdown) => Ok(()),
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// Reads `control` for a `Shutdown`. Other control messages are read and
/// passed over: an upstream `Finished` says what the end of the input will
/// say, and an upstream `Failed` ends the input too.
fn shutdown_requested(control: &mut Inbox<Control>) -> bool {
    while let Ok(msg) = control.try_recv() {
        if msg == Control::Shutdown {
            return true;
        }
    }
    false
}

/// Lets the others run when this component has used its share of the
/// resume (see the coop budget in `DEVELOPMENT.md`): the helpers below
/// often find work without waiting, so they spend the budget themselves.
async fn coop(cx: &mut Context) {
    if !current::consume_budget() {
        cx.yield_now().await;
    }
}

/// Waits for the next message on `inbox`, or a `Shutdown` on the
/// component's `control`, whichever comes first (a `Shutdown` already
/// waiting wins over queued messages).
///
/// It waits on `inbox` and `control` alone, so a component with other
/// inboxes does not wake for their messages while it waits for this one.
pub(crate) async fn next<T: Send + 'static>(inbox: &mut Inbox<T>, cx: &mut Context) -> Next<T> {
    coop(cx).await;
    loop {
        if cx.linked_control().is_some_and(shutdown_requested) {
            return Next::Shutdown;
        }
        match inbox.try_recv() {
            Ok(msg) => return Next::Message(msg),
            Err(TryRecvError::Closed) => return Next::End,
            Err(TryRecvError::Empty) => {}
        }
        if let Next::Shutdown = wait(cx, &[&*inbox], Want::Any).await {
            return Next::Shutdown;
        }
    }
}

/// [`next`] as `Inbox::recv` says it: `Some` message, `None` at the end,
/// and a `Shutdown` as the error, for `?`.
pub(crate) async fn recv<T: Send + 'static>(
    inbox: &mut Inbox<T>,
    cx: &mut Context,
) -> Result<Option<T>, Stop> {
    next(inbox, cx).await.flow()
}

/// Sends `msg`, waiting while the destination is full; stops at a
/// `Shutdown` on `control` that is already waiting or arrives during the
/// wait, counting `msg` in the report as unsent on `outbox`.
///
/// A send that can never succeed (the destination finished, or the outbox
/// is not linked) is the component's failure.
pub(crate) async fn send<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    msg: T,
    cx: &mut Context,
) -> Flow {
    coop(cx).await;
    let mut msg = msg;
    loop {
        if cx.linked_control().is_some_and(shutdown_requested) {
            unsent(outbox.name(), 1);
            return Err(Stop::Shutdown);
        }
        match outbox.try_send(msg) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == SendErrorKind::Full => msg = e.into_inner(),
            Err(e) => return Err(e.into()),
        }
        room(cx, outbox.name()).await;
    }
}

/// Waits for what a full `try_send` registered the component for (room
/// downstream), or for a message on `control`. While it waits the
/// component holds a message for `port`, which a cancelled run counts as
/// unsent, as it does for a waiting `Outbox::send`.
async fn room(cx: &mut Context, port: &'static str) {
    let control = cx.linked_control();
    let mut waited = false;
    poll_fn(|task| {
        if waited
            || control
                .as_ref()
                .is_some_and(|c| c.ready_or_register(task.waker()))
        {
            return Poll::Ready(());
        }
        waited = true;
        current::park_send(port);
        Poll::Pending
    })
    .await;
}

/// Counts `count` messages the running component held for `port` when a
/// `Shutdown` stopped it: the report shows them as unsent there.
pub(crate) fn unsent(port: &'static str, count: usize) {
    if count > 0 {
        current::record_unsent(port, count);
    }
}

/// How an inbox stands for a component waiting on it.
pub(crate) enum State {
    /// A message is queued.
    Queued,
    /// The stream has ended: nothing queued and no sender left.
    Ended,
    /// Nothing yet; the waker is registered for what comes.
    Empty,
}

/// An inbox as [`wait`] sees it, whatever its message type.
pub(crate) trait Input {
    /// How it stands; registers `waker` when it is [`State::Empty`].
    fn state(&self, waker: &Waker) -> State;
}

impl<T: Send + 'static> Input for Inbox<T> {
    fn state(&self, waker: &Waker) -> State {
        if !self.is_empty() {
            State::Queued
        } else if self.is_finished() {
            State::Ended
        } else if !self.ready_or_register(waker) {
            State::Empty
        } else if self.is_empty() {
            // Ready with nothing queued: the end arrived since the check.
            State::Ended
        } else {
            State::Queued
        }
    }
}

/// What [`wait`] waits for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A message on every input, or the end of one of them.
    All,
    /// A message on any input, or the end of one of them.
    Any,
}

/// Waits on `inputs` and `control` alone (unlike `Context::pause`, a
/// message on another inbox does not end the wait).
///
/// Returns `Shutdown` for a `Shutdown` on `control`, and otherwise, with
/// [`Want::All`], `Message(())` once every input has a message queued or
/// `End` once one of them has ended; with [`Want::Any`], `Message(())` once
/// any input has a message or has ended.
pub(crate) async fn wait(cx: &mut Context, inputs: &[&dyn Input], want: Want) -> Next<()> {
    let mut control = cx.linked_control();
    poll_fn(|task| {
        if !current::consume_budget() {
            task.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            if control.as_deref_mut().is_some_and(shutdown_requested) {
                return Poll::Ready(Next::Shutdown);
            }
            let (mut queued, mut ended) = (0, false);
            for input in inputs {
                match input.state(task.waker()) {
                    State::Queued => queued += 1,
                    State::Ended => ended = true,
                    State::Empty => {}
                }
            }
            match want {
                Want::All if queued == inputs.len() => return Poll::Ready(Next::Message(())),
                Want::All if ended => return Poll::Ready(Next::End),
                Want::Any if queued > 0 || ended => return Poll::Ready(Next::Message(())),
                _ => {}
            }
            // Registered on every input that has nothing; now on `control`
            // too. A message there since the check: look again.
            if !control
                .as_ref()
                .is_some_and(|c| c.ready_or_register(task.waker()))
            {
                return Poll::Pending;
            }
        }
    })
    .await
}
