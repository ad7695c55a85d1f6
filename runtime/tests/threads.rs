//! Threaded components: `#[component(thread)]` with a blocking body on its
//! own OS thread, linked like any generator component.
//!
//! Ports Axon's `threadedcomponent` scenarios (`TA/test_ThreadedComponent.py`;
//! section 3 of the Axon reference, scenarios 53-60), and checks what myelin
//! adds: mixed graphs, failures reported with their message, `recv_timeout`
//! and an interruptible `pause`, no lost wake-ups across the thread
//! boundary, shutdown reaching a blocked thread, unread messages counted, and
//! blocking operations refused on the scheduler.
//!
//! Nothing here waits by sleeping: threads and generators synchronise with
//! messages (a thread tells a generator through a link that it is about to
//! wait, and only then does the generator act). A thread sleeps only to be
//! slow. Every run goes through [`run`], which fails the test instead of
//! hanging it if the run never returns.

mod common;

use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

use myelin::prelude::*;
use myelin::{
    Graph, LinkError, Node, Outcome, Part, Ports, RecvTimeoutError, Report, SendErrorKind,
    ThreadNode, TryRecvError, link,
};

use common::{Collect, Feed, Relay, Shared, Sleeper, push, shared, take};

/// How long a run may take before the test calls it a hang. Far above what
/// any run here needs; reached only if the runtime loses a wake-up.
const HANG: Duration = Duration::from_secs(60);

/// A timeout that no test waits out unless something is wrong.
const LONG: Duration = Duration::from_secs(30);

/// `myelin::run` on a helper thread, failing the test (instead of hanging it)
/// if the run has not returned after [`HANG`].
fn run<P: myelin::IntoPart + Send + 'static>(system: P) -> Result<Report, Error> {
    run_within(system, HANG)
}

/// `myelin::run` on a helper thread, failing the test if the run has not
/// returned after `limit`.
fn run_within<P: myelin::IntoPart + Send + 'static>(
    system: P,
    limit: Duration,
) -> Result<Report, Error> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("test scheduler".into())
        .spawn(move || {
            let _ = tx.send(myelin::run(system));
        })
        .expect("spawn the scheduler thread");
    match rx.recv_timeout(limit) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("myelin::run did not return within {limit:?}: the system hangs")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("myelin::run panicked"),
    }
}

/// The report of a run that must succeed, printing the error otherwise.
fn run_ok<P: myelin::IntoPart + Send + 'static>(system: P) -> Report {
    match run(system) {
        Ok(report) => report,
        Err(e) => panic!("the run failed:\n{e}"),
    }
}

/// What a component left behind, as (port, count).
fn unread(component: &myelin::ComponentReport) -> Vec<(&'static str, usize)> {
    component
        .undelivered
        .iter()
        .map(|u| (u.port, u.count))
        .collect()
}

/// Every component's name and outcome, in start order.
fn outcomes(report: &Report) -> Vec<(&str, &Outcome)> {
    report
        .components()
        .iter()
        .map(|c| (c.name.as_str(), &c.outcome))
        .collect()
}

// ---------------------------------------------------------------------------
// Mixed graphs
// ---------------------------------------------------------------------------

/// Doubles every number, on its own thread.
#[component(thread)]
struct ThreadDouble {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl ThreadComponent for ThreadDouble {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n * 2)?;
        }
        Ok(())
    }
}

/// Sends `0..n` from its own thread.
#[component(thread)]
struct ThreadCount {
    outbox: Outbox<u64>,
    n: u64,
}

impl ThreadComponent for ThreadCount {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.blocking_send(i)?;
        }
        Ok(())
    }
}

/// Stores everything it receives, on its own thread.
#[component(thread)]
struct ThreadCollect {
    inbox: Inbox<u64>,
    seen: Shared<u64>,
}

impl ThreadComponent for ThreadCollect {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            push(&self.seen, n);
        }
        Ok(())
    }
}

/// A generator source, a threaded middle stage and a generator sink in one
/// pipeline: everything arrives, doubled and in order, and every stage
/// finishes.
#[test]
fn a_generator_thread_generator_pipeline_delivers_everything_in_order() {
    let got = shared::<u64>();
    let report = run_ok(pipeline![
        Feed::new((1..=1000).collect::<Vec<u64>>()),
        ThreadDouble::new(),
        Collect::new(got.clone()),
    ]);
    assert_eq!(take(&got), (1..=1000).map(|n| n * 2).collect::<Vec<_>>());
    assert_eq!(
        outcomes(&report),
        [
            ("Feed", &Outcome::Finished),
            ("ThreadDouble", &Outcome::Finished),
            ("Collect", &Outcome::Finished),
        ]
    );
    assert_eq!(report.undelivered(), 0);
}

/// The other way round, and threads linked straight to threads: a threaded
/// source, a generator relay, two threaded stages in a row and a threaded
/// sink.
#[test]
fn a_thread_generator_thread_thread_pipeline_delivers_everything_in_order() {
    let got = shared();
    let report = run_ok(pipeline![
        ThreadCount::new(500),
        Relay::<u64>::new(),
        ThreadDouble::new(),
        ThreadDouble::new(),
        ThreadCollect::new(got.clone()),
    ]);
    assert_eq!(take(&got), (0..500).map(|n| n * 4).collect::<Vec<_>>());
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished),
        "{report}"
    );
    assert_eq!(report.components().len(), 5);
}

/// Pairs each number with a word, reading both inputs on its own thread,
/// until either input ends.
#[component(thread)]
struct ThreadZip {
    numbers: Inbox<u64>,
    words: Inbox<String>,
    outbox: Outbox<(u64, String)>,
}

impl ThreadComponent for ThreadZip {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let (Some(n), Some(w)) = (self.numbers.blocking_recv(), self.words.blocking_recv()) {
            self.outbox.blocking_send((n, w))?;
        }
        Ok(())
    }
}

/// Sends each word from its own thread.
#[component(thread)]
struct ThreadWords {
    outbox: Outbox<String>,
    words: Vec<String>,
}

impl ThreadComponent for ThreadWords {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for w in std::mem::take(&mut self.words) {
            self.outbox.blocking_send(w)?;
        }
        Ok(())
    }
}

/// A graphline mixing kinds: a generator and a thread feed a threaded zip
/// through a nested graphline whose only child is a thread; a generator
/// collects the pairs; generators hear the zip's `signal` and the nested
/// graphline's `signal` (sent by its chassis once its threaded child ends).
#[test]
fn a_graphline_mixing_generators_and_threads_delivers_and_signals() {
    let (pairs, zip_heard, stage_heard) = (
        shared::<(u64, String)>(),
        shared::<Control>(),
        shared::<Control>(),
    );
    let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let stage = graphline! {
        components { double: ThreadDouble::new() }
        links {
            self.inbox -> double.inbox,
            double.outbox -> self.outbox,
        }
    };
    let system = graphline! {
        components {
            numbers: Feed::new((0..40).collect::<Vec<u64>>()),
            stage: stage,
            words: ThreadWords::new(words.clone()),
            zip: ThreadZip::new(),
            sink: Collect::new(pairs.clone()),
            zip_watch: Collect::new(zip_heard.clone()),
            stage_watch: Collect::new(stage_heard.clone()),
        }
        links {
            numbers.outbox -> stage.inbox (capacity = 3),
            stage.outbox -> zip.numbers (capacity = 1),
            words.outbox -> zip.words (capacity = 2),
            zip.outbox -> sink.inbox,
            zip.signal -> zip_watch.inbox,
            stage.signal -> stage_watch.inbox,
        }
    };
    let report = run_ok(system);
    let expected: Vec<(u64, String)> = (0..40).map(|i| (i * 2, format!("w{i}"))).collect();
    assert_eq!(take(&pairs), expected);
    assert_eq!(
        take(&zip_heard),
        [Control::Finished {
            component: "zip".into()
        }]
    );
    assert_eq!(
        take(&stage_heard),
        [Control::Finished {
            component: "stage".into()
        }]
    );
    for name in ["numbers", "stage.double", "words", "zip", "sink"] {
        assert_eq!(
            report.component(name).map(|c| &c.outcome),
            Some(&Outcome::Finished),
            "{report}"
        );
    }
    assert_eq!(report.undelivered(), 0);
}

