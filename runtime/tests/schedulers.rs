//! Systems on several schedulers: placement, and every guarantee of the
//! single scheduler across them (no silent loss, failure isolation,
//! shutdown, handles, threaded and process components, stall detection).
//!
//! Each scenario runs [`ROUNDS`] times: a race between schedulers that
//! shows once in a while must show here. Every run is bounded, so a hang
//! fails the test instead of stalling CI.

mod common;

use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use myelin::prelude::*;
use myelin::{Outcome, Part, Receiver, Report, Runtime, Sender};

use common::HANG;

myelin::process_test_entry!();

const ROUNDS: usize = 20;

/// Threads components ran on, by name.
type Seen = Arc<Mutex<Vec<(String, ThreadId)>>>;

fn seen() -> Seen {
    Arc::default()
}

fn threads_of(seen: &Seen, prefix: &str) -> HashSet<ThreadId> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(_, t)| *t)
        .collect()
}

/// Runs `build()`'s system on `schedulers` schedulers on a thread of its
/// own; panics after [`HANG`].
fn run_on<P, F>(schedulers: usize, build: F) -> (Result<Report, myelin::Error>, ThreadId)
where
    P: IntoPart,
    F: FnOnce() -> P + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let home = std::thread::current().id();
        let _ = tx.send((Runtime::new().schedulers(schedulers).run(build()), home));
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("the system did not end within {HANG:?}"))
}

/// Sends `0..count`, round robin over its eight outboxes.
#[component]
struct Dealer {
    w0: Outbox<u64>,
    w1: Outbox<u64>,
    w2: Outbox<u64>,
    w3: Outbox<u64>,
    w4: Outbox<u64>,
    w5: Outbox<u64>,
    w6: Outbox<u64>,
    w7: Outbox<u64>,
    count: u64,
}

impl Component for Dealer {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.count {
            let out = match n % 8 {
                0 => &mut self.w0,
                1 => &mut self.w1,
                2 => &mut self.w2,
                3 => &mut self.w3,
                4 => &mut self.w4,
                5 => &mut self.w5,
                6 => &mut self.w6,
                _ => &mut self.w7,
            };
            out.send(n).await?;
        }
        Ok(())
    }
}

/// Squares what it receives, noting the thread it runs on.
#[component]
struct Square {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    seen: Seen,
}

impl Component for Square {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.seen
            .lock()
            .unwrap()
            .push((cx.name().to_owned(), std::thread::current().id()));
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n.wrapping_mul(n)).await?;
        }
        Ok(())
    }
}

/// Keeps what it receives.
#[component]
struct Gather {
    inbox: Inbox<u64>,
    got: Arc<Mutex<Vec<u64>>>,
}

impl Component for Gather {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.got.lock().unwrap().push(n);
        }
        Ok(())
    }
}

fn farm(count: u64, seen: &Seen, got: &Arc<Mutex<Vec<u64>>>) -> impl IntoPart + Send + use<> {
    let w = |i: u64| {
        let _ = i;
        Square::new(seen.clone())
    };
    graphline! {
        components {
            dealer: Dealer::new(count),
            w0: w(0), w1: w(1), w2: w(2), w3: w(3), w4: w(4), w5: w(5), w6: w(6), w7: w(7),
            gather: Gather::new(got.clone()),
        }
        links {
            dealer.w0 -> w0.inbox, dealer.w1 -> w1.inbox, dealer.w2 -> w2.inbox,
            dealer.w3 -> w3.inbox, dealer.w4 -> w4.inbox, dealer.w5 -> w5.inbox,
            dealer.w6 -> w6.inbox, dealer.w7 -> w7.inbox,
            w0.outbox -> gather.inbox, w1.outbox -> gather.inbox, w2.outbox -> gather.inbox,
            w3.outbox -> gather.inbox, w4.outbox -> gather.inbox, w5.outbox -> gather.inbox,
            w6.outbox -> gather.inbox, w7.outbox -> gather.inbox,
        }
    }
}

