//! How process components end when things go wrong: every thread a process
//! component owns is reachable by cancellation, every message it handles is
//! counted, and a message type the wire format cannot carry is named as the
//! cause.
//!
//! A test that would hang if its promise broke runs the system on a thread
//! of its own and fails after [`BOUND`] instead.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myelin::prelude::*;
use myelin::{IntoPart, Outcome, Part, Receiver, Report, SendErrorKind, Sender};
use serde::{Deserialize, Serialize};

myelin::process_test_entry!();

/// How long something that takes milliseconds when it works may take.
const BOUND: Duration = Duration::from_secs(30);

/// Runs `f` on a thread of its own and returns what it returns; fails the
/// test if it takes longer than [`BOUND`] (then `what` hangs).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(BOUND) {
        Ok(Ok(value)) => value,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("{what} did not return within {BOUND:?}"),
    }
}

/// Gives a bridge thread time to get where the test wants it (waiting on a
/// full link). Nothing outside shows that it has got there, and the test
/// passes whether it has or not when the runtime is right; the pause only
/// makes a regression (a bridge thread that cancellation does not reach)
/// show every time instead of most times.
fn let_the_bridge_block() {
    std::thread::sleep(Duration::from_millis(200));
}

/// The messages a component left on `port`: `(unread, unsent)`.
fn left(report: &Report, component: &str, port: &str) -> (usize, usize) {
    let entry = report
        .component(component)
        .unwrap_or_else(|| panic!("{component} is not in the report: {report}"));
    let count = |unsent: bool| {
        entry
            .undelivered
            .iter()
            .filter(|u| u.port == port && u.unsent == unsent)
            .map(|u| u.count)
            .sum()
    };
    (count(false), count(true))
}