// ---------------------------------------------------------------------------
// Axon scenarios 53-60
// ---------------------------------------------------------------------------

/// A threaded component with a declared capacity.
#[component(thread)]
struct Ported {
    /// Bytes in.
    #[inbox(capacity = 7)]
    inbox: Inbox<u8>,
    /// Bytes out.
    outbox: Outbox<u8>,
}

impl ThreadComponent for Ported {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        Ok(())
    }
}

/// Axon scenario 53 (TA/test_ThreadedComponent.py): a threaded component has
/// the default four boxes and accepts the queue length as its first
/// argument.
///
/// In myelin a threaded component declares its ports like any component and
/// gets the built-in `control` and `signal`; there is no separate queue, so
/// its "queue length" is its inbox's capacity, declared with
/// `#[inbox(capacity = N)]` (or given where it is linked).
#[test]
fn a_threaded_component_has_its_declared_ports_plus_control_and_signal() {
    let info = Ported::INFO;
    assert_eq!(info.name, "Ported");
    let inboxes: Vec<_> = info.inboxes.iter().map(|p| (p.name, p.message)).collect();
    let outboxes: Vec<_> = info.outboxes.iter().map(|p| (p.name, p.message)).collect();
    assert_eq!(inboxes, [("inbox", "u8")]);
    assert_eq!(outboxes, [("outbox", "u8")]);

    let node = ThreadNode::new(Ported::new());
    let ports = node.handles();
    assert_eq!(ports.inbox.capacity(), Some(7));
    assert!(!ports.outbox.is_linked());
    assert_eq!(ports.control.name(), "control");
    assert_eq!(ports.signal.name(), "signal");
    assert!(!ports.signal.is_linked());
    assert_eq!(node.default_name(), "Ported");
}

/// Is slow, then records that its body ran to the end.
#[component(thread)]
struct SlowThenDone {
    done: Shared<&'static str>,
}

impl ThreadComponent for SlowThenDone {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        // Slow on purpose: `run` must wait for the body, however long.
        std::thread::sleep(Duration::from_millis(50));
        push(&self.done, "main returned");
        Ok(())
    }
}

/// Axon scenario 54 (TA/test_ThreadedComponent.py): when the thread's `main`
/// returns, the proxy microprocess ends and the scheduler becomes empty.
///
/// In myelin `run` returns once the threaded body has returned (not
/// before), and the report lists the component once, finished: its proxy on
/// the scheduler is not a component of its own.
#[test]
fn the_system_ends_when_the_threaded_body_returns() {
    let done = shared();
    let report = run_ok(SlowThenDone::new(done.clone()));
    assert_eq!(take(&done), ["main returned"]);
    assert_eq!(outcomes(&report), [("SlowThenDone", &Outcome::Finished)]);
}

/// Records the OS thread its generator body runs on, then tells the thread.
#[component]
struct WhereGen {
    outbox: Outbox<ThreadId>,
    ids: Shared<(&'static str, ThreadId)>,
}

impl Component for WhereGen {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let me = std::thread::current().id();
        push(&self.ids, ("generator", me));
        self.outbox.send(me).await?;
        Ok(())
    }
}

/// Records the OS thread its body runs on and its name, and what the
/// generator said.
#[component(thread)]
struct WhereThread {
    inbox: Inbox<ThreadId>,
    ids: Shared<(&'static str, ThreadId)>,
    names: Shared<String>,
}

impl ThreadComponent for WhereThread {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        push(&self.ids, ("thread", std::thread::current().id()));
        push(&self.names, cx.name().to_owned());
        let heard = self
            .inbox
            .blocking_recv()
            .expect("the generator sends once");
        push(&self.ids, ("heard", heard));
        Ok(())
    }
}

/// Axon scenario 55 (TA/test_ThreadedComponent.py): `main` runs on a
/// different OS thread from the scheduler.
///
/// In myelin generators run on the thread that called `run`; a threaded
/// component's body runs on another OS thread, one per component.
#[test]
fn the_threaded_body_runs_on_another_os_thread_than_the_scheduler() {
    let (ids, names) = (shared(), shared());
    let (tx, rx) = mpsc::channel();
    let system = graphline! {
        components {
            one: WhereThread::new(ids.clone(), names.clone()),
            two: WhereThread::new(ids.clone(), names.clone()),
            gen1: WhereGen::new(ids.clone()),
            gen2: WhereGen::new(ids.clone()),
        }
        links {
            gen1.outbox -> one.inbox,
            gen2.outbox -> two.inbox,
        }
    };
    // The scheduler is the thread that calls `myelin::run`.
    std::thread::spawn(move || {
        let scheduler = std::thread::current().id();
        let _ = tx.send((scheduler, myelin::run(system).is_ok()));
    });
    let (scheduler, ok) = rx.recv_timeout(HANG).expect("the run returns");
    assert!(ok);
    let ids = take(&ids);
    let of = |kind| -> Vec<ThreadId> {
        ids.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect()
    };
    assert_eq!(of("generator"), [scheduler, scheduler]);
    assert_eq!(of("heard"), [scheduler, scheduler]);
    let threads = of("thread");
    assert_eq!(threads.len(), 2);
    assert!(
        !threads.contains(&scheduler),
        "{threads:?} vs {scheduler:?}"
    );
    assert_ne!(threads[0], threads[1]);
    let mut names = take(&names);
    names.sort();
    assert_eq!(names, ["one", "two"]);
}

/// Inspects and reads its inbox with every operation a thread has, once its
/// producer has finished, and reports what it saw through its outbox.
#[component(thread)]
struct Inspect {
    inbox: Inbox<u32>,
    outbox: Outbox<String>,
}

impl ThreadComponent for Inspect {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let mut seen = Vec::new();
        seen.push(format!("control {:?}", cx.control().blocking_recv()));
        seen.push(format!("len {}", self.inbox.len()));
        seen.push(format!("try_recv {:?}", self.inbox.try_recv()));
        seen.push(format!("blocking_recv {:?}", self.inbox.blocking_recv()));
        seen.push(format!("recv_timeout {:?}", self.inbox.recv_timeout(LONG)));
        seen.push(format!(
            "drain {:?}",
            self.inbox.drain().collect::<Vec<_>>()
        ));
        seen.push(format!("blocking_recv {:?}", self.inbox.blocking_recv()));
        seen.push(format!("recv_timeout {:?}", self.inbox.recv_timeout(LONG)));
        seen.push(format!("try_recv {:?}", self.inbox.try_recv()));
        seen.push(format!("delivered {}", self.inbox.delivered()));
        seen.push(format!("finished {}", self.inbox.is_finished()));
        for s in seen {
            self.outbox.blocking_send(s)?;
        }
        self.outbox.try_send("try_send".to_owned())?;
        Ok(())
    }
}

/// Axon scenario 56 (TA/test_ThreadedComponent.py): the thread receives with
/// `dataReady`/`recv` and sends with `send`, and the data flows through the
/// real boxes.
///
/// In myelin the thread uses the very same `Inbox` and `Outbox` as a
/// generator: `len` (Axon's `dataReady`), `try_recv`, `drain`, the blocking
/// `blocking_recv`/`recv_timeout`, and `blocking_send`/`try_send`; end of
/// stream and the delivered count behave as for a generator, and the
/// upstream `Finished` arrives on the thread's `control`.
#[test]
fn a_thread_receives_and_sends_through_the_real_boxes() {
    let seen = shared::<String>();
    run_ok(pipeline![
        Feed::new(vec![1, 2, 3, 4, 5]),
        Inspect::new(),
        Collect::new(seen.clone()),
    ]);
    assert_eq!(
        take(&seen),
        [
            "control Some(Finished { component: \"Feed\" })",
            "len 5",
            "try_recv Ok(1)",
            "blocking_recv Some(2)",
            "recv_timeout Ok(3)",
            "drain [4, 5]",
            "blocking_recv None",
            "recv_timeout Err(Closed)",
            "try_recv Err(Closed)",
            "delivered 5",
            "finished true",
            "try_send",
        ]
    );
}

