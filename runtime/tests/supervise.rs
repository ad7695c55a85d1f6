//! Supervision: a `Supervisor` restarts its children by policy, keeps
//! their links across restarts, gives up when restarts come too often, and
//! reports all of it.
//!
//! Failures are chosen by the messages themselves (`PANIC`, `FAIL`,
//! `STOP`), so every run is deterministic; waits are on messages or on
//! channels the components signal, and every run is bounded.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use myelin::components::{
    Backlog, Child, Collect, RestartPolicy, Source, Strategy, Supervision, Supervisor,
};
use myelin::prelude::*;
use myelin::{Outcome, Receiver, RestartCause, Sender};

use common::{HANG, Shared, Watch, push, run_bounded, shared, take};

myelin::process_test_entry!();

/// Makes a `Worker` panic.
const PANIC: u32 = 1_000_000;
/// Makes a `Worker` return `Err`.
const FAIL: u32 = 2_000_000;
/// Makes a `Worker` finish normally.
const STOP: u32 = 3_000_000;

/// What a worker instance noted.
#[derive(Clone, Debug)]
enum Note {
    /// It started: its path, when.
    Started(String, Instant),
    /// It is about to fail: how many messages waited in its inbox, when.
    Failing(usize, Instant),
}

/// Passes numbers on; `PANIC` panics, `FAIL` returns `Err`, `STOP`
/// finishes. Notes when it starts and fails, and tells `failing` (if any)
/// just before it fails.
#[component]
struct Worker {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    notes: Shared<Note>,
    failing: Option<mpsc::Sender<()>>,
}

impl Worker {
    fn about_to_fail(&self) {
        push(&self.notes, Note::Failing(self.inbox.len(), Instant::now()));
        if let Some(tell) = &self.failing {
            let _ = tell.send(());
        }
    }
}

impl Component for Worker {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        push(
            &self.notes,
            Note::Started(cx.name().to_owned(), Instant::now()),
        );
        while let Some(n) = self.inbox.recv().await {
            match n {
                PANIC => {
                    self.about_to_fail();
                    panic!("boom");
                }
                FAIL => {
                    self.about_to_fail();
                    return Err(Error::msg("bad message"));
                }
                STOP => return Ok(()),
                n => self.outbox.send(n).await?,
            }
        }
        Ok(())
    }
}

/// A worker child, noting into `notes`.
fn worker(notes: &Shared<Note>) -> Child<u32, u32> {
    let notes = notes.clone();
    Child::new("worker", move || Worker::new(notes.clone(), None))
}

/// The instances that started, in order.
fn started(notes: &Shared<Note>) -> Vec<String> {
    take(notes)
        .into_iter()
        .filter_map(|n| match n {
            Note::Started(name, _) => Some(name),
            Note::Failing(..) => None,
        })
        .collect()
}

/// Runs `items` through `supervisor` into a collector; returns the run's
/// result, what arrived, and what the supervisor said on `events` and
/// `signal`.
fn run_through(
    items: Vec<u32>,
    supervisor: Supervisor<u32, u32>,
) -> (
    Result<myelin::Report, myelin::Error>,
    Vec<u32>,
    Vec<Supervision>,
    Vec<Control>,
) {
    let out = Collect::<u32>::new();
    let got = out.collected();
    let events = Collect::<Supervision>::new();
    let said = events.collected();
    let heard = shared();
    let watch_heard = heard.clone();
    let result = run_bounded("supervised", move || {
        graphline! {
            components {
                src: Source::new(items),
                sup: supervisor,
                out: out,
                events: events,
                watch: Watch::new(watch_heard),
            }
            links {
                src.outbox -> sup.inbox,
                sup.outbox -> out.inbox,
                sup.events -> events.inbox,
                sup.signal -> watch.control,
            }
        }
    });
    (result, got.take(), said.take(), take(&heard))
}

