//! The ready-made routers: `Fanout2`/`Fanout3` (Axon's `Fanout` and
//! `TwoWaySplitter`, with `LossyConnector` as a per-destination policy),
//! `Lossy`, `Zip`/`Zip3` (`Sync`), `Merge`, and `Compare` (Kamaelia's
//! `Comparator`, whose test suite `Kamaelia/Test/Util/test_Comparator.py`
//! is ported below).

mod components_harness;

use components_harness::{
    Running, assert_closed, assert_finished_signal, left, next, rest, stage, start, take,
};
use myelin::components::{Compare, Either, Fanout2, Fanout3, Lossy, Merge, WhenFull, Zip, Zip3};
use myelin::{Control, IntoPart, Part, Receiver, Sender};

// ---------------------------------------------------------------- fan-out

#[test]
fn fanout2_copies_every_message_to_both_in_order() {
    let part = Fanout2::new(WhenFull::Wait, WhenFull::Wait).into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    let (mut a, mut b) = (
        Receiver::new(&h.first).unwrap(),
        Receiver::new(&h.second).unwrap(),
    );
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    for n in 0..100u32 {
        input.send(n).unwrap();
    }
    drop(input);
    assert_eq!(rest(&mut a, "first"), (0..100).collect::<Vec<_>>());
    assert_eq!(rest(&mut b, "second"), (0..100).collect::<Vec<_>>());
    assert_finished_signal(&mut signal, "end of input");
    assert!(running.join("fanout").is_success());
}

/// `Wait` on a bounded destination is backpressure: nothing is dropped,
/// however slow the reader.
#[test]
fn fanout_wait_policy_loses_nothing_to_a_slow_destination() {
    let split = Fanout2::new(WhenFull::Wait, WhenFull::Wait);
    let dropped = split.dropped();
    let part = split.into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    let mut a = Receiver::bounded(&h.first, 1).unwrap();
    let mut b = Receiver::new(&h.second).unwrap();
    let running = start(part);
    for n in 0..20u8 {
        input.send(n).unwrap();
    }
    drop(input);
    assert_eq!(rest(&mut a, "first"), (0..20).collect::<Vec<_>>());
    assert_eq!(rest(&mut b, "second"), (0..20).collect::<Vec<_>>());
    running.join("wait policy");
    assert_eq!(dropped.each_ref().map(|d| d.get()), [0, 0]);
}

/// `DropCounted` drops a copy whose destination is full, and counts it for
/// that destination only; the other destination gets every copy.
#[test]
fn fanout_drop_counted_policy_drops_and_counts_per_destination() {
    let split = Fanout2::new(WhenFull::DropCounted, WhenFull::Wait);
    let [first_dropped, second_dropped] = split.dropped();
    let part = split.into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    // Room for one, not read until the input has ended.
    let mut a = Receiver::bounded(&h.first, 1).unwrap();
    let mut b = Receiver::new(&h.second).unwrap();
    let running = start(part);
    for n in 0..10u8 {
        input.send(n).unwrap();
    }
    drop(input);
    assert_eq!(rest(&mut b, "second"), (0..10).collect::<Vec<_>>());
    running.join("drop policy");
    assert_eq!(rest(&mut a, "first"), [0]);
    assert_eq!(first_dropped.get(), 9);
    assert_eq!(second_dropped.get(), 0);
}

/// A destination that is gone is not a full one: the fan-out fails rather
/// than drop copies for it, whatever the policy.
#[test]
fn fanout_fails_when_a_destination_has_finished() {
    let part = Fanout2::new(WhenFull::DropCounted, WhenFull::DropCounted).into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    drop(Receiver::new(&h.first).unwrap());
    let _b = Receiver::new(&h.second).unwrap();
    let running = start(part);
    input.send(1u8).unwrap();
    let failed = running.result("closed destination").unwrap_err();
    assert!(failed.to_string().contains("first"), "{failed}");
}