/// Tries to link another component's outbox while that component runs:
/// to an inbox outside the system, and to an inbox of the running system.
#[component(thread)]
struct ThreadRelinker {
    from: myelin::OutboxPort<u32>,
    outside: myelin::InboxPort<u32>,
    inside: myelin::InboxPort<u32>,
    result: Shared<Result<(), LinkError>>,
}

impl ThreadComponent for ThreadRelinker {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        push(&self.result, link(&self.from, &self.outside, None));
        push(&self.result, link(&self.from, &self.inside, None));
        Ok(())
    }
}

/// Has an unlinked outbox `extra`; once it hears anything on `control`,
/// sends on it and records how that went.
#[component(thread)]
struct ThreadSpare {
    extra: Outbox<u32>,
    sent: Shared<Option<SendErrorKind>>,
}

impl ThreadComponent for ThreadSpare {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let _ = cx.control().blocking_recv();
        push(
            &self.sent,
            self.extra.blocking_send(5).err().map(|e| e.kind()),
        );
        Ok(())
    }
}

/// Axon scenario 57 (TA/test_ThreadedComponent.py): `link`/`unlink` called
/// from the thread run on the scheduler thread, so the postoffice is never
/// entered concurrently.
///
/// myelin has no postoffice to protect: links are fixed before the system
/// starts, for threads as for generators. A link attempted from a thread
/// while the system runs is refused (`LinkError::Started` for the running
/// component's outbox) and changes nothing: that outbox stays unlinked, so
/// its send fails `Unlinked`, and neither would-be destination receives
/// anything or gains a sender.
#[test]
fn a_link_made_from_a_thread_while_running_is_refused_and_changes_nothing() {
    let (result, sent, got) = (shared(), shared(), shared::<u32>());
    let outside: Inbox<u32> = Inbox::new("outside");
    let spare = ThreadNode::new(ThreadSpare::new(sent.clone()));
    let sink = Node::new(Collect::new(got.clone()));
    let relinker = ThreadNode::new(ThreadRelinker::new(
        spare.handles().extra,
        outside.port(),
        sink.handles().inbox,
        result.clone(),
    ));
    // The relinker's end tells the spare to try its outbox.
    link(&relinker.signal_port(), &spare.control_port(), None).unwrap();
    let system = Graph::new("graph")
        .child(Some("spare"), spare)
        .child(Some("relinker"), relinker)
        .child(Some("sink"), sink);
    let report = run_ok(system);
    let result = take(&result);
    assert_eq!(result.len(), 2, "{result:?}");
    assert_eq!(result[0], Err(LinkError::Started { outbox: "extra" }));
    assert!(result[1].is_err(), "{result:?}");
    assert_eq!(take(&sent), [Some(SendErrorKind::Unlinked)]);
    assert!(take(&got).is_empty());
    // No sender was added: the outside inbox is at end of stream.
    assert!(outside.is_finished());
    assert_eq!(report.components().len(), 3);
}

/// Floods two outboxes nobody drains with `try_send`: `wide` (unbounded
/// destination) with `n` messages, `narrow` (bounded destination) until it is
/// refused. Records how many each took and what came back.
#[component(thread)]
struct Flood {
    wide: Outbox<u32>,
    narrow: Outbox<u32>,
    n: u32,
    result: Shared<String>,
}

impl ThreadComponent for Flood {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        let mut wide = 0;
        for i in 0..self.n {
            match self.wide.try_send(i) {
                Ok(()) => wide += 1,
                Err(e) => {
                    push(&self.result, format!("wide refused {i}: {:?}", e.kind()));
                    break;
                }
            }
        }
        push(&self.result, format!("wide took {wide}"));
        let mut narrow = 0;
        loop {
            match self.narrow.try_send(narrow) {
                Ok(()) => narrow += 1,
                Err(e) => {
                    let kind = e.kind();
                    push(
                        &self.result,
                        format!(
                            "narrow took {narrow}, then {kind:?} with {}",
                            e.into_inner()
                        ),
                    );
                    break;
                }
            }
            if narrow > 1000 {
                push(&self.result, "narrow never refused".to_owned());
                break;
            }
        }
        Ok(())
    }
}

/// Waits until its producer has finished, then counts what is queued on
/// each inbox.
#[component]
struct CountAfterEnd {
    wide: Inbox<u32>,
    narrow: Inbox<u32>,
    counts: Shared<(usize, usize)>,
}

impl Component for CountAfterEnd {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let heard = cx.control().recv().await;
        assert!(matches!(heard, Some(Control::Finished { .. })), "{heard:?}");
        let wide = self.wide.drain().count();
        let narrow = self.narrow.drain().count();
        push(&self.counts, (wide, narrow));
        Ok(())
    }
}

/// Axon scenario 58 (TA/test_ThreadedComponent.py): the out-queue has a
/// default bound (1000); with `queuelengths=Q`, a thread flooding an
/// undrained outbox gets `noSpaceInBox` after exactly Q sends.
///
/// myelin has no hidden out-queue between a thread and its destination:
/// a thread's `try_send` is bounded only by the destination inbox. Into an
/// unbounded inbox nobody drains, 5000 sends (more than Axon's default
/// 1000) all succeed; into a capacity-3 inbox, exactly 3 do, and the fourth
/// comes back `Full` carrying the message.
#[test]
fn a_thread_is_bounded_only_by_its_destination_not_by_a_hidden_queue() {
    let (result, counts) = (shared(), shared());
    let system = graphline! {
        components {
            flood: Flood::new(5000, result.clone()),
            rx: CountAfterEnd::new(counts.clone()),
        }
        links {
            flood.wide -> rx.wide,
            flood.narrow -> rx.narrow (capacity = 3),
            flood.signal -> rx.control,
        }
    };
    run_ok(system);
    assert_eq!(
        take(&result),
        ["wide took 5000", "narrow took 3, then Full with 3"]
    );
    assert_eq!(take(&counts), [(5000, 3)]);
}

/// `try_send`s `next, next + 1, ...` until the destination is full; returns
/// how many it took, checking the refusal is `Full` with the message.
fn fill(outbox: &mut Outbox<u32>, next: &mut u32) -> usize {
    let mut took = 0;
    loop {
        match outbox.try_send(*next) {
            Ok(()) => {
                *next += 1;
                took += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), SendErrorKind::Full);
                assert_eq!(e.into_inner(), *next);
                return took;
            }
        }
    }
}

/// What a prober sends on `go`: collect this many, then acknowledge.
/// `DRAIN` means: now read everything, slowly, until the end.
const DRAIN: usize = usize::MAX;

/// A generator probing a bounded threaded consumer: fills its inbox with
/// `try_send`, tells it to collect k messages, fills again, ...; finally
/// sends the rest of `0..total` with `send().await` as fast as it may.
#[component]
struct GenProber {
    data: Outbox<u32>,
    go: Outbox<usize>,
    ack: Inbox<()>,
    total: u32,
    took: Shared<usize>,
}

impl Component for GenProber {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut next = 0;
        push(&self.took, fill(&mut self.data, &mut next));
        for k in [1, 2] {
            self.go.send(k).await?;
            self.ack.recv().await.expect("the consumer acknowledges");
            push(&self.took, fill(&mut self.data, &mut next));
        }
        self.go.send(DRAIN).await?;
        for n in next..self.total {
            self.data.send(n).await?;
        }
        Ok(())
    }
}

