//! The Carousel, driven through handles: Axon's Carousel scenarios
//! (TC/test_Carousel.py, scenarios 70 to 72 of the reference), each wait
//! bounded so that a carousel that fails to stop fails the test.

mod components_harness;

use std::sync::{Arc, Mutex};

use components_harness::{next, rest, start};
use myelin::components::Carousel;
use myelin::prelude::*;
use myelin::{Control, Outcome, Receiver, Sender};

/// Tags what it receives with its name, and records its own start and end;
/// ends on the end of its input or on `Shutdown`.
#[component]
struct Tagger {
    inbox: Inbox<u64>,
    outbox: Outbox<String>,
    tag: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Component for Tagger {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        self.log.lock().unwrap().push(format!("{} start", self.tag));
        loop {
            myelin::select! {
                msg = cx.control() => {
                    if matches!(msg, Some(Control::Shutdown)) { break; }
                },
                n = self.inbox => match n {
                    Some(n) => self.outbox.send(format!("{}:{n}", self.tag)).await?,
                    None => break,
                },
            }
        }
        self.log.lock().unwrap().push(format!("{} end", self.tag));
        Ok(())
    }
}

type Log = Arc<Mutex<Vec<String>>>;

/// A carousel of taggers, named by the `next` message, with every port
/// reachable from the test.
struct Rig {
    next: Sender<String>,
    input: Sender<u64>,
    output: Receiver<String>,
    requests: Receiver<()>,
    control: Sender<Control>,
    signal: Receiver<Control>,
    running: components_harness::Running,
    log: Log,
}

fn rig(request_first: bool) -> Rig {
    let log: Log = Arc::default();
    let l = log.clone();
    let mut carousel = Carousel::new(move |tag: String| Tagger::new(tag, l.clone()));
    if request_first {
        carousel = carousel.request_first();
    }
    let system = graphline! {
        components {
            carousel: carousel,
        }
        links {
            self.next -> carousel.next,
            self.inbox -> carousel.inbox,
            carousel.outbox -> self.outbox,
            carousel.request_next -> self.requests,
            self.control -> carousel.control,
            carousel.signal -> self.signal,
        }
    };
    let ports = system.handles();
    Rig {
        next: Sender::new(&ports.next).unwrap(),
        input: Sender::new(&ports.inbox).unwrap(),
        output: Receiver::new(&ports.outbox).unwrap(),
        requests: Receiver::new(&ports.requests).unwrap(),
        control: Sender::new(&ports.control).unwrap(),
        signal: Receiver::new(&ports.signal).unwrap(),
        running: start(system),
        log,
    }
}

fn log_of(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// Scenario 70: idle, a carousel does nothing; asked to, it requests a
/// first child once; a `Shutdown` while idle ends it, and it passes the
/// `Shutdown` on.
#[test]
fn an_idle_carousel_does_nothing_and_stops_on_shutdown_passing_it_on() {
    let mut r = rig(true);
    assert_eq!(next(&mut r.requests, "the first request"), Some(()));
    r.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut r.signal, "its signal"), Some(Control::Shutdown));
    let report = r.running.join("idle carousel");
    assert_eq!(
        report.component("carousel").unwrap().outcome,
        Outcome::Finished
    );
    assert!(log_of(&r.log).is_empty(), "no child was made");
    drop((r.next, r.input));
}

/// Scenario 71: a `next` builds and runs a child; `inbox` reaches it and
/// its `outbox` leaves the carousel; when it ends, a request goes out; the
/// child's own `signal` is not passed on.
#[test]
fn a_child_gets_the_input_its_output_leaves_and_its_end_requests_the_next() {
    let mut r = rig(false);
    r.next.send("a".into()).unwrap();
    r.input.send(1).unwrap();
    r.input.send(2).unwrap();
    assert_eq!(next(&mut r.output, "a:1"), Some("a:1".into()));
    assert_eq!(next(&mut r.output, "a:2"), Some("a:2".into()));
    // Ending the carousel's input ends the child's: it ends, and asks.
    drop(r.input);
    assert_eq!(next(&mut r.requests, "a request"), Some(()));
    drop(r.next);
    // The child's `Finished` is not passed on: the carousel's own comes.
    assert_eq!(
        next(&mut r.signal, "the carousel's signal"),
        Some(Control::Finished {
            component: "carousel".into()
        })
    );
    assert_eq!(rest(&mut r.output, "output"), Vec::<String>::new());
    let report = r.running.join("one child");
    assert!(report.component("carousel.child1").is_some(), "{report}");
    assert_eq!(log_of(&r.log), ["a start", "a end"]);
}

/// Scenario 72: a new `next` shuts the running child down, and the new
/// child starts only after the old one has ended; input goes to the child
/// running when it is taken.
#[test]
fn a_new_next_replaces_the_child_only_after_it_has_ended() {
    let mut r = rig(false);
    r.next.send("a".into()).unwrap();
    r.input.send(1).unwrap();
    assert_eq!(next(&mut r.output, "a:1"), Some("a:1".into()));
    r.next.send("b".into()).unwrap();
    assert_eq!(next(&mut r.requests, "a's end"), Some(()));
    r.input.send(2).unwrap();
    assert_eq!(next(&mut r.output, "b:2"), Some("b:2".into()));
    drop(r.input);
    assert_eq!(next(&mut r.requests, "b's end"), Some(()));
    drop(r.next);
    let report = r.running.join("two children");
    assert_eq!(log_of(&r.log), ["a start", "a end", "b start", "b end"]);
    assert!(report.component("carousel.child2").is_some(), "{report}");
}

/// Scenario 72: a `Shutdown` on `control` reaches the running child, the
/// carousel ends after it, queued `next`s are dropped and counted.
#[test]
fn shutdown_reaches_the_child_and_drops_queued_nexts_counted() {
    let mut r = rig(false);
    r.next.send("a".into()).unwrap();
    r.input.send(1).unwrap();
    assert_eq!(next(&mut r.output, "a:1"), Some("a:1".into()));
    r.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut r.signal, "its signal"), Some(Control::Shutdown));
    let report = r.running.join("shutdown");
    assert_eq!(log_of(&r.log), ["a start", "a end"]);
    assert_eq!(
        report.component("carousel").unwrap().outcome,
        Outcome::Finished
    );
    drop((r.next, r.input));
}

/// Scenario 72: `Finished` on `control` lets queued `next`s run first.
#[test]
fn finished_on_control_lets_queued_nexts_run_first() {
    let mut r = rig(false);
    r.next.send("a".into()).unwrap();
    r.next.send("b".into()).unwrap();
    r.control
        .send(Control::Finished {
            component: "upstream".into(),
        })
        .unwrap();
    drop(r.input);
    // Both children run, one after the other, and the carousel then ends.
    assert_eq!(next(&mut r.requests, "a's end"), Some(()));
    assert_eq!(next(&mut r.requests, "b's end"), Some(()));
    assert_eq!(
        next(&mut r.signal, "the carousel's signal"),
        Some(Control::Finished {
            component: "carousel".into()
        })
    );
    r.running.join("finished");
    assert_eq!(log_of(&r.log), ["a start", "a end", "b start", "b end"]);
    drop(r.next);
}
