//! Axon's microprocess and scheduler scenarios (`TA/test_Microprocess.py`,
//! `TA/test_Scheduler.py`; section 3 of the Axon reference), ported to
//! myelin's scheduler.
//!
//! Axon pauses and wakes threads through explicit scheduler requests; here a
//! component is paused exactly when its body awaits something that is not
//! ready (a `recv`, a full `send`, `cx.pause()`), and resumed by whatever
//! makes it ready. "Was it stepped?" is observed by counting how often the
//! future a body waits on is polled ([`common::counted`]).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use common::{Counter, Feed, Shared, Sleeper, StopSystem, counted, push, shared, take};
use myelin::prelude::*;
use myelin::{Graph, Node, Outcome, Part};

/// Logs its path before and after yielding once.
#[component]
struct Named {
    names: Shared<(String, String)>,
}

impl Component for Named {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let before = cx.name().to_owned();
        cx.yield_now().await;
        push(&self.names, (before, cx.name().to_owned()));
        Ok(())
    }
}

/// Logs `<tag><i>` then yields, `rounds` times.
#[component]
struct Stepper {
    tag: &'static str,
    rounds: usize,
    log: Shared<String>,
}

impl Component for Stepper {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.rounds {
            push(&self.log, format!("{}{i}", self.tag));
            cx.yield_now().await;
        }
        push(&self.log, format!("{} done", self.tag));
        Ok(())
    }
}

/// Waits for one message, counting how often it is resumed while waiting.
#[component]
struct Waiter {
    inbox: Inbox<u32>,
    polls: Counter,
    got: Shared<u32>,
}

impl Component for Waiter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if let Some(m) = counted(self.inbox.recv(), &self.polls).await {
            push(&self.got, m);
        }
        Ok(())
    }
}

/// Yields `spins` times (recording, each time, how often the waiter has been
/// polled), then sends one message and yields once more.
#[component]
struct SpinThenSend {
    outbox: Outbox<u32>,
    spins: usize,
    waiter_polls: Counter,
    seen_polls: Shared<usize>,
}

impl Component for SpinThenSend {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.spins {
            cx.yield_now().await;
            push(&self.seen_polls, self.waiter_polls.get());
        }
        self.outbox.send(7).await?;
        cx.yield_now().await;
        push(&self.seen_polls, self.waiter_polls.get());
        Ok(())
    }
}

/// Axon scenario 1 (TA/test_Microprocess.py): new microprocesses get
/// distinct ids and names, and one instance's `str()` is stable.
///
/// myelin has no global id counter: a component's identity is its path in
/// the system, unique within it (repeated default names are numbered) and
/// the same for the whole run.
#[test]
fn every_component_gets_a_distinct_name_that_stays_the_same() {
    let names = shared();
    let system = Graph::new("graph")
        .child(None, Node::new(Named::new(names.clone())))
        .child(None, Node::new(Named::new(names.clone())))
        .child(None, Node::new(Named::new(names.clone())));
    let report = myelin::run(system).unwrap();

    let got = take(&names);
    assert!(got.iter().all(|(before, after)| before == after), "{got:?}");
    let mut seen: Vec<_> = got.into_iter().map(|(name, _)| name).collect();
    seen.sort();
    assert_eq!(seen, ["Named", "Named2", "Named3"]);
    let reported: Vec<_> = report.components().iter().map(|c| &c.name).collect();
    assert_eq!(reported, ["Named", "Named2", "Named3"]);
}

/// Never activated: records if its body ever runs.
#[component]
struct Flag {
    ran: Arc<AtomicBool>,
}

impl Component for Flag {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.ran.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Tries to start a second scheduler from inside a running component.
#[component]
struct Nested {
    result: Shared<String>,
}

impl Component for Nested {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let ran = Arc::new(AtomicBool::new(false));
        match myelin::run(Flag::new(ran.clone())) {
            Ok(_) => push(&self.result, "nested run succeeded".to_owned()),
            Err(e) => push(&self.result, e.to_string()),
        }
        assert!(!ran.load(Ordering::SeqCst));
        Ok(())
    }
}