/// A slow threaded consumer with a capacity-2 inbox: collects what `go`
/// asks for and acknowledges; on `DRAIN` reads everything, recording the
/// queue length before each read and dawdling after it.
#[component(thread)]
struct ThreadSlowReader {
    #[inbox(capacity = 2)]
    inbox: Inbox<u32>,
    go: Inbox<usize>,
    ack: Outbox<()>,
    queued: Shared<usize>,
    got: Shared<u32>,
}

impl ThreadComponent for ThreadSlowReader {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(k) = self.go.blocking_recv() {
            if k == DRAIN {
                break;
            }
            for _ in 0..k {
                let m = self
                    .inbox
                    .blocking_recv()
                    .expect("the prober filled the inbox");
                push(&self.got, m);
            }
            self.ack.blocking_send(())?;
        }
        loop {
            push(&self.queued, self.inbox.len());
            let Some(m) = self.inbox.blocking_recv() else {
                return Ok(());
            };
            push(&self.got, m);
            // Slow on purpose, so the producer runs into the bound.
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

/// Axon scenario 59, first and third parts (TA/test_ThreadedComponent.py):
/// backpressure across the thread boundary. A sender into a threaded
/// component whose inbox limit is B and queue length Q fails after Q+B
/// messages; collecting k messages at the destination lets exactly k more
/// through.
///
/// In myelin there is no Q: a generator's `try_send` into a threaded
/// component's capacity-2 inbox is refused `Full` after exactly 2; each time
/// the thread collects k (1, then 2), exactly k more get through. Then a
/// fast generator sending with `send().await` into the slow thread delivers
/// everything in order, and the queue the thread sees never exceeds 2.
#[test]
fn backpressure_from_a_generator_into_a_bounded_thread_inbox() {
    let (took, queued, got) = (shared(), shared(), shared());
    let system = graphline! {
        components {
            tx: GenProber::new(200, took.clone()),
            rx: ThreadSlowReader::new(queued.clone(), got.clone()),
        }
        links {
            tx.data -> rx.inbox,
            tx.go -> rx.go,
            rx.ack -> tx.ack,
        }
    };
    let report = run_ok(system);
    assert_eq!(take(&took), [2, 1, 2]);
    assert_eq!(take(&got), (0..200).collect::<Vec<_>>());
    let queued = take(&queued);
    let most = queued.iter().max().copied();
    assert!(most.is_some_and(|m| m <= 2), "{queued:?}");
    assert_eq!(report.undelivered(), 0);
}

/// The thread-side prober: fills a bounded generator inbox with `try_send`,
/// tells the generator to collect k, fills again, ...; finally sends the rest
/// of `0..total` with `blocking_send`, as fast as it may.
#[component(thread)]
struct ThreadProber {
    data: Outbox<u32>,
    go: Outbox<usize>,
    ack: Inbox<()>,
    total: u32,
    took: Shared<usize>,
}

impl ThreadComponent for ThreadProber {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        let mut next = 0;
        push(&self.took, fill(&mut self.data, &mut next));
        for k in [1, 2] {
            self.go.blocking_send(k)?;
            self.ack.blocking_recv().expect("the consumer acknowledges");
            push(&self.took, fill(&mut self.data, &mut next));
        }
        self.go.blocking_send(DRAIN)?;
        for n in next..self.total {
            self.data.blocking_send(n)?;
        }
        Ok(())
    }
}

/// A slow generator consumer: collects what `go` asks for and
/// acknowledges; on `DRAIN` reads everything, recording the queue length
/// before each read and yielding a few times after it.
#[component]
struct GenSlowReader {
    inbox: Inbox<u32>,
    go: Inbox<usize>,
    ack: Outbox<()>,
    queued: Shared<usize>,
    got: Shared<u32>,
}

impl Component for GenSlowReader {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(k) = self.go.recv().await {
            if k == DRAIN {
                break;
            }
            for _ in 0..k {
                let m = self
                    .inbox
                    .recv()
                    .await
                    .expect("the prober filled the inbox");
                push(&self.got, m);
            }
            self.ack.send(()).await?;
        }
        loop {
            push(&self.queued, self.inbox.len());
            let Some(m) = self.inbox.recv().await else {
                return Ok(());
            };
            push(&self.got, m);
            for _ in 0..3 {
                cx.yield_now().await;
            }
        }
    }
}

/// Axon scenario 59, second and third parts (TA/test_ThreadedComponent.py):
/// a thread sending into a limit-B inbox fails after Q+B; collecting k
/// messages at the destination lets exactly k more through.
///
/// In myelin a thread's `try_send` into a generator's capacity-2 link is
/// refused `Full` after exactly 2, and each collection of k lets exactly k
/// more through; then the thread's `blocking_send` waits on the full link
/// and delivers everything in order, the generator never seeing more than
/// 2 queued.
#[test]
fn backpressure_from_a_thread_into_a_bounded_generator_inbox() {
    let (took, queued, got) = (shared(), shared(), shared());
    let system = graphline! {
        components {
            tx: ThreadProber::new(2000, took.clone()),
            rx: GenSlowReader::new(queued.clone(), got.clone()),
        }
        links {
            tx.data -> rx.inbox (capacity = 2),
            tx.go -> rx.go,
            rx.ack -> tx.ack,
        }
    };
    let report = run_ok(system);
    assert_eq!(take(&took), [2, 1, 2]);
    assert_eq!(take(&got), (0..2000).collect::<Vec<_>>());
    let queued = take(&queued);
    let most = queued.iter().max().copied();
    assert!(most.is_some_and(|m| m <= 2), "{queued:?}");
    assert_eq!(report.undelivered(), 0);
}

/// Sends `0..n` with `send().await`, as fast as the link lets it.
#[component]
struct Fast {
    outbox: Outbox<u32>,
    n: u32,
}

impl Component for Fast {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// A slow threaded consumer with a capacity-2 inbox: records the queue
/// length before each read, and sleeps after it.
#[component(thread)]
struct ThreadSlow {
    #[inbox(capacity = 2)]
    inbox: Inbox<u32>,
    queued: Shared<usize>,
    got: Shared<u32>,
}

impl ThreadComponent for ThreadSlow {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        loop {
            push(&self.queued, self.inbox.len());
            let Some(m) = self.inbox.blocking_recv() else {
                return Ok(());
            };
            push(&self.got, m);
            // Slow on purpose.
            std::thread::sleep(Duration::from_micros(300));
        }
    }
}

/// Axon scenario 59 (TA/test_ThreadedComponent.py), the plain case: a fast
/// generator producer into a slow threaded consumer declared
/// `#[inbox(capacity = 2)]` delivers everything in order, and the queue the
/// consumer sees never holds more than 2.
#[test]
fn a_fast_generator_into_a_slow_thread_is_held_to_the_capacity() {
    let (queued, got) = (shared(), shared());
    run_ok(pipeline![
        Fast::new(300),
        ThreadSlow::new(queued.clone(), got.clone())
    ]);
    assert_eq!(take(&got), (0..300).collect::<Vec<_>>());
    let queued = take(&queued);
    assert!(queued.iter().all(|&q| q <= 2), "{queued:?}");
}

/// Sends `0..n` with `blocking_send`, as fast as the link lets it.
#[component(thread)]
struct ThreadFast {
    outbox: Outbox<u32>,
    n: u32,
}

impl ThreadComponent for ThreadFast {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.blocking_send(i)?;
        }
        Ok(())
    }
}

/// A slow generator consumer: records the queue length before each read and
/// yields a few times after it.
#[component]
struct GenSlow {
    inbox: Inbox<u32>,
    queued: Shared<usize>,
    got: Shared<u32>,
}

impl Component for GenSlow {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            push(&self.queued, self.inbox.len());
            let Some(m) = self.inbox.recv().await else {
                return Ok(());
            };
            push(&self.got, m);
            for _ in 0..3 {
                cx.yield_now().await;
            }
        }
    }
}

