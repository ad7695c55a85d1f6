//! Time in the scheduler: sleeping, timeouts and intervals in generator
//! components.
//!
//! Tests that could hang if timers broke run their system on another thread
//! and fail after a generous bound instead.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::run_bounded;
use myelin::Outcome;
use myelin::prelude::*;
use myelin::time;

type Log = Arc<Mutex<Vec<(u32, Instant, Instant)>>>;

/// Sleeps until `deadline`, then notes its number, when it meant to wake
/// and when it did.
#[component]
struct Sleeper {
    id: u32,
    deadline: Instant,
    log: Log,
}

impl Component for Sleeper {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let deadline = self.deadline;
        time::sleep_until(deadline).await;
        self.log
            .lock()
            .unwrap()
            .push((self.id, deadline, Instant::now()));
        Ok(())
    }
}

/// Builds a graph of sleepers, one per `(id, millis)`: each sleeps until
/// `millis` after a moment far enough ahead that every one of them has
/// started (and registered its timer) by then.
fn sleepers(plan: &[(u32, u64)], log: &Log) -> myelin::Graph<()> {
    let base = Instant::now() + Duration::from_millis(500);
    plan.iter()
        .fold(myelin::Graph::new("graphline"), |g, &(id, millis)| {
            let deadline = base + Duration::from_millis(millis);
            g.child(
                None,
                myelin::Node::new(Sleeper::new(id, deadline, log.clone())),
            )
        })
}

/// Sleepers wake in the order of their deadlines, never before them, and a
/// system waiting only on timers is not a stall.
#[test]
fn sleepers_wake_in_deadline_order_and_never_early() {
    let log: Log = Arc::default();
    let plan = [(1, 60), (2, 20), (3, 40), (4, 0), (5, 80)];
    let system_log = log.clone();
    let report = run_bounded("sleepers", move || sleepers(&plan, &system_log)).expect("no stall");
    assert!(report.is_success(), "{report:?}");
    let log = log.lock().unwrap();
    let order: Vec<u32> = log.iter().map(|&(id, _, _)| id).collect();
    assert_eq!(order, [4, 2, 3, 1, 5]);
    for &(id, deadline, woke) in log.iter() {
        assert!(woke >= deadline, "sleeper {id} woke early");
    }
}

/// Ten thousand components each sleep a different while; every one wakes,
/// after its deadline, and the run ends.
#[test]
fn ten_thousand_timers_all_fire() {
    let log: Log = Arc::default();
    let plan: Vec<(u32, u64)> = (0..10_000).map(|i| (i, u64::from(i % 97))).collect();
    let system_log = log.clone();
    let report =
        run_bounded("many timers", move || sleepers(&plan, &system_log)).expect("no stall");
    assert!(report.is_success());
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 10_000);
    assert!(log.iter().all(|&(_, deadline, woke)| woke >= deadline));
    // Woken in deadline order (the log is in wake order).
    assert!(log.windows(2).all(|w| w[0].1 <= w[1].1), "deadline order");
}

/// Sleeps for an hour.
#[component]
struct Nap {}

impl Component for Nap {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

/// Stops the system once it has run.
#[component]
struct Stop {}

impl Component for Stop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        time::sleep(Duration::from_millis(5)).await;
        cx.shutdown_system();
        Ok(())
    }
}

/// A shutdown cancels sleeping components at once: `run` does not wait for
/// their hour to pass.
#[test]
fn shutdown_cancels_sleepers_at_once() {
    let started = Instant::now();
    let report = run_bounded("shutdown of sleepers", || {
        graphline! {
            components {
                nap: Nap::new(),
                nap2: Nap::new(),
                stop: Stop::new(),
            }
            links {}
        }
    })
    .expect("a shutdown is a normal end");
    assert!(started.elapsed() < Duration::from_secs(60));
    for name in ["nap", "nap2"] {
        assert_eq!(
            report.component(name).map(|c| &c.outcome),
            Some(&Outcome::Cancelled)
        );
    }
}

/// Waits for messages with a timeout; notes what each wait found.
#[component]
struct Patient {
    inbox: Inbox<u32>,
    millis: u64,
    seen: Arc<Mutex<Vec<Option<u32>>>>,
}

impl Component for Patient {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        loop {
            match time::timeout(Duration::from_millis(self.millis), self.inbox.recv()).await {
                Ok(Some(n)) => self.seen.lock().unwrap().push(Some(n)),
                Ok(None) => return Ok(()),
                Err(time::Elapsed) => self.seen.lock().unwrap().push(None),
            }
        }
    }
}

/// Sends 1 at once, then 2 after a pause much longer than the receiver's
/// timeout, then 3 right away.
#[component]
struct Slow {
    outbox: Outbox<u32>,
}