#[test]
fn fanout_stops_on_shutdown_with_its_input_open() {
    let part = Fanout2::new(WhenFull::Wait, WhenFull::Wait).into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let (mut a, mut b) = (
        Receiver::new(&h.first).unwrap(),
        Receiver::new(&h.second).unwrap(),
    );
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    input.send('x').unwrap();
    assert_eq!(next(&mut a, "first"), Some('x'));
    assert_eq!(next(&mut b, "second"), Some('x'));
    control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut a, "first"), None);
    assert_finished_signal(&mut signal, "Shutdown");
    let report = running.join("fanout Shutdown");
    assert!(report.components()[0].undelivered.is_empty(), "{report}");
    assert_closed(&mut input, 'y', "input after Shutdown");
}

/// Stopped while waiting for room on one destination, it counts the copy
/// it held for that one and the copies not yet sent to the ones after it.
#[test]
fn fanout3_counts_the_copies_a_shutdown_leaves_unsent() {
    let part = Fanout3::new(WhenFull::Wait, WhenFull::Wait, WhenFull::Wait).into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut a = Receiver::new(&h.first).unwrap();
    // Room for one copy, never read: the second copy of 2 must wait.
    let _b = Receiver::bounded(&h.second, 1).unwrap();
    let _c = Receiver::new(&h.third).unwrap();
    let running = start(part);
    input.send(1u8).unwrap();
    input.send(2).unwrap();
    // `first` has 2: the fan-out holds 2's copy for `second`, waiting.
    assert_eq!(take(&mut a, 2, "first"), [1, 2]);
    control.send(Control::Shutdown).unwrap();
    let report = running.join("fanout3 Shutdown");
    assert_eq!(left(&report, "Fanout3", "second"), [(1, true)], "{report}");
    assert_eq!(left(&report, "Fanout3", "third"), [(1, true)], "{report}");
    assert!(left(&report, "Fanout3", "first").is_empty(), "{report}");
}