/// Axon scenario 59 (TA/test_ThreadedComponent.py), the plain reverse case:
/// a threaded producer blocking in `blocking_send` into a capacity-2
/// generator inbox delivers everything in order, never more than 2 queued.
#[test]
fn a_thread_blocking_send_into_a_bounded_generator_is_held_to_the_capacity() {
    let (queued, got) = (shared(), shared());
    let system = graphline! {
        components {
            tx: ThreadFast::new(3000),
            rx: GenSlow::new(queued.clone(), got.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 2),
        }
    };
    run_ok(system);
    assert_eq!(take(&got), (0..3000).collect::<Vec<_>>());
    let queued = take(&queued);
    assert!(queued.iter().all(|&q| q <= 2), "{queued:?}");
}

/// Reads all but the last of `n` messages, then waits until its producer
/// says it has finished, and records the queue, the last message and the
/// end of stream.
#[component]
struct ReadAfterProducerEnds {
    inbox: Inbox<u32>,
    n: u32,
    got: Shared<u32>,
    after: Shared<String>,
}

impl Component for ReadAfterProducerEnds {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 1..self.n {
            let m = self.inbox.recv().await.expect("the producer sends n");
            push(&self.got, m);
        }
        let heard = cx.control().recv().await;
        push(&self.after, format!("heard {heard:?}"));
        push(&self.after, format!("queued {}", self.inbox.len()));
        while let Some(m) = self.inbox.recv().await {
            push(&self.got, m);
        }
        push(&self.after, "end".to_owned());
        Ok(())
    }
}

/// Axon scenario 60 (TA/test_ThreadedComponent.py), second part: the
/// component does not terminate until every queued outgoing message has been
/// delivered, even when a full destination delays this; everything sent
/// arrives.
///
/// In myelin a thread's `blocking_send` returns once the message is in the
/// destination, so when its body returns everything it sent is there: here
/// the thread ends while its capacity-1 destination is full, and the
/// generator then still reads that last message, then the end of stream.
#[test]
fn a_thread_that_ends_while_its_destination_is_full_loses_nothing() {
    let (got, after) = (shared(), shared());
    let system = graphline! {
        components {
            tx: ThreadFast::new(50),
            rx: ReadAfterProducerEnds::new(50, got.clone(), after.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 1),
            tx.signal -> rx.control,
        }
    };
    let report = run_ok(system);
    assert_eq!(take(&got), (0..50).collect::<Vec<_>>());
    assert_eq!(
        take(&after),
        [
            "heard Some(Finished { component: \"tx\" })",
            "queued 1",
            "end"
        ]
    );
    assert_eq!(report.component("tx").unwrap().outcome, Outcome::Finished);
    assert_eq!(report.undelivered(), 0);
}

/// Fills the thread's bounded inbox, tells it to stop, then sends once more
/// with `send().await`, which waits on the full inbox; records the result.
#[component]
struct Clog {
    data: Outbox<u32>,
    go: Outbox<()>,
    result: Shared<(usize, Option<(SendErrorKind, u32)>)>,
}

impl Component for Clog {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut next = 0;
        let took = fill(&mut self.data, &mut next);
        self.go.send(()).await?;
        let result = self
            .data
            .send(next)
            .await
            .err()
            .map(|e| (e.kind(), e.into_inner()));
        push(&self.result, (took, result));
        Ok(())
    }
}

/// Never reads its (capacity-2) inbox: returns as soon as `go` says so.
#[component(thread)]
struct Clogged {
    #[inbox(capacity = 2)]
    inbox: Inbox<u32>,
    go: Inbox<()>,
}

impl ThreadComponent for Clogged {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        self.go.blocking_recv();
        Ok(())
    }
}

/// Axon scenario 60 (TA/test_ThreadedComponent.py), first part: the
/// component terminates even if its in-queue is clogged.
///
/// In myelin a threaded component whose full inbox it never reads still
/// ends when its body returns; the sender waiting on that full inbox is
/// released with `Closed` carrying its message (not left hanging), and the
/// messages left in the inbox are counted in the report.
#[test]
fn a_thread_with_a_clogged_inbox_still_ends_and_its_backlog_is_counted() {
    let result = shared();
    let system = graphline! {
        components {
            rx: Clogged::new(),
            tx: Clog::new(result.clone()),
        }
        links {
            tx.data -> rx.inbox,
            tx.go -> rx.go,
        }
    };
    let report = run_ok(system);
    assert_eq!(take(&result), [(2, Some((SendErrorKind::Closed, 2)))]);
    let rx = report.component("rx").unwrap();
    assert_eq!(rx.outcome, Outcome::Finished);
    assert_eq!(unread(rx), [("inbox", 2)]);
}

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

/// Waits until told (on `control`) that its feeder has finished, then
/// fails: with an error, or by panicking, leaving its inbox unread.
#[component(thread)]
struct ThreadBad {
    inbox: Inbox<u32>,
    panic: bool,
}

impl ThreadComponent for ThreadBad {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let heard = cx.control().blocking_recv();
        assert!(matches!(heard, Some(Control::Finished { .. })), "{heard:?}");
        if self.panic {
            panic!("kaboom {}", 42);
        }
        Err(Error::msg("boom"))
    }
}

/// Runs a failing threaded component beside an independent pipeline and a
/// recorder of its `signal`; returns the run's error, what the pipeline
/// delivered and what the recorder heard.
fn run_with_a_failing_thread(panic: bool) -> (Error, Vec<u32>, Vec<Control>) {
    let (got, heard) = (shared(), shared());
    let system = graphline! {
        components {
            bad: ThreadBad::new(panic),
            source: Feed::new((0..50).collect::<Vec<u32>>()),
            relay: Relay::<u32>::new(),
            sink: Collect::new(got.clone()),
            unread: Feed::new(vec![7, 8]),
            rec: Collect::new(heard.clone()),
        }
        links {
            source.outbox -> relay.inbox (capacity = 1),
            relay.outbox -> sink.inbox (capacity = 1),
            unread.outbox -> bad.inbox,
            unread.signal -> bad.control,
            bad.signal -> rec.inbox,
        }
    };
    let err = run(system).unwrap_err();
    (err, take(&got), take(&heard))
}

/// A threaded body that returns `Err` fails alone: `run` returns `Err`
/// whose report has `Outcome::Failed` with the error's message,
/// `Control::Failed` goes out on its `signal`, the messages it left are
/// counted, and the rest of the system runs to completion.
#[test]
fn a_thread_that_returns_err_fails_alone_and_is_reported_and_signalled() {
    let (err, got, heard) = run_with_a_failing_thread(false);
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    let report = err.report().expect("a run error carries its report");
    let bad = report.component("bad").unwrap();
    assert_eq!(bad.outcome, Outcome::Failed("boom".into()));
    assert_eq!(unread(bad), [("inbox", 2)]);
    for name in ["source", "relay", "sink", "unread", "rec"] {
        assert_eq!(
            report.component(name).map(|c| &c.outcome),
            Some(&Outcome::Finished),
            "{report}"
        );
    }
    assert_eq!(report.failures().collect::<Vec<_>>(), [("bad", "boom")]);
    assert_eq!(
        heard,
        [Control::Failed {
            component: "bad".into(),
            reason: "boom".into()
        }]
    );
    assert!(err.to_string().contains("bad: failed: boom"), "{err}");
}

/// A threaded body that panics fails alone, like one that returns `Err`;
/// the reason is the panic's message (Axon loses it: the daemon thread dies
/// and the proxy never learns why).
#[test]
fn a_thread_that_panics_fails_alone_with_the_panic_message() {
    let (err, got, heard) = run_with_a_failing_thread(true);
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    let report = err.report().expect("a run error carries its report");
    let bad = report.component("bad").unwrap();
    assert_eq!(bad.outcome, Outcome::Failed("panicked: kaboom 42".into()));
    assert_eq!(unread(bad), [("inbox", 2)]);
    assert_eq!(report.component("sink").unwrap().outcome, Outcome::Finished);
    assert_eq!(
        heard,
        [Control::Failed {
            component: "bad".into(),
            reason: "panicked: kaboom 42".into()
        }]
    );
}

