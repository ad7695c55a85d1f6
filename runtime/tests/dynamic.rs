//! Systems that change while running: port groups made and removed by a
//! running component, and parts it starts and links to them.
//!
//! Every run is bounded, so a component that waits for ever fails the test
//! instead of hanging it.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use myelin::prelude::*;
use myelin::{Inboxes, Outboxes, Outcome, Runtime, SendErrorKind, link};

use common::run_bounded;

/// What came back, per job id.
type JobResults = Arc<Mutex<Vec<(u32, Vec<u64>)>>>;

enum Next {
    Job(Option<Vec<u64>>),
    Result(Option<(u32, Option<u64>)>),
}

/// Squares what it receives, then ends with its input.
#[component]
struct Square {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Square {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * n).await?;
        }
        Ok(())
    }
}

/// For each job (a list of numbers) it receives, adds a worker with its own
/// pair of boxes, sends it the job, and removes the pair when the worker's
/// results have all come back; records what came back per job, and the
/// group's ports as they were at their fullest.
#[component]
struct Dispatcher {
    inbox: Inbox<Vec<u64>>,
    results: JobResults,
    widest: Arc<Mutex<usize>>,
}

impl Component for Dispatcher {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut to_workers: Outboxes<u32, u64> = Outboxes::new("jobs");
        let mut from_workers: Inboxes<u32, u64> = Inboxes::new("results");
        let mut collected: Vec<(u32, Vec<u64>)> = Vec::new();
        let mut next_id = 0;
        let mut input_open = true;
        loop {
            if !input_open && from_workers.is_empty() {
                break;
            }
            // Whichever comes first: a job, or a result (both receives are
            // cancel-safe, so the one that loses the race loses nothing).
            let next = std::future::poll_fn(|task| {
                if input_open && let Poll::Ready(job) = Pin::new(&mut self.inbox.recv()).poll(task)
                {
                    return Poll::Ready(Next::Job(job));
                }
                if !from_workers.is_empty()
                    && let Poll::Ready(got) = Pin::new(&mut from_workers.recv()).poll(task)
                {
                    return Poll::Ready(Next::Result(got));
                }
                Poll::Pending
            })
            .await;
            match next {
                Next::Job(Some(job)) => {
                    let id = next_id;
                    next_id += 1;
                    let worker = Square::new().into_part();
                    let ports = worker.handles();
                    link(&to_workers.add(id)?, &ports.inbox, None)?;
                    link(&ports.outbox, &from_workers.add(id)?, None)?;
                    cx.start(worker)?;
                    for n in job {
                        to_workers.send(&id, n).await?;
                    }
                    // The job is all sent: its end of stream ends the worker.
                    assert!(to_workers.remove(&id));
                    collected.push((id, Vec::new()));
                    let width = from_workers.ports().len();
                    let mut widest = self.widest.lock().unwrap();
                    *widest = (*widest).max(width);
                }
                Next::Job(None) => input_open = false,
                Next::Result(Some((id, Some(n)))) => {
                    collected
                        .iter_mut()
                        .find(|(i, _)| *i == id)
                        .unwrap()
                        .1
                        .push(n);
                }
                Next::Result(Some((id, None))) => {
                    // That worker has ended and everything it sent is read.
                    assert_eq!(from_workers.remove(&id), Some(Vec::new()));
                }
                Next::Result(None) => unreachable!("the group is not empty"),
            }
        }
        *self.results.lock().unwrap() = collected;
        Ok(())
    }
}

#[test]
fn a_dispatcher_adds_a_worker_per_job_and_removes_it_when_done() {
    let results = Arc::new(Mutex::new(Vec::new()));
    let widest = Arc::new(Mutex::new(0));
    let (r, w) = (results.clone(), widest.clone());
    let jobs: Vec<Vec<u64>> = (0..20u64)
        .map(|j| (0..j % 7 + 1).map(|n| n + j).collect())
        .collect();
    let expect = jobs.clone();
    let report = run_bounded("dispatcher", move || {
        pipeline![common::Feed::new(jobs), Dispatcher::new(r, w)]
    })
    .unwrap();
    assert!(report.is_success(), "{report}");
    let results = results.lock().unwrap();
    assert_eq!(results.len(), 20);
    for (id, got) in results.iter() {
        let want: Vec<u64> = expect[*id as usize].iter().map(|n| n * n).collect();
        assert_eq!(got, &want, "job {id}: every result, in order");
    }
    // Every worker is in the report, named under the dispatcher.
    let workers = report
        .components()
        .iter()
        .filter(|c| c.name.starts_with("Dispatcher.Square"))
        .count();
    assert_eq!(workers, 20);
    assert!(*widest.lock().unwrap() >= 1);
}