#[test]
fn on_failure_restarts_a_failed_child_and_the_run_succeeds() {
    let notes = shared();
    let (result, got, events, signal) = run_through(
        vec![1, 2, PANIC, 3, FAIL, 4],
        Supervisor::new(worker(&notes)),
    );
    let report = result.expect("failures answered by restarts do not fail the run");
    // The message a child was handling when it failed was its own.
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!(
        started(&notes),
        ["sup.worker1", "sup.worker2", "sup.worker3"]
    );
    let restarts = report.restarts();
    assert_eq!(restarts.len(), 2);
    assert_eq!(restarts[0].supervisor, "sup");
    assert_eq!(restarts[0].ended, "sup.worker1");
    assert_eq!(restarts[0].started, "sup.worker2");
    assert_eq!(
        restarts[0].cause,
        RestartCause::Failed("panicked: boom".into())
    );
    assert_eq!(restarts[1].ended, "sup.worker2");
    assert_eq!(
        restarts[1].cause,
        RestartCause::Failed("bad message".into())
    );
    // The failed instances are in the report as they ended.
    assert!(matches!(
        report.component("sup.worker1").unwrap().outcome,
        Outcome::Failed(_)
    ));
    assert_eq!(
        report.component("sup.worker3").unwrap().outcome,
        Outcome::Finished
    );
    assert_eq!(report.undelivered(), 0, "{report}");
    assert!(
        report
            .to_string()
            .contains("sup restarted sup.worker1 as sup.worker2")
    );
    assert_eq!(
        events,
        restarts
            .iter()
            .cloned()
            .map(Supervision::Restarted)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        signal,
        [Control::Finished {
            component: "sup".into()
        }]
    );
}

#[test]
fn on_failure_leaves_a_child_that_finished_ended() {
    let notes = shared();
    let (result, got, events, _) =
        run_through(vec![1, STOP, 2, 3], Supervisor::new(worker(&notes)));
    let report = result.expect("nothing failed");
    assert_eq!(got, [1]);
    assert_eq!(started(&notes), ["sup.worker1"]);
    assert!(report.restarts().is_empty());
    assert!(events.is_empty());
    // What nobody will take is counted, never lost.
    let sup = report.component("sup").unwrap();
    assert_eq!(
        sup.undelivered.iter().map(|u| u.count).sum::<usize>(),
        2,
        "{report}"
    );
}

#[test]
fn never_leaves_a_failed_child_failed() {
    let notes = shared();
    let (result, got, events, _) = run_through(
        vec![1, PANIC, 2, 3],
        Supervisor::new(worker(&notes).restart(RestartPolicy::Never)),
    );
    let err = result.expect_err("an unanswered failure fails the run");
    let report = err.report().expect("the run's report");
    assert_eq!(got, [1]);
    assert_eq!(started(&notes), ["sup.worker1"]);
    assert!(report.restarts().is_empty());
    assert!(events.is_empty());
    assert_eq!(
        report.failures().collect::<Vec<_>>(),
        [("sup.worker1", "panicked: boom")]
    );
    // 2 and 3 were waiting for it (in its inbox or the supervisor's): counted.
    assert_eq!(report.undelivered(), 2, "{report}");
}

#[test]
fn always_restarts_a_child_that_finished() {
    let notes = shared();
    let (result, got, _, _) = run_through(
        vec![1, STOP, 2, STOP, 3],
        Supervisor::new(worker(&notes).restart(RestartPolicy::Always)),
    );
    let report = result.expect("nothing failed");
    assert_eq!(got, [1, 2, 3]);
    // The third ends with its input: nothing more could reach a fourth.
    assert_eq!(
        started(&notes),
        ["sup.worker1", "sup.worker2", "sup.worker3"]
    );
    let causes: Vec<_> = report.restarts().iter().map(|r| r.cause.clone()).collect();
    assert_eq!(causes, [RestartCause::Finished, RestartCause::Finished]);
}

#[test]
fn too_many_restarts_make_the_supervisor_give_up() {
    let notes = shared();
    let (result, got, events, signal) = run_through(
        vec![1, PANIC, 2, PANIC, 3, PANIC, 4, 5],
        Supervisor::new(worker(&notes)).intensity(2, Duration::from_secs(60)),
    );
    let err = result.expect_err("the supervisor gave up");
    let report = err.report().expect("the run's report");
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(report.restarts().len(), 2);
    let Outcome::Failed(reason) = &report.component("sup").unwrap().outcome else {
        panic!("the supervisor failed: {report}");
    };
    assert!(
        reason.starts_with("gave up: sup.worker3 failed: panicked: boom"),
        "{reason}"
    );
    assert_eq!(events.len(), 3);
    assert!(matches!(
        &events[2],
        Supervision::GaveUp { supervisor, child, cause: RestartCause::Failed(_) }
            if supervisor == "sup" && child == "sup.worker3"
    ));
    assert!(matches!(
        &signal[..],
        [Control::Failed { component, reason: r }] if component == "sup" && r == reason
    ));
    // 4 and 5 were never handled: counted.
    assert_eq!(report.undelivered(), 2, "{report}");
}