/// A failing threaded child of a graphline: the graphline's chassis signals
/// `Control::Failed` naming the child, once its other (generator) children
/// have finished too.
#[test]
fn a_failing_thread_inside_a_graphline_is_signalled_by_the_graphline() {
    let (got, heard) = (shared::<u32>(), shared::<Control>());
    let inner = graphline! {
        components {
            unread: Feed::new(vec![1]),
            bad: ThreadBad::new(true),
            feed: Feed::new(vec![1, 2, 3]),
        }
        links {
            unread.outbox -> bad.inbox,
            unread.signal -> bad.control,
            feed.outbox -> self.outbox,
        }
    };
    let system = graphline! {
        components {
            inner: inner,
            sink: Collect::new(got.clone()),
            rec: Collect::new(heard.clone()),
        }
        links {
            inner.outbox -> sink.inbox,
            inner.signal -> rec.inbox,
        }
    };
    let err = run(system).unwrap_err();
    assert_eq!(take(&got), [1, 2, 3]);
    assert_eq!(
        take(&heard),
        [Control::Failed {
            component: "inner.bad".into(),
            reason: "panicked: kaboom 42".into()
        }]
    );
    let report = err.report().unwrap();
    assert_eq!(
        report.failures().collect::<Vec<_>>(),
        [("inner.bad", "panicked: kaboom 42")]
    );
}

// ---------------------------------------------------------------------------
// recv_timeout and pause
// ---------------------------------------------------------------------------

/// Waits for nothing with a short timeout, tells its peer it is ready, then
/// waits with a long timeout; finally waits for the end of the stream.
#[component(thread)]
struct TimeoutProbe {
    inbox: Inbox<u32>,
    ready: Outbox<()>,
    results: Shared<Result<u32, RecvTimeoutError>>,
}

impl ThreadComponent for TimeoutProbe {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        // The peer sends only after hearing `ready`: nothing can arrive yet.
        push(
            &self.results,
            self.inbox.recv_timeout(Duration::from_millis(20)),
        );
        self.ready.blocking_send(())?;
        push(&self.results, self.inbox.recv_timeout(LONG));
        push(&self.results, self.inbox.recv_timeout(LONG));
        Ok(())
    }
}

/// Waits until its peer is ready, sends `value` once, and finishes.
#[component]
struct SendWhenReady {
    ready: Inbox<()>,
    outbox: Outbox<u32>,
    value: u32,
}

impl Component for SendWhenReady {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.ready
            .recv()
            .await
            .expect("the thread says it is ready");
        self.outbox.send(self.value).await?;
        Ok(())
    }
}

/// `recv_timeout` returns `Timeout` when nothing arrives in time, the
/// message when one arrives during the wait, and `Closed` at end of stream
/// (long before its timeout).
#[test]
fn recv_timeout_times_out_then_gets_the_message_then_sees_the_end() {
    let results = shared();
    let system = graphline! {
        components {
            probe: TimeoutProbe::new(results.clone()),
            peer: SendWhenReady::new(42),
        }
        links {
            probe.ready -> peer.ready,
            peer.outbox -> probe.inbox,
        }
    };
    run_ok(system);
    assert_eq!(
        take(&results),
        [
            Err(RecvTimeoutError::Timeout),
            Ok(42),
            Err(RecvTimeoutError::Closed)
        ]
    );
}

/// Pauses with a short timeout while nothing can arrive (it must time
/// out), tells its peer it is about to pause, then pauses with a long
/// timeout until the message is there.
#[component(thread)]
struct PauseProbe {
    inbox: Inbox<u32>,
    ready: Outbox<()>,
    log: Shared<String>,
}

impl ThreadComponent for PauseProbe {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        // Nothing can arrive before `ready`. `pause` may return early with
        // nothing to do, but not forever.
        let timed_out = (0..100).any(|_| {
            let woke = cx.pause(Some(Duration::from_millis(10)));
            assert!(self.inbox.is_empty());
            !woke
        });
        push(&self.log, format!("short pause timed out: {timed_out}"));
        self.ready.blocking_send(())?;
        let mut pauses = 0;
        while self.inbox.is_empty() && pauses < 100 {
            let woke = cx.pause(Some(LONG));
            pauses += 1;
            if !woke {
                push(&self.log, "long pause timed out".to_owned());
            }
        }
        push(&self.log, format!("then {:?}", self.inbox.try_recv()));
        // The peer has sent its one message and finishes: the end of the
        // stream, not yet seen, wakes `pause` too.
        let mut pauses = 0;
        while !self.inbox.is_finished() && pauses < 100 {
            let woke = cx.pause(Some(LONG));
            pauses += 1;
            if !woke {
                push(&self.log, "pause for the end timed out".to_owned());
            }
        }
        push(&self.log, format!("then {:?}", self.inbox.try_recv()));
        Ok(())
    }
}

/// `ThreadContext::pause(Some(timeout))` returns `false` when the timeout
/// passes with nothing arriving, and returns early (`true`) when a message
/// arrives; the message is then there. It also returns early for an end
/// of stream not yet seen. (No Axon test covers this; Axon's threaded
/// `pause(timeout)` is its one interruptible sleep, reference section 2.1,
/// result e06-5.)
#[test]
fn pause_with_a_timeout_returns_early_when_a_message_arrives() {
    let log = shared();
    let system = graphline! {
        components {
            probe: PauseProbe::new(log.clone()),
            peer: SendWhenReady::new(7),
        }
        links {
            probe.ready -> peer.ready,
            peer.outbox -> probe.inbox,
        }
    };
    run_ok(system);
    assert_eq!(
        take(&log),
        [
            "short pause timed out: true",
            "then Ok(7)",
            "then Err(Closed)"
        ]
    );
}

// ---------------------------------------------------------------------------
// No lost wake-ups
// ---------------------------------------------------------------------------

/// Sends `0..n` one at a time, each time waiting for the echo.
#[component]
struct Pinger {
    outbox: Outbox<u32>,
    inbox: Inbox<u32>,
    n: u32,
    done: Shared<u32>,
}

impl Component for Pinger {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.send(i).await?;
            let echo = self.inbox.recv().await;
            if echo != Some(i) {
                return Err(Error::msg(format!("sent {i}, got back {echo:?}")));
            }
        }
        push(&self.done, self.n);
        Ok(())
    }
}

/// Echoes everything with the blocking operations.
#[component(thread)]
struct ThreadEcho {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl ThreadComponent for ThreadEcho {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n)?;
        }
        Ok(())
    }
}

/// Echoes everything with `pause` and the non-blocking operations.
#[component(thread)]
struct ThreadPauseEcho {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl ThreadComponent for ThreadPauseEcho {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        loop {
            match self.inbox.try_recv() {
                Ok(n) => self.outbox.try_send(n)?,
                Err(TryRecvError::Closed) => return Ok(()),
                Err(TryRecvError::Empty) => {
                    cx.pause(None);
                }
            }
        }
    }
}

/// No lost wake-ups: 100,000 messages ping-ponged between a generator and a
/// thread (each waiting for the other, on capacity-1 links) all complete.
#[test]
fn a_hundred_thousand_ping_pongs_with_blocking_recv_complete() {
    let done = shared();
    let system = graphline! {
        components {
            ping: Pinger::new(100_000, done.clone()),
            pong: ThreadEcho::new(),
        }
        links {
            ping.outbox -> pong.inbox (capacity = 1),
            pong.outbox -> ping.inbox (capacity = 1),
        }
    };
    run_ok(system);
    assert_eq!(take(&done), [100_000]);
}

