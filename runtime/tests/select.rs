//! Waiting on a chosen set of inboxes (`first_ready`, `select!`), and which
//! port operations are cancel-safe.

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::Poll;

use common::{Counter, Shared, counted, push, run_bounded, shared, take};
use myelin::prelude::*;
use myelin::{IntoPart, Outcome, Part, Sender, first_ready, select};

/// Sends `before` messages to `to_b`, lets everyone else run a few times,
/// then sends one message to `to_a`.
#[component]
struct Feed {
    to_a: Outbox<u32>,
    to_b: Outbox<u32>,
    before: u32,
}

impl Component for Feed {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.before {
            self.to_b.send(n).await?;
            cx.yield_now().await;
        }
        for _ in 0..3 {
            cx.yield_now().await;
        }
        self.to_a.send(100).await?;
        Ok(())
    }
}

/// Waits for `a` only, counting how often its wait is resumed, then reads
/// everything.
#[component]
struct WaitForA {
    a: Inbox<u32>,
    b: Inbox<u32>,
    polls: Counter,
    got: Shared<(usize, Option<u32>)>,
}

impl Component for WaitForA {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let which = counted(first_ready([&self.a]), &self.polls).await;
        push(&self.got, (which, self.a.recv().await));
        while self.b.recv().await.is_some() {}
        Ok(())
    }
}