#[test]
fn the_intensity_window_forgets_old_restarts() {
    let notes = shared();
    // One restart allowed per 30 ms; the backoff of 40 ms puts every
    // restart after the window of the one before.
    let (result, got, _, _) = run_through(
        vec![1, PANIC, 2, PANIC, 3, PANIC, 4],
        Supervisor::new(worker(&notes))
            .intensity(1, Duration::from_millis(30))
            .backoff(Duration::from_millis(40), Duration::from_millis(40)),
    );
    let report = result.expect("restarts spaced out never exceed the intensity");
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!(report.restarts().len(), 3);
}

#[test]
fn backoff_doubles_for_each_restart_within_the_window() {
    let notes = shared();
    let (result, got, _, _) = run_through(
        vec![1, PANIC, 2, PANIC, 3, PANIC, 4],
        Supervisor::new(worker(&notes))
            .intensity(10, Duration::from_secs(60))
            .backoff(Duration::from_millis(10), Duration::from_millis(25)),
    );
    let report = result.expect("restarted");
    assert_eq!(got, [1, 2, 3, 4]);
    let delays: Vec<_> = report.restarts().iter().map(|r| r.delay).collect();
    assert_eq!(
        delays,
        [
            Duration::from_millis(10),
            Duration::from_millis(20),
            Duration::from_millis(25)
        ]
    );
    // Each instance started no sooner than its delay after the last failed.
    let notes = take(&notes);
    let failed: Vec<Instant> = notes
        .iter()
        .filter_map(|n| match n {
            Note::Failing(_, at) => Some(*at),
            Note::Started(..) => None,
        })
        .collect();
    let starts: Vec<Instant> = notes
        .iter()
        .filter_map(|n| match n {
            Note::Started(_, at) => Some(*at),
            Note::Failing(..) => None,
        })
        .collect();
    for (k, delay) in delays.iter().enumerate() {
        assert!(
            starts[k + 1].duration_since(failed[k]) >= *delay,
            "restart {k} came before its backoff"
        );
    }
}

#[test]
fn messages_waiting_for_a_failed_child_go_to_the_next() {
    let notes = shared();
    let (result, got, _, _) =
        run_through(vec![1, PANIC, 2, 3, 4, 5], Supervisor::new(worker(&notes)));
    let report = result.expect("restarted");
    assert_eq!(got, [1, 2, 3, 4, 5]);
    let waiting = take(&notes)
        .into_iter()
        .find_map(|n| match n {
            Note::Failing(waiting, _) => Some(waiting),
            Note::Started(..) => None,
        })
        .unwrap();
    // The case under test: messages were in the failed child's own inbox.
    assert!(waiting > 0, "nothing waited in the child's inbox");
    assert_eq!(report.undelivered(), 0, "{report}");
}