/// As above, with the thread waiting in `pause(None)` instead of
/// `blocking_recv`.
#[test]
fn a_hundred_thousand_ping_pongs_with_pause_complete() {
    let done = shared();
    let system = graphline! {
        components {
            ping: Pinger::new(100_000, done.clone()),
            pong: ThreadPauseEcho::new(),
        }
        links {
            ping.outbox -> pong.inbox (capacity = 1),
            pong.outbox -> ping.inbox (capacity = 1),
        }
    };
    run_ok(system);
    assert_eq!(take(&done), [100_000]);
}

/// Adds up what it receives and records the count and the sum.
#[component]
struct GenSum {
    inbox: Inbox<u32>,
    result: Shared<(u64, u64)>,
}

impl Component for GenSum {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let (mut count, mut sum) = (0, 0);
        while let Some(n) = self.inbox.recv().await {
            count += 1;
            sum += u64::from(n);
        }
        push(&self.result, (count, sum));
        Ok(())
    }
}

/// No lost wake-ups on a full link, both ways: 100,000 messages stream from
/// a generator through a thread and back to a generator over capacity-1
/// links, so both the thread and the generators keep waiting for room.
#[test]
fn a_hundred_thousand_messages_stream_through_full_links_both_ways() {
    let result = shared();
    let system = graphline! {
        components {
            tx: Fast::new(100_000),
            echo: ThreadEcho::new(),
            rx: GenSum::new(result.clone()),
        }
        links {
            tx.outbox -> echo.inbox (capacity = 1),
            echo.outbox -> rx.inbox (capacity = 1),
        }
    };
    run_ok(system);
    let n = 100_000u64;
    assert_eq!(take(&result), [(n, n * (n - 1) / 2)]);
}

/// Is slow, then sends one message.
#[component(thread)]
struct SlowSend {
    outbox: Outbox<u32>,
}

impl ThreadComponent for SlowSend {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        std::thread::sleep(Duration::from_millis(50));
        self.outbox.blocking_send(9)?;
        Ok(())
    }
}

/// A generator waiting on a slow thread is not mistaken for a stall: with
/// nothing runnable on the scheduler, the run waits for the thread and the
/// message arrives.
#[test]
fn a_generator_waiting_on_a_slow_thread_is_not_reported_stalled() {
    let got = shared::<u32>();
    let report = run_ok(pipeline![SlowSend::new(), Collect::new(got.clone())]);
    assert_eq!(take(&got), [9]);
    assert_eq!(
        outcomes(&report),
        [
            ("SlowSend", &Outcome::Finished),
            ("Collect", &Outcome::Finished)
        ]
    );
}

/// Waits for a message before sending anything, on its own thread.
#[component(thread)]
struct ThreadWaitFirst {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl ThreadComponent for ThreadWaitFirst {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        if let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n)?;
        }
        Ok(())
    }
}

/// Waits for a message before sending anything.
#[component]
struct GenWaitFirst {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for GenWaitFirst {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// A mutual wait between a generator and a thread, each waiting for the
/// other's first message, is reported `Stalled` instead of hanging, as it
/// is between two generators (`no_loss.rs`; the crate's "nothing hangs
/// silently" guarantee).
#[test]
fn a_mutual_wait_between_a_generator_and_a_thread_is_reported_stalled() {
    let system = graphline! {
        components {
            gen: GenWaitFirst::new(),
            thread: ThreadWaitFirst::new(),
        }
        links {
            gen.outbox -> thread.inbox,
            thread.outbox -> gen.inbox,
        }
    };
    let err = run_within(system, Duration::from_secs(20)).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    for name in ["gen", "thread"] {
        assert_eq!(
            report.component(name).map(|c| &c.outcome),
            Some(&Outcome::Stalled),
            "{report}"
        );
    }
}

// ---------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------

/// Tells its peer it is about to block, then blocks in `blocking_recv`;
/// reports (through a std channel, read after the run) what the receive
/// returned and whether the system was stopping.
#[component(thread)]
struct BlockedRecv {
    inbox: Inbox<u32>,
    note: Outbox<()>,
    report: mpsc::Sender<(Option<u32>, bool)>,
}

impl ThreadComponent for BlockedRecv {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        self.note.blocking_send(())?;
        let got = self.inbox.blocking_recv();
        let _ = self.report.send((got, cx.is_cancelled()));
        Ok(())
    }
}

/// Waits for its peer's note, then stops the whole system; keeps its
/// outbox (the peer's input) linked and never sends on it.
#[component]
struct StopOnNote {
    note: Inbox<()>,
    outbox: Outbox<u32>,
}

impl Component for StopOnNote {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.note.recv().await.expect("the thread sends a note");
        cx.shutdown_system();
        // Stay alive, holding `outbox` open: the thread's receive must end
        // because of the shutdown, not because its input closed.
        loop {
            cx.pause().await;
        }
    }
}

/// `cx.shutdown_system()` from a generator while a thread is blocked in
/// `blocking_recv` makes that receive return `None` (the thread sees the
/// system stopping), its body returns, `run` returns `Ok`, and the thread
/// component is reported `Cancelled`.
#[test]
fn shutdown_from_a_generator_releases_a_thread_blocked_in_recv() {
    let (tx, rx) = mpsc::channel();
    let system = graphline! {
        components {
            // Started first, so it is cancelled before its input is closed.
            blocked: BlockedRecv::new(tx),
            stop: StopOnNote::new(),
        }
        links {
            blocked.note -> stop.note,
            stop.outbox -> blocked.inbox,
        }
    };
    let report = run_ok(system);
    assert_eq!(
        outcomes(&report),
        [
            ("blocked", &Outcome::Cancelled),
            ("stop", &Outcome::Cancelled)
        ]
    );
    assert_eq!(
        rx.recv_timeout(HANG),
        Ok((None, true)),
        "the thread's receive must return None once the system stops"
    );
}

/// Tells its peer it is about to block, then blocks in `blocking_send` on a
/// full link; reports what the send returned.
#[component(thread)]
struct BlockedSend {
    outbox: Outbox<u32>,
    note: Outbox<()>,
    report: mpsc::Sender<(usize, Option<(SendErrorKind, u32)>)>,
}

impl ThreadComponent for BlockedSend {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        let mut next = 0;
        let took = fill(&mut self.outbox, &mut next);
        self.note.blocking_send(())?;
        let result = self
            .outbox
            .blocking_send(next)
            .err()
            .map(|e| (e.kind(), e.into_inner()));
        let _ = self.report.send((took, result));
        Ok(())
    }
}

/// Waits for a note, then stops the whole system; never reads `inbox`.
#[component]
struct StopOnNoteUnread {
    note: Inbox<()>,
    inbox: Inbox<u32>,
}

impl Component for StopOnNoteUnread {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.note.recv().await.expect("the thread sends a note");
        cx.shutdown_system();
        loop {
            cx.pause().await;
        }
    }
}

/// `shutdown_system` also releases a thread blocked in `blocking_send` on a
/// full link: the send fails (the system is stopping, or the receiver is
/// gone) and hands the message back.
#[test]
fn shutdown_from_a_generator_releases_a_thread_blocked_in_send() {
    let (tx, rx) = mpsc::channel();
    let system = graphline! {
        components {
            blocked: BlockedSend::new(tx),
            stop: StopOnNoteUnread::new(),
        }
        links {
            blocked.note -> stop.note,
            blocked.outbox -> stop.inbox (capacity = 1),
        }
    };
    let report = run_ok(system);
    assert_eq!(
        report.component("blocked").unwrap().outcome,
        Outcome::Cancelled
    );
    let (took, result) = rx.recv_timeout(HANG).expect("the thread's send returns");
    assert_eq!(took, 1);
    assert!(
        matches!(
            result,
            Some((SendErrorKind::Cancelled | SendErrorKind::Closed, 1))
        ),
        "{result:?}"
    );
}

/// Asks the whole system to stop, then pauses until it sees the system
/// stopping; reports that it did.
#[component(thread)]
struct ThreadStopper {
    report: mpsc::Sender<bool>,
}

impl ThreadComponent for ThreadStopper {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        cx.shutdown_system();
        while !cx.is_cancelled() {
            cx.pause(None);
        }
        let _ = self.report.send(cx.is_cancelled());
        Ok(())
    }
}

