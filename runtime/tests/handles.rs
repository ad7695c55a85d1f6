//! Handles: a system spawned in the background and driven from ordinary
//! code through typed [`Sender`]s and [`Receiver`]s, blocking and `async`;
//! stopped with [`Handle::shutdown`] or by dropping its handle; grown with
//! [`Handle::add`]; joined for its report.
//!
//! Axon's `Handle` wraps one component, polls every 10 ms, knows only the
//! four standard boxes, and needs the single `background` scheduler of the
//! process (section 2.1 of the Axon reference). These tests check that a
//! myelin handle is an ordinary end of the same links the components use:
//! end of stream, backpressure and the no-loss rules hold across it, and any
//! number of systems run at once.
//!
//! Nothing here sleeps to synchronise: every wait is on a message, an end of
//! stream, a join, or (where the runtime offers nothing else) a spin on a
//! flag or on [`Handle::is_finished`].

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use myelin::prelude::*;
use myelin::{
    Handle, IntoPart, LinkError, Outcome, Part, Receiver, RecvTimeoutError, SendErrorKind, Sender,
    TryRecvError, link, spawn,
};

use common::{Counter, Feed, Relay, Shared, Sleeper, push, shared, take};

/// What the tests return: any error, with `?`.
type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Doubles every number it receives.
#[component]
struct Double {
    /// Numbers to double.
    inbox: Inbox<i64>,
    /// The doubled numbers.
    outbox: Outbox<i64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
        }
        Ok(())
    }
}

/// Adds one to every number it receives, blocking, on its own thread.
#[component(thread)]
struct BlockingIncrement {
    /// Numbers.
    inbox: Inbox<i64>,
    /// The numbers plus one.
    outbox: Outbox<i64>,
}

impl ThreadComponent for BlockingIncrement {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n + 1)?;
        }
        Ok(())
    }
}

/// Sends `0..upto`, blocking while the destination is full, on its own
/// thread.
#[component(thread)]
struct BlockingCount {
    /// The numbers.
    outbox: Outbox<u32>,
    upto: u32,
}

impl ThreadComponent for BlockingCount {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for n in 0..self.upto {
            self.outbox.blocking_send(n)?;
        }
        Ok(())
    }
}

/// Passes numbers on; fails on the first negative one.
#[component]
struct Picky {
    /// Numbers; a negative one is an error. Declared before `outbox`, so it
    /// closes first when the component is dropped.
    inbox: Inbox<i64>,
    /// The numbers accepted.
    outbox: Outbox<i64>,
}

impl Component for Picky {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            if n < 0 {
                return Err(Error::msg(format!("negative: {n}")));
            }
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Relays from a bounded inbox, but only once a message arrives on `go`.
#[component]
struct Gate {
    /// What to relay; holds at most two messages.
    #[inbox(capacity = 2)]
    inbox: Inbox<u32>,
    /// Opens the gate.
    go: Inbox<()>,
    /// The relayed messages.
    outbox: Outbox<u32>,
}

impl Component for Gate {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if self.go.recv().await.is_none() {
            return Ok(());
        }
        while let Some(m) = self.inbox.recv().await {
            self.outbox.send(m).await?;
        }
        Ok(())
    }
}

/// Sends `0..upto` as fast as its destination takes them, counting the
/// sends completed in `sent`. The first time the destination is full it
/// reports, on `note`, how many it had sent by then, and then waits for room.
#[component]
struct Pace {
    /// The numbers.
    outbox: Outbox<u32>,
    /// How many were sent when the destination first filled up.
    note: Outbox<usize>,
    upto: u32,
    sent: Counter,
}

impl Component for Pace {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut noted = false;
        for i in 0..self.upto {
            match self.outbox.try_send(i) {
                Ok(()) => {}
                Err(e) if e.kind() == SendErrorKind::Full => {
                    if !noted {
                        noted = true;
                        self.note.send(self.sent.get()).await?;
                    }
                    self.outbox.send(e.into_inner()).await?;
                }
                Err(e) => return Err(e.into()),
            }
            self.sent.bump();
        }
        Ok(())
    }
}

/// Sets a flag when dropped: shows that a component was torn down.
#[derive(Debug)]
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Relays numbers; its `flag` is set when it is dropped.
#[component]
struct Guarded {
    /// Numbers.
    inbox: Inbox<i64>,
    /// The same numbers.
    outbox: Outbox<i64>,
    #[expect(dead_code, reason = "held only for what its `Drop` does")]
    flag: DropFlag,
}

impl Component for Guarded {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Waits on a threaded component's own thread until `wait` ends, leaving
/// `inbox` unread.
#[component(thread)]
struct BlockingHold {
    /// Never read.
    inbox: Inbox<u32>,
    /// Blocked on until end of stream (or shutdown).
    wait: Inbox<()>,
}

impl ThreadComponent for BlockingHold {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while self.wait.blocking_recv().is_some() {}
        Ok(())
    }
}

/// The generator version of [`BlockingHold`].
#[component]
struct Hold {
    /// Never read.
    inbox: Inbox<u32>,
    /// Waited on until end of stream (or shutdown).
    wait: Inbox<()>,
}

impl Component for Hold {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.wait.recv().await.is_some() {}
        Ok(())
    }
}

/// Occupies the scheduler thread, without ever pausing, until `release` is
/// set; sets `started` first.
#[component]
struct Spin {
    started: Arc<AtomicBool>,
    release: Arc<AtomicBool>,
}

impl Component for Spin {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.started.store(true, Ordering::SeqCst);
        while !self.release.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        Ok(())
    }
}

/// Records that it ran.
#[component]
struct Mark {
    ran: Arc<AtomicBool>,
}