/// Sends `0..count` into its outbox the blocking way, on its own thread,
/// until a send comes back: records how many it tried, and what came back.
#[component(thread)]
struct BlockingSender {
    outbox: Outbox<u64>,
    count: u64,
    tried: Arc<Mutex<u64>>,
    returned: Arc<Mutex<Vec<u64>>>,
}

impl myelin::ThreadComponent for BlockingSender {
    fn main(&mut self, _cx: &mut myelin::ThreadContext) -> Result<(), Error> {
        for n in 0..self.count {
            *self.tried.lock().unwrap() += 1;
            if let Err(e) = self.outbox.blocking_send(n) {
                assert_eq!(e.kind(), SendErrorKind::Closed);
                self.returned.lock().unwrap().push(e.into_inner());
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Starts a `BlockingSender` into a group inbox, reads `read` messages,
/// then removes the inbox while the thread is still sending; records what
/// it read and what the removal handed back.
#[component]
struct RemoveMidStream {
    read: usize,
    tried: Arc<Mutex<u64>>,
    returned: Arc<Mutex<Vec<u64>>>,
    got: Arc<Mutex<Vec<u64>>>,
    handed_back: Arc<Mutex<Vec<u64>>>,
}

impl Component for RemoveMidStream {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut group: Inboxes<&str, u64> = Inboxes::new("feeds");
        let sender =
            BlockingSender::new(1_000_000, self.tried.clone(), self.returned.clone()).into_part();
        link(
            &sender.handles().outbox,
            &group.add_bounded("thread", 8)?,
            None,
        )?;
        cx.start(sender)?;
        for _ in 0..self.read {
            let (key, msg) = group.recv().await.expect("one inbox");
            assert_eq!(key, "thread");
            self.got.lock().unwrap().push(msg.expect("still sending"));
        }
        *self.handed_back.lock().unwrap() = group.remove(&"thread").expect("added");
        assert!(
            group.recv().await.is_none(),
            "an empty group has nothing to wait for"
        );
        Ok(())
    }
}

#[test]
fn removing_an_inbox_a_thread_sends_into_loses_nothing() {
    for round in 0..20 {
        let tried = Arc::new(Mutex::new(0));
        let returned = Arc::new(Mutex::new(Vec::new()));
        let got = Arc::new(Mutex::new(Vec::new()));
        let handed_back = Arc::new(Mutex::new(Vec::new()));
        let (t, r, g, h) = (
            tried.clone(),
            returned.clone(),
            got.clone(),
            handed_back.clone(),
        );
        let report = run_bounded("remove mid-stream", move || {
            pipeline![RemoveMidStream::new(100 + round, t, r, g, h)]
        })
        .unwrap();
        assert!(report.is_success(), "{report}");
        // Every message the thread tried to send is in exactly one place:
        // read, handed back by the removal, or returned to the thread.
        let mut all: Vec<u64> = got.lock().unwrap().clone();
        all.extend(handed_back.lock().unwrap().iter());
        all.extend(returned.lock().unwrap().iter());
        let tried = *tried.lock().unwrap();
        assert_eq!(
            returned.lock().unwrap().len(),
            1,
            "the thread stops at its first refusal"
        );
        assert_eq!(all, (0..tried).collect::<Vec<_>>(), "round {round}");
    }
}

#[test]
fn port_groups_refuse_a_key_twice_and_give_back_a_message_for_a_missing_key() {
    let mut ins: Inboxes<u32, String> = Inboxes::new("clients");
    ins.add(1).unwrap();
    let err = ins.add(1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the port group `clients` already has a port with key 1"
    );
    let mut outs: Outboxes<&str, String> = Outboxes::new("replies");
    outs.add("a").unwrap();
    assert!(outs.add("a").is_err());
    let err = outs.try_send(&"b", "hello".to_owned()).unwrap_err();
    assert_eq!(err.kind(), SendErrorKind::NoSuchKey);
    assert_eq!(
        err.to_string(),
        "cannot send on `replies`: the port group has no port under that key"
    );
    assert_eq!(err.into_inner(), "hello");
    // Unlinked, but present: the usual error, message back.
    let err = outs.try_send(&"a", "x".to_owned()).unwrap_err();
    assert_eq!(err.kind(), SendErrorKind::Unlinked);
}

#[test]
fn a_groups_ports_show_in_its_metadata_as_they_come_and_go() {
    let mut ins: Inboxes<u32, u64> = Inboxes::new("clients");
    assert!(ins.ports().is_empty());
    ins.add(3).unwrap();
    ins.add(5).unwrap();
    let ports = ins.ports();
    assert_eq!(ports.len(), 2);
    assert_eq!(ports[0].group, "clients");
    assert_eq!(ports[0].key, "3");
    assert_eq!(ports[0].message, "u64");
    assert_eq!(ins.remove(&3), Some(Vec::new()));
    assert_eq!(
        ins.ports()
            .iter()
            .map(|p| p.key.as_str())
            .collect::<Vec<_>>(),
        ["5"]
    );
    assert_eq!(ins.remove(&3), None);
    let mut outs: Outboxes<u32, u64> = Outboxes::new("jobs");
    outs.add(9).unwrap();
    assert_eq!(outs.ports()[0].key, "9");
    assert!(outs.remove(&9));
    assert!(outs.ports().is_empty());
}

/// Fails on its first message.
#[component]
struct Fragile {
    inbox: Inbox<u64>,
}

impl Component for Fragile {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if let Some(n) = self.inbox.recv().await {
            return Err(Error::msg(format!("cannot take {n}")));
        }
        Ok(())
    }
}

/// Starts a `Fragile` child, feeds it, and finishes.
#[component]
struct Parent {}

impl Component for Parent {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let child = Fragile::new().into_part();
        let mut out: Outbox<u64> = Outbox::new("to_child");
        link(&out.port(), &child.handles().inbox, None)?;
        cx.start_named("fragile", child)?;
        out.send(7).await?;
        Ok(())
    }
}

#[test]
fn a_started_part_that_fails_fails_alone_and_shows_in_the_report() {
    let report = run_bounded("fragile child", || pipeline![Parent::new()]);
    let err = report.unwrap_err();
    let report = err.report().expect("a report");
    assert_eq!(
        report.component("Parent").unwrap().outcome,
        Outcome::Finished
    );
    assert_eq!(
        report.component("Parent.fragile").unwrap().outcome,
        Outcome::Failed("cannot take 7".to_owned())
    );
}

/// Starts a child that sleeps for an hour, then stops the whole system.
#[component]
struct StartThenStop {
    seen: Arc<Mutex<Vec<std::thread::ThreadId>>>,
}

/// Sleeps for an hour (a timer: waiting, not stalled), noting its thread.
#[component]
struct Sleepy {
    seen: Arc<Mutex<Vec<std::thread::ThreadId>>>,
}

impl Component for Sleepy {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.seen.lock().unwrap().push(std::thread::current().id());
        myelin::time::sleep(std::time::Duration::from_secs(3600)).await;
        Ok(())
    }
}