#[test]
fn fanout_lets_a_waiting_shutdown_win_over_queued_messages() {
    let part = Fanout3::new(WhenFull::Wait, WhenFull::Wait, WhenFull::Wait).into_part();
    let h = part.handles();
    let mut input = Sender::new(&h.inbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let _outs = [
        Receiver::new(&h.first).unwrap(),
        Receiver::new(&h.second).unwrap(),
        Receiver::new(&h.third).unwrap(),
    ];
    input.send(1u8).unwrap();
    control.send(Control::Shutdown).unwrap();
    let report = start(part).join("queued Shutdown");
    assert_eq!(left(&report, "Fanout3", "inbox"), [(1, false)], "{report}");
}

// ---------------------------------------------------------------- lossy

#[test]
fn lossy_drops_and_counts_what_finds_no_room() {
    let lossy = Lossy::new();
    let dropped = lossy.dropped();
    let mut s = stage(lossy, Some(1));
    for n in 0..3u8 {
        s.input.send(n).unwrap();
    }
    drop(s.input);
    assert_finished_signal(&mut s.signal, "end of input");
    s.running.join("lossy");
    assert_eq!(rest(&mut s.output, "output"), [0]);
    assert_eq!(dropped.get(), 2);
}

#[test]
fn lossy_ends_with_its_input_and_stops_on_shutdown() {
    let (out, _) = components_harness::ends_with_input(Lossy::new(), vec![1u8, 2]);
    assert_eq!(out, [1, 2]);
    let (out, _) = components_harness::stops_on_shutdown(Lossy::new(), vec![1u8], 1, 2);
    assert_eq!(out, [1]);
    components_harness::shutdown_wins_over_queued(Lossy::<u8>::new(), vec![1]);
}

// ---------------------------------------------------------------- two inputs

/// Handles on a component with inputs `a` and `b` and one `outbox`.
struct Two<A, B, O> {
    a: Sender<A>,
    b: Sender<B>,
    control: Sender<Control>,
    out: Receiver<O>,
    signal: Receiver<Control>,
    /// Starts the system (once): a field of its own, so that the test may
    /// drop the senders before starting it.
    go: Option<Box<dyn FnOnce() -> Running>>,
}

/// Starts the system of `t`.
fn go(start: &mut Option<Box<dyn FnOnce() -> Running>>) -> Running {
    start.take().expect("started once")()
}

macro_rules! two {
    ($component:expr, $a:ident, $b:ident) => {{
        let part = $component.into_part();
        let h = part.handles();
        Two {
            a: Sender::new(&h.$a).unwrap(),
            b: Sender::new(&h.$b).unwrap(),
            control: Sender::new(&part.control_port()).unwrap(),
            out: Receiver::new(&h.outbox).unwrap(),
            signal: Receiver::new(&part.signal_port()).unwrap(),
            go: Some(Box::new(move || start(part))),
        }
    }};
}

#[test]
fn zip_pairs_messages_in_order_whenever_they_arrive() {
    let mut t = two!(Zip::<&str, u32>::new(), first, second);
    let running = go(&mut t.go);
    // One side well ahead of the other.
    for word in ["a", "b", "c"] {
        t.a.send(word).unwrap();
    }
    t.b.send(1).unwrap();
    assert_eq!(next(&mut t.out, "pair"), Some(("a", 1)));
    t.b.send(2).unwrap();
    t.b.send(3).unwrap();
    assert_eq!(take(&mut t.out, 2, "pairs"), [("b", 2), ("c", 3)]);
    drop((t.a, t.b));
    assert_eq!(next(&mut t.out, "end"), None);
    assert_finished_signal(&mut t.signal, "end of both");
    assert!(running.join("zip").is_success());
}

/// When one input ends, the other's unpaired messages are left unread and
/// counted in the report; the component ends though that input is open.
#[test]
fn zip_ends_when_one_input_ends_counting_the_leftovers() {
    let mut t = two!(Zip::<&str, u32>::new(), first, second);
    for word in ["a", "b", "c"] {
        t.a.send(word).unwrap();
    }
    t.b.send(1).unwrap();
    drop(t.b);
    let running = go(&mut t.go);
    assert_eq!(rest(&mut t.out, "pairs"), [("a", 1)]);
    let report = running.join("zip with one input ended");
    assert_eq!(left(&report, "Zip", "first"), [(2, false)], "{report}");
    assert_closed(&mut t.a, "d", "the open input after the end");
}

#[test]
fn zip_stops_on_shutdown_with_its_inputs_open() {
    let mut t = two!(Zip::<u8, u8>::new(), first, second);
    let running = go(&mut t.go);
    t.a.send(1).unwrap();
    t.b.send(2).unwrap();
    assert_eq!(next(&mut t.out, "pair"), Some((1, 2)));
    // An unpaired message: waiting for its partner when the Shutdown comes.
    t.a.send(3).unwrap();
    t.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut t.out, "after Shutdown"), None);
    assert_finished_signal(&mut t.signal, "Shutdown");
    let report = running.join("zip Shutdown");
    // Never taken while unpaired, so counted as unread, not lost.
    assert_eq!(left(&report, "Zip", "first"), [(1, false)], "{report}");
    assert_closed(&mut t.b, 4, "input after Shutdown");
}

#[test]
fn zip3_waits_for_all_three() {
    let part = Zip3::<u8, char, bool>::new().into_part();
    let h = part.handles();
    let (mut a, mut b, mut c) = (
        Sender::new(&h.first).unwrap(),
        Sender::new(&h.second).unwrap(),
        Sender::new(&h.third).unwrap(),
    );
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut out = Receiver::new(&h.outbox).unwrap();
    let running = start(part);
    a.send(1).unwrap();
    b.send('x').unwrap();
    c.send(true).unwrap();
    assert_eq!(next(&mut out, "triple"), Some((1, 'x', true)));
    a.send(2).unwrap();
    b.send('y').unwrap();
    control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut out, "after Shutdown"), None);
    let report = running.join("zip3 Shutdown");
    assert_eq!(left(&report, "Zip3", "first"), [(1, false)], "{report}");
    assert_eq!(left(&report, "Zip3", "second"), [(1, false)], "{report}");
    assert_closed(&mut c, false, "input after Shutdown");
}

