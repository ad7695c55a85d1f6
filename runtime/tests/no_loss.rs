//! myelin's no-loss rules: a message is delivered, handed back to its
//! sender in an error, or counted in the run's report; a failure is
//! isolated, reported and signalled; a run always ends.
//!
//! Axon loses messages silently (unlinked outboxes write to a null sink, a
//! dead consumer's inbox is dropped, a full inbox raises and drops the
//! message), lets one exception stop the whole system, and can hang on a
//! deaf component (section 4 of the Axon reference, items 2-4).

mod common;

use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind, Undelivered};

use common::{Collect, Counter, Feed, Shared, push, shared, take};

/// Sends one message on an outbox nothing is linked to, recording the error.
#[component]
struct SendUnlinked {
    outbox: Outbox<String>,
    result: Shared<(SendErrorKind, &'static str, String)>,
}

impl Component for SendUnlinked {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let err = self.outbox.send("hello".to_owned()).await.unwrap_err();
        push(&self.result, (err.kind(), err.port(), err.into_inner()));
        let err = self.outbox.try_send("again".to_owned()).unwrap_err();
        push(&self.result, (err.kind(), err.port(), err.into_inner()));
        // And with `?`, the component fails naming the port.
        self.outbox.send("third".to_owned()).await?;
        Ok(())
    }
}

/// A send on an unlinked outbox is an `Err` of kind `Unlinked` whose
/// `into_inner()` is the message (Axon: silently discarded by a null sink).
#[test]
fn a_send_on_an_unlinked_outbox_is_an_error_carrying_the_message() {
    let result = shared();
    let err = myelin::run(SendUnlinked::new(result.clone())).unwrap_err();
    assert_eq!(
        take(&result),
        [
            (SendErrorKind::Unlinked, "outbox", "hello".to_owned()),
            (SendErrorKind::Unlinked, "outbox", "again".to_owned()),
        ]
    );
    let report = err.report().unwrap();
    assert!(
        matches!(&report.components()[0].outcome,
            Outcome::Failed(reason) if reason.contains("`outbox`") && reason.contains("not linked")),
        "{report}"
    );
}

/// Returns at once without reading anything.
#[component]
struct Quit {
    inbox: Inbox<u32>,
}

impl Component for Quit {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Waits until `control` says the receiver finished, then sends to it with
/// `send` and `try_send`, recording the errors.
#[component]
struct SendLate {
    outbox: Outbox<u32>,
    result: Shared<(SendErrorKind, u32)>,
}

impl Component for SendLate {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let heard = cx.control().recv().await;
        assert!(matches!(heard, Some(Control::Finished { .. })), "{heard:?}");
        let err = self.outbox.send(1).await.unwrap_err();
        push(&self.result, (err.kind(), err.into_inner()));
        let err = self.outbox.try_send(2).unwrap_err();
        push(&self.result, (err.kind(), err.into_inner()));
        Ok(())
    }
}

