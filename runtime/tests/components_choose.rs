//! The chooser and the turnstile of `myelin::components`.
//!
//! The chooser tests port Kamaelia's `Test/Util/test_Chooser.py` (the
//! initialisation and iteration cases), with `Same` standing for a second
//! `getCurrentChoice()`, plus what that file does not cover: looping, `Goto`
//! and the shutdown protocol. The turnstile has no Kamaelia test; its cases
//! follow `PromptedTurnstile`'s documented behaviour.

mod common;
mod io_support;

use io_support::{
    Collect, Feed, Silent, join_bounded, outcome, run_bounded, shared,
    stops_on_shutdown_while_input_open, stops_on_shutdown_while_sending, take, undelivered, unread,
};
use myelin::components::{Choose, Chooser, Turnstile};
use myelin::prelude::*;
use myelin::{IntoPart, Outcome, Part, Receiver, Sender};

const FRUIT: [&str; 3] = ["apple", "banana", "cherry"];

/// What a chooser over `items` emits for `commands`, from its start to the
/// end of the commands.
fn choose(chooser: Chooser<&'static str>, commands: &[Choose]) -> Vec<&'static str> {
    let seen = shared();
    let commands = commands.to_vec();
    let sink = seen.clone();
    let report = run_bounded("chooser", move || {
        pipeline![Feed::new(commands), chooser, Collect::new(sink)]
    })
    .expect("runs");
    assert!(report.is_success(), "{report}");
    take(&seen)
}

/// `test_Instantiate_ArgList`, `test_Iteration_iterateForwards`: the first
/// item is the choice from the start, and stays so until a step.
#[test]
fn the_first_item_comes_at_once_and_same_repeats_it() {
    assert_eq!(choose(Chooser::new(FRUIT.to_vec()), &[]), ["apple"]);
    assert_eq!(
        choose(Chooser::new(FRUIT.to_vec()), &[Choose::Same]),
        ["apple", "apple"]
    );
}

/// `test_Instantiate_NoArgs`, `test_Iteration_Empty`: an empty chooser
/// chooses nothing, whatever it is told.
#[test]
fn an_empty_chooser_emits_nothing() {
    let all = [
        Choose::Same,
        Choose::Next,
        Choose::Prev,
        Choose::First,
        Choose::Last,
        Choose::Goto(0),
    ];
    assert!(choose(Chooser::new(Vec::new()), &all).is_empty());
    assert!(choose(Chooser::new(Vec::new()).looping(), &all).is_empty());
}

/// `test_Instantiate_ArgIterator`: the items may come from any iterator.
#[test]
fn items_from_an_iterator() {
    let seen = shared::<i32>();
    let sink = seen.clone();
    run_bounded("chooser of a range", move || {
        pipeline![
            Feed::new(vec![Choose::Next; 5]),
            Chooser::new((0..5).collect::<Vec<i32>>()),
            Collect::new(sink),
        ]
    })
    .expect("runs");
    assert_eq!(take(&seen), [0, 1, 2, 3, 4]);
}

/// `test_Iteration_iterateForwards`: each `Next` steps forward, and the
/// choice stays until the next step.
#[test]
fn next_steps_forward() {
    use Choose::{Next, Same};
    assert_eq!(
        choose(
            Chooser::new(FRUIT.to_vec()),
            &[Same, Next, Same, Next, Same]
        ),
        ["apple", "apple", "banana", "banana", "cherry", "cherry"]
    );
}

/// `test_Iteration_iteratePastEnd`: stepping past the end emits nothing and
/// stays on the last item.
#[test]
fn next_past_the_end_stays_on_the_last_item() {
    use Choose::{Next, Same};
    assert_eq!(
        choose(
            Chooser::new(FRUIT.to_vec()),
            &[Next, Next, Next, Same, Next]
        ),
        ["apple", "banana", "cherry", "cherry"]
    );
}

/// `test_Iteration_backwardsPastStart`: stepping back past the start emits
/// nothing and stays on the first item.
#[test]
fn prev_before_the_start_stays_on_the_first_item() {
    use Choose::{Prev, Same};
    assert_eq!(
        choose(Chooser::new(FRUIT.to_vec()), &[Prev, Same, Prev]),
        ["apple", "apple"]
    );
}

/// `test_Iterate_forwardsBackwardsForwards`.
#[test]
fn forwards_backwards_forwards() {
    use Choose::{Next, Prev};
    assert_eq!(
        choose(
            Chooser::new(FRUIT.to_vec()),
            &[Next, Next, Prev, Prev, Next]
        ),
        ["apple", "banana", "cherry", "banana", "apple", "banana"]
    );
}

/// `test_Iterate_gotoLast`: `Last` emits the last item, even when already
/// there.
#[test]
fn last_jumps_to_the_last_item() {
    use Choose::Last;
    assert_eq!(
        choose(Chooser::new(FRUIT.to_vec()), &[Last, Last]),
        ["apple", "cherry", "cherry"]
    );
}

/// `test_Iterate_gotoFirst`: `First` emits the first item, even when
/// already there.
#[test]
fn first_jumps_to_the_first_item() {
    use Choose::{First, Next};
    assert_eq!(
        choose(Chooser::new(FRUIT.to_vec()), &[Next, Next, First, First]),
        ["apple", "banana", "cherry", "apple", "apple"]
    );
}

/// Kamaelia's `loop=True`: `Next` on the last item wraps to the first,
/// `Prev` on the first to the last.
#[test]
fn a_looping_chooser_wraps_at_both_ends() {
    use Choose::{Next, Prev};
    assert_eq!(
        choose(
            Chooser::new(FRUIT.to_vec()).looping(),
            &[Prev, Next, Next, Next, Next]
        ),
        ["apple", "cherry", "apple", "banana", "cherry", "apple"]
    );
    assert_eq!(
        choose(Chooser::new(vec!["only"]).looping(), &[Next, Prev]),
        ["only"; 3]
    );
}

/// `Goto(i)` emits the item at `i`; past the end it emits nothing and the
/// choice stays.
#[test]
fn goto_jumps_to_an_index_and_ignores_one_past_the_end() {
    use Choose::{Goto, Next, Same};
    assert_eq!(
        choose(
            Chooser::new(FRUIT.to_vec()),
            &[Goto(2), Goto(3), Same, Goto(0), Next]
        ),
        ["apple", "cherry", "cherry", "apple", "banana"]
    );
}

/// The chooser ends when its commands end, sending on its `signal` that it
/// finished.
#[test]
fn the_chooser_ends_when_its_commands_end() {
    let node = Chooser::new(FRUIT.to_vec()).into_part();
    let mut commands = Sender::new(&node.handles().inbox).unwrap();
    let mut output = Receiver::new(&node.handles().outbox).unwrap();
    let mut signal = Receiver::new(&node.signal_port()).unwrap();
    let handle = myelin::spawn(node);
    assert_eq!(output.recv(), Some("apple"));
    commands.send(Choose::Last).unwrap();
    assert_eq!(output.recv(), Some("cherry"));
    drop(commands);
    assert_eq!(output.recv(), None);
    assert!(matches!(signal.recv(), Some(Control::Finished { .. })));
    let report = join_bounded(handle, "chooser whose commands end").unwrap();
    assert_eq!(outcome(&report, "Chooser"), Outcome::Finished);
}

/// A `Shutdown` stops the chooser at once while its commands are still
/// open.
#[test]
fn the_chooser_stops_on_shutdown_while_its_commands_are_open() {
    let node = Chooser::new(FRUIT.to_vec()).into_part();
    let inbox = node.handles().inbox;
    let _output = Receiver::new(&node.handles().outbox).unwrap();
    stops_on_shutdown_while_input_open("Chooser", node, &inbox, vec![Choose::Next]);
}

/// A `Shutdown` stops the chooser while it waits for room to send an item;
/// the item is counted unsent.
#[test]
fn the_chooser_stops_on_shutdown_while_waiting_to_send() {
    let node = Chooser::new(FRUIT.to_vec()).into_part();
    let (inbox, outbox) = (node.handles().inbox, node.handles().outbox);
    // The first item fills the output; `Last` makes it wait.
    stops_on_shutdown_while_sending(
        "Chooser",
        node,
        &inbox,
        &outbox,
        vec![Choose::Last, Choose::Same],
        "apple",
    );
}

/// Runs a turnstile fed `items`, with `requests`, and returns what it let
/// through and its report.
fn turnstile(items: Vec<u32>, requests: Vec<char>) -> (Vec<u32>, myelin::Report) {
    let seen = shared();
    let sink = seen.clone();
    let report = run_bounded("turnstile", move || {
        graphline! {
            components {
                items: Feed::new(items),
                requests: Feed::new(requests),
                gate: Turnstile::<_, char>::new(),
                out: Collect::new(sink),
            }
            links {
                items.outbox -> gate.inbox,
                requests.outbox -> gate.next,
                gate.outbox -> out.inbox,
            }
        }
    })
    .expect("runs");
    (take(&seen), report)
}

/// One item per request, of any type; items nobody asked for are counted
/// unread when the requests end.
#[test]
fn the_turnstile_lets_one_item_through_per_request() {
    let (seen, report) = turnstile(vec![1, 2, 3, 4, 5], vec!['a', 'b']);
    assert_eq!(seen, [1, 2]);
    assert_eq!(outcome(&report, "gate"), Outcome::Finished);
    assert_eq!(undelivered(&report, "gate"), [unread("inbox", 3)]);
}

/// Requests that come before the items are remembered: each lets an item
/// through as soon as it arrives. A request left over when the items end
/// ends the turnstile.
#[test]
fn the_turnstile_remembers_requests_made_before_the_items() {
    let node = Turnstile::<u32>::new().into_part();
    let ports = node.handles();
    let mut items = Sender::new(&ports.inbox).unwrap();
    let mut requests = Sender::new(&ports.next).unwrap();
    let mut output = Receiver::new(&ports.outbox).unwrap();
    for _ in 0..3 {
        requests.send(()).unwrap();
    }
    let handle = myelin::spawn(node);
    items.send(10).unwrap();
    assert_eq!(output.recv(), Some(10));
    items.send(20).unwrap();
    assert_eq!(output.recv(), Some(20));
    drop(items);
    assert_eq!(output.recv(), None);
    let report = join_bounded(handle, "turnstile whose items end").unwrap();
    assert_eq!(outcome(&report, "Turnstile"), Outcome::Finished);
    assert!(
        report
            .component("Turnstile")
            .unwrap()
            .undelivered
            .is_empty()
    );
    drop(requests);
}

/// The turnstile ends when its requests end, even with its items still
/// open; the items it holds are counted.
#[test]
fn the_turnstile_ends_when_its_requests_end() {
    let node = Turnstile::<u32>::new().into_part();
    let ports = node.handles();
    let mut items = Sender::new(&ports.inbox).unwrap();
    let mut requests = Sender::new(&ports.next).unwrap();
    let mut output = Receiver::new(&ports.outbox).unwrap();
    let handle = myelin::spawn(node);
    items.send(1).unwrap();
    items.send(2).unwrap();
    requests.send(()).unwrap();
    assert_eq!(output.recv(), Some(1));
    drop(requests);
    assert_eq!(output.recv(), None);
    let report = join_bounded(handle, "turnstile whose requests end").unwrap();
    assert_eq!(outcome(&report, "Turnstile"), Outcome::Finished);
    assert_eq!(undelivered(&report, "Turnstile"), [unread("inbox", 1)]);
    drop(items);
}

/// A `Shutdown` stops the turnstile at once while both its inputs are open,
/// whether it waits for a request or for an item.
#[test]
fn the_turnstile_stops_on_shutdown_while_its_inputs_are_open() {
    for requests_first in [false, true] {
        let node = Turnstile::<u32>::new().into_part();
        let ports = node.handles();
        let mut requests = Sender::new(&ports.next).unwrap();
        let _output = Receiver::new(&ports.outbox).unwrap();
        if requests_first {
            requests.send(()).unwrap();
        }
        stops_on_shutdown_while_input_open("Turnstile", node, &ports.inbox, vec![]);
        drop(requests);
    }
}

/// A `Shutdown` stops the turnstile while it waits for room to send an
/// item.
#[test]
fn the_turnstile_stops_on_shutdown_while_waiting_to_send() {
    let node = Turnstile::<u32>::new().into_part();
    let ports = node.handles();
    let mut requests = Sender::new(&ports.next).unwrap();
    // One for the item that fills the output, one for the item that waits.
    for _ in 0..2 {
        requests.send(()).unwrap();
    }
    stops_on_shutdown_while_sending(
        "Turnstile",
        node,
        &ports.inbox,
        &ports.outbox,
        vec![1, 2, 3],
        1,
    );
    drop(requests);
}

/// Waiting for a request while items are queued is a real wait: the
/// turnstile is not woken again and again by the items it is holding. So
/// when nothing will ever ask, the system stalls (and says so) instead of
/// spinning for ever.
#[test]
fn the_turnstile_waits_for_a_request_without_spinning() {
    let result = run_bounded("turnstile nobody asks", || {
        graphline! {
            components {
                items: Feed::new(vec![1_u32, 2, 3]),
                asker: Silent::<()>::new(),
                gate: Turnstile::<u32>::new(),
                out: Collect::<u32>::new(shared()),
            }
            links {
                items.outbox -> gate.inbox,
                asker.outbox -> gate.next,
                gate.outbox -> out.inbox,
            }
        }
    });
    let error = result.expect_err("a stall is an error");
    let report = error.report().expect("carries its report");
    assert_eq!(outcome(report, "gate"), Outcome::Stalled, "{report}");
    assert_eq!(undelivered(report, "gate"), [unread("inbox", 3)]);
}