#[test]
fn first_ready_wakes_only_for_the_chosen_inboxes() {
    let polls = Counter::default();
    let got = shared();
    let (p, g) = (polls.clone(), got.clone());
    let report = run_bounded("wait for a", move || {
        graphline! {
            components {
                // First, so that it is waiting before anything is sent.
                wait: WaitForA::new(p, g),
                feed: Feed::new(5),
            }
            links {
                feed.to_a -> wait.a,
                feed.to_b -> wait.b,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(take(&got), [(0, Some(100))]);
    // One poll to start waiting and one for the message on `a`: the five
    // messages on `b` woke nothing.
    assert_eq!(polls.get(), 2);
}

/// Sends `items` on its outbox.
#[component]
struct Numbers {
    outbox: Outbox<u32>,
    items: Vec<u32>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in std::mem::take(&mut self.items) {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Records, per inbox, what each receive after `first_ready` gave, until
/// both inputs have ended (or too many rounds: an end counted twice).
#[component]
struct Record {
    a: Inbox<u32>,
    b: Inbox<u32>,
    got: Shared<(usize, Option<u32>)>,
}

impl Component for Record {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut open = 2;
        for _ in 0..20 {
            let which = first_ready([&self.a, &self.b]).await;
            let msg = match which {
                0 => self.a.recv().await,
                _ => self.b.recv().await,
            };
            push(&self.got, (which, msg));
            if msg.is_none() {
                open -= 1;
                if open == 0 {
                    return Ok(());
                }
            }
        }
        Err(Error::msg("an inbox stayed ready after its end was seen"))
    }
}

#[test]
fn an_end_counts_once() {
    let got = shared();
    let g = got.clone();
    let report = run_bounded("end once", move || {
        graphline! {
            components {
                empty: Numbers::new(vec![]),
                some: Numbers::new(vec![7, 8]),
                record: Record::new(g),
            }
            links {
                empty.outbox -> record.a,
                some.outbox -> record.b,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    let got = take(&got);
    let on = |i| {
        got.iter()
            .filter(|(w, _)| *w == i)
            .map(|(_, m)| *m)
            .collect::<Vec<_>>()
    };
    assert_eq!(on(0), [None]);
    assert_eq!(on(1), [Some(7), Some(8), None]);
}

/// Waits on an inbox that nothing is linked to.
#[component]
struct Unlinked {
    a: Inbox<u32>,
    got: Shared<(usize, Option<u32>)>,
}

impl Component for Unlinked {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let which = first_ready([&self.a]).await;
        push(&self.got, (which, self.a.recv().await));
        Ok(())
    }
}

#[test]
fn an_inbox_nothing_is_linked_to_has_ended() {
    let got = shared();
    let g = got.clone();
    let report = run_bounded("unlinked", move || Unlinked::new(g)).unwrap();
    // Not stalled: `recv` would return `None` at once, so the wait does too.
    assert!(report.is_success(), "{report:?}");
    assert_eq!(take(&got), [(0, None)]);
}

/// Labels what comes on `left` and `right` until both end, or a `Shutdown`.
#[component]
struct Label {
    left: Inbox<u32>,
    right: Inbox<String>,
    got: Shared<String>,
}

impl Component for Label {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut open = 2;
        while open > 0 {
            select! {
                msg = cx.control() => if msg == Some(Control::Shutdown) {
                    push(&self.got, "stop".to_owned());
                    break;
                },
                // `n` is an `Option<u32>`, `s` an `Option<String>`.
                n = self.left => match n {
                    Some(n) => push(&self.got, format!("left {n}")),
                    None => open -= 1,
                },
                s = self.right => match s {
                    Some(s) => push(&self.got, format!("right {s}")),
                    None => open -= 1,
                },
            }
        }
        Ok(())
    }
}

/// Sends `items` as strings.
#[component]
struct Words {
    outbox: Outbox<String>,
    items: Vec<&'static str>,
}

impl Component for Words {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for s in std::mem::take(&mut self.items) {
            self.outbox.send(s.to_owned()).await?;
        }
        Ok(())
    }
}

#[test]
fn select_receives_typed_messages_until_every_input_ends() {
    let got = shared();
    let g = got.clone();
    let report = run_bounded("select", move || {
        graphline! {
            components {
                numbers: Numbers::new(vec![1, 2]),
                words: Words::new(vec!["x", "y", "z"]),
                label: Label::new(g),
            }
            links {
                numbers.outbox -> label.left,
                words.outbox -> label.right,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    let mut got = take(&got);
    got.sort();
    assert_eq!(got, ["left 1", "left 2", "right x", "right y", "right z"]);
}

#[test]
fn select_lets_a_shutdown_listed_first_overtake_queued_data() {
    let got = shared();
    let node = Label::new(got.clone()).into_part();
    let ports = node.handles();
    let mut left = Sender::new(&ports.left).unwrap();
    let _right = Sender::new(&ports.right).unwrap();
    let mut control = Sender::new(&ports.control).unwrap();
    // All queued before the component first runs.
    for n in 0..3 {
        left.send(n).unwrap();
    }
    control.send(Control::Shutdown).unwrap();
    let handle = myelin::spawn(node);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(handle.join());
    });
    let report = rx
        .recv_timeout(common::HANG)
        .expect("the component did not stop")
        .unwrap();
    assert_eq!(take(&got), ["stop"]);
    let label = report.component("Label").unwrap();
    assert_eq!(label.outcome, Outcome::Finished);
    // The three numbers it never read are in the report, not lost.
    assert_eq!(report.undelivered(), 3, "{report:?}");
    drop(left);
}

/// The first of two futures to finish, polling `a` first; the other is
/// dropped unfinished.
async fn race<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let (mut a, mut b) = (pin!(a), pin!(b));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(x) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(x));
        }
        if let Poll::Ready(y) = b.as_mut().poll(cx) {
            return Poll::Ready(Err(y));
        }
        Poll::Pending
    })
    .await
}

/// Races a receive on `b` against one on `a`; both get a message while it
/// waits, `b` wins, and the receive on `a` is dropped after its message
/// arrived.
#[component]
struct RaceRecv {
    a: Inbox<u32>,
    b: Inbox<u32>,
    got: Shared<String>,
}

impl Component for RaceRecv {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        match race(self.b.recv(), self.a.recv()).await {
            Ok(b) => push(&self.got, format!("b {b:?}")),
            Err(a) => push(&self.got, format!("a {a:?}")),
        }
        while let Some(n) = self.a.recv().await {
            push(&self.got, format!("a {n}"));
        }
        while let Some(n) = self.b.recv().await {
            push(&self.got, format!("b {n}"));
        }
        Ok(())
    }
}

/// Sends one message to `to_b` and then one to `to_a`, in one resume.
#[component]
struct Both {
    to_a: Outbox<u32>,
    to_b: Outbox<u32>,
}

impl Component for Both {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.to_b.send(2).await?;
        self.to_a.send(1).await?;
        Ok(())
    }
}

#[test]
fn a_dropped_recv_loses_nothing() {
    let got = shared();
    let g = got.clone();
    let report = run_bounded("race recv", move || {
        graphline! {
            components {
                // First, so both receives are waiting before anything is sent.
                race: RaceRecv::new(g),
                both: Both::new(),
            }
            links {
                both.to_a -> race.a,
                both.to_b -> race.b,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    // `b` won; the receive on `a`, woken by its message and then dropped,
    // left that message queued.
    assert_eq!(take(&got), ["b Some(2)", "a 1"]);
    assert_eq!(report.undelivered(), 0);
}

/// Sends on a full link of capacity 1, gives up on the waiting send, and
/// keeps the message it takes back.
#[component]
struct GiveUp {
    outbox: Outbox<u32>,
    kept: Shared<Option<u32>>,
}

impl Component for GiveUp {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(1).await?; // fills the link
        let mut send = self.outbox.send(2);
        let mut polled = false;
        // Poll the send once (it waits: the link is full), then give up.
        std::future::poll_fn(|cx| {
            if polled {
                return Poll::Ready(());
            }
            polled = true;
            assert!(std::pin::Pin::new(&mut send).poll(cx).is_pending());
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await;
        push(&self.kept, send.into_message());
        // The link still works, in order.
        self.outbox.send(3).await?;
        Ok(())
    }
}

/// Reads everything, after a first yield so the sender fills the link.
#[component]
struct Slow {
    #[inbox(capacity = 1)]
    inbox: Inbox<u32>,
    got: Shared<u32>,
}

impl Component for Slow {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.yield_now().await;
        while let Some(n) = self.inbox.recv().await {
            push(&self.got, n);
        }
        Ok(())
    }
}

#[test]
fn an_abandoned_send_hands_its_message_back() {
    let (kept, got) = (shared(), shared());
    let (k, g) = (kept.clone(), got.clone());
    let report = run_bounded("give up", move || pipeline![GiveUp::new(k), Slow::new(g)]).unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(take(&kept), [Some(2)]);
    assert_eq!(take(&got), [1, 3]);
}

/// `blocking_first_ready` on a thread: waits for `a` only, then reads
/// everything, recording what it saw.
#[component(thread)]
struct ThreadWaitForA {
    a: Inbox<u32>,
    b: Inbox<u32>,
    got: Shared<(usize, Option<u32>)>,
}

impl ThreadComponent for ThreadWaitForA {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        let which = myelin::blocking_first_ready([&self.a]).expect("not cancelled");
        push(&self.got, (which, self.a.blocking_recv()));
        // `b` had its messages before `a` had one: still all there.
        while let Some(n) = self.b.blocking_recv() {
            push(&self.got, (1, Some(n)));
        }
        let which = myelin::blocking_first_ready([&self.a]).expect("not cancelled");
        push(&self.got, (which, self.a.blocking_recv()));
        Ok(())
    }
}

#[test]
fn blocking_first_ready_waits_for_the_chosen_inboxes_on_a_thread() {
    let got = shared();
    let g = got.clone();
    let report = run_bounded("thread wait for a", move || {
        graphline! {
            components {
                wait: ThreadWaitForA::new(g),
                feed: Feed::new(3),
            }
            links {
                feed.to_a -> wait.a,
                feed.to_b -> wait.b,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        take(&got),
        [
            (0, Some(100)),
            (1, Some(0)),
            (1, Some(1)),
            (1, Some(2)),
            (0, None)
        ]
    );
}

/// Waits on `a` on a thread, which nothing will ever feed.
#[component(thread)]
struct ThreadWaitsForever {
    a: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl ThreadComponent for ThreadWaitsForever {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        // `Some` only for the end of `a`, when the stall is broken up and
        // its sender dropped; `None` if cancelled first.
        if myelin::blocking_first_ready([&self.a]).is_some() && self.a.blocking_recv().is_some() {
            return Err(Error::msg("a message came from nowhere"));
        }
        Ok(())
    }
}

/// Waits for a number that never comes; its outbox feeds the thread.
#[component]
struct Quiet {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for Quiet {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

#[test]
fn a_thread_waiting_on_chosen_inboxes_that_never_come_is_a_stall() {
    let report = run_bounded("thread stall", || {
        graphline! {
            components {
                quiet: Quiet::new(),
                wait: ThreadWaitsForever::new(),
            }
            links {
                quiet.outbox -> wait.a,
                wait.outbox -> quiet.inbox,
            }
        }
    })
    .unwrap_or_else(|e| e.report().cloned().unwrap());
    for name in ["quiet", "wait"] {
        assert_eq!(
            report.component(name).unwrap().outcome,
            Outcome::Stalled,
            "{report:?}"
        );
    }
}

#[test]
fn blocking_first_ready_returns_none_when_the_system_stops() {
    let node = ThreadWaitsForever::new().into_part();
    let input = Sender::new(&node.handles().a).unwrap();
    let handle = myelin::spawn(node);
    handle.shutdown();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(handle.join());
    });
    let report = rx
        .recv_timeout(common::HANG)
        .expect("the thread did not stop")
        .unwrap();
    assert_eq!(
        report.components()[0].outcome,
        Outcome::Cancelled,
        "{report:?}"
    );
    drop(input);
}