impl Component for StartThenStop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.seen.lock().unwrap().push(std::thread::current().id());
        cx.start_named("sleepy", Sleepy::new(self.seen.clone()))?;
        // Give the child its start: it starts at the scheduler's next look.
        while self.seen.lock().unwrap().len() < 2 {
            cx.yield_now().await;
        }
        cx.shutdown_system();
        Ok(())
    }
}

#[test]
fn a_shutdown_cancels_started_parts_and_they_run_on_their_starters_scheduler() {
    for schedulers in [1, 2] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let system = pipeline![StartThenStop::new(s).on_scheduler(1)];
            let _ = tx.send(Runtime::new().schedulers(schedulers).run(system));
        });
        let report = rx.recv_timeout(common::HANG).expect("ends").unwrap();
        assert_eq!(
            report.component("StartThenStop.sleepy").unwrap().outcome,
            Outcome::Cancelled
        );
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen[0], seen[1],
            "the child runs on its starter's scheduler"
        );
    }
}

/// Starts a `Square` from its own thread, and trades `rounds` messages
/// with it, one at a time, so most cross after the child has started.
#[component(thread)]
struct ThreadBoss {
    rounds: u64,
    got: Arc<Mutex<Vec<u64>>>,
}

impl ThreadComponent for ThreadBoss {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let helper = Square::new().into_part();
        let ports = helper.handles();
        let mut to_helper: Outbox<u64> = Outbox::new("to_helper");
        let mut from_helper: Inbox<u64> = Inbox::new("from_helper");
        link(&to_helper.port(), &ports.inbox, None)?;
        link(&ports.outbox, &from_helper.port(), None)?;
        cx.start(helper)?;
        for n in 0..self.rounds {
            to_helper.blocking_send(n)?;
            let squared = from_helper.blocking_recv().expect("the helper answers");
            self.got.lock().unwrap().push(squared);
        }
        drop(to_helper);
        assert_eq!(
            from_helper.blocking_recv(),
            None,
            "the helper ends with its input"
        );
        Ok(())
    }
}

#[test]
fn a_threaded_component_starts_a_child_and_talks_to_it() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let report = run_bounded("thread starts a child", move || {
        pipeline![ThreadBoss::new(1_000, seen)]
    })
    .expect("both finish");
    let got = got.lock().unwrap().clone();
    assert_eq!(got, (0..1_000u64).map(|n| n * n).collect::<Vec<_>>());
    assert_eq!(
        report.component("ThreadBoss.Square1").unwrap().outcome,
        Outcome::Finished
    );
}