/// Axon scenario 2 (TA/test_Microprocess.py): `activate` registers with a
/// scheduler exactly once, by default the process-wide `scheduler.run`.
///
/// myelin has no process-wide scheduler: each `run` starts its own, and each
/// component in the system is registered in it exactly once (one line in the
/// report). Starting a nested run from inside a component is refused with an
/// error instead of silently joining or corrupting the running one.
#[test]
fn each_run_has_its_own_scheduler_and_registers_each_component_once() {
    let first = myelin::run(Quick::new()).unwrap();
    assert_eq!(first.components().len(), 1);

    let result = shared();
    let report = myelin::run(Nested::new(result.clone())).unwrap();
    assert_eq!(report.components().len(), 1);
    assert_eq!(report.components()[0].name, "Nested");
    let result = take(&result);
    assert_eq!(result.len(), 1);
    assert!(
        result[0].contains("inside a running component"),
        "{result:?}"
    );
}

/// Axon scenario 3 (TA/test_Microprocess.py), with the round robin of the
/// Axon reference 1.2 [e02-A]: each step advances `main` to its next `yield`,
/// and the scheduler steps its microprocesses in turn, so output interleaves
/// A0 B0 A1 B1.
///
/// In myelin one resume runs a body up to its next await; `cx.yield_now()`
/// puts it at the back of the run queue.
#[test]
fn yielding_components_interleave_round_robin() {
    let log = shared();
    let system = graphline! {
        components {
            a: Stepper::new("A", 3, log.clone()),
            b: Stepper::new("B", 3, log.clone()),
        }
        links {}
    };
    myelin::run(system).unwrap();
    assert_eq!(
        take(&log),
        ["A0", "B0", "A1", "B1", "A2", "B2", "A done", "B done"]
    );
}

/// Sends on its outbox after asking the system to stop, then yields: the
/// code after the yield must never run.
#[component]
struct StopThenSend {
    outbox: Outbox<u32>,
    log: Shared<String>,
}

impl Component for StopThenSend {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.shutdown_system();
        self.outbox.send(1).await?;
        push(&self.log, "sent after stop".to_owned());
        cx.yield_now().await;
        push(&self.log, "resumed after stop".to_owned());
        Ok(())
    }
}

/// Axon scenario 4 (TA/test_Microprocess.py): after `stop()` a microprocess
/// is stopped for good; `unpause()` after stop changes nothing.
///
/// In myelin, once `cx.shutdown_system()` has been called every component is
/// cancelled at its next pause point and never resumed again, even by a
/// delivery that would normally wake it. The message delivered to the
/// cancelled component is not dropped silently: the report counts it.
#[test]
fn a_cancelled_component_is_never_resumed_even_by_a_delivery() {
    let log = shared();
    let got = shared();
    let polls = Counter::default();
    let system = graphline! {
        components {
            waiter: Waiter::new(polls.clone(), got.clone()),
            stopper: StopThenSend::new(log.clone()),
        }
        links {
            stopper.outbox -> waiter.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&log), ["sent after stop"]);
    assert!(take(&got).is_empty());
    assert_eq!(polls.get(), 1, "the waiter was resumed after the stop");
    let waiter = report.component("waiter").unwrap();
    assert_eq!(waiter.outcome, Outcome::Cancelled);
    assert_eq!(
        waiter.undelivered,
        [myelin::Undelivered {
            port: "inbox",
            count: 1,
            unsent: false
        }]
    );
    assert_eq!(
        report.component("stopper").unwrap().outcome,
        Outcome::Cancelled
    );
}

/// Returns at once.
#[component]
struct Quick {}