impl Component for Slow {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(1).await?;
        time::sleep(Duration::from_millis(100)).await;
        self.outbox.send(2).await?;
        self.outbox.send(3).await?;
        Ok(())
    }
}

/// A timeout around `recv` gives up when the time runs out first, and a
/// message arriving later is not lost: the next wait gets it.
#[test]
fn a_timeout_races_a_message_and_loses_nothing() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let system_seen = seen.clone();
    let report = run_bounded("timeout around recv", move || {
        pipeline![Slow::new(), Patient::new(10, system_seen)]
    })
    .expect("runs");
    assert!(report.is_success());
    let seen = seen.lock().unwrap();
    let messages: Vec<u32> = seen.iter().flatten().copied().collect();
    assert_eq!(messages, [1, 2, 3], "every message arrived, in order");
    assert!(
        seen.iter().filter(|s| s.is_none()).count() >= 2,
        "100 ms of silence holds several 10 ms timeouts: {seen:?}"
    );
    assert_eq!(seen[0], Some(1));
}

/// A message that is ready wins over a timeout that is also due.
#[component]
struct ReadyWins {
    inbox: Inbox<u32>,
}

impl Component for ReadyWins {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        // Already queued (sent before this component first ran).
        let got = time::timeout(Duration::ZERO, self.inbox.recv()).await;
        assert_eq!(got, Ok(Some(7)));
        let nothing = time::timeout(Duration::ZERO, self.inbox.recv()).await;
        assert_eq!(nothing, Ok(None), "the stream has ended: ready at once");
        Ok(())
    }
}

/// Sends one message.
#[component]
struct One {
    outbox: Outbox<u32>,
}

impl Component for One {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(7).await?;
        Ok(())
    }
}

#[test]
fn a_ready_future_beats_a_due_timeout() {
    let report = run_bounded("ready wins", || pipeline![One::new(), ReadyWins::new()]).unwrap();
    assert!(report.is_success(), "{report:?}");
}

/// Counts ticks of an interval until `until` have passed, checking they are
/// a period apart.
#[component]
struct Ticks {
    count: u32,
    period_ms: u64,
    ticks: Arc<Mutex<Vec<Instant>>>,
}

impl Component for Ticks {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut interval = time::interval(Duration::from_millis(self.period_ms));
        for _ in 0..self.count {
            let due = interval.tick().await;
            assert!(Instant::now() >= due);
            self.ticks.lock().unwrap().push(due);
        }
        Ok(())
    }
}

/// An interval's ticks are a period apart, the first at once.
#[test]
fn interval_ticks_a_period_apart() {
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let system_ticks = ticks.clone();
    let started = Instant::now();
    let report = run_bounded("interval", move || Ticks::new(5, 10, system_ticks)).unwrap();
    assert!(report.is_success());
    let ticks = ticks.lock().unwrap();
    assert_eq!(ticks.len(), 5);
    assert!(
        ticks[0] - started < Duration::from_millis(10),
        "the first tick is at once"
    );
    for pair in ticks.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(10), "{ticks:?}");
    }
}

/// A deadlock beside a sleeping component is still found once the sleeper
/// is done: timers delay the verdict, they do not hide it.
#[component]
struct WaitForever {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for WaitForever {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[test]
fn a_deadlock_beside_a_sleeper_is_reported_once_the_sleeper_wakes() {
    let log: Log = Arc::default();
    let system_log = log.clone();
    let result = run_bounded("deadlock beside a sleeper", move || {
        graphline! {
            components {
                a: WaitForever::new(),
                b: WaitForever::new(),
                sleeper: Sleeper::new(1, Instant::now() + Duration::from_millis(30), system_log),
            }
            links {
                a.outbox -> b.inbox,
                b.outbox -> a.inbox,
            }
        }
    });
    let err = result.expect_err("a deadlock is an error");
    let report = err.report().unwrap();
    assert_eq!(
        report.component("sleeper").map(|c| &c.outcome),
        Some(&Outcome::Finished)
    );
    assert_eq!(
        report.component("a").map(|c| &c.outcome),
        Some(&Outcome::Stalled)
    );
    assert_eq!(log.lock().unwrap().len(), 1);
}

/// A timer polled outside a myelin scheduler says so, clearly.
#[test]
fn a_timer_outside_a_scheduler_panics_with_directions() {
    let panic = std::panic::catch_unwind(|| {
        let mut sleep = std::pin::pin!(time::sleep(Duration::from_secs(1)));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let _ = sleep.as_mut().poll(&mut cx);
    })
    .expect_err("panics");
    let message = panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap();
    assert!(message.contains("outside a myelin scheduler"), "{message}");
}
