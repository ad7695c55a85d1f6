//! The ready-made sources: `Source` (Axon's `DataSource`), `OneShot` and
//! `Triggered` (`TriggeredSource`). Each sends what it was given, ends when
//! it has nothing more to send (or, for `Triggered`, when its triggers
//! end), and stops at once on `Shutdown`, counting a message it held.

mod components_harness;

use components_harness::{assert_closed, assert_finished_signal, left, next, rest, start, take};
use myelin::components::{OneShot, Source, Triggered};
use myelin::{Control, IntoPart, Outcome, Part, Receiver, Report, Sender};

/// Sends everything `source` sends, to its end, and its report.
fn run_source<I>(source: Source<I>) -> (Vec<I::Item>, Report)
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    let part = source.into_part();
    let mut out = Receiver::new(&part.handles().outbox).unwrap();
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    let got = rest(&mut out, "source output");
    assert_finished_signal(&mut signal, "source");
    (got, running.join("source"))
}

#[test]
fn source_sends_every_item_in_order_then_finishes() {
    let (got, report) = run_source(Source::new(vec!["a", "b", "c"]));
    assert_eq!(got, ["a", "b", "c"]);
    assert_eq!(report.components()[0].outcome, Outcome::Finished);

    // Ranges, arrays and iterators alike.
    assert_eq!(run_source(Source::new(1..=3)).0, [1, 2, 3]);
    assert_eq!(run_source(Source::new([7u8; 2])).0, [7, 7]);
    assert_eq!(run_source(Source::new("ab".chars())).0, ['a', 'b']);
    assert!(run_source(Source::new(Vec::<u8>::new())).0.is_empty());
}

/// An endless source waiting for room stops at a `Shutdown` and counts the
/// item it held; nothing it had not taken from the iterator is counted.
#[test]
fn source_stops_on_shutdown_while_waiting_for_room() {
    let (taken_tx, taken) = std::sync::mpsc::channel();
    let items = (0u64..).inspect(move |&n| taken_tx.send(n).unwrap());
    let part = Source::new(items).into_part();
    // Room for one item, never read: 0 fills it, 1 must wait.
    let out = Receiver::bounded(&part.handles().outbox, 1).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    // Item 1 taken: the source is on its way to waiting for room with it.
    for n in 0..2 {
        assert_eq!(taken.recv_timeout(components_harness::LIMIT), Ok(n));
    }
    control.send(Control::Shutdown).unwrap();
    assert_finished_signal(&mut signal, "Shutdown");
    let report = running.join("endless source");
    assert_eq!(left(&report, "Source", "outbox"), [(1, true)], "{report}");
    // Nothing more was taken from the iterator.
    assert!(taken.try_recv().is_err());
    drop(out);
}

#[test]
fn one_shot_sends_its_one_message() {
    let part = OneShot::new("hello".to_owned()).into_part();
    let mut out = Receiver::new(&part.handles().outbox).unwrap();
    let running = start(part);
    assert_eq!(rest(&mut out, "one shot"), ["hello"]);
    assert!(running.join("one shot").is_success());

    // `None` sends nothing.
    let part = OneShot::<u8>::new(None).into_part();
    let mut out = Receiver::new(&part.handles().outbox).unwrap();
    let running = start(part);
    assert!(rest(&mut out, "empty one shot").is_empty());
    running.join("empty one shot");
}

/// A `Shutdown` waiting when it starts stops it before it sends, and the
/// message it was given is counted unsent.
#[test]
fn one_shot_stopped_before_sending_counts_its_message() {
    let part = OneShot::new(1u8).into_part();
    let mut out = Receiver::new(&part.handles().outbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    control.send(Control::Shutdown).unwrap();
    let running = start(part);
    assert!(rest(&mut out, "one shot").is_empty());
    let report = running.join("one shot");
    assert_eq!(left(&report, "OneShot", "outbox"), [(1, true)], "{report}");
}

/// A triggered source with handles on its trigger, output and control.
struct Driven<T, G> {
    trigger: Sender<G>,
    control: Sender<Control>,
    out: Receiver<T>,
    signal: Receiver<Control>,
    running: components_harness::Running,
}

fn drive<I, G>(source: Triggered<I, G>) -> Driven<I::Item, G>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
    G: Send + 'static,
{
    let part = source.into_part();
    let handles = part.handles();
    Driven {
        trigger: Sender::new(&handles.trigger).unwrap(),
        control: Sender::new(&part.control_port()).unwrap(),
        out: Receiver::new(&handles.outbox).unwrap(),
        signal: Receiver::new(&part.signal_port()).unwrap(),
        running: start(part),
    }
}

#[test]
fn triggered_sends_one_item_per_trigger() {
    let mut d = drive(Triggered::new(["a", "b", "c"]));
    d.trigger.send(()).unwrap();
    assert_eq!(next(&mut d.out, "first"), Some("a"));
    d.trigger.send(()).unwrap();
    assert_eq!(next(&mut d.out, "second"), Some("b"));
    // The end of the triggers ends it, with "c" never sent.
    drop(d.trigger);
    assert_eq!(next(&mut d.out, "end"), None);
    assert_finished_signal(&mut d.signal, "end of triggers");
    assert!(d.running.join("triggers ended").is_success());
}

/// When its items run out it finishes at once, without waiting for another
/// trigger, though the trigger is still open.
#[test]
fn triggered_finishes_when_its_items_run_out() {
    let mut d = drive(Triggered::new(vec![1]));
    d.trigger.send("go").unwrap();
    assert_eq!(next(&mut d.out, "only item"), Some(1));
    assert_eq!(next(&mut d.out, "end"), None);
    assert_finished_signal(&mut d.signal, "items ran out");
    d.running.join("items ran out");
    assert_closed(&mut d.trigger, "late", "trigger after the end");
}

#[test]
fn triggered_repeat_sends_its_message_for_every_trigger() {
    let mut d = drive(Triggered::repeat('x'));
    for _ in 0..3 {
        d.trigger.send(0u8).unwrap();
    }
    assert_eq!(take(&mut d.out, 3, "repeats"), ['x'; 3]);
    drop(d.trigger);
    assert_eq!(next(&mut d.out, "end"), None);
    d.running.join("repeat");
}

#[test]
fn triggered_stops_on_shutdown_with_its_trigger_open() {
    let mut d = drive(Triggered::repeat(5u8));
    d.trigger.send(()).unwrap();
    assert_eq!(next(&mut d.out, "first"), Some(5));
    d.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut d.out, "after Shutdown"), None);
    assert_finished_signal(&mut d.signal, "Shutdown");
    let report = d.running.join("Shutdown with the trigger open");
    assert!(report.components()[0].undelivered.is_empty(), "{report}");
    assert_closed(&mut d.trigger, (), "trigger after Shutdown");
}

#[test]
fn triggered_lets_a_waiting_shutdown_win_over_queued_triggers() {
    let part = Triggered::repeat(1u8).into_part();
    let handles = part.handles();
    let mut trigger = Sender::new(&handles.trigger).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut out = Receiver::new(&handles.outbox).unwrap();
    trigger.send(()).unwrap();
    trigger.send(()).unwrap();
    control.send(Control::Shutdown).unwrap();
    let running = start(part);
    assert!(rest(&mut out, "output").is_empty());
    let report = running.join("queued triggers");
    assert_eq!(
        left(&report, "Triggered", "trigger"),
        [(2, false)],
        "{report}"
    );
}