#[test]
fn zip3_ends_when_one_input_ends() {
    let part = Zip3::<u8, u8, u8>::new().into_part();
    let h = part.handles();
    let (mut a, b, mut c) = (
        Sender::new(&h.first).unwrap(),
        Sender::new(&h.second).unwrap(),
        Sender::new(&h.third).unwrap(),
    );
    let mut out = Receiver::new(&h.outbox).unwrap();
    a.send(1).unwrap();
    drop(b);
    let running = start(part);
    assert_eq!(next(&mut out, "end"), None);
    let report = running.join("zip3 end");
    assert_eq!(left(&report, "Zip3", "first"), [(1, false)], "{report}");
    assert_closed(&mut c, 1, "input after the end");
}

#[test]
fn merge_tags_each_message_with_its_input() {
    let mut t = two!(Merge::<&str, i32>::new(), left, right);
    let running = go(&mut t.go);
    t.a.send("a").unwrap();
    assert_eq!(next(&mut t.out, "left"), Some(Either::Left("a")));
    t.b.send(1).unwrap();
    assert_eq!(next(&mut t.out, "right"), Some(Either::Right(1)));
    // One input ending does not end it.
    drop(t.a);
    t.b.send(2).unwrap();
    assert_eq!(next(&mut t.out, "right"), Some(Either::Right(2)));
    drop(t.b);
    assert_eq!(next(&mut t.out, "end"), None);
    assert_finished_signal(&mut t.signal, "end of both");
    assert!(running.join("merge").is_success());
}

/// Each input keeps its order, and when both have messages waiting they
/// take turns. Both inputs ending while it is busy ends it too.
#[test]
fn merge_takes_turns_and_ends_when_both_end_together() {
    let mut t = two!(Merge::<u8, u8>::new(), left, right);
    for n in 0..3 {
        t.a.send(n).unwrap();
        t.b.send(10 + n).unwrap();
    }
    drop((t.a, t.b));
    let running = go(&mut t.go);
    let got = rest(&mut t.out, "merged");
    use Either::{Left, Right};
    assert_eq!(
        got,
        [Left(0), Right(10), Left(1), Right(11), Left(2), Right(12)]
    );
    assert!(running.join("merge, both ended").is_success());
}

#[test]
fn merge_stops_on_shutdown_with_its_inputs_open() {
    let mut t = two!(Merge::<u8, u8>::new(), left, right);
    let running = go(&mut t.go);
    t.a.send(1).unwrap();
    assert_eq!(next(&mut t.out, "left"), Some(Either::Left(1)));
    t.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut t.out, "after Shutdown"), None);
    assert_finished_signal(&mut t.signal, "Shutdown");
    running.join("merge Shutdown");
    assert_closed(&mut t.b, 2, "input after Shutdown");
}

// ------------------------------------- Comparator (Kamaelia's test_Comparator)

/// `test_smoketest2`: the interface, named the Rust way: `left`/`right`
/// for `inA`/`inB`, then `outbox`, plus the built-in `control`/`signal`.
#[test]
fn comparator_has_two_inputs_and_one_output() {
    use myelin::Ports;
    let info = Compare::<u8>::INFO;
    let names = |ports: &[myelin::PortInfo]| ports.iter().map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(names(info.inboxes), ["left", "right"]);
    assert_eq!(names(info.outboxes), ["outbox"]);
    assert_eq!(info.outboxes[0].message, "bool");
}

/// `test_equality1`/`test_inequality1`: one pair of equal (different)
/// inputs gives `true` (`false`).
#[test]
fn comparator_says_whether_a_pair_is_equal() {
    let mut t = two!(Compare::<&str>::new(), left, right);
    let running = go(&mut t.go);
    t.a.send("blah").unwrap();
    t.b.send("blah").unwrap();
    assert_eq!(next(&mut t.out, "equal"), Some(true));
    t.a.send("blah").unwrap();
    t.b.send("bling").unwrap();
    assert_eq!(next(&mut t.out, "different"), Some(false));
    drop((t.a, t.b));
    running.join("comparator");
}