impl Component for Quick {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Axon scenario 6 (TA/test_Microprocess.py): the default close-down of a
/// microprocess that ends normally.
///
/// In myelin the runtime closes a component down itself: a body that
/// returns `Ok` is reported `Finished` and `Control::Finished` goes out on
/// its `signal`, whatever the body did.
#[test]
fn a_body_that_returns_ok_is_reported_finished_and_signals_it() {
    let heard = shared::<Control>();
    let system = graphline! {
        components {
            quick: Quick::new(),
            rec: common::Collect::new(heard.clone()),
        }
        links {
            quick.signal -> rec.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(
        report.component("quick").unwrap().outcome,
        Outcome::Finished
    );
    assert_eq!(
        take(&heard),
        [Control::Finished {
            component: "quick".into()
        }]
    );
}

/// Axon scenario 7 (TA/test_Scheduler.py): a scheduler with nothing to run
/// finishes within a few steps.
///
/// (`graphline!` rejects an empty `components` at compile time; an empty
/// graph built by hand is the system with nothing to run.)
#[test]
fn a_system_with_nothing_to_run_finishes_at_once() {
    let report = myelin::run(Graph::new("graph")).unwrap();
    assert!(report.components().is_empty());
}

/// Axon scenario 8 (TA/test_Scheduler.py): the scheduler keeps running until
/// every scheduled microprocess has finished, and stops each.
///
/// In myelin `run` returns once every component has ended, and the report
/// says each finished.
#[test]
fn run_returns_only_when_every_component_has_finished() {
    let log = shared();
    let system = graphline! {
        components {
            long: common::Steps::new(20, log.clone()),
            short: common::Steps::new(1, log.clone()),
            none: common::Steps::new(0, log.clone()),
        }
        links {}
    };
    let report = myelin::run(system).unwrap();
    let log = take(&log);
    assert_eq!(log.len(), 6);
    assert_eq!(log[5], "long end", "{log:?}");
    assert_eq!(report.components().len(), 3);
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished),
        "{report}"
    );
}

/// Axon scenario 9 (TA/test_Scheduler.py): after `pauseThread(m)`, `m` is no
/// longer stepped while the others keep running.
///
/// In myelin a component waiting on an empty inbox is paused: while another
/// component runs a hundred steps it is not resumed once.
#[test]
fn a_paused_component_is_not_resumed_while_others_run() {
    let polls = Counter::default();
    let seen = shared();
    let got = shared();
    let system = graphline! {
        components {
            waiter: Waiter::new(polls.clone(), got.clone()),
            spinner: SpinThenSend::new(100, polls.clone(), seen.clone()),
        }
        links {
            spinner.outbox -> waiter.inbox,
        }
    };
    myelin::run(system).unwrap();
    let seen = take(&seen);
    assert_eq!(seen.len(), 101);
    // Polled once when it started, never while the spinner ran...
    assert!(seen[..100].iter().all(|&p| p == 1), "{seen:?}");
    // ... and once more for the delivery.
    assert_eq!(seen[100], 2);
    assert_eq!(take(&got), [7]);
}

/// Sends to `a`, then to `b`, recording both waiters' poll counts after each.
#[component]
struct SendEach {
    a: Outbox<u32>,
    b: Outbox<u32>,
    a_polls: Counter,
    b_polls: Counter,
    seen: Shared<(usize, usize)>,
}

impl Component for SendEach {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.a.send(1).await?;
        cx.yield_now().await;
        push(&self.seen, (self.a_polls.get(), self.b_polls.get()));
        self.b.send(2).await?;
        cx.yield_now().await;
        push(&self.seen, (self.a_polls.get(), self.b_polls.get()));
        Ok(())
    }
}

/// Axon scenario 10 (TA/test_Scheduler.py): `wakeThread(m)` resumes only
/// `m`; other paused threads stay paused.
///
/// In myelin a delivery resumes exactly its receiver.
#[test]
fn a_delivery_resumes_only_its_receiver() {
    let (a_polls, b_polls) = (Counter::default(), Counter::default());
    let (a_got, b_got) = (shared(), shared());
    let seen = shared();
    let system = graphline! {
        components {
            wa: Waiter::new(a_polls.clone(), a_got.clone()),
            wb: Waiter::new(b_polls.clone(), b_got.clone()),
            driver: SendEach::new(a_polls.clone(), b_polls.clone(), seen.clone()),
        }
        links {
            driver.a -> wa.inbox,
            driver.b -> wb.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&seen), [(2, 1), (2, 2)]);
    assert_eq!((take(&a_got), take(&b_got)), (vec![1], vec![2]));
}

