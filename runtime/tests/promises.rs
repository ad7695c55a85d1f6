//! Promises that once broke under hostile use: a deadlock behind a graphline's
//! chassis, a threaded component waiting for room, sends into a cancelled
//! component, the runtime's own signal into a full `control`, and graphs
//! nested deeper than any stack.
//!
//! Every test that could hang if its bug came back runs the system on
//! another thread and fails after a generous bound instead.

mod common;

use common::run_bounded;
use myelin::Part;
use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind, Undelivered};

/// Waits for a message from its peer before sending anything.
#[component]
struct WaitForPeer {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for WaitForPeer {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Sends its numbers, then ends.
#[component]
struct Numbers {
    outbox: Outbox<u32>,
    upto: u32,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 1..=self.upto {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Reads everything it is sent.
#[component]
struct Sink {
    inbox: Inbox<u32>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Two components waiting for each other, behind a graphline whose own
/// boxes pass through to one of them.
macro_rules! deadlocked_stage {
    () => {
        graphline! {
        components {
            a: WaitForPeer::new(),
            b: WaitForPeer::new(),
            relay: Sink::new(),
        }
        links {
            self.inbox -> relay.inbox,
            a.outbox -> b.inbox,
            b.outbox -> a.inbox,
        }
        }
    };
}

/// A deadlock inside a graphline that is a pipeline stage (so it has a
/// chassis: the pipeline links its `control` and `signal`) is reported as a
/// stall, as the same deadlock is without the chassis.
#[test]
fn a_deadlock_inside_a_pipeline_stage_is_reported_stalled() {
    let result = run_bounded("deadlock in a pipeline stage", || {
        pipeline![Numbers::new(3), deadlocked_stage!()]
    });
    let err = result.expect_err("a deadlock is an error");
    let report = err.report().expect("a run error carries its report");
    for name in ["graphline.a", "graphline.b"] {
        assert_eq!(
            report.component(name).map(|c| &c.outcome),
            Some(&Outcome::Stalled),
            "{name} in {report:?}"
        );
    }
    assert_eq!(
        report.component("graphline.relay").map(|c| &c.outcome),
        Some(&Outcome::Finished)
    );
}

/// Has an outbox for control messages, and sends none.
#[component]
struct Silent {
    outbox: Outbox<Control>,
}

impl Component for Silent {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// The same with the graphline's `control` linked (so it has a chassis)
/// instead of being a pipeline stage.
#[test]
fn a_deadlock_inside_a_graphline_with_linked_control_is_reported_stalled() {
    let result = run_bounded("deadlock behind a linked control", || {
        graphline! {
            components {
                boss: Silent::new(),
                stage: deadlocked_stage!(),
            }
            links {
                boss.outbox -> stage.control,
            }
        }
    });
    let err = result.expect_err("a deadlock is an error");
    let report = err.report().expect("a run error carries its report");
    for name in ["stage.a", "stage.b"] {
        assert_eq!(
            report.component(name).map(|c| &c.outcome),
            Some(&Outcome::Stalled),
            "{name} in {report:?}"
        );
    }
}

/// How deep the nesting tests go: far past what any stack holds when each
/// level costs a few frames.
const DEEP: usize = 10_000;

/// A graph nested `depth` levels deep around one component that sends
/// `upto` numbers into a sink beside it at the bottom.
fn nested(depth: usize, upto: u32) -> myelin::Graph<()> {
    let bottom = pipeline![Numbers::new(upto), Sink::new()].with_handles(());
    (0..depth).fold(bottom, |inner, _| {
        myelin::Graph::new("graphline").child(Some("level"), inner)
    })
}

/// Graphs nested ten thousand deep start, run and end like any other
/// system, on a test thread's small stack.
#[test]
fn graphs_nested_ten_thousand_deep_run() {
    let report = run_bounded("deep nesting", || nested(DEEP, 5)).expect("runs");
    assert!(report.is_success(), "{report:?}");
    let names: Vec<&str> = report
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let path = "level.".repeat(DEEP);
    assert_eq!(names, [format!("{path}Numbers"), format!("{path}Sink")]);
}

/// Dropping a deep graph that never ran does not overflow the stack either.
#[test]
fn graphs_nested_ten_thousand_deep_drop() {
    drop(nested(DEEP, 1));
}

/// Ends at once.
#[component]
struct Quick {}

impl Component for Quick {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Graphs nested deep where every level has a chassis (its `control` is
/// linked): each level's `signal` reports it finished once everything
/// below has, all the way up, without recursion.
#[test]
fn graphs_nested_deep_with_a_chassis_at_every_level_run() {
    const LEVELS: usize = 2_000;
    let report = run_bounded("deep nesting with chassis", || {
        let bottom = pipeline![Numbers::new(5), Sink::new()].with_handles(());
        (0..LEVELS).fold(bottom, |inner, _| {
            let quick = myelin::Node::new(Quick::new());
            myelin::link(&quick.signal_port(), &inner.control_port(), None).expect("links");
            myelin::Graph::new("graphline")
                .child(Some("quick"), quick)
                .child(Some("level"), inner)
        })
    })
    .expect("runs");
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.components().len(), LEVELS + 2);
}

/// Sends `count` numbers the way the book teaches for a full link:
/// `try_send`, and on `Full` keep the message and pause until something
/// changes. Returns the first other error.
#[component(thread)]
struct TryThenPause {
    outbox: Outbox<u32>,
    count: u32,
}

impl myelin::ThreadComponent for TryThenPause {
    fn main(&mut self, cx: &mut myelin::ThreadContext) -> Result<(), Error> {
        for n in 1..=self.count {
            let mut msg = n;
            loop {
                match self.outbox.try_send(msg) {
                    Ok(()) => break,
                    Err(e) if e.kind() == SendErrorKind::Full => {
                        msg = e.into_inner();
                        cx.pause(None);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}

/// Reads slowly (it yields between reads), from a link that holds one
/// message, and checks what arrives.
#[component]
struct SlowCheck {
    #[inbox(capacity = 1)]
    inbox: Inbox<u32>,
    count: u32,
}

impl Component for SlowCheck {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut expected = 1;
        while let Some(n) = self.inbox.recv().await {
            assert_eq!(n, expected, "in order, none lost");
            expected += 1;
            cx.yield_now().await;
        }
        assert_eq!(expected, self.count + 1, "every message arrived");
        Ok(())
    }
}

/// A threaded component that finds a bounded inbox full and pauses is woken
/// when the receiver makes room, as a generator is: no false stall.
#[test]
fn a_thread_pausing_for_room_is_woken_when_room_appears() {
    let report = run_bounded("try_send then pause on a thread", || {
        pipeline![TryThenPause::new(200), SlowCheck::new(200)]
    })
    .expect("no stall: the thread waited for room, and room came");
    assert!(report.is_success(), "{report:?}");
}

/// Takes one message, waits for its inbox to fill again, then stops the
/// whole system and waits, leaving its full inbox to whoever keeps sending.
#[component]
struct TakeOneThenStop {
    #[inbox(capacity = 4)]
    inbox: Inbox<u32>,
}

impl Component for TakeOneThenStop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let _ = self.inbox.recv().await;
        while self.inbox.len() < 4 {
            cx.yield_now().await;
        }
        cx.shutdown_system();
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// After `shutdown_system`, a threaded component looping on `try_send` and
/// `pause` into a cancelled component's full inbox is told it is cancelled
/// (or that the inbox closed), instead of `Full` for ever: `run` returns,
/// and the message it held is its own to account for.
#[test]
fn sends_into_a_cancelled_component_do_not_answer_full_for_ever() {
    let report = run_bounded("try_send into a cancelled component", || {
        pipeline![TryThenPause::new(1_000_000), TakeOneThenStop::new()]
    })
    .expect("a shutdown is a normal end");
    let receiver = report
        .component("TakeOneThenStop")
        .unwrap_or_else(|| panic!("reported: {report:?}"));
    assert_eq!(receiver.outcome, Outcome::Cancelled);
    assert_eq!(
        receiver.undelivered,
        [Undelivered {
            port: "inbox",
            count: 4,
            unsent: false
        }],
        "the full inbox's messages are counted"
    );
    assert_eq!(
        report.component("TryThenPause").map(|c| &c.outcome),
        Some(&Outcome::Cancelled)
    );
}

/// The same after a stall rather than a shutdown: two components waiting
/// on each other while a thread keeps trying to send into one of them.
#[test]
fn sends_into_a_stalled_component_do_not_answer_full_for_ever() {
    let result = run_bounded("try_send into a stalled component", || {
        graphline! {
            components {
                a: WaitForPeer::new(),
                b: WaitForPeer::new(),
                tx: TryThenPause::new(1_000_000),
                rx: TakeNone::new(),
            }
            links {
                a.outbox -> b.inbox,
                b.outbox -> a.inbox,
                tx.outbox -> rx.inbox,
            }
        }
    });
    let err = result.expect_err("a stall is an error");
    let report = err.report().expect("carries its report");
    assert_eq!(
        report.component("rx").map(|c| &c.outcome),
        Some(&Outcome::Stalled)
    );
}

/// Never reads its bounded inbox: waits for ever on something nobody can
/// wake.
#[component]
struct TakeNone {
    #[inbox(capacity = 2)]
    inbox: Inbox<u32>,
}

impl Component for TakeNone {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Says something on its own `signal` first, then fails: the runtime's
/// `Failed` follows into a `control` that is already full.
#[component]
struct NoteThenFail {}

impl Component for NoteThenFail {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.signal().send(Control::Shutdown).await?;
        Err(Error::msg("broke"))
    }
}

/// The same on a thread of its own.
#[component(thread)]
struct NoteThenFailThread {}

impl myelin::ThreadComponent for NoteThenFailThread {
    fn main(&mut self, cx: &mut myelin::ThreadContext) -> Result<(), Error> {
        cx.signal().blocking_send(Control::Shutdown)?;
        Err(Error::msg("broke"))
    }
}

/// Lets its `control` fill, then reads everything on it.
#[component]
struct Listener {
    heard: std::sync::Arc<std::sync::Mutex<Vec<Control>>>,
}

impl Component for Listener {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = cx.control().recv().await {
            self.heard.lock().unwrap().push(msg);
        }
        Ok(())
    }
}

/// The runtime's own `Failed` into a full bounded `control` waits for room
/// like any send, so the listener hears the whole story.
#[test]
fn the_runtime_signal_into_a_full_control_waits_for_room() {
    for threaded in [false, true] {
        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let listener = heard.clone();
        let result = run_bounded("signal into a full control", move || {
            let failing: myelin::Graph<()> = if threaded {
                pipeline![NoteThenFailThread::new()].with_handles(())
            } else {
                pipeline![NoteThenFail::new()].with_handles(())
            };
            let listen = myelin::Node::new(Listener::new(listener));
            myelin::link(&failing.signal_port(), &listen.control_port(), Some(1)).expect("links");
            myelin::Graph::new("graphline")
                .child(Some("failing"), failing)
                .child(Some("listen"), listen)
        });
        let err = result.expect_err("a failure is an error");
        let report = err.report().expect("carries its report");
        assert_eq!(report.undelivered(), 0, "{report:?}");
        let heard = heard.lock().unwrap().clone();
        assert_eq!(heard.len(), 2, "threaded: {threaded}: {heard:?}");
        assert_eq!(heard[0], Control::Shutdown);
        assert!(
            matches!(&heard[1], Control::Failed { reason, .. } if reason == "broke"),
            "{heard:?}"
        );
    }
}

/// Never reads its `control`.
#[component]
struct Deaf {}

impl Component for Deaf {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// If nobody ever makes room, the wait ends with the system (here a stall)
/// and the announcement is counted unsent, not lost.
#[test]
fn a_runtime_signal_that_never_finds_room_is_counted() {
    let result = run_bounded("signal into a control nobody reads", || {
        let failing = myelin::Node::new(NoteThenFail::new());
        let deaf = myelin::Node::new(Deaf::new());
        myelin::link(&failing.signal_port(), &deaf.control_port(), Some(1)).expect("links");
        myelin::Graph::new("graphline")
            .child(Some("failing"), failing)
            .child(Some("deaf"), deaf)
    });
    let err = result.expect_err("a stall is an error");
    let report = err.report().expect("carries its report");
    let failing = report.component("failing").expect("reported");
    assert!(
        matches!(&failing.outcome, Outcome::Failed(reason) if reason == "broke"),
        "{report:?}"
    );
    assert_eq!(
        failing.undelivered,
        [Undelivered {
            port: "signal",
            count: 1,
            unsent: true
        }]
    );
    assert_eq!(
        report.component("deaf").map(|c| c.undelivered.clone()),
        Some(vec![Undelivered {
            port: "control",
            count: 1,
            unsent: false
        }])
    );
}

/// A message whose drop is seen.
struct Tracked(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Sends two tracked messages, then asks the system to stop once the
/// receiver has taken one.
#[component]
struct SendTracked {
    outbox: Outbox<Tracked>,
    drops: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Component for SendTracked {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(Tracked(self.drops.clone())).await?;
        self.outbox.send(Tracked(self.drops.clone())).await?;
        // Let the receiver take the first and settle into its pause.
        cx.yield_now().await;
        cx.yield_now().await;
        cx.shutdown_system();
        Ok(())
    }
}

/// Takes one message into a variable and pauses holding it, leaving the
/// other queued.
#[component]
struct HoldOne {
    inbox: Inbox<Tracked>,
}

impl Component for HoldOne {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let held = self.inbox.recv().await;
        std::future::pending::<()>().await;
        drop(held);
        let _ = cx;
        Ok(())
    }
}

/// The rule the book states: a message a body holds in a variable across a
/// wait other than its send is the body's own; a shutdown drops it with the
/// body (its destructor runs, nothing leaks) and the report does not count
/// it, while a message still queued is counted.
#[test]
fn a_held_message_is_dropped_with_its_body_and_a_queued_one_is_counted() {
    let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = drops.clone();
    let report = run_bounded("held message at shutdown", move || {
        pipeline![SendTracked::new(seen), HoldOne::new()]
    })
    .expect("a shutdown is a normal end");
    assert_eq!(
        drops.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "both messages were dropped, neither leaked"
    );
    let holder = report.component("HoldOne").expect("reported");
    assert_eq!(holder.outcome, Outcome::Cancelled);
    assert_eq!(
        holder.undelivered,
        [Undelivered {
            port: "inbox",
            count: 1,
            unsent: false
        }],
        "the queued one is counted; the held one is the body's"
    );
}