/// A send to a receiver that has finished is an `Err` of kind `Closed`
/// carrying the message (Axon: once the chassis unlinked the dead
/// consumer, upstream sends went to the null sink).
#[test]
fn a_send_to_a_finished_receiver_is_closed_and_carries_the_message() {
    let result = shared();
    let system = graphline! {
        components {
            rx: Quit::new(),
            tx: SendLate::new(result.clone()),
        }
        links {
            tx.outbox -> rx.inbox,
            rx.signal -> tx.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(
        take(&result),
        [(SendErrorKind::Closed, 1), (SendErrorKind::Closed, 2)]
    );
}

/// Fills a bounded destination with `try_send`; the refused message comes
/// back and is then sent with `send().await`, which waits for room.
#[component]
struct TryThenWait {
    outbox: Outbox<u32>,
    refused: Shared<(SendErrorKind, u32)>,
}

impl Component for TryThenWait {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut next = 0;
        loop {
            match self.outbox.try_send(next) {
                Ok(()) => next += 1,
                Err(e) => {
                    let kind = e.kind();
                    let msg = e.into_inner();
                    push(&self.refused, (kind, msg));
                    self.outbox.send(msg).await?;
                    break;
                }
            }
        }
        for n in next + 1..10 {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// `try_send` on a full bounded inbox is an `Err` of kind `Full` carrying
/// the message; `send().await` with that message waits for room instead
/// (Axon raised `noSpaceInBox` and the message was not enqueued).
#[test]
fn try_send_on_a_full_inbox_is_full_with_the_message_and_send_waits() {
    let (refused, got) = (shared(), shared::<u32>());
    let system = graphline! {
        components {
            tx: TryThenWait::new(refused.clone()),
            rx: Collect::new(got.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 2),
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&refused), [(SendErrorKind::Full, 2)]);
    assert_eq!(take(&got), (0..10).collect::<Vec<_>>());
}

/// Sends `0..n` as fast as `send().await` lets it.
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

/// Before each receive records how many messages are queued; after each,
/// dawdles for a few steps.
#[component]
struct Slow {
    inbox: Inbox<u32>,
    queued: Shared<usize>,
    got: Shared<u32>,
}

impl Component for Slow {
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

/// Backpressure: a fast producer and a slow consumer over a capacity-2 link
/// deliver everything in order, and the consumer's queue never holds more
/// than 2.
#[test]
fn backpressure_delivers_everything_in_order_within_the_capacity() {
    let (queued, got) = (shared(), shared());
    let system = graphline! {
        components {
            tx: Fast::new(100),
            rx: Slow::new(queued.clone(), got.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 2),
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), (0..100).collect::<Vec<_>>());
    let queued = take(&queued);
    assert_eq!(queued.iter().max(), Some(&2), "{queued:?}");
}

/// Reads `keep` messages, then returns, leaving the rest.
#[component]
struct ReadSome {
    inbox: Inbox<u32>,
    keep: usize,
    got: Shared<u32>,
}

impl Component for ReadSome {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.keep {
            if let Some(m) = self.inbox.recv().await {
                push(&self.got, m);
            }
        }
        Ok(())
    }
}

/// Messages left in the inbox of a component that returns early are counted
/// in the report, under the component and the port (Axon dropped them).
#[test]
fn messages_left_in_an_inbox_are_counted_in_the_report() {
    let got = shared();
    let system = graphline! {
        components {
            feed: Feed::new(vec![1, 2, 3, 4, 5]),
            early: ReadSome::new(2, got.clone()),
        }
        links {
            feed.outbox -> early.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&got), [1, 2]);
    let early = report.component("early").unwrap();
    assert_eq!(early.outcome, Outcome::Finished);
    assert_eq!(
        early.undelivered,
        [Undelivered {
            port: "inbox",
            count: 3,
            unsent: false
        }]
    );
    assert_eq!(report.undelivered(), 3);
    assert!(
        report.to_string().contains("3 unread in `inbox`"),
        "{report}"
    );
}

/// In a pipeline the upstream stage's `Control::Finished` arrives on the
/// downstream stage's `control`; left unread it says nothing that the end of
/// the data stream did not, so only the data left unread is counted.
#[test]
fn an_unread_upstream_finished_on_control_is_not_counted_but_data_is() {
    let got = shared();
    let report = myelin::run(pipeline![
        Feed::new(vec![1, 2, 3, 4, 5]),
        ReadSome::new(2, got.clone())
    ])
    .unwrap();
    assert_eq!(take(&got), [1, 2]);
    assert_eq!(
        report.component("ReadSome").unwrap().undelivered,
        [Undelivered {
            port: "inbox",
            count: 3,
            unsent: false
        }]
    );
}

/// Yields a few times, then fails: with an error, or by panicking.
#[component]
struct Bad {
    inbox: Inbox<u32>,
    panic: bool,
}

impl Component for Bad {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..3 {
            cx.yield_now().await;
        }
        if self.panic {
            panic!("kaboom");
        }
        Err(Error::msg("boom"))
    }
}

/// Runs a failing component beside an independent pipeline and a recorder
/// of the failing component's `signal`; returns the run's error, what the
/// pipeline delivered and what the recorder heard.
fn run_with_a_failure(panic: bool) -> (Error, Vec<u32>, Vec<Control>) {
    let (got, heard) = (shared(), shared());
    let system = graphline! {
        components {
            source: Feed::new((0..50).collect()),
            sink: Collect::new(got.clone()),
            bad: Bad::new(panic),
            unread: Feed::new(vec![7, 8]),
            rec: Collect::new(heard.clone()),
        }
        links {
            source.outbox -> sink.inbox (capacity = 1),
            unread.outbox -> bad.inbox,
            bad.signal -> rec.inbox,
        }
    };
    let err = myelin::run(system).unwrap_err();
    (err, take(&got), take(&heard))
}

/// A component whose body returns `Err` fails alone: the rest of the system
/// keeps running to completion, `run` returns `Err` whose report has
/// `Outcome::Failed` with the error's message, `Control::Failed` goes out on
/// the component's `signal`, and the messages it left are counted (Axon: an
/// uncaught exception stops every component).
#[test]
fn a_component_that_returns_err_fails_alone_and_is_reported_and_signalled() {
    let (err, got, heard) = run_with_a_failure(false);
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    let report = err.report().expect("a run error carries its report");
    let bad = report.component("bad").unwrap();
    assert_eq!(bad.outcome, Outcome::Failed("boom".into()));
    assert_eq!(
        bad.undelivered,
        [Undelivered {
            port: "inbox",
            count: 2,
            unsent: false
        }]
    );
    for name in ["source", "sink", "unread", "rec"] {
        assert_eq!(report.component(name).unwrap().outcome, Outcome::Finished);
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

/// A component whose body panics fails alone, like one that returns `Err`;
/// the reason is the panic's message.
#[test]
fn a_component_that_panics_fails_alone_and_is_reported_and_signalled() {
    let (err, got, heard) = run_with_a_failure(true);
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    let report = err.report().expect("a run error carries its report");
    assert_eq!(
        report.component("bad").unwrap().outcome,
        Outcome::Failed("panicked: kaboom".into())
    );
    assert_eq!(report.component("sink").unwrap().outcome, Outcome::Finished);
    assert_eq!(
        heard,
        [Control::Failed {
            component: "bad".into(),
            reason: "panicked: kaboom".into()
        }]
    );
}

/// Sends `items`, yielding between them.
#[component]
struct Trickle {
    outbox: Outbox<u32>,
    items: Vec<u32>,
}

impl Component for Trickle {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for n in std::mem::take(&mut self.items) {
            self.outbox.send(n).await?;
            cx.yield_now().await;
        }
        Ok(())
    }
}

/// Waits until its producer has finished, records the inbox's state, then
/// records what `recv` returns until the end of the stream, and once more.
#[component]
struct Drain {
    inbox: Inbox<u32>,
    state: Shared<(usize, bool)>,
    got: Shared<Option<u32>>,
}

impl Component for Drain {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let heard = cx.control().recv().await;
        assert!(matches!(heard, Some(Control::Finished { .. })), "{heard:?}");
        push(&self.state, (self.inbox.len(), self.inbox.is_finished()));
        loop {
            let m = self.inbox.recv().await;
            push(&self.got, m);
            if m.is_none() {
                break;
            }
        }
        push(&self.state, (self.inbox.len(), self.inbox.is_finished()));
        // The end of a stream stays the end.
        push(&self.got, self.inbox.recv().await);
        Ok(())
    }
}

/// End of stream: `recv()` returns `None` (and `is_finished()` is true) only
/// after everything sent has been read, even when the sender finished
/// before the receiver read anything.
#[test]
fn recv_returns_none_only_after_everything_sent_is_read() {
    let (state, got) = (shared(), shared());
    let system = graphline! {
        components {
            tx: Trickle::new(vec![1, 2, 3, 4]),
            rx: Drain::new(state.clone(), got.clone()),
        }
        links {
            tx.outbox -> rx.inbox,
            tx.signal -> rx.control,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&state), [(4, false), (0, true)]);
    assert_eq!(take(&got), [Some(1), Some(2), Some(3), Some(4), None, None]);
    assert_eq!(report.undelivered(), 0);
}

/// Waits for a message from its peer before sending anything; leaves a
/// message on its peer's `side` inbox first.
#[component]
struct WaitForPeer {
    inbox: Inbox<u32>,
    side: Inbox<u32>,
    outbox: Outbox<u32>,
    note: Outbox<u32>,
}

impl Component for WaitForPeer {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if self.note.is_linked() {
            self.note.send(1).await?;
        }
        if let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// A stalled system, two components each waiting for the other, makes `run`
/// return `Err` with both reported `Stalled` instead of hanging; messages
/// they left unread are counted.
#[test]
fn a_mutual_wait_is_reported_stalled_instead_of_hanging() {
    let system = graphline! {
        components {
            a: WaitForPeer::new(),
            b: WaitForPeer::new(),
        }
        links {
            a.outbox -> b.inbox,
            b.outbox -> a.inbox,
            b.note -> a.side,
        }
    };
    let err = myelin::run(system).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    for name in ["a", "b"] {
        assert_eq!(report.component(name).unwrap().outcome, Outcome::Stalled);
    }
    assert_eq!(
        report.component("a").unwrap().undelivered,
        [Undelivered {
            port: "side",
            count: 1,
            unsent: false
        }]
    );
    assert!(err.to_string().contains("stalled"), "{err}");
}

/// Loops on `cx.pause()` forever, ignoring its `control` and everything
/// else. Counts how often `pause` returns; gives up (failing) after
/// `limit`, so that a pause that never lets others run fails the test
/// instead of hanging it.
#[component]
struct Deaf {
    pauses: Counter,
    limit: usize,
}

impl Component for Deaf {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            cx.pause().await;
            self.pauses.bump();
            if self.pauses.get() >= self.limit {
                return Err(Error::msg(format!(
                    "pause returned {} times without anyone else running",
                    self.limit
                )));
            }
        }
    }
}

/// Optionally sends `Control::Shutdown` to the deaf component and lets it
/// run; then shuts the whole system down.
#[component]
struct Stopper {
    outbox: Outbox<Control>,
    ask_first: bool,
}

impl Component for Stopper {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if self.ask_first {
            self.outbox.send(Control::Shutdown).await?;
            cx.yield_now().await;
        }
        cx.shutdown_system();
        Ok(())
    }
}

/// `cx.shutdown_system()` cancels a deaf component, one that loops on
/// `cx.pause()` forever ignoring control, and `run` returns `Ok` with it
/// reported `Cancelled` (Axon: one deaf stage keeps a Pipeline alive
/// forever).
#[test]
fn shutdown_system_cancels_a_deaf_component() {
    let pauses = Counter::default();
    let system = graphline! {
        components {
            deaf: Deaf::new(pauses.clone(), 10_000),
            stop: Stopper::new(false),
        }
        links {
            stop.outbox -> deaf.control,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(
        report.component("deaf").unwrap().outcome,
        Outcome::Cancelled
    );
    assert_eq!(pauses.get(), 0);
}

/// As above, with a `Control::Shutdown` queued on the deaf component's
/// `control` that it never reads. `pause` is level-triggered, so it keeps
/// returning for that message; the deaf component must still let the rest
/// of the system run, be cancelled by `shutdown_system`, and the ignored
/// message must be counted in the report.
#[test]
fn shutdown_system_cancels_a_deaf_component_that_ignores_a_queued_shutdown() {
    let pauses = Counter::default();
    let system = graphline! {
        components {
            deaf: Deaf::new(pauses.clone(), 10_000),
            stop: Stopper::new(true),
        }
        links {
            stop.outbox -> deaf.control,
        }
    };
    let result = myelin::run(system);
    let report = match &result {
        Ok(report) => report,
        Err(e) => panic!("{e}"),
    };
    let deaf = report.component("deaf").unwrap();
    assert_eq!(deaf.outcome, Outcome::Cancelled);
    assert_eq!(
        deaf.undelivered,
        [Undelivered {
            port: "control",
            count: 1,
            unsent: false
        }]
    );
}