/// Pauses until something is ready, then takes everything queued, logging
/// each batch's size and how many times it paused.
#[component]
struct Batches {
    inbox: Inbox<u32>,
    batches: Shared<usize>,
    pauses: Counter,
}

impl Component for Batches {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            let batch = self.inbox.drain().count();
            if batch > 0 {
                push(&self.batches, batch);
            }
            if self.inbox.is_finished() {
                return Ok(());
            }
            cx.pause().await;
            self.pauses.bump();
        }
    }
}

/// Axon scenario 11 (TA/test_Scheduler.py): waking an awake thread (or
/// pausing a paused one) is a no-op.
///
/// In myelin five deliveries in one step wake the paused receiver once: the
/// wakes after the first find it already scheduled, and it takes all five in
/// one resume.
#[test]
fn wakes_of_an_already_scheduled_component_coalesce() {
    let batches = shared();
    let pauses = Counter::default();
    let system = graphline! {
        components {
            rx: Batches::new(batches.clone(), pauses.clone()),
            tx: Feed::new(vec![1, 2, 3, 4, 5]),
        }
        links {
            tx.outbox -> rx.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&batches), [5]);
    assert_eq!(pauses.get(), 1);
}

/// Flags if its body ever runs; has an inbox that can be delivered to.
#[component]
struct FlagInbox {
    inbox: Inbox<u32>,
    ran: Arc<AtomicBool>,
}

impl Component for FlagInbox {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.ran.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Axon scenario 12 (TA/test_Scheduler.py): waking or pausing a
/// never-activated thread neither starts nor registers it.
///
/// In myelin a component that is not part of the system given to `run`
/// never runs, even when a running component delivers to its inbox (the
/// delivery that would wake it), and is not in the report.
#[test]
fn a_delivery_to_a_component_outside_the_system_does_not_start_it() {
    let ran = Arc::new(AtomicBool::new(false));
    let outside = Node::new(FlagInbox::new(ran.clone()));
    let feed = Node::new(Feed::new(vec![1]));
    myelin::link(&feed.handles().outbox, &outside.handles().inbox, None).unwrap();
    let report = myelin::run(Graph::new("graph").child(Some("feed"), feed)).unwrap();
    assert!(!ran.load(Ordering::SeqCst));
    let names: Vec<_> = report.components().iter().map(|c| &c.name).collect();
    assert_eq!(names, ["feed"]);
    drop(outside);
    assert!(!ran.load(Ordering::SeqCst));
}

/// Axon scenarios 13 and 14 (TA/test_Scheduler.py): `listAllThreads()`
/// includes paused threads; `isThreadPaused` tells paused from active.
///
/// In myelin the report lists every component in start order, including one
/// that was still paused when the system was stopped (reported `Cancelled`),
/// beside those that finished.
#[test]
fn the_report_lists_every_component_including_paused_ones() {
    let system = graphline! {
        components {
            quick: Quick::new(),
            sleeper: Sleeper::new(),
            stop: StopSystem::new(),
        }
        links {}
    };
    let report = myelin::run(system).unwrap();
    let outcomes: Vec<_> = report
        .components()
        .iter()
        .map(|c| (c.name.as_str(), c.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("quick", Outcome::Finished),
            ("sleeper", Outcome::Cancelled),
            ("stop", Outcome::Finished),
        ]
    );
}

/// Reads exactly `expect` messages with `try_recv` (never seeing the end of
/// the stream), then pauses once and finishes.
#[component]
struct TakeThenPause {
    inbox: Inbox<u32>,
    expect: usize,
    got: Shared<u32>,
}

impl Component for TakeThenPause {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.expect {
            push(&self.got, self.inbox.try_recv()?);
        }
        cx.pause().await;
        Ok(())
    }
}

