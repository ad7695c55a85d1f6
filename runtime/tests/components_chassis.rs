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

/// Takes `n` messages, tagging each, then ends on its own.
#[component]
struct TakeN {
    inbox: Inbox<u64>,
    outbox: Outbox<String>,
    tag: &'static str,
    n: usize,
}

impl Component for TakeN {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.n {
            let Some(x) = self.inbox.recv().await else {
                break;
            };
            self.outbox.send(format!("{}:{x}", self.tag)).await?;
        }
        Ok(())
    }
}

/// Axon's Seq (e12-1): children run one after another with the boxes
/// passed through; the next starts when the one before has ended; input
/// that arrives while a child with no inbox runs waits for the next one;
/// the Seq says `Finished` once, at the end.
#[test]
fn seq_runs_children_one_after_another_with_the_boxes_passed_through() {
    use myelin::components::{Seq, Source};
    let seq = Seq::new()
        .then(Source::new(vec!["first".to_owned(), "second".to_owned()]))
        .then(TakeN::new("b", 3));
    let system = graphline! {
        components { seq: seq }
        links {
            self.inbox -> seq.inbox,
            seq.outbox -> self.outbox,
            seq.signal -> self.signal,
        }
    };
    let ports = system.handles();
    let mut input = Sender::new(&ports.inbox).unwrap();
    let mut output = Receiver::new(&ports.outbox).unwrap();
    let mut signal = Receiver::new(&ports.signal).unwrap();
    let running = start(system);
    for x in 1..=3 {
        input.send(x).unwrap();
    }
    let got: Vec<String> = (0..5).filter_map(|_| next(&mut output, "output")).collect();
    assert_eq!(got, ["first", "second", "b:1", "b:2", "b:3"]);
    assert_eq!(
        next(&mut signal, "the seq's signal"),
        Some(Control::Finished {
            component: "seq".into()
        })
    );
    let report = running.join("seq");
    assert!(report.component("seq.child1").is_some(), "{report}");
    assert!(report.component("seq.child2").is_some(), "{report}");
    drop(input);
}

/// A `Shutdown` stops the running child of a Seq, and the children after
/// it never run.
#[test]
fn seq_stops_on_shutdown_and_runs_no_more_children() {
    use myelin::components::Seq;
    let log: Log = Arc::default();
    let seq = Seq::new()
        .then(Tagger::new("a".into(), log.clone()))
        .then(Tagger::new("b".into(), log.clone()));
    let system = graphline! {
        components { seq: seq }
        links {
            self.inbox -> seq.inbox,
            seq.outbox -> self.outbox,
            self.control -> seq.control,
            seq.signal -> self.signal,
        }
    };
    let ports = system.handles();
    let mut input = Sender::new(&ports.inbox).unwrap();
    let mut output = Receiver::new(&ports.outbox).unwrap();
    let mut control = Sender::new(&ports.control).unwrap();
    let mut signal = Receiver::new(&ports.signal).unwrap();
    let running = start(system);
    input.send(1).unwrap();
    assert_eq!(next(&mut output, "a:1"), Some("a:1".into()));
    control.send(Control::Shutdown).unwrap();
    assert_eq!(
        next(&mut signal, "the seq's signal"),
        Some(Control::Shutdown)
    );
    running.join("seq shutdown");
    assert_eq!(log_of(&log), ["a start", "a end"]);
    drop(input);
}

/// Axon's PAR (e12-2): children run side by side, their outboxes merged;
/// it ends when all have, saying `Finished`; a `Shutdown` is copied to
/// every child and the PAR then says `Shutdown`.
#[test]
fn par_merges_its_childrens_output_and_ends_when_all_have() {
    use myelin::components::{Par, Source};
    let par = Par::new()
        .with(Source::new(vec![1u64, 2, 3]))
        .with(Source::new(vec![10u64, 20]));
    let system = graphline! {
        components { par: par }
        links {
            par.outbox -> self.outbox,
            par.signal -> self.signal,
        }
    };
    let ports = system.handles();
    let mut output = Receiver::new(&ports.outbox).unwrap();
    let mut signal = Receiver::new(&ports.signal).unwrap();
    let running = start(system);
    let mut got = rest(&mut output, "output");
    got.sort_unstable();
    assert_eq!(got, [1, 2, 3, 10, 20]);
    assert_eq!(
        next(&mut signal, "the par's signal"),
        Some(Control::Finished {
            component: "par".into()
        })
    );
    running.join("par");
}

/// Sleeps until stopped (a timer, so the system waits rather than
/// stalls); sends nothing.
#[component]
struct Idle {
    outbox: Outbox<u64>,
}

impl Component for Idle {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let _ =
            myelin::time::timeout(std::time::Duration::from_secs(3600), cx.control().recv()).await;
        Ok(())
    }
}

#[test]
fn par_copies_a_shutdown_to_every_child_and_says_shutdown() {
    use myelin::components::Par;
    let par = Par::new().with(Idle::new()).with(Idle::new());
    let system = graphline! {
        components { par: par }
        links {
            self.control -> par.control,
            par.signal -> self.signal,
        }
    };
    let ports = system.handles();
    let mut control = Sender::new(&ports.control).unwrap();
    let mut signal = Receiver::new(&ports.signal).unwrap();
    let running = start(system);
    control.send(Control::Shutdown).unwrap();
    assert_eq!(
        next(&mut signal, "the par's signal"),
        Some(Control::Shutdown)
    );
    let report = running.join("par shutdown");
    for child in ["par.child1", "par.child2"] {
        assert_eq!(
            report.component(child).unwrap().outcome,
            Outcome::Finished,
            "{report}"
        );
    }
}
