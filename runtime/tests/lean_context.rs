//! What a component keeps for its built-in boxes: a `control` that nothing
//! can ever send to, and a `signal` that leads nowhere, are not kept while
//! the component runs (an idle component's memory is a target; see
//! `BENCHMARKS.md`). These tests check that nothing a body can do tells
//! the difference: what it asks for is made on demand and behaves as the
//! one it stands for would have.

mod common;

use std::sync::{Arc, Mutex};

use common::run_bounded;
use myelin::prelude::*;
use myelin::{Handle, InboxPort, Outcome, SendErrorKind, TryRecvError, link};

/// Links a fresh outbox of its own to its `control` while it runs, sends
/// on it, and reports what it received there, and whether `pause`
/// returned for it.
#[component]
struct TalksToItself {
    seen: Arc<Mutex<Vec<String>>>,
}

impl Component for TalksToItself {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut log = Vec::new();
        // Nothing was linked: at the end of its stream from the start.
        log.push(format!("{:?}", cx.control().try_recv()));
        let mut to_self: Outbox<Control> = Outbox::new("to_self");
        link(&to_self.port(), &cx.control().port(), None)?;
        to_self.send(Control::Shutdown).await?;
        // Level-triggered: a message waits on `control`, so this returns.
        cx.pause().await;
        log.push(format!("{:?}", cx.control().try_recv()));
        drop(to_self);
        log.push(format!("{:?}", cx.control().recv().await));
        // `signal` led nowhere: a send on it is refused as unlinked, and it
        // cannot be linked any more.
        let refused = cx.signal().send(Control::Shutdown).await.unwrap_err();
        log.push(format!("{:?}", refused.kind()));
        let mut late: Inbox<Control> = Inbox::new("late");
        log.push(format!(
            "{:?}",
            link(&cx.signal().port(), &late.port(), None).is_err()
        ));
        log.push(format!("{:?}", late.try_recv()));
        *self.seen.lock().unwrap() = log;
        Ok(())
    }
}

#[test]
fn an_unlinked_control_is_made_when_asked_for_and_works_as_linked_later() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let component = TalksToItself::new(seen.clone());
    let report = run_bounded("talks to itself", move || component).unwrap();
    assert!(report.is_success(), "{report}");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            format!("{:?}", Err::<Control, _>(TryRecvError::Closed)),
            format!("{:?}", Ok::<_, TryRecvError>(Control::Shutdown)),
            format!("{:?}", None::<Control>),
            format!("{:?}", SendErrorKind::Unlinked),
            "true".to_owned(),
            format!("{:?}", Err::<Control, _>(TryRecvError::Closed)),
        ]
    );
}

/// Waits on `pause` until a `Shutdown` arrives on `control`, then ends.
#[component]
struct WaitsForShutdown {}

impl Component for WaitsForShutdown {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            if let Ok(Control::Shutdown) = cx.control().try_recv() {
                return Ok(());
            }
            cx.pause().await;
        }
    }
}

/// Sends one `Shutdown` on its outbox.
#[component]
struct SendsShutdown {
    outbox: Outbox<Control>,
}

impl Component for SendsShutdown {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(Control::Shutdown).await?;
        Ok(())
    }
}

/// Holds the system open until its input ends.
#[component]
struct Hold {
    inbox: Inbox<u8>,
}

impl Component for Hold {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// A port handle on `control` kept from before the start, with nothing
/// linked yet, is a way to reach it: the component keeps its `control`,
/// and a part added later links to it.
#[test]
fn a_control_port_kept_from_before_the_start_can_be_linked_later() {
    let waits = myelin::Node::new(WaitsForShutdown::new());
    let control: InboxPort<Control> = myelin::Part::control_port(&waits);
    let hold = myelin::Node::new(Hold::new());
    // Fed from outside: the system waits for it instead of stalling.
    let open = myelin::Sender::new(&myelin::Part::handles(&hold).inbox).unwrap();
    let system = myelin::Graph::new("system")
        .child(Some("waits"), waits)
        .child(Some("hold"), hold);
    let handle: Handle = myelin::spawn(system);
    handle
        .add(move || {
            let sender = myelin::Node::new(SendsShutdown::new());
            link(&myelin::Part::handles(&sender).outbox, &control, None)?;
            Ok(sender)
        })
        .unwrap();
    drop(open);
    let report = common::within_hang(move || handle.join()).unwrap();
    assert!(report.is_success(), "{report}");
    assert_eq!(report.components().len(), 3, "{report}");
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished),
        "{report}"
    );
}