#[test]
fn a_dropping_child_counts_what_waited_for_it() {
    let notes = shared();
    let (result, got, _, _) = run_through(
        vec![1, PANIC, 2, 3, 4, 5],
        Supervisor::new(worker(&notes).backlog(Backlog::Drop)),
    );
    let report = result.expect("restarted");
    let sup = report.component("sup").unwrap();
    let dropped: usize = sup
        .undelivered
        .iter()
        .filter(|u| u.port == "worker")
        .map(|u| u.count)
        .sum();
    assert!(dropped > 0, "{report}");
    // Every message arrived or was counted dropped, in order.
    assert_eq!(got.len() + dropped, 5, "{report}");
    let expected: Vec<u32> = [1, 2, 3, 4, 5]
        .into_iter()
        .filter(|n| *n == 1 || *n > 1 + dropped as u32)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn messages_sent_during_a_restart_wait_for_the_new_child() {
    let notes = shared();
    let (failed_tx, failed_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let factory_notes = notes.clone();
    let mut instances = 0;
    let supervisor = Supervisor::new(Child::new("worker", move || {
        instances += 1;
        if instances > 1 {
            // The restart waits here until the test has sent.
            go_rx
                .recv_timeout(HANG)
                .expect("the test lets the restart go on");
        }
        Worker::new(factory_notes.clone(), Some(failed_tx.clone()))
    }));
    let part = supervisor.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut output = Receiver::new(&part.handles().outbox).unwrap();
    let handle = myelin::spawn(part);
    input.send(1).unwrap();
    input.send(PANIC).unwrap();
    assert_eq!(output.recv_timeout(HANG).unwrap(), 1);
    failed_rx.recv_timeout(HANG).expect("the child fails");
    // Between the first instance's end and the second's start.
    for n in [2, 3, 4] {
        input.send(n).expect("a send during a restart is taken");
    }
    go_tx.send(()).unwrap();
    for n in [2, 3, 4] {
        assert_eq!(output.recv_timeout(HANG).unwrap(), n);
    }
    drop(input);
    let report = common::within_hang(move || handle.join()).expect("restarted");
    assert_eq!(
        started(&notes),
        ["Supervisor.worker1", "Supervisor.worker2"]
    );
    assert_eq!(report.restarts().len(), 1);
    assert_eq!(report.undelivered(), 0, "{report}");
}

/// Passes numbers on, on a thread of its own; `PANIC` panics.
#[component(thread)]
struct ThreadWorker {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    waiting: Shared<usize>,
}

impl ThreadComponent for ThreadWorker {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            if n == PANIC {
                push(&self.waiting, self.inbox.len());
                panic!("thread boom");
            }
            self.outbox.blocking_send(n)?;
        }
        Ok(())
    }
}

#[test]
fn a_threaded_child_is_restarted_with_its_backlog() {
    let waiting = shared();
    let child_waiting = waiting.clone();
    let supervisor = Supervisor::new(Child::new("worker", move || {
        ThreadWorker::new(child_waiting.clone())
    }));
    let (result, got, _, _) = run_through(vec![1, PANIC, 2, 3, PANIC, 4, 5], supervisor);
    let report = result.expect("restarted");
    assert_eq!(got, [1, 2, 3, 4, 5]);
    let restarts = report.restarts();
    assert_eq!(restarts.len(), 2);
    assert_eq!(
        restarts[0].cause,
        RestartCause::Failed("panicked: thread boom".into())
    );
    assert_eq!(restarts[1].started, "sup.worker3");
    assert_eq!(report.undelivered(), 0, "{report}");
}

/// Two workers in a chain, `a` then `b`, under `strategy`.
fn chain(
    notes_a: &Shared<Note>,
    notes_b: &Shared<Note>,
    strategy: Strategy,
) -> Supervisor<u32, u32> {
    let (a, b) = (notes_a.clone(), notes_b.clone());
    Supervisor::new(Child::new("a", move || Worker::new(a.clone(), None)))
        .then(Child::new("b", move || Worker::new(b.clone(), None)))
        .strategy(strategy)
}

#[test]
fn one_for_one_restarts_only_the_child_that_failed() {
    let (notes_a, notes_b) = (shared(), shared());
    let (result, got, _, _) = run_through(
        vec![1, 2, PANIC, 3, 4],
        chain(&notes_a, &notes_b, Strategy::OneForOne),
    );
    let report = result.expect("restarted");
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!(started(&notes_a), ["sup.a1", "sup.a2"]);
    assert_eq!(started(&notes_b), ["sup.b1"]);
    assert_eq!(report.restarts().len(), 1);
}