#[test]
fn workers_behind_a_dealer_spread_over_two_schedulers_and_every_result_arrives_once() {
    for _ in 0..ROUNDS {
        let seen = seen();
        let got = Arc::new(Mutex::new(Vec::new()));
        let system = farm(10_000, &seen, &got);
        let (result, _) = run_on(2, move || system);
        assert!(result.unwrap().is_success());
        assert_eq!(threads_of(&seen, "w").len(), 2, "workers on two threads");
        let mut got = std::mem::take(&mut *got.lock().unwrap());
        got.sort_unstable();
        let want: Vec<u64> = (0..10_000).map(|n| n * n).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn on_one_scheduler_everything_runs_on_the_calling_thread() {
    let seen = seen();
    let got = Arc::new(Mutex::new(Vec::new()));
    let system = farm(100, &seen, &got);
    let (result, home) = run_on(1, move || system);
    assert!(result.unwrap().is_success());
    assert_eq!(threads_of(&seen, "w"), HashSet::from([home]));
}

#[test]
fn a_pipeline_stays_on_one_scheduler() {
    for _ in 0..ROUNDS {
        let seen = seen();
        let got = Arc::new(Mutex::new(Vec::new()));
        let (s, g) = (seen.clone(), got.clone());
        let (result, home) = run_on(4, move || {
            pipeline![
                common::Feed::new((0..1000u64).collect()),
                Square::new(s.clone()),
                Square::new(s.clone()),
                Square::new(s),
                Gather::new(g),
            ]
        });
        assert!(result.unwrap().is_success());
        assert_eq!(threads_of(&seen, ""), HashSet::from([home]));
        assert_eq!(got.lock().unwrap().len(), 1000);
    }
}

#[test]
fn explicit_placement_puts_a_component_where_it_is_told() {
    for _ in 0..ROUNDS {
        let seen = seen();
        let got = Arc::new(Mutex::new(Vec::new()));
        let (s, g) = (seen.clone(), got.clone());
        let (result, home) = run_on(2, move || {
            pipeline![
                common::Feed::new((0..1000u64).collect()),
                Square::new(s.clone()).on_scheduler(1),
                Square::new(s).on_scheduler(0),
                Gather::new(g),
            ]
        });
        assert!(result.unwrap().is_success());
        let seen = seen.lock().unwrap();
        assert_ne!(seen.iter().find(|(n, _)| n == "Square").unwrap().1, home);
        assert_eq!(seen.iter().find(|(n, _)| n == "Square2").unwrap().1, home);
        let got = got.lock().unwrap();
        let want: Vec<u64> = (0..1000u64).map(|n| n.wrapping_pow(4)).collect();
        assert_eq!(*got, want, "in order, none lost, across the hop");
    }
}

#[test]
fn together_keeps_parallel_branches_on_one_scheduler() {
    let seen = seen();
    let got = Arc::new(Mutex::new(Vec::new()));
    let system = farm(1000, &seen, &got).together();
    let (result, _) = run_on(2, move || system);
    assert!(result.unwrap().is_success());
    assert_eq!(threads_of(&seen, "w").len(), 1);
}

/// Sends `0..count` on a capacity-one link to the other scheduler.
#[component]
struct Count {
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for Count {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.count {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Receives slowly (yielding between messages), checking the order.
#[component]
struct Slow {
    #[inbox(capacity = 1)]
    inbox: Inbox<u64>,
    got: Arc<Mutex<Vec<u64>>>,
}

impl Component for Slow {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.got.lock().unwrap().push(n);
            cx.yield_now().await;
        }
        Ok(())
    }
}

#[test]
fn a_bounded_link_between_schedulers_keeps_order_and_backpressure() {
    for _ in 0..ROUNDS {
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let (result, _) = run_on(2, move || {
            pipeline![Count::new(20_000).on_scheduler(1), Slow::new(g)]
        });
        assert!(result.unwrap().is_success());
        assert_eq!(*got.lock().unwrap(), (0..20_000).collect::<Vec<_>>());
    }
}

/// Fails on its `n`th message.
#[component]
struct FailAt {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    at: u64,
}

impl Component for FailAt {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            assert!(n != self.at, "message {n} is poison");
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[test]
fn a_failure_on_one_scheduler_stays_with_its_component_and_reaches_a_watcher_on_another() {
    for _ in 0..ROUNDS {
        let watched = common::shared();
        let got = Arc::new(Mutex::new(Vec::new()));
        let (w, g) = (watched.clone(), got.clone());
        let (result, _) = run_on(2, move || {
            let inner = graphline! {
                components {
                    feed: common::Feed::new((0..100u64).collect()),
                    fail: FailAt::new(50),
                    gather: Gather::new(g),
                }
                links {
                    feed.outbox -> fail.inbox,
                    fail.outbox -> gather.inbox,
                }
            };
            graphline! {
                components {
                    inner: inner.on_scheduler(1),
                    watch: common::Watch::new(w).on_scheduler(0),
                }
                links {
                    inner.signal -> watch.control,
                }
            }
        });
        let err = result.unwrap_err();
        let report = err.report().expect("a run report");
        let failed: Vec<_> = report.failures().map(|(name, _)| name.to_owned()).collect();
        assert_eq!(failed, ["inner.fail"]);
        assert_eq!(
            report.component("watch").unwrap().outcome,
            Outcome::Finished
        );
        assert_eq!(*got.lock().unwrap(), (0..50).collect::<Vec<_>>());
        let heard = common::take(&watched);
        assert!(
            matches!(&heard[..], [Control::Failed { component, .. }] if component == "inner.fail"),
            "{heard:?}"
        );
    }
}

/// Waits for a message that never comes.
#[component]
struct WaitForever {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for WaitForever {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[test]
fn a_deadlock_spread_over_two_schedulers_is_reported_as_a_stall() {
    for _ in 0..ROUNDS {
        let (result, _) = run_on(2, || {
            graphline! {
                components {
                    a: WaitForever::new().on_scheduler(0),
                    b: WaitForever::new().on_scheduler(1),
                }
                links {
                    a.outbox -> b.inbox,
                    b.outbox -> a.inbox,
                }
            }
        });
        let err = result.unwrap_err();
        let report = err.report().expect("a run report");
        for name in ["a", "b"] {
            assert_eq!(report.component(name).unwrap().outcome, Outcome::Stalled);
        }
    }
}

/// Sleeps, then sends one message.
#[component]
struct Later {
    outbox: Outbox<u64>,
}

impl Component for Later {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        myelin::time::sleep(Duration::from_millis(20)).await;
        self.outbox.send(7).await?;
        Ok(())
    }
}

#[test]
fn a_timer_waiting_on_another_scheduler_is_not_a_stall() {
    for _ in 0..5 {
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let (result, _) = run_on(2, move || {
            pipeline![Later::new().on_scheduler(1), Gather::new(g).on_scheduler(0)]
        });
        assert!(result.unwrap().is_success());
        assert_eq!(*got.lock().unwrap(), [7]);
    }
}

#[test]
fn shutdown_from_a_handle_cancels_components_on_every_scheduler_and_counts_what_they_held() {
    for _ in 0..ROUNDS {
        let system = graphline! {
            components {
                a: WaitForever::new().on_scheduler(0),
                b: WaitForever::new().on_scheduler(1),
            }
            links {
                self.into_a -> a.inbox,
                self.into_b -> b.inbox,
                a.outbox -> b.inbox,
                b.outbox -> self.from_b,
            }
        };
        let ports = system.handles();
        let mut into_b = Sender::new(&ports.into_b).unwrap();
        let mut into_a = Sender::new(&ports.into_a).unwrap();
        let mut from_b = Receiver::new(&ports.from_b).unwrap();
        let handle = Runtime::new().schedulers(2).spawn(system);
        into_a.send(1).unwrap();
        into_b.send(2).unwrap();
        // Both messages came through b: both schedulers are running.
        let mut two = vec![from_b.recv().unwrap(), from_b.recv().unwrap()];
        two.sort_unstable();
        assert_eq!(two, [1, 2]);
        handle.shutdown();
        let report = common::within_hang(move || handle.join()).unwrap();
        for name in ["a", "b"] {
            assert_eq!(report.component(name).unwrap().outcome, Outcome::Cancelled);
        }
    }
}

/// Asks the whole system to stop after its first message.
#[component]
struct StopOnFirst {
    inbox: Inbox<u64>,
}

impl Component for StopOnFirst {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if self.inbox.recv().await.is_some() {
            cx.shutdown_system();
        }
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[test]
fn a_component_on_a_worker_can_stop_the_whole_system() {
    for _ in 0..ROUNDS {
        let (result, _) = run_on(2, || {
            graphline! {
                components {
                    feed: common::Feed::new(vec![1u64]),
                    stop: StopOnFirst::new().on_scheduler(1),
                    idle: common::Sleeper::new().on_scheduler(0),
                }
                links {
                    feed.outbox -> stop.inbox,
                }
            }
        });
        let report = result.unwrap();
        assert_eq!(
            report.component("stop").unwrap().outcome,
            Outcome::Cancelled
        );
        assert_eq!(
            report.component("idle").unwrap().outcome,
            Outcome::Cancelled
        );
    }
}

/// A threaded stage: doubles what it receives.
#[component(thread)]
struct DoubleOnThread {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl myelin::ThreadComponent for DoubleOnThread {
    fn main(&mut self, _cx: &mut myelin::ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n * 2)?;
        }
        Ok(())
    }
}

/// A process stage: adds one to what it receives.
#[component(process)]
pub struct AddOneInProcess {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for AddOneInProcess {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n + 1).await?;
        }
        Ok(())
    }
}

#[test]
fn threaded_and_process_components_link_to_generators_on_other_schedulers() {
    myelin::process::init();
    for _ in 0..3 {
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let (result, _) = run_on(2, move || {
            pipeline![
                common::Feed::new((0..500u64).collect()).on_scheduler(1),
                DoubleOnThread::new(),
                AddOneInProcess::new(),
                Gather::new(g).on_scheduler(1),
            ]
        });
        assert!(result.unwrap().is_success());
        assert_eq!(
            *got.lock().unwrap(),
            (0..500u64).map(|n| n * 2 + 1).collect::<Vec<_>>()
        );
    }
}

/// Never reads its inbox: sleeps (a timer, so the system waits rather than
/// stalls) until cancelled.
#[component]
struct Hold {
    inbox: Inbox<u64>,
}

impl Component for Hold {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        myelin::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

#[test]
fn messages_left_on_a_worker_at_shutdown_are_counted_in_the_report() {
    for _ in 0..ROUNDS {
        let system = pipeline![Hold::new().on_scheduler(1)];
        let ports = system.handles();
        let mut into = Sender::new(&ports.inbox).unwrap();
        let handle = Runtime::new().schedulers(2).spawn(system);
        for n in 0..3 {
            into.send(n).unwrap();
        }
        handle.shutdown();
        let report = common::within_hang(move || handle.join()).unwrap();
        let hold = report.component("Hold").unwrap();
        assert_eq!(hold.outcome, Outcome::Cancelled);
        assert_eq!(hold.undelivered.iter().map(|u| u.count).sum::<usize>(), 3);
        drop(into);
    }
}