/// Sends `0..count` (all at once: fewer than its child buffers), then waits
/// until it is stopped.
#[component(process)]
pub struct SendThenWait {
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for SendThenWait {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.count {
            self.outbox.send(n).await?;
        }
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Takes `take` numbers slowly (one per resume), waits until its inbox is
/// full, then stops the system and never takes another.
#[component]
struct TakeThenStop {
    #[inbox(capacity = 4)]
    inbox: Inbox<u64>,
    take: usize,
    got: Arc<Mutex<Vec<u64>>>,
}

impl Component for TakeThenStop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.take {
            let n = self.inbox.recv().await.expect("more to come");
            self.got.lock().unwrap().push(n);
            cx.yield_now().await;
        }
        // Full: the process component's bridge now waits for room that
        // never comes.
        while self.inbox.len() < 4 {
            cx.yield_now().await;
        }
        cx.shutdown_system();
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[test]
fn shutdown_returns_while_a_process_component_waits_on_a_full_inbox() {
    myelin::process::init();
    let got: Arc<Mutex<Vec<u64>>> = Arc::default();
    let kept = got.clone();
    // The process component comes first, so it is cancelled before the
    // consumer whose full inbox holds its bridge up.
    let report = within("run", move || {
        myelin::run(graphline! {
            components {
                sender: SendThenWait::new(40),
                taker: TakeThenStop::new(10, kept),
            }
            links {
                sender.outbox -> taker.inbox,
            }
        })
        .unwrap_or_else(|e| panic!("{e}"))
    });
    assert_eq!(
        report.component("sender").unwrap().outcome,
        Outcome::Cancelled,
        "{report}"
    );
    // Every number is accounted for: taken, left in the full inbox, or
    // counted unsent by the process component that could not deliver it.
    let got = got.lock().unwrap().clone();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    let (backlog, _) = left(&report, "taker", "inbox");
    let (_, unsent) = left(&report, "sender", "outbox");
    assert_eq!(backlog, 4, "{report}");
    assert_eq!(got.len() + backlog + unsent, 40, "{report}");
}

#[test]
fn join_returns_while_a_process_component_waits_on_a_full_receiver() {
    myelin::process::init();
    let part = SendThenWait::new(40).into_part();
    let mut output = Receiver::bounded(&part.handles().outbox, 1).unwrap();
    let handle = myelin::spawn(part);
    // The link flows; then the bridge fills the one free place again and
    // waits for a `recv` that never comes.
    assert_eq!(output.recv(), Some(0));
    let_the_bridge_block();
    handle.shutdown();
    let report = within("join", move || handle.join().unwrap());
    assert_eq!(
        report.component("SendThenWait").unwrap().outcome,
        Outcome::Cancelled,
        "{report}"
    );
    let still_there: Vec<u64> = std::iter::from_fn(|| output.try_recv().ok()).collect();
    assert_eq!(still_there, [1]);
    let (_, unsent) = left(&report, "SendThenWait", "outbox");
    assert_eq!(1 + still_there.len() + unsent, 40, "{report}");
}

#[test]
fn a_panic_while_holding_the_handle_of_a_waiting_process_component_ends() {
    myelin::process::init();
    let (ended_tx, ended_rx) = mpsc::channel();
    std::thread::spawn(move || {
        /// Says so when the thread's locals are gone, the handle first.
        struct Ended(mpsc::Sender<()>);
        impl Drop for Ended {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        let _ended = Ended(ended_tx);
        let part = SendThenWait::new(40).into_part();
        let mut output = Receiver::bounded(&part.handles().outbox, 1).unwrap();
        let handle = myelin::spawn(part);
        assert_eq!(output.recv(), Some(0));
        let_the_bridge_block();
        // As a `main` that panics: unwinding drops `handle` (which shuts the
        // system down and waits for it) before `output`.
        let _keep = (&handle, &output);
        panic!("giving up while holding the handle (expected by the test)");
    });
    ended_rx
        .recv_timeout(BOUND)
        .expect("dropping the handle while unwinding did not return");
}

/// Takes one number, says so, then blocks its child's scheduler far longer
/// than the parent waits for a cancelled child.
#[component(process)]
pub struct Dozes {
    inbox: Inbox<u64>,
    started: Outbox<()>,
}

impl Component for Dozes {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.inbox.recv().await;
        self.started.send(()).await?;
        std::thread::sleep(Duration::from_secs(60));
        Ok(())
    }
}

#[test]
fn a_cancelled_process_component_refuses_input_at_once() {
    myelin::process::init();
    let part = Dozes::new().into_part();
    let ports = part.handles();
    let mut input = Sender::new(&ports.inbox).unwrap();
    let mut started = Receiver::new(&ports.started).unwrap();
    let handle = myelin::spawn(part);
    input.send(0).unwrap();
    assert_eq!(started.recv(), Some(()));
    handle.shutdown();
    // The child cannot stop (its scheduler is blocked) and is killed after
    // `STOP_GRACE`; until then the system runs. The component's unbounded
    // inbox must refuse input from the moment it is cancelled, not grow
    // until the child is gone.
    let since = Instant::now();
    let mut accepted = 0u64;
    let refused = loop {
        match input.send(accepted + 1) {
            Ok(()) => accepted += 1,
            Err(e) => break e,
        }
        assert!(
            since.elapsed() < myelin::process::STOP_GRACE,
            "the cancelled component's inbox still took {accepted} messages after {:?}",
            since.elapsed()
        );
        // Paces the sender, so that a regression costs little memory.
        std::thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(refused.kind(), SendErrorKind::Closed);
    assert!(
        !handle.is_finished(),
        "refused only once the system had ended"
    );
    let report = within("join", move || handle.join().unwrap());
    assert_eq!(
        report.component("Dozes").unwrap().outcome,
        Outcome::Cancelled,
        "{report}"
    );
    // Everything the inbox accepted and the child did not confirm taking is
    // reported unread (the child is killed: its one take may be among them).
    let (unread, _) = left(&report, "Dozes", "inbox");
    assert!(
        unread as u64 >= accepted && unread as u64 <= accepted + 1,
        "{accepted} accepted after the first: {report}"
    );
}

/// Sends a string over the frame limit, then a small one.
#[component(process)]
pub struct Oversends {
    outbox: Outbox<String>,
}

impl Component for Oversends {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox
            .send("x".repeat(myelin::process::MAX_FRAME + 1))
            .await?;
        self.outbox.send("small".to_owned()).await?;
        Ok(())
    }
}

/// Keeps what it receives.
#[component]
struct Keep<T: Send + 'static> {
    inbox: Inbox<T>,
    kept: Arc<Mutex<Vec<T>>>,
}

impl<T: Send + 'static> Component for Keep<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = self.inbox.recv().await {
            self.kept.lock().unwrap().push(msg);
        }
        Ok(())
    }
}

fn failure(report: &Report, name: &str) -> String {
    match &report.component(name).expect("reported").outcome {
        Outcome::Failed(reason) => reason.clone(),
        other => panic!("{name} ended {other:?}: {report}"),
    }
}

#[test]
fn messages_from_a_child_that_exceeds_the_frame_limit_are_all_counted() {
    myelin::process::init();
    let strings: Arc<Mutex<Vec<String>>> = Arc::default();
    let signals: Arc<Mutex<Vec<Control>>> = Arc::default();
    let err = myelin::run(graphline! {
        components {
            big: Oversends::new(),
            strings: Keep::<String>::new(strings.clone()),
            signals: Keep::<Control>::new(signals.clone()),
        }
        links {
            big.outbox -> strings.inbox,
            big.signal -> signals.inbox,
        }
    })
    .unwrap_err();
    let report = err.report().unwrap();
    let reason = failure(report, "big");
    assert!(
        reason.contains("a message on `outbox`") && reason.contains("over the frame limit"),
        "{reason}"
    );
    assert!(strings.lock().unwrap().is_empty());
    // Neither the message over the limit nor the one after it went out.
    assert_eq!(left(report, "big", "outbox"), (0, 2), "{report}");
    // Its `signal` says it failed, and only that.
    let signals = signals.lock().unwrap().clone();
    assert!(
        matches!(&signals[..], [Control::Failed { component, reason }]
            if component == "big" && reason.contains("over the frame limit")),
        "{signals:?}"
    );
}