/// `test_equality2`/`test_inequality2`: a hundred pairs, one at a time.
#[test]
fn comparator_compares_pair_after_pair() {
    let mut t = two!(Compare::<u32>::new(), left, right);
    let running = go(&mut t.go);
    for i in 0..100 {
        t.a.send(i).unwrap();
        t.b.send(i).unwrap();
        assert_eq!(next(&mut t.out, "equal"), Some(true));
        t.a.send(i).unwrap();
        t.b.send(i + 1).unwrap();
        assert_eq!(next(&mut t.out, "different"), Some(false));
    }
    drop((t.a, t.b));
    assert_eq!(next(&mut t.out, "end"), None);
    running.join("comparator, many pairs");
}

/// `test_equality3`/`test_inequality3`: everything arrives on one input
/// first; nothing is said until the other side arrives, then one answer
/// per pair, in order.
#[test]
fn comparator_tolerates_one_side_arriving_long_before_the_other() {
    let mut t = two!(Compare::<u32>::new(), left, right);
    let running = go(&mut t.go);
    for i in 0..100 {
        t.a.send(i).unwrap();
    }
    for i in 0..100 {
        // Equal for the first half, off by one for the second.
        t.b.send(if i < 50 { i } else { i + 1 }).unwrap();
        assert_eq!(next(&mut t.out, "answer"), Some(i < 50), "pair {i}");
    }
    drop((t.a, t.b));
    // Exactly one answer per pair: none came before the right side did.
    assert_eq!(next(&mut t.out, "end"), None);
    running.join("comparator, one side early");
}

/// `test_shutdownMicroprocess1`/`2`: a `Shutdown` on `control` stops it,
/// and its `signal` then says it finished.
#[test]
fn comparator_stops_on_shutdown_and_signals_finished() {
    let mut t = two!(Compare::<u8>::new(), left, right);
    let running = go(&mut t.go);
    t.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut t.out, "after Shutdown"), None);
    assert_finished_signal(&mut t.signal, "Shutdown");
    assert!(running.join("comparator Shutdown").is_success());
    assert_closed(&mut t.a, 1, "input after Shutdown");
}

/// `test_producerFinished1`/`2`: Kamaelia's Comparator stops when its
/// upstream says `producerFinished`. Here the end of an input says it: once
/// one input has ended (and its messages are all compared) it finishes,
/// and its `signal` says so.
#[test]
fn comparator_finishes_when_an_input_ends() {
    let mut t = two!(Compare::<u8>::new(), left, right);
    let running = go(&mut t.go);
    t.a.send(1).unwrap();
    t.b.send(1).unwrap();
    drop(t.a);
    assert_eq!(next(&mut t.out, "last answer"), Some(true));
    assert_eq!(next(&mut t.out, "end"), None);
    assert_finished_signal(&mut t.signal, "end of one input");
    assert!(running.join("comparator end").is_success());
    assert_closed(&mut t.b, 2, "the open input after the end");
}

// ------------------------------------------------------------ waiting idle

/// A two-input component waiting for one input is idle, whatever the other
/// holds: a message queued on `first` must not wake it again and again
/// while it waits for `second`. Here `second` can only be fed from `Zip`'s
/// own output, so the system is deadlocked, and the run must say so
/// (`Stalled`) instead of spinning for ever.
#[test]
fn zip_waiting_for_one_input_is_idle_so_a_deadlock_is_reported() {
    use myelin::components::{Map, Source};
    use myelin::{Outcome, graphline};

    let cycle = graphline! {
        components {
            source: Source::new([1u8, 2, 3]),
            zip: Zip::new(),
            sum: Map::new(|(a, b): (u8, u8)| a + b),
        }
        links {
            source.outbox -> zip.first,
            zip.outbox -> sum.inbox,
            sum.outbox -> zip.second,
        }
    };
    let failed = start(cycle).result("a deadlocked Zip").unwrap_err();
    let report = failed.report().expect("a run's error carries its report");
    for name in ["zip", "sum"] {
        let c = report.component(name).unwrap();
        assert_eq!(c.outcome, Outcome::Stalled, "{report}");
    }
}