/// Drains its inbox with `drain()` (Axon's `for m in self.Inbox()`), then
/// pauses once and finishes.
#[component]
struct DrainThenPause {
    inbox: Inbox<u32>,
    got: Shared<u32>,
}

impl Component for DrainThenPause {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for m in self.inbox.drain() {
            push(&self.got, m);
        }
        cx.pause().await;
        Ok(())
    }
}

/// Axon scenario 15 (TA/test_Scheduler.py): a thread that pauses itself and
/// then finishes in the same step still finishes cleanly.
///
/// In myelin `cx.pause()` is level-triggered: pausing when the input stream
/// has already ended, unobserved, returns, so a body that handles what is
/// there and pauses once more before finishing does finish.
#[test]
fn pausing_after_the_input_ended_returns_so_the_body_finishes() {
    let got = shared();
    let system = graphline! {
        components {
            feed: Feed::new(vec![1, 2, 3]),
            last: TakeThenPause::new(3, got.clone()),
        }
        links {
            feed.outbox -> last.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&got), [1, 2, 3]);
    assert_eq!(report.component("last").unwrap().outcome, Outcome::Finished);
}

/// Axon scenario 15 (TA/test_Scheduler.py), with the inbox emptied by
/// `drain()`: its iterator only ever yields messages, so the body has not
/// observed the end of the stream and `cx.pause()` must still return.
#[test]
fn pausing_after_draining_an_ended_input_returns_so_the_body_finishes() {
    let got = shared();
    let system = graphline! {
        components {
            feed: Feed::new(vec![1, 2, 3]),
            last: DrainThenPause::new(got.clone()),
        }
        links {
            feed.outbox -> last.inbox,
        }
    };
    let result = myelin::run(system);
    assert_eq!(take(&got), [1, 2, 3]);
    let report = match &result {
        Ok(report) => report,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(report.component("last").unwrap().outcome, Outcome::Finished);
}

/// Axon scenario 17 (TA/test_Scheduler.py): stepping the scheduler never
/// blocks, even when everything is paused.
///
/// In myelin, when every remaining component is paused and nothing inside or
/// outside the system can wake one, `run` returns at once with the
/// components reported `Stalled`, instead of blocking forever.
#[test]
fn run_returns_when_everything_is_paused_for_good() {
    let err = myelin::run(Sleeper::new()).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    assert_eq!(report.components()[0].outcome, Outcome::Stalled);
}

/// Tells a thread it is about to wait, then waits for the number the thread
/// sends over a foreign (flume) channel.
#[component]
struct AwaitForeign {
    ready: mpsc::Sender<()>,
    numbers: flume::Receiver<u32>,
    polls: Counter,
    got: Shared<u32>,
}

impl Component for AwaitForeign {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.ready.send(())?;
        let n = counted(self.numbers.recv_async(), &self.polls).await?;
        push(&self.got, n);
        Ok(())
    }
}

/// Axon scenario 18 (TA/test_Scheduler.py): with every thread paused,
/// `runThreads()` waits without busy-looping and returns once another thread
/// wakes them.
///
/// In myelin a component may await any future; while it waits on one that
/// another OS thread will complete, the scheduler is idle (the component is
/// not polled again until woken) and the run is not mistaken for a stall.
#[test]
fn an_idle_scheduler_waits_for_a_wake_from_another_thread() {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (tx, rx) = flume::bounded(1);
    let helper = std::thread::spawn(move || {
        ready_rx.recv().unwrap();
        tx.send(42).unwrap();
    });
    let polls = Counter::default();
    let got = shared();
    let report = myelin::run(AwaitForeign::new(ready_tx, rx, polls.clone(), got.clone()));
    helper.join().unwrap();
    assert!(report.is_ok(), "{:?}", report.err());
    assert_eq!(take(&got), [42]);
    assert!(polls.get() <= 2, "polled {} times while idle", polls.get());
}