#[test]
fn all_for_one_restarts_every_child() {
    let (notes_a, notes_b) = (shared(), shared());
    let (result, got, events, _) = run_through(
        vec![1, 2, PANIC, 3, 4],
        chain(&notes_a, &notes_b, Strategy::AllForOne),
    );
    let report = result.expect("restarted");
    // `b` was stopped after what reached it: nothing is lost on the way.
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!(started(&notes_a), ["sup.a1", "sup.a2"]);
    assert_eq!(started(&notes_b), ["sup.b1", "sup.b2"]);
    let restarts = report.restarts();
    assert_eq!(restarts.len(), 2, "{report}");
    assert_eq!(restarts[0].ended, "sup.a1");
    assert_eq!(
        restarts[0].cause,
        RestartCause::Failed("panicked: boom".into())
    );
    assert_eq!(restarts[1].ended, "sup.b1");
    assert_eq!(
        restarts[1].cause,
        RestartCause::WithSibling("sup.a1".into())
    );
    assert_eq!(events.len(), 2);
    // Both old instances ended before either new one started.
    let a_failed = take(&notes_a)
        .into_iter()
        .find_map(|n| match n {
            Note::Failing(_, at) => Some(at),
            Note::Started(..) => None,
        })
        .unwrap();
    let b2_started = take(&notes_b)
        .into_iter()
        .filter_map(|n| match n {
            Note::Started(name, at) if name == "sup.b2" => Some(at),
            _ => None,
        })
        .next()
        .unwrap();
    assert!(b2_started > a_failed);
}