impl Component for Mark {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.ran.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Finishes at once.
#[component]
struct Quick {}

impl Component for Quick {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// `component` as a part of a system, whose port handles can be taken
/// before it is spawned.
fn part<C: IntoPart>(component: C) -> C::Part {
    component.into_part()
}

/// Longer than any system here takes to end once nothing keeps it going:
/// reached only when something hangs, which then fails the test instead of
/// blocking the whole run.
const HANG: Duration = Duration::from_secs(60);

/// Runs `f` on a helper thread and returns its result, failing the test if
/// it takes longer than [`HANG`] (a watchdog for a hang, not a wait).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(HANG) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not return within {HANG:?}: the system hung")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// `handle.join()`, failing the test instead of hanging if the system never
/// ends.
fn join(handle: Handle) -> Result<myelin::Report, myelin::Error> {
    within("Handle::join", move || handle.join())
}

/// Spins (yielding the CPU) until the system behind `handle` has ended.
///
/// `Handle` offers no blocking wait that keeps the handle, and `add` needs
/// the handle after the end; this is a wait on a condition, not a timed
/// sleep.
fn wait_until_finished(handle: &Handle) {
    while !handle.is_finished() {
        std::thread::yield_now();
    }
}

/// Spins (yielding the CPU) until `flag` is set.
fn wait_for(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
}

/// What `component` left unread, as (port, count) pairs.
fn unread(component: &myelin::ComponentReport) -> Vec<(&'static str, usize)> {
    component
        .undelivered
        .iter()
        .map(|u| (u.port, u.count))
        .collect()
}

/// Asserts that every component in `report` ended with `outcome`.
fn assert_all(report: &myelin::Report, outcome: &Outcome) {
    assert!(!report.components().is_empty(), "{report}");
    for c in report.components() {
        assert_eq!(&c.outcome, outcome, "{}: {report}", c.name);
    }
}

/// A pipeline of a generator, a threaded component and a generator, with a
/// sender into its first stage and a receiver on its last.
fn doubling_system() -> Result<(Handle, Sender<i64>, Receiver<i64>), LinkError> {
    let system = pipeline![Double::new(), BlockingIncrement::new(), Relay::<i64>::new()];
    let ports = Part::handles(&system);
    let input = Sender::new(&ports.inbox)?;
    let output = Receiver::new(&ports.outbox)?;
    Ok((spawn(system), input, output))
}

/// Round trips, one message at a time, through a spawned pipeline that
/// crosses into a threaded component and back, with the blocking `send` and
/// `recv`: every reply arrives (a lost wake-up anywhere on the way would
/// hang). Dropping the sender ends the stream: `recv` returns `None`, and
/// `join` returns `Ok` with every component `Finished`.
#[test]
fn blocking_round_trips_through_a_spawned_pipeline() -> TestResult {
    let (handle, mut input, mut output) = doubling_system()?;
    for n in 0..5_000 {
        input.send(n)?;
        assert_eq!(output.recv(), Some(n * 2 + 1));
    }
    drop(input);
    assert_eq!(output.recv(), None);
    let report = join(handle)?;
    assert_eq!(report.components().len(), 3);
    assert_all(&report, &Outcome::Finished);
    assert_eq!(report.undelivered(), 0);
    Ok(())
}

/// Messages sent in a burst, before anything is received, all arrive in
/// order; `recv` returns `None` only after the last one, and keeps
/// returning `None`.
#[test]
fn end_of_stream_comes_after_the_last_message_once_every_sender_is_dropped() -> TestResult {
    let (handle, mut input, mut output) = doubling_system()?;
    for n in 0..1_000 {
        input.send(n)?;
    }
    drop(input);
    let got: Vec<i64> = std::iter::from_fn(|| output.recv()).collect();
    assert_eq!(got, (0..1_000).map(|n| n * 2 + 1).collect::<Vec<_>>());
    assert_eq!(output.recv(), None);
    assert_eq!(output.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(
        output.recv_timeout(Duration::from_secs(5)),
        Err(RecvTimeoutError::Closed)
    );
    let report = join(handle)?;
    assert_all(&report, &Outcome::Finished);
    Ok(())
}

/// `recv_timeout` gives up with `Timeout` while the stream is open and
/// nothing comes, and still receives what comes later.
#[test]
fn recv_timeout_times_out_while_the_stream_is_open() -> TestResult {
    let (handle, mut input, mut output) = doubling_system()?;
    assert_eq!(
        output.recv_timeout(Duration::from_millis(20)),
        Err(RecvTimeoutError::Timeout)
    );
    assert_eq!(output.try_recv(), Err(TryRecvError::Empty));
    input.send(4)?;
    assert_eq!(output.recv_timeout(Duration::from_secs(60)), Ok(9));
    drop(input);
    assert_eq!(output.recv(), None);
    join(handle)?;
    Ok(())
}

/// A clone of a sender keeps the stream open after the original is
/// dropped; clones made before and after `spawn` work alike, from several
/// threads at once, each keeping its own order; the stream ends when the
/// last clone is dropped.
#[test]
fn a_cloned_sender_keeps_the_stream_open_until_every_clone_is_dropped() -> TestResult {
    let system = pipeline![Relay::<(u8, u32)>::new()];
    let ports = Part::handles(&system);
    let first = Sender::new(&ports.inbox)?;
    let before = first.clone();
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(system);
    let mut after = first.clone();

    let threads: Vec<_> = [(0u8, first), (1, before)]
        .into_iter()
        .map(|(tag, mut tx)| {
            std::thread::spawn(move || {
                for i in 0..500 {
                    tx.send((tag, i)).expect("the relay is running");
                }
                // `tx` is dropped here.
            })
        })
        .collect();
    for t in threads {
        t.join().expect("sender thread");
    }
    after.send((2, 0))?;

    let mut next = [0u32; 3];
    for _ in 0..1_001 {
        let (tag, i) = output.recv().expect("a clone is still alive");
        assert_eq!(i, next[usize::from(tag)], "sender {tag} out of order");
        next[usize::from(tag)] += 1;
    }
    assert_eq!(next, [500, 500, 1]);
    // One clone is left: the stream is open, merely empty.
    assert_eq!(output.try_recv(), Err(TryRecvError::Empty));
    drop(after);
    assert_eq!(output.recv(), None);
    assert_all(&join(handle)?, &Outcome::Finished);
    Ok(())
}

/// `Handle::shutdown` stops a system that would otherwise wait forever (a
/// component paused for good, a generator and a threaded component each
/// waiting on a sender that is never dropped): `join` returns `Ok` with
/// every component `Cancelled`, and the receiver sees the end of stream.
#[test]
fn shutdown_cancels_a_system_that_would_wait_forever() -> TestResult {
    let system = graphline! {
        components {
            sleeper: Sleeper::new(),
            relay: Relay::<i64>::new(),
            blocked: BlockingHold::new(),
        }
        links {
            self.inbox -> relay.inbox,
            relay.outbox -> self.outbox,
            self.wait -> blocked.wait,
        }
    };
    let ports = Part::handles(&system);
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let _wait = Sender::new(&ports.wait)?;
    let handle = spawn(system);
    input.send(1)?;
    assert_eq!(output.recv(), Some(1));
    assert!(!handle.is_finished());

    handle.shutdown();
    let report = join(handle)?;
    assert_eq!(report.components().len(), 3, "{report}");
    assert_all(&report, &Outcome::Cancelled);
    assert_eq!(output.recv(), None);
    // The relay's inbox is closed: the sender gets its message back.
    let err = input.send(2).unwrap_err();
    assert_eq!((err.kind(), err.into_inner()), (SendErrorKind::Closed, 2));
    Ok(())
}

/// Dropping the handle shuts the system down and waits for it: when `drop`
/// returns, the component has been dropped, the receiver sees the end of
/// stream, and a send is refused as `Closed` with its message.
#[test]
fn dropping_the_handle_stops_the_system() -> TestResult {
    let dropped = Arc::new(AtomicBool::new(false));
    let node = part(Guarded::new(DropFlag(dropped.clone())));
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    input.send(7)?;
    assert_eq!(output.recv(), Some(7));
    assert!(!dropped.load(Ordering::SeqCst));

    within("dropping the handle", move || drop(handle));
    assert!(
        dropped.load(Ordering::SeqCst),
        "the component was not dropped"
    );
    assert_eq!(output.recv(), None);
    let err = input.send(8).unwrap_err();
    assert_eq!((err.kind(), err.into_inner()), (SendErrorKind::Closed, 8));
    Ok(())
}

/// `Sender::new` on an inbox of a system already running is refused with
/// `LinkError::Running` (links are fixed once it runs).
#[test]
fn sender_new_on_a_running_system_is_refused() -> TestResult {
    let node = part(Double::new());
    let ports = node.handles();
    let _keep_open = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    let err = Sender::new(&ports.inbox).unwrap_err();
    assert_eq!(err, LinkError::Running { inbox: "inbox" });
    assert!(err.to_string().contains("`inbox`"), "{err}");
    // The system is idle (its inbox has no sender): it ends by itself.
    assert_all(&join(handle)?, &Outcome::Finished);
    Ok(())
}

/// As above, for an inbox that already had a handle before the system
/// started (its link is shared, so the thread check alone does not catch
/// it). A new sender now would let a stream that has ended start again.
#[test]
fn sender_new_on_a_running_system_is_refused_when_the_inbox_has_a_handle() -> TestResult {
    let node = part(Double::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    input.send(1)?;
    assert_eq!(output.recv(), Some(2));
    let late = Sender::new(&ports.inbox).map(drop);
    drop(input);
    assert_eq!(output.recv(), None);
    join(handle)?;
    assert_eq!(
        late,
        Err(LinkError::Running { inbox: "inbox" }),
        "Sender::new after spawn was accepted"
    );
    Ok(())
}

/// As above, for an inbox of a threaded component (its link is shared
/// from the start).
#[test]
fn sender_new_on_a_running_system_is_refused_for_a_threaded_component() -> TestResult {
    let node = part(BlockingIncrement::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    input.send(1)?;
    assert_eq!(output.recv(), Some(2));
    let late = Sender::new(&ports.inbox).map(drop);
    drop(input);
    assert_eq!(output.recv(), None);
    join(handle)?;
    assert_eq!(
        late,
        Err(LinkError::Running { inbox: "inbox" }),
        "Sender::new after spawn was accepted"
    );
    Ok(())
}

/// `Receiver::new` on an outbox that is already linked fails with
/// `AlreadyLinked` (one outbox, one destination), a capacity of zero with
/// `ZeroCapacity`, and on the outbox of a running component with `Started`.
#[test]
fn receiver_new_refuses_a_linked_or_running_outbox() -> TestResult {
    let node = part(Double::new());
    let ports = node.handles();
    assert_eq!(
        Receiver::bounded(&ports.outbox, 0).unwrap_err(),
        LinkError::ZeroCapacity { inbox: "handle" }
    );
    let _first = Receiver::new(&ports.outbox)?;
    assert_eq!(
        Receiver::new(&ports.outbox).unwrap_err(),
        LinkError::AlreadyLinked { outbox: "outbox" }
    );
    assert_eq!(
        Receiver::bounded(&ports.outbox, 3).unwrap_err(),
        LinkError::AlreadyLinked { outbox: "outbox" }
    );

    // An outbox left unlinked is sealed when its component starts.
    let node = part(Double::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let handle = spawn(node);
    assert_eq!(
        Receiver::new(&ports.outbox).unwrap_err(),
        LinkError::Started { outbox: "outbox" }
    );
    // Its send then fails, unlinked: the component fails and says why.
    input.send(1)?;
    drop(input);
    let err = join(handle).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert!(
        matches!(&report.component("Double").unwrap().outcome,
            Outcome::Failed(reason) if reason.contains("not linked")),
        "{report}"
    );
    Ok(())
}

/// Backpressure across a handle: a generator sending as fast as it can into
/// `Receiver::bounded(port, 2)` fills exactly two places and then waits.
/// It reports (on a second receiver) how many it had sent when it first
/// found the link full: exactly 2, since nothing has been received yet.
/// After the k-th receive it has completed at most k + 2 sends. Everything
/// arrives, in order.
#[test]
fn a_bounded_receiver_holds_back_a_fast_producer() -> TestResult {
    const N: u32 = 300;
    let sent = Counter::default();
    let node = part(Pace::new(N, sent.clone()));
    let ports = node.handles();
    let mut output = Receiver::bounded(&ports.outbox, 2)?;
    let mut notes = Receiver::new(&ports.note)?;
    let handle = spawn(node);

    assert_eq!(
        notes.recv(),
        Some(2),
        "sends completed before the first wait"
    );
    for k in 0..N {
        assert_eq!(output.recv(), Some(k));
        let done = sent.get();
        assert!(
            done <= k as usize + 1 + 2,
            "after {} receives the producer had sent {done}",
            k + 1
        );
    }
    assert_eq!(output.recv(), None);
    assert_eq!(notes.recv(), None);
    assert_eq!(sent.get(), N as usize);
    assert_all(&join(handle)?, &Outcome::Finished);
    Ok(())
}

/// Against a component's bounded inbox (capacity 2, not read until the
/// component is told to go): `try_send` fills it and then hands the third
/// message back with kind `Full`; a blocking `send` waits until the
/// component takes messages, so it completes only after the go; everything
/// arrives in order.
#[test]
fn send_blocks_on_a_full_bounded_inbox_until_the_component_takes_messages() -> TestResult {
    let node = part(Gate::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut go = Sender::new(&ports.go)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);

    input.try_send(1)?;
    input.try_send(2)?;
    let err = input.try_send(3).unwrap_err();
    assert_eq!(err.kind(), SendErrorKind::Full);
    assert_eq!(err.port(), "handle");
    assert_eq!(err.into_inner(), 3);

    let events: Shared<&'static str> = shared();
    let sender = {
        let events = events.clone();
        std::thread::spawn(move || {
            input.send(3).expect("the gate is running");
            push(&events, "sent");
            for n in 4..=20 {
                input.send(n).expect("the gate is running");
            }
        })
    };
    push(&events, "go");
    go.send(())?;
    let got: Vec<u32> = (0..20).map(|_| output.recv().expect("open")).collect();
    assert_eq!(got, (1..=20).collect::<Vec<_>>());
    sender.join().expect("sender thread");
    assert_eq!(take(&events), ["go", "sent"]);
    drop(go);
    assert_eq!(output.recv(), None);
    assert_all(&join(handle)?, &Outcome::Finished);
    Ok(())
}

/// A sender blocked on a full inbox is released when the system shuts down:
/// `send` returns `Closed` with its message, and the report counts what the
/// component left unread.
#[test]
fn a_blocked_send_is_released_by_shutdown() -> TestResult {
    let node = part(Gate::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let _go = Sender::new(&ports.go)?;
    let handle = spawn(node);
    input.send(1)?;
    input.send(2)?;
    let sender = std::thread::spawn(move || input.send(3).map_err(|e| (e.kind(), e.into_inner())));
    handle.shutdown();
    let report = join(handle)?;
    assert_eq!(
        within("a blocked send", move || sender
            .join()
            .expect("sender thread")),
        Err((SendErrorKind::Closed, 3))
    );
    let gate = report.component("Gate").expect("named after its type");
    assert_eq!(gate.outcome, Outcome::Cancelled);
    assert_eq!(unread(gate), [("inbox", 2)]);
    Ok(())
}

/// Dropping a receiver closes the link for the component sending into it:
/// its send fails `Closed`, and with `?` the component fails, named in the
/// report.
#[test]
fn dropping_a_receiver_closes_the_link_for_the_component() -> TestResult {
    let node = part(Pace::new(100, Counter::default()));
    let ports = node.handles();
    let mut output = Receiver::bounded(&ports.outbox, 1)?;
    let mut notes = Receiver::new(&ports.note)?;
    let handle = spawn(node);
    assert_eq!(notes.recv(), Some(1));
    assert_eq!(output.recv(), Some(0));
    drop(output);
    let err = join(handle).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert!(
        matches!(&report.component("Pace").unwrap().outcome,
            Outcome::Failed(reason) if reason.contains("`outbox`")),
        "{report}"
    );
    Ok(())
}

/// `Handle::add` starts a new component in a running system; built on the
/// system's thread, it links to an inbox of a running component (its port
/// handle taken before `spawn`), here one fed only by another component, so
/// bound to the scheduler's thread. Its messages arrive, and it appears in
/// the report.
#[test]
fn add_starts_a_component_linked_to_a_running_one() -> TestResult {
    let (first, second) = (part(Relay::<u32>::new()), part(Relay::<u32>::new()));
    let (first_ports, second_ports) = (first.handles(), second.handles());
    let keep_open = Sender::new(&first_ports.inbox)?;
    let mut output = Receiver::new(&second_ports.outbox)?;
    let handle = spawn(pipeline![first, second]);

    let target = second_ports.inbox.clone();
    handle.add(move || {
        let feed = part(Feed::new(vec![1, 2, 3]));
        link(&feed.handles().outbox, &target, None)?;
        Ok(feed)
    })?;
    let got: Vec<u32> = (0..3).map(|_| output.recv().expect("open")).collect();
    assert_eq!(got, [1, 2, 3]);
    drop(keep_open);
    assert_eq!(output.recv(), None);
    let report = join(handle)?;
    assert_eq!(report.components().len(), 3, "{report}");
    assert_all(&report, &Outcome::Finished);
    assert!(report.component("Feed").is_some(), "{report}");
    Ok(())
}

/// `Handle::add` with a `build` that fails: the failure shows in the
/// report, and `join` returns `Err`.
#[test]
fn add_with_a_failing_build_shows_in_the_report() -> TestResult {
    let node = part(Relay::<u32>::new());
    let ports = node.handles();
    let keep_open = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    handle.add(|| -> Result<Quick, Error> { Err(Error::msg("cannot build")) })?;
    // Still running; a round trip shows the add has been handled.
    let mut input = keep_open;
    input.send(5)?;
    assert_eq!(output.recv(), Some(5));
    drop(input);
    assert_eq!(output.recv(), None);
    let err = join(handle).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert!(
        report
            .failures()
            .any(|(_, reason)| reason == "cannot build"),
        "{report}"
    );
    Ok(())
}

/// `Handle::add` may make handles for the parts it adds: here `build`
/// makes a receiver on the new component's outbox and passes it back to the
/// test, which reads what the new component sends.
#[test]
fn add_can_hand_back_a_receiver_on_the_new_component() -> TestResult {
    let node = part(Relay::<u32>::new());
    let ports = node.handles();
    let keep_open = Sender::new(&ports.inbox)?;
    let handle = spawn(node);
    let (tx, rx) = std::sync::mpsc::channel();
    handle.add(move || {
        let feed = part(Feed::new(vec![4, 5, 6]));
        tx.send(Receiver::new(&feed.handles().outbox)?)
            .map_err(|_| Error::msg("the test is gone"))?;
        Ok(feed)
    })?;
    let mut output = rx.recv()?;
    let got: Vec<u32> = std::iter::from_fn(|| output.recv()).collect();
    assert_eq!(got, [4, 5, 6]);
    drop(keep_open);
    let report = join(handle)?;
    assert_all(&report, &Outcome::Finished);
    assert!(report.component("Feed").is_some(), "{report}");
    Ok(())
}

/// A `build` that panics fails alone, like a component that panics: the
/// running components carry on, and the panic shows in the report instead
/// of taking the whole system down.
#[test]
fn add_with_a_panicking_build_fails_alone() -> TestResult {
    let node = part(Relay::<u32>::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    input.send(1)?;
    assert_eq!(output.recv(), Some(1));
    handle.add(|| -> Result<Quick, Error> { panic!("bad build") })?;
    // The relay is still there.
    let sent = input.send(2).map_err(|e| e.kind());
    let got = output.recv();
    drop(input);
    let result = join(handle);
    assert_eq!(sent, Ok(()), "the system died with the build: {result:?}");
    assert_eq!(got, Some(2), "the system died with the build: {result:?}");
    assert_eq!(output.recv(), None);
    let err = result.unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert!(
        report
            .failures()
            .any(|(_, reason)| reason.contains("bad build")),
        "{report}"
    );
    assert_eq!(
        report.component("Relay").unwrap().outcome,
        Outcome::Finished
    );
    Ok(())
}

/// `Handle::add` after the system has ended returns `Err`.
#[test]
fn add_after_the_system_ended_is_an_error() -> TestResult {
    let handle = spawn(Quick::new());
    wait_until_finished(&handle);
    let ran = Arc::new(AtomicBool::new(false));
    let mark = ran.clone();
    let result = handle.add(move || Ok(Mark::new(mark)));
    assert!(result.is_err(), "add after the end was accepted");
    assert_all(&join(handle)?, &Outcome::Finished);
    assert!(!ran.load(Ordering::SeqCst));
    Ok(())
}

/// `Handle::add` accepted while the system runs is not lost when the last
/// running component finishes before the scheduler next looks at its
/// commands: the added component runs (or `add` would have to say it
/// could not). Here the only component keeps the scheduler thread busy,
/// without pausing, until after `add` has returned `Ok`.
#[test]
fn add_accepted_while_the_last_component_finishes_is_not_lost() -> TestResult {
    let (started, release, ran) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let handle = spawn(Spin::new(started.clone(), release.clone()));
    wait_for(&started);
    let mark = ran.clone();
    handle.add(move || Ok(Mark::new(mark)))?;
    release.store(true, Ordering::SeqCst);
    let report = join(handle)?;
    assert!(
        ran.load(Ordering::SeqCst) && report.component("Mark").is_some(),
        "Handle::add returned Ok but the added component never ran:\n{report}"
    );
    Ok(())
}

/// A component that fails makes `join` return `Err` whose report names it
/// and its reason; sends after the end come back `Closed`.
#[test]
fn a_failing_component_makes_join_return_an_error_naming_it() -> TestResult {
    let node = part(Picky::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(node);
    input.send(3)?;
    assert_eq!(output.recv(), Some(3));
    input.send(-5)?;
    assert_eq!(output.recv(), None);
    let err = join(handle).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert_eq!(
        report.failures().collect::<Vec<_>>(),
        [("Picky", "negative: -5")]
    );
    assert!(
        err.to_string().contains("Picky: failed: negative: -5"),
        "{err}"
    );
    let err = input.send(4).unwrap_err();
    assert_eq!((err.kind(), err.into_inner()), (SendErrorKind::Closed, 4));
    Ok(())
}

/// Shutdown cancels a generator that left messages unread; the report
/// counts them.
#[test]
fn shutdown_counts_what_a_cancelled_generator_left_unread() -> TestResult {
    let node = part(Hold::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let _wait = Sender::new(&ports.wait)?;
    let handle = spawn(node);
    for n in 0..3 {
        input.send(n)?;
    }
    handle.shutdown();
    let report = join(handle)?;
    let hold = report.component("Hold").expect("named after its type");
    assert_eq!(hold.outcome, Outcome::Cancelled);
    assert_eq!(unread(hold), [("inbox", 3)]);
    Ok(())
}

/// The same for a threaded component: no message may go uncounted because
/// the component ran on its own thread.
#[test]
fn shutdown_counts_what_a_cancelled_threaded_component_left_unread() -> TestResult {
    let node = graphline! {
        components {
            hold: BlockingHold::new(),
        }
        links {
            self.inbox -> hold.inbox,
            self.wait -> hold.wait,
        }
    };
    let ports = Part::handles(&node);
    let mut input = Sender::new(&ports.inbox)?;
    let _wait = Sender::new(&ports.wait)?;
    let handle = spawn(node);
    for n in 0..3 {
        input.send(n)?;
    }
    handle.shutdown();
    let report = join(handle)?;
    let hold = report.component("hold").expect("named in the graphline");
    assert_eq!(hold.outcome, Outcome::Cancelled);
    assert_eq!(unread(hold), [("inbox", 3)], "{report}");
    Ok(())
}

/// A threaded component waiting for a message from a handle is not
/// stalled: the sender outside the system may still send. The system stays
/// up while nothing is sent (checked over a short wait: here a timeout is
/// the point, as a stall would end the system at once), then answers, and
/// ends normally when the sender is dropped.
#[test]
fn a_threaded_component_waiting_on_a_handle_is_not_stalled() -> TestResult {
    let system = pipeline![BlockingIncrement::new()];
    let ports = Part::handles(&system);
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(system);
    input.send(1)?;
    assert_eq!(output.recv(), Some(2));
    assert_eq!(
        output.recv_timeout(Duration::from_millis(300)),
        Err(RecvTimeoutError::Timeout),
        "the system ended while a handle could still send"
    );
    input.send(2)?;
    assert_eq!(output.recv(), Some(3));
    drop(input);
    assert_eq!(output.recv(), None);
    assert_all(&join(handle)?, &Outcome::Finished);
    Ok(())
}

/// A threaded component blocked sending into a full bounded receiver is
/// not stalled either: the receiver outside the system makes room.
#[test]
fn a_threaded_component_waiting_for_room_at_a_handle_is_not_stalled() -> TestResult {
    let system = pipeline![BlockingCount::new(50)];
    let ports = Part::handles(&system);
    let mut output = Receiver::bounded(&ports.outbox, 1)?;
    let handle = spawn(system);
    let got: Vec<u32> = std::iter::from_fn(|| output.recv()).collect();
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    assert_all(&join(handle)?, &Outcome::Finished);
    Ok(())
}

/// Round trips with `send_async`/`recv_async` on a current-thread tokio
/// runtime: first one at a time, then a producer and a consumer running
/// concurrently as two futures on that one thread, through a bounded inbox
/// and a bounded receiver, so each must wait without blocking the thread.
/// `join_async` then waits for the report.
#[test]
fn async_round_trips_on_a_current_thread_runtime() -> TestResult {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let gate = part(Gate::new());
    let ports = gate.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut go = Sender::new(&ports.go)?;
    let mut output = Receiver::bounded(&ports.outbox, 2)?;
    let handle = spawn(gate);
    let report = rt.block_on(async move {
        go.send_async(()).await?;
        for n in 0..1_000 {
            input.send_async(n).await?;
            assert_eq!(output.recv_async().await, Some(n));
        }
        let producer = async move {
            for n in 1_000..3_000 {
                input.send_async(n).await?;
            }
            Ok::<_, myelin::SendError<u32>>(())
        };
        let consumer = async move {
            let mut got = Vec::new();
            while let Some(n) = output.recv_async().await {
                got.push(n);
            }
            got
        };
        let (sent, got) = tokio::join!(producer, consumer);
        sent?;
        assert_eq!(got, (1_000..3_000).collect::<Vec<_>>());
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(handle.join_async().await?)
    })?;
    assert_all(&report, &Outcome::Finished);
    Ok(())
}

/// The same on a multi-thread runtime, with the producer and the consumer as
/// separate tasks that may run on different worker threads.
#[test]
fn async_round_trips_on_a_multi_thread_runtime() -> TestResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    let (handle, mut input, mut output) = doubling_system()?;
    let report = rt.block_on(async move {
        let producer = tokio::spawn(async move {
            for n in 0..2_000 {
                input.send_async(n).await.expect("the pipeline is running");
            }
        });
        let consumer = tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(n) = output.recv_async().await {
                got.push(n);
            }
            got
        });
        producer.await?;
        let got = consumer.await?;
        assert_eq!(got, (0..2_000).map(|n| n * 2 + 1).collect::<Vec<_>>());
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(handle.join_async().await?)
    })?;
    assert_all(&report, &Outcome::Finished);
    Ok(())
}

/// `join_async` waits without blocking its executor's thread: on a
/// current-thread runtime, the task that ends the system's input runs while
/// `join_async` is pending on that same thread.
#[test]
fn join_async_does_not_block_the_executor() -> TestResult {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let (handle, mut input, mut output) = doubling_system()?;
    let report = rt.block_on(async move {
        let feed = async move {
            for n in 0..10 {
                input.send_async(n).await.expect("running");
                assert_eq!(output.recv_async().await, Some(n * 2 + 1));
            }
            drop(input);
            assert_eq!(output.recv_async().await, None);
        };
        let ((), report) = tokio::join!(feed, handle.join_async());
        report
    })?;
    assert_all(&report, &Outcome::Finished);
    Ok(())
}

/// `join_async` returns the error of a failed run, with its report.
#[test]
fn join_async_returns_a_failed_run_with_its_report() -> TestResult {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let node = part(Picky::new());
    let ports = node.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let handle = spawn(node);
    let err = rt
        .block_on(async move {
            input.send_async(-1).await.expect("running");
            handle.join_async().await
        })
        .unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert_eq!(
        report.failures().collect::<Vec<_>>(),
        [("Picky", "negative: -1")]
    );
    Ok(())
}

/// Passes numbers through another system, reached through handles held as
/// state: the `async` handle operations work inside a generator component
/// of one system just as on any other executor.
#[component]
struct Bridge {
    /// Numbers to pass through the other system.
    inbox: Inbox<i64>,
    /// What came back.
    outbox: Outbox<i64>,
    to_other: Option<Sender<i64>>,
    from_other: Receiver<i64>,
}

impl Component for Bridge {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut to_other = self.to_other.take().expect("set at construction");
        while let Some(n) = self.inbox.recv().await {
            to_other.send_async(n).await?;
            let back = self.from_other.recv_async().await;
            self.outbox
                .send(back.ok_or_else(|| Error::msg("the other system ended"))?)
                .await?;
        }
        // Ends the other system's input.
        drop(to_other);
        match self.from_other.recv_async().await {
            None => Ok(()),
            Some(n) => Err(Error::msg(format!("unexpected {n}"))),
        }
    }
}

/// Two systems linked by handles: a component of one drives the other
/// with `send_async`/`recv_async`; ending the first system's input ends
/// both, and both report success.
#[test]
fn a_component_can_drive_another_system_through_handles() -> TestResult {
    let (inner, to_inner, from_inner) = doubling_system()?;
    let outer = pipeline![Bridge::new(Some(to_inner), from_inner)];
    let ports = Part::handles(&outer);
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let outer = spawn(outer);
    for n in 0..500 {
        input.send(n)?;
        assert_eq!(output.recv(), Some(n * 2 + 1));
    }
    drop(input);
    assert_eq!(output.recv(), None);
    assert_all(&join(outer)?, &Outcome::Finished);
    assert_all(&join(inner)?, &Outcome::Finished);
    Ok(())
}

/// Many systems run at once, each on its own thread: eight are spawned
/// before any is driven, then driven in turns from one thread, then ended
/// and joined.
#[test]
fn many_systems_run_at_once() -> TestResult {
    let mut systems = (0..8)
        .map(|_| doubling_system())
        .collect::<Result<Vec<_>, _>>()?;
    for round in 0..200 {
        for (i, (_, input, _)) in systems.iter_mut().enumerate() {
            input.send(round * 8 + i as i64)?;
        }
        for (i, (_, _, output)) in systems.iter_mut().enumerate() {
            assert_eq!(output.recv(), Some((round * 8 + i as i64) * 2 + 1));
        }
    }
    let mut handles = Vec::new();
    for (handle, input, mut output) in systems {
        drop(input);
        assert_eq!(output.recv(), None);
        handles.push(handle);
    }
    for handle in handles {
        assert_all(&join(handle)?, &Outcome::Finished);
    }
    Ok(())
}

/// Sends `0..upto` (failing if a send is refused), says so on `sent`, then
/// waits until `wait` ends; with `wait` left unlinked it finishes right
/// after sending.
#[component]
struct SendThenWait {
    /// The numbers.
    outbox: Outbox<u32>,
    /// Waited on, once the numbers are sent, until end of stream.
    wait: Inbox<()>,
    upto: u32,
    sent: std::sync::mpsc::Sender<()>,
}

impl Component for SendThenWait {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.upto {
            self.outbox.send(n).await?;
        }
        let _ = self.sent.send(());
        while self.wait.recv().await.is_some() {}
        Ok(())
    }
}

/// [`SendThenWait`] on its own thread, the blocking way.
#[component(thread)]
struct BlockingSendThenWait {
    /// The numbers.
    outbox: Outbox<u32>,
    /// Waited on, once the numbers are sent, until end of stream.
    wait: Inbox<()>,
    upto: u32,
    sent: std::sync::mpsc::Sender<()>,
}

impl ThreadComponent for BlockingSendThenWait {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for n in 0..self.upto {
            self.outbox.blocking_send(n)?;
        }
        let _ = self.sent.send(());
        while self.wait.blocking_recv().is_some() {}
        Ok(())
    }
}

/// A [`SendThenWait`] of 100 numbers, and where it says it sent them all.
fn hundred() -> (SendThenWait, std::sync::mpsc::Receiver<()>) {
    let (sent, all_sent) = std::sync::mpsc::channel();
    (SendThenWait::new(100, sent), all_sent)
}

/// Waits until `all_sent` says every number was sent, failing the test
/// instead of waiting for good.
fn wait_all_sent(all_sent: &std::sync::mpsc::Receiver<()>) {
    all_sent
        .recv_timeout(HANG)
        .unwrap_or_else(|e| panic!("the numbers were not all sent within {HANG:?}: {e}"));
}

/// The report entry of the receiver outside the system fed by `outbox` of
/// the component at `path`: it must be there.
fn receiver_entry<'r>(report: &'r myelin::Report, path: &str) -> &'r myelin::ComponentReport {
    let name = format!("Receiver({path}.outbox)");
    report
        .component(&name)
        .unwrap_or_else(|| panic!("no entry `{name}` in the report:\n{report}"))
}

/// Issue "Broken promises", item 5: 100 sent, 10 read, the receiver
/// dropped, then `join`. The system had already ended when the receiver was
/// dropped, but its report is handed out by `join`, so the 90 messages the
/// receiver still held are counted there: under the receiver's own entry,
/// on the outbox it was attached to.
#[test]
fn a_receiver_dropped_before_join_counts_what_it_held() -> TestResult {
    let (component, _all_sent) = hundred();
    let node = part(component);
    let mut output = Receiver::new(&node.handles().outbox)?;
    let handle = spawn(node);
    for n in 0..10 {
        assert_eq!(output.recv(), Some(n));
    }
    // Sent everything, and ended: only the report is still to be handed out.
    wait_until_finished(&handle);
    drop(output);
    let report = join(handle)?;
    assert_eq!(report.undelivered(), 90, "{report}");
    assert_eq!(
        unread(receiver_entry(&report, "SendThenWait")),
        [("outbox", 90)]
    );
    assert_eq!(
        report.to_string(),
        "SendThenWait: finished\nReceiver(SendThenWait.outbox): finished; 90 unread in `outbox`\n"
    );
    Ok(())
}

/// The same, with the receiver dropped while the system still runs (the
/// component waits on `wait` until after the drop).
#[test]
fn a_receiver_dropped_while_the_system_runs_counts_what_it_held() -> TestResult {
    let (component, all_sent) = hundred();
    let node = part(component);
    let ports = node.handles();
    let mut output = Receiver::new(&ports.outbox)?;
    let gate = Sender::new(&ports.wait)?;
    let handle = spawn(node);
    for n in 0..10 {
        assert_eq!(output.recv(), Some(n));
    }
    // Dropped earlier, it would make a send fail instead.
    wait_all_sent(&all_sent);
    drop(output);
    drop(gate);
    let report = join(handle)?;
    assert_eq!(
        unread(receiver_entry(&report, "SendThenWait")),
        [("outbox", 90)]
    );
    assert_eq!(report.undelivered(), 90, "{report}");
    assert_eq!(
        report.component("SendThenWait").unwrap().outcome,
        Outcome::Finished
    );
    Ok(())
}

/// The same for a threaded component's outbox, inside a pipeline: the entry
/// names the component by its path.
#[test]
fn a_receiver_on_a_threaded_component_counts_what_it_held() -> TestResult {
    let (sent, all_sent) = std::sync::mpsc::channel();
    let system = pipeline![BlockingSendThenWait::new(100, sent)];
    let mut output = Receiver::new(&Part::handles(&system).outbox)?;
    let handle = spawn(system);
    for n in 0..10 {
        assert_eq!(output.recv(), Some(n));
    }
    wait_all_sent(&all_sent);
    drop(output);
    let report = join(handle)?;
    assert_eq!(
        unread(receiver_entry(&report, "BlockingSendThenWait")),
        [("outbox", 90)]
    );
    assert_eq!(report.undelivered(), 90, "{report}");
    Ok(())
}

/// A system run with plain `myelin::run` on the calling thread, its
/// receiver moved to another thread and dropped there while the system
/// runs: `run` returns the report with what the receiver held.
#[test]
fn a_receiver_on_another_thread_counts_in_the_report_run_returns() -> TestResult {
    let (component, all_sent) = hundred();
    let node = part(component);
    let ports = node.handles();
    let mut output = Receiver::new(&ports.outbox)?;
    let gate = Sender::new(&ports.wait)?;
    let reader = std::thread::spawn(move || {
        for n in 0..10 {
            assert_eq!(output.recv(), Some(n));
        }
        wait_all_sent(&all_sent);
        drop(output);
        // Only now may the system end.
        drop(gate);
    });
    let report = within("myelin::run", move || myelin::run(node))?;
    reader.join().expect("the reader thread");
    assert_eq!(
        unread(receiver_entry(&report, "SendThenWait")),
        [("outbox", 90)]
    );
    assert_eq!(report.undelivered(), 90, "{report}");
    Ok(())
}

/// Any inbox dropped on a plain thread counts, not only a `Receiver`: here
/// one linked by hand to the component's outbox and read on the test's
/// thread.
#[test]
fn an_inbox_dropped_on_a_plain_thread_counts_what_it_held() -> TestResult {
    let (component, all_sent) = hundred();
    let node = part(component);
    let mut inbox: Inbox<u32> = Inbox::new("results");
    link(&node.handles().outbox, &inbox.port(), None)?;
    let handle = spawn(node);
    for n in 0..10 {
        assert_eq!(inbox.blocking_recv(), Some(n));
    }
    wait_all_sent(&all_sent);
    drop(inbox);
    let report = join(handle)?;
    assert_eq!(
        unread(receiver_entry(&report, "SendThenWait")),
        [("outbox", 90)]
    );
    assert_eq!(report.undelivered(), 90, "{report}");
    Ok(())
}

/// `join_async` hands the report out the same way: a receiver dropped
/// before it completes is counted.
#[test]
fn join_async_counts_a_dropped_receiver() -> TestResult {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let (component, all_sent) = hundred();
    let node = part(component);
    let mut output = Receiver::new(&node.handles().outbox)?;
    let handle = spawn(node);
    let report = rt.block_on(async move {
        for n in 0..10 {
            assert_eq!(output.recv_async().await, Some(n));
        }
        wait_all_sent(&all_sent);
        drop(output);
        handle.join_async().await
    })?;
    assert_eq!(
        unread(receiver_entry(&report, "SendThenWait")),
        [("outbox", 90)]
    );
    Ok(())
}

/// A receiver that outlives the system keeps its messages for its user:
/// they are not in the report `join` hands out, and can still be read,
/// to the end of the stream, after it.
#[test]
fn a_receiver_alive_at_join_keeps_its_messages() -> TestResult {
    let (component, _all_sent) = hundred();
    let node = part(component);
    let mut output = Receiver::new(&node.handles().outbox)?;
    let report = join(spawn(node))?;
    assert_eq!(report.undelivered(), 0, "{report}");
    assert_eq!(report.components().len(), 1, "{report}");
    for n in 0..100 {
        assert_eq!(output.recv(), Some(n));
    }
    assert_eq!(output.recv(), None);
    Ok(())
}

/// A receiver created before `spawn` and dropped before the system starts
/// closes its link from the start: the component's first send is refused
/// and hands the message back (`?` then fails the component, naming the
/// outbox). Nothing was ever held, so nothing is counted.
#[test]
fn a_receiver_dropped_before_the_system_starts_refuses_every_send() -> TestResult {
    let (component, _all_sent) = hundred();
    let node = part(component);
    drop(Receiver::new(&node.handles().outbox)?);
    let err = join(spawn(node)).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert!(
        matches!(&report.component("SendThenWait").unwrap().outcome,
            Outcome::Failed(reason) if reason.contains("`outbox`")),
        "{report}"
    );
    assert_eq!(report.components().len(), 1, "{report}");
    assert_eq!(report.undelivered(), 0, "{report}");
    Ok(())
}

/// Sends `what` when dropped.
struct OnDrop {
    tell: std::sync::mpsc::Sender<&'static str>,
    what: &'static str,
}

impl Drop for OnDrop {
    fn drop(&mut self) {
        let _ = self.tell.send(self.what);
    }
}

std::thread_local! {
    /// Dropped when the thread that set it ends.
    static AT_THREAD_END: std::cell::RefCell<Option<OnDrop>> =
        const { std::cell::RefCell::new(None) };
}

/// Waits for numbers until its input ends. It says `started` when its body
/// starts, `dropped` when it is torn down, and `thread ended` when the
/// thread it ran on (the system's) ends.
#[component]
struct Lingering {
    /// Waited on until end of stream (or shutdown).
    inbox: Inbox<u32>,
    tell: std::sync::mpsc::Sender<&'static str>,
    #[expect(dead_code, reason = "held only for what its `Drop` does")]
    dropped: OnDrop,
}

impl Lingering {
    fn telling(tell: &std::sync::mpsc::Sender<&'static str>) -> Self {
        Self::new(
            tell.clone(),
            OnDrop {
                tell: tell.clone(),
                what: "dropped",
            },
        )
    }
}

impl Component for Lingering {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        AT_THREAD_END.with(|slot| {
            *slot.borrow_mut() = Some(OnDrop {
                tell: self.tell.clone(),
                what: "thread ended",
            });
        });
        let _ = self.tell.send("started");
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Blocks its thread outside myelin, deaf to cancellation, until `release`
/// gives word; says `stubborn started` first.
#[component(thread)]
struct Stubborn {
    release: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    tell: std::sync::mpsc::Sender<&'static str>,
}

impl ThreadComponent for Stubborn {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        let _ = self.tell.send("stubborn started");
        let _ = self.release.lock().expect("not poisoned").recv();
        Ok(())
    }
}

/// The next event `events` tells of, failing the test instead of waiting
/// for good.
fn next_event(events: &std::sync::mpsc::Receiver<&'static str>, waiting_for: &str) -> &'static str {
    events
        .recv_timeout(HANG)
        .unwrap_or_else(|e| panic!("no event within {HANG:?} while waiting for {waiting_for}: {e}"))
}

/// A current-thread tokio runtime with timers.
fn tokio_with_time() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
}

/// Issue "Broken promises", item 11: a `tokio::time::timeout` around
/// `join_async` expires and drops its future. That shuts the system down,
/// as dropping a `Handle` does: its component is cancelled (torn down, and
/// the sender still held sees its inbox closed) and the system's thread
/// ends.
#[test]
fn dropping_the_join_async_future_shuts_the_system_down() -> TestResult {
    let (tell, events) = std::sync::mpsc::channel();
    let node = part(Lingering::telling(&tell));
    // Held open: left alone, the system would wait for it forever.
    let mut input = Sender::new(&node.handles().inbox)?;
    let handle = spawn(node);
    assert_eq!(next_event(&events, "the start"), "started");
    let rt = tokio_with_time()?;
    let waited = within("the timeout around join_async", move || {
        rt.block_on(async move {
            tokio::time::timeout(Duration::from_millis(10), handle.join_async())
                .await
                .is_err()
        })
    });
    assert!(waited, "the system cannot end by itself");
    assert_eq!(next_event(&events, "the cancellation"), "dropped");
    assert_eq!(
        next_event(&events, "the system's thread to end"),
        "thread ended"
    );
    assert_eq!(input.send(1).unwrap_err().kind(), SendErrorKind::Closed);
    Ok(())
}

/// Dropping the future only asks the system to stop: it returns at once,
/// even while a threaded component, deaf to cancellation, holds the system
/// up; the system ends in the background once that component returns.
#[test]
fn dropping_the_join_async_future_does_not_wait_for_the_system() -> TestResult {
    let (tell, events) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel();
    let lingering = part(Lingering::telling(&tell));
    let _input = Sender::new(&lingering.handles().inbox)?;
    let system = myelin::Graph::new("graph")
        .child(Some("lingering"), lingering)
        .child(
            Some("stubborn"),
            part(Stubborn::new(std::sync::Mutex::new(released), tell.clone())),
        );
    let handle = spawn(system);
    let mut started = [
        next_event(&events, "the starts"),
        next_event(&events, "the starts"),
    ];
    started.sort_unstable();
    assert_eq!(started, ["started", "stubborn started"]);
    let rt = tokio_with_time()?;
    // Were the drop to wait for the system, it would wait for `Stubborn`,
    // which waits for the release below: the watchdog would fire.
    let waited = within("dropping the join_async future", move || {
        rt.block_on(async move {
            tokio::time::timeout(Duration::from_millis(10), handle.join_async())
                .await
                .is_err()
        })
    });
    assert!(waited, "the system cannot end by itself");
    release.send(())?;
    loop {
        match next_event(&events, "the system's thread to end") {
            "thread ended" => break,
            "dropped" => {}
            other => panic!("unexpected event {other}"),
        }
    }
    Ok(())
}

/// A `JoinFuture` can be awaited on a multi-threaded executor and held in
/// a spawned task.
const _: fn() = || {
    fn send_sync_unpin<T: Send + Sync + Unpin>() {}
    send_sync_unpin::<myelin::JoinFuture>();
};

/// To stop the system and still get its report, keep the future: a timeout
/// around `&mut` it leaves the system running; `JoinFuture::shutdown` then
/// stops it, and the future returns the report of a cancelled run.
#[test]
fn join_future_shutdown_stops_the_system_and_returns_its_report() -> TestResult {
    let (tell, events) = std::sync::mpsc::channel();
    let node = part(Lingering::telling(&tell));
    let mut input = Sender::new(&node.handles().inbox)?;
    let join = spawn(node).join_async();
    assert_eq!(next_event(&events, "the start"), "started");
    let rt = tokio_with_time()?;
    let report = within("join_async after shutdown", move || {
        rt.block_on(async move {
            tokio::pin!(join);
            let waited = tokio::time::timeout(Duration::from_millis(10), &mut join).await;
            assert!(waited.is_err(), "the system cannot end by itself");
            assert!(!join.is_finished());
            // Still running: a message still goes in.
            input.send_async(1).await.expect("still running");
            join.shutdown();
            join.await
        })
    })?;
    assert_eq!(
        report.component("Lingering").unwrap().outcome,
        Outcome::Cancelled
    );
    assert_eq!(next_event(&events, "the cancellation"), "dropped");
    Ok(())
}

/// `is_finished` says the system has ended, not that what it sent has been
/// read: false while a component waits on an open sender; true once it
/// has ended, with every message it sent still in the receiver, to read
/// after the end.
#[test]
fn is_finished_means_ended_not_drained() -> TestResult {
    let system = pipeline![Relay::<u32>::new()];
    let ports = Part::handles(&system);
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = spawn(system);
    for n in 0..3 {
        input.send(n)?;
    }
    assert_eq!(output.recv(), Some(0));
    // The relay waits for more: `input` is open.
    assert!(!handle.is_finished());
    drop(input);
    let handle = within("is_finished", move || {
        wait_until_finished(&handle);
        handle
    });
    assert_eq!(output.try_recv(), Ok(1));
    assert_eq!(output.try_recv(), Ok(2));
    assert_eq!(output.try_recv(), Err(TryRecvError::Closed));
    let report = join(handle)?;
    assert!(report.is_success(), "{report}");
    Ok(())
}