/// `ThreadContext::shutdown_system()` from a thread stops the system: a
/// generator that would otherwise pause forever is cancelled, `run`
/// returns `Ok`, and the thread's own `pause` returns once the system stops.
#[test]
fn shutdown_from_a_thread_stops_the_system() {
    let (tx, rx) = mpsc::channel();
    let system = graphline! {
        components {
            sleeper: Sleeper::new(),
            stopper: ThreadStopper::new(tx),
        }
        links {}
    };
    let report = run_ok(system);
    assert_eq!(
        report.component("sleeper").unwrap().outcome,
        Outcome::Cancelled
    );
    assert_eq!(
        report.component("stopper").unwrap().outcome,
        Outcome::Cancelled
    );
    assert_eq!(rx.recv_timeout(HANG), Ok(true));
}

// ---------------------------------------------------------------------------
// Unread messages
// ---------------------------------------------------------------------------

/// Waits until upstream has finished (its `Finished` on `control`), reads
/// `keep` messages and returns, leaving the rest.
#[component(thread)]
struct ThreadReadSome {
    inbox: Inbox<u32>,
    keep: usize,
    got: Shared<u32>,
}

impl ThreadComponent for ThreadReadSome {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let heard = cx.control().blocking_recv();
        assert!(matches!(heard, Some(Control::Finished { .. })), "{heard:?}");
        for _ in 0..self.keep {
            push(
                &self.got,
                self.inbox.blocking_recv().expect("upstream sent"),
            );
        }
        Ok(())
    }
}

/// Messages left unread in a threaded component's inbox when its body
/// returns are counted in the report, under the component and the port.
#[test]
fn messages_left_in_a_threads_inbox_are_counted_in_the_report() {
    let got = shared();
    let report = run_ok(pipeline![
        Feed::new(vec![1, 2, 3, 4, 5]),
        ThreadReadSome::new(2, got.clone()),
    ]);
    assert_eq!(take(&got), [1, 2]);
    let reader = report.component("ThreadReadSome").unwrap();
    assert_eq!(reader.outcome, Outcome::Finished);
    assert_eq!(unread(reader), [("inbox", 3)]);
    assert_eq!(report.undelivered(), 3);
    assert!(
        report.to_string().contains("3 unread in `inbox`"),
        "{report}"
    );
}

/// Sends `Control::Shutdown` to its peer's `control`, then `data` on its
/// outbox.
#[component]
struct ShutdownThenData {
    ctl: Outbox<Control>,
    outbox: Outbox<u32>,
    data: Vec<u32>,
}

impl Component for ShutdownThenData {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.ctl.send(Control::Shutdown).await?;
        for n in std::mem::take(&mut self.data) {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Reads one message and returns, ignoring `control`.
#[component(thread)]
struct ThreadReadOne {
    inbox: Inbox<u32>,
}

impl ThreadComponent for ThreadReadOne {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        self.inbox.blocking_recv();
        Ok(())
    }
}

/// A `Control::Shutdown` a threaded component never read is counted on its
/// `control`, beside the data it left.
#[test]
fn an_ignored_shutdown_on_a_threads_control_is_counted() {
    let system = graphline! {
        components {
            tx: ShutdownThenData::new(vec![1]),
            rx: ThreadReadOne::new(),
        }
        links {
            tx.ctl -> rx.control,
            tx.outbox -> rx.inbox,
        }
    };
    let report = run_ok(system);
    let rx = report.component("rx").unwrap();
    assert_eq!(rx.outcome, Outcome::Finished);
    assert_eq!(unread(rx), [("control", 1)]);
}

/// Waits until its peer has filled `hoard` (which it never reads), tells
/// the peer so, then blocks on `inbox` until the system stops.
#[component(thread)]
struct HoardUntilShutdown {
    inbox: Inbox<u32>,
    hoard: Inbox<u32>,
    filled: Inbox<()>,
    note: Outbox<()>,
}

impl ThreadComponent for HoardUntilShutdown {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        self.filled
            .blocking_recv()
            .expect("the peer fills the hoard");
        self.note.blocking_send(())?;
        // Returns when the system stops.
        self.inbox.blocking_recv();
        Ok(())
    }
}

/// Sends three messages to the thread's `hoard` and says so, then waits for
/// the thread's note and stops the whole system, holding `outbox` (the
/// thread's input) open.
#[component]
struct FillThenStop {
    hoard: Outbox<u32>,
    filled: Outbox<()>,
    note: Inbox<()>,
    outbox: Outbox<u32>,
}

impl Component for FillThenStop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for n in 0..3 {
            self.hoard.send(n).await?;
        }
        self.filled.send(()).await?;
        self.note.recv().await.expect("the thread sends a note");
        cx.shutdown_system();
        loop {
            cx.pause().await;
        }
    }
}

/// Messages left in a threaded component's inbox are counted in the report
/// when the system is shut down, too, as they are for a cancelled generator
/// (`no_loss.rs`: a deaf generator's ignored `control` message is counted).
#[test]
fn messages_left_in_a_cancelled_threads_inbox_are_counted_in_the_report() {
    let system = graphline! {
        components {
            hoarder: HoardUntilShutdown::new(),
            stop: FillThenStop::new(),
        }
        links {
            stop.outbox -> hoarder.inbox,
            stop.hoard -> hoarder.hoard,
            stop.filled -> hoarder.filled,
            hoarder.note -> stop.note,
        }
    };
    let report = run_ok(system);
    let hoarder = report.component("hoarder").unwrap();
    assert_eq!(hoarder.outcome, Outcome::Cancelled);
    assert_eq!(unread(hoarder), [("hoard", 3)], "{report}");
}

// ---------------------------------------------------------------------------
// Blocking operations on the scheduler
// ---------------------------------------------------------------------------

/// Which blocking operation a generator wrongly calls.
#[derive(Clone, Copy, Debug)]
enum Misuse {
    BlockingRecv,
    RecvTimeout,
    BlockingSend,
}

/// A generator that calls a blocking port operation.
#[component]
struct BlockOnScheduler {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    misuse: Misuse,
}

impl Component for BlockOnScheduler {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        match self.misuse {
            Misuse::BlockingRecv => {
                let _ = self.inbox.blocking_recv();
            }
            Misuse::RecvTimeout => {
                let _ = self.inbox.recv_timeout(Duration::from_millis(1));
            }
            Misuse::BlockingSend => {
                let _ = self.outbox.blocking_send(1);
            }
        }
        Ok(())
    }
}

/// Calling `blocking_recv` (or `recv_timeout`, or `blocking_send`) from a
/// generator component panics with a clear message naming the operation and
/// `#[component(thread)]`: blocking there would freeze every generator. The
/// component fails with that message; the rest of the system runs on.
#[test]
fn a_blocking_operation_in_a_generator_fails_it_with_a_clear_message() {
    for (misuse, operation) in [
        (Misuse::BlockingRecv, "blocking_recv"),
        (Misuse::RecvTimeout, "recv_timeout"),
        (Misuse::BlockingSend, "blocking_send"),
    ] {
        let got = shared::<u32>();
        let system = graphline! {
            components {
                wrong: BlockOnScheduler::new(misuse),
                feed: Feed::new(vec![1, 2, 3]),
                sink: Collect::new(got.clone()),
            }
            links {
                feed.outbox -> sink.inbox (capacity = 1),
            }
        };
        let err = run(system).unwrap_err();
        let report = err.report().expect("a run error carries its report");
        let Outcome::Failed(reason) = &report.component("wrong").unwrap().outcome else {
            panic!("{misuse:?}: not failed:\n{report}");
        };
        assert!(
            reason.contains(&format!("`{operation}`")) && reason.contains("#[component(thread)]"),
            "{misuse:?}: {reason}"
        );
        assert_eq!(take(&got), [1, 2, 3], "{misuse:?}");
    }
}