#[test]
fn shutdown_stops_the_children_and_nothing_restarts() {
    let notes = shared();
    let supervisor = Supervisor::new(worker(&notes).restart(RestartPolicy::Always));
    let part = supervisor.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut output = Receiver::new(&part.handles().outbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let handle = myelin::spawn(part);
    input.send(7).unwrap();
    assert_eq!(output.recv_timeout(HANG).unwrap(), 7);
    control.send(Control::Shutdown).unwrap();
    let report = common::within_hang(move || handle.join()).expect("stopped cleanly");
    assert!(report.restarts().is_empty(), "{report}");
    assert_eq!(started(&notes), ["Supervisor.worker1"]);
    drop(input);
}

/// Passes numbers on, in a child process; `PANIC` makes the process exit
/// at once, as a crash would.
#[component(process)]
pub struct ProcessWorker {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for ProcessWorker {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            if n == PANIC {
                std::process::exit(3);
            }
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[test]
fn a_crashed_child_process_is_restarted() {
    myelin::process::init();
    let part = Supervisor::new(Child::new("worker", ProcessWorker::new)).into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut output = Receiver::new(&part.handles().outbox).unwrap();
    let mut events = Receiver::new(&part.handles().events).unwrap();
    let handle = myelin::spawn(part);
    input.send(1).unwrap();
    assert_eq!(output.recv_timeout(HANG).unwrap(), 1);
    input.send(PANIC).unwrap();
    let Supervision::Restarted(restart) = events.recv_timeout(HANG).unwrap() else {
        panic!("restarted");
    };
    assert_eq!(restart.ended, "Supervisor.worker1");
    assert_eq!(restart.started, "Supervisor.worker2");
    let RestartCause::Failed(reason) = &restart.cause else {
        panic!("a crash is a failure");
    };
    assert!(reason.contains("exit status: 3"), "{reason}");
    // The new process takes what is sent now.
    input.send(7).unwrap();
    input.send(8).unwrap();
    assert_eq!(output.recv_timeout(HANG).unwrap(), 7);
    assert_eq!(output.recv_timeout(HANG).unwrap(), 8);
    drop(input);
    let report = common::within_hang(move || handle.join()).expect("restarted");
    assert_eq!(report.restarts(), [restart]);
    assert_eq!(
        report.component("Supervisor.worker2").unwrap().outcome,
        Outcome::Finished
    );
}

/// `Worker` that ignores `PANIC` (passes it on), so a `PANIC` fails the
/// first `Worker` after it in a chain.
#[component]
struct Pass {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    notes: Shared<Note>,
}

impl Component for Pass {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        push(
            &self.notes,
            Note::Started(cx.name().to_owned(), Instant::now()),
        );
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    let (notes_a, notes_b, notes_c) = (shared(), shared(), shared());
    let (a, b, c) = (notes_a.clone(), notes_b.clone(), notes_c.clone());
    let supervisor = Supervisor::new(Child::new("a", move || Pass::new(a.clone())))
        .then(Child::new("b", move || Worker::new(b.clone(), None)))
        .then(Child::new("c", move || Pass::new(c.clone())))
        .strategy(Strategy::RestForOne);
    let (result, got, _, _) = run_through(vec![1, 2, PANIC, 3, 4], supervisor);
    let report = result.expect("restarted");
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!(started(&notes_a), ["sup.a1"]);
    assert_eq!(started(&notes_b), ["sup.b1", "sup.b2"]);
    assert_eq!(started(&notes_c), ["sup.c1", "sup.c2"]);
    let causes: Vec<_> = report.restarts().iter().map(|r| r.cause.clone()).collect();
    assert_eq!(
        causes,
        [
            RestartCause::Failed("panicked: boom".into()),
            RestartCause::WithSibling("sup.b1".into())
        ]
    );
}

/// Never takes from its inbox: says when `full` messages wait there, then
/// waits until the system stops it.
#[component]
struct Deaf {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    full: usize,
    queued: mpsc::Sender<()>,
}

impl Component for Deaf {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while self.inbox.len() < self.full {
            cx.pause().await;
        }
        let _ = self.queued.send(());
        loop {
            cx.pause().await;
        }
    }
}

#[test]
fn a_system_shutdown_counts_what_waited_for_a_child() {
    let (queued_tx, queued_rx) = mpsc::channel();
    let part =
        Supervisor::new(Child::new("deaf", move || Deaf::new(5, queued_tx.clone()))).into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let _output = Receiver::new(&part.handles().outbox).unwrap();
    let handle = myelin::spawn(part);
    for n in 0..5 {
        input.send(n).unwrap();
    }
    // All five are in the child's kept inbox now.
    queued_rx
        .recv_timeout(HANG)
        .expect("the child sees them queued");
    handle.shutdown();
    let report = common::within_hang(move || handle.join()).expect("stopped");
    assert_eq!(report.undelivered(), 5, "{report}");
    drop(input);
}

/// Never takes from its inbox; waits on `control`.
#[component]
struct Stuck {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for Stuck {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while cx.control().recv().await.is_some() {}
        Ok(())
    }
}

/// Sends `0..100`, counting the sends that completed.
#[component]
struct Flood {
    outbox: Outbox<u32>,
    sent: Shared<u32>,
}

impl Component for Flood {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..100 {
            self.outbox.send(n).await?;
            push(&self.sent, n);
        }
        Ok(())
    }
}

#[test]
fn a_bounded_supervisor_inbox_holds_senders_back() {
    let sent = shared();
    let flood_sent = sent.clone();
    let result = run_bounded("bounded supervisor", move || {
        graphline! {
            components {
                flood: Flood::new(flood_sent),
                sup: Supervisor::new(Child::new("stuck", Stuck::new)),
                out: Collect::<u32>::new(),
            }
            links {
                flood.outbox -> sup.inbox (capacity = 4),
                sup.outbox -> out.inbox,
            }
        }
    });
    let err = result.expect_err("nothing reads: a stall");
    let report = err.report().unwrap();
    assert_eq!(report.component("flood").unwrap().outcome, Outcome::Stalled);
    // Four in the supervisor's inbox, four in the child's (bounded alike),
    // one in the supervisor's hands between them: the rest held back.
    let sent = take(&sent).len();
    assert!((4..=9).contains(&sent), "{sent} sends completed");
    // Every one is counted, with the one `flood` was waiting to send.
    assert_eq!(report.undelivered(), sent + 1, "{report}");
}

#[test]
fn a_supervisor_that_gives_up_is_restarted_by_its_own() {
    let notes = shared();
    let inner_notes = notes.clone();
    let outer = Supervisor::new(Child::new("inner", move || {
        // Gives up at its child's first failure.
        Supervisor::new(worker(&inner_notes)).intensity(0, Duration::from_secs(60))
    }));
    let (result, got, events, _) = run_through(vec![1, PANIC, 2, 3], outer);
    let report = result.expect("the outer supervisor answered the inner one's failure");
    // What waited for the inner supervisor's failed child (in its inbox, or
    // in the inner supervisor's hands) went back to the inner supervisor's
    // own inbox, which the outer one keeps: the new inner one gets it.
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(report.undelivered(), 0, "{report}");
    assert_eq!(
        started(&notes),
        ["sup.inner1.worker1", "sup.inner2.worker1"]
    );
    let restarts = report.restarts();
    assert_eq!(restarts.len(), 1, "{report}");
    assert_eq!(restarts[0].ended, "sup.inner1");
    assert_eq!(restarts[0].started, "sup.inner2");
    assert!(
        matches!(&restarts[0].cause, RestartCause::Failed(r) if r.starts_with("gave up")),
        "{report}"
    );
    assert_eq!(events.len(), 1);
}