/// Untagged: decoding it needs `deserialize_any`, which postcard cannot do.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Loose {
    /// A number.
    Number(u64),
    /// Some text.
    Text(String),
}

/// Takes `Loose` values in a child.
#[component(process)]
pub struct TakesLoose {
    inbox: Inbox<Loose>,
}

impl Component for TakesLoose {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Sends three `Loose` values, then finishes.
#[component]
struct FeedLoose {
    outbox: Outbox<Loose>,
}

impl Component for FeedLoose {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(Loose::Number(1)).await?;
        self.outbox.send(Loose::Text("two".into())).await?;
        self.outbox.send(Loose::Number(3)).await?;
        Ok(())
    }
}

/// What every error about a type postcard cannot carry must say.
fn assert_names_the_type(reason: &str, port: &str, type_name: &str) {
    for needed in [
        &format!("`{port}`") as &str,
        type_name,
        "postcard",
        "not self-describing",
        "deserialize_any",
        "untagged",
        "flatten",
        "Types postcard cannot carry",
    ] {
        assert!(reason.contains(needed), "no {needed:?} in: {reason}");
    }
    for blame in ["bad data", "the parent", "its child process sent"] {
        assert!(!reason.contains(blame), "blames {blame:?}: {reason}");
    }
}

#[test]
fn an_untagged_message_type_is_named_as_the_cause_and_counted_exactly() {
    myelin::process::init();
    let err = myelin::run(pipeline![FeedLoose::new(), TakesLoose::new()]).unwrap_err();
    let report = err.report().unwrap();
    assert_names_the_type(&failure(report, "TakesLoose"), "inbox", "Loose");
    assert_eq!(
        report.component("FeedLoose").unwrap().outcome,
        Outcome::Finished
    );
    // All three values were accepted and none was read; the upstream's
    // `Finished` on `control` is never counted unread.
    assert_eq!(left(report, "TakesLoose", "inbox"), (3, 0), "{report}");
    assert_eq!(left(report, "TakesLoose", "control"), (0, 0), "{report}");
}

/// Flattened: encoding it needs a map of unknown length, which postcard
/// cannot write.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Flat {
    id: u64,
    #[serde(flatten)]
    extra: Extra,
}

/// What `Flat` flattens into itself.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Extra {
    note: String,
}

/// Sends `Flat` values from a child.
#[component(process)]
pub struct SendsFlat {
    outbox: Outbox<Flat>,
}

impl Component for SendsFlat {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for id in 0..3 {
            let extra = Extra {
                note: "flat".into(),
            };
            self.outbox.send(Flat { id, extra }).await?;
        }
        Ok(())
    }
}

#[test]
fn a_flattened_message_type_is_named_as_the_cause_and_counted() {
    myelin::process::init();
    let kept: Arc<Mutex<Vec<Flat>>> = Arc::default();
    let err =
        myelin::run(pipeline![SendsFlat::new(), Keep::<Flat>::new(kept.clone())]).unwrap_err();
    let report = err.report().unwrap();
    assert_names_the_type(&failure(report, "SendsFlat"), "outbox", "Flat");
    assert!(kept.lock().unwrap().is_empty());
    assert_eq!(left(report, "SendsFlat", "outbox"), (0, 3), "{report}");
}

/// Sends `Loose` values from a child.
#[component(process)]
pub struct SendsLoose {
    outbox: Outbox<Loose>,
}

impl Component for SendsLoose {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..3 {
            self.outbox.send(Loose::Number(n)).await?;
        }
        Ok(())
    }
}

#[test]
fn an_untagged_message_type_from_a_child_is_named_and_counted() {
    myelin::process::init();
    let kept: Arc<Mutex<Vec<Loose>>> = Arc::default();
    let signals: Arc<Mutex<Vec<Control>>> = Arc::default();
    let err = myelin::run(graphline! {
        components {
            loose: SendsLoose::new(),
            keep: Keep::<Loose>::new(kept.clone()),
            signals: Keep::<Control>::new(signals.clone()),
        }
        links {
            loose.outbox -> keep.inbox,
            loose.signal -> signals.inbox,
        }
    })
    .unwrap_err();
    let report = err.report().unwrap();
    let reason = failure(report, "loose");
    assert_names_the_type(&reason, "outbox", "Loose");
    assert!(kept.lock().unwrap().is_empty());
    assert_eq!(left(report, "loose", "outbox"), (0, 3), "{report}");
    // The child finished its body and said so; the parent, which found the
    // failure, says the component failed instead, once.
    let signals = signals.lock().unwrap().clone();
    assert_eq!(
        signals,
        [Control::Failed {
            component: "loose".into(),
            reason
        }]
    );
}
