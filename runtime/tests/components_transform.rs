//! The ready-made transformers: `Map`, `Filter`, `FilterMap`, `Chain`,
//! `Enumerate`, `Chunk` and `Flatten`. Each passes its input on as it
//! says, ends when its input ends, stops at once on `Shutdown` while its
//! input is still open (Axon's `PureTransformer` ignores
//! `shutdownMicroprocess`), and lets a `Shutdown` already waiting win over
//! queued messages.

mod components_harness;

use std::sync::mpsc;

use components_harness::{
    ends_with_input, left, next, rest, shutdown_wins_over_queued, stage, stops_on_shutdown,
};
use myelin::components::{Chain, Chunk, Enumerate, Filter, FilterMap, Flatten, Map};
use myelin::{Control, Outcome};

#[test]
fn map_sends_f_of_each_message_in_order() {
    let (out, _) = ends_with_input(Map::new(|n: u32| n * 10), vec![1, 2, 3]);
    assert_eq!(out, [10, 20, 30]);
}

#[test]
fn map_changes_the_message_type() {
    let (out, _) = ends_with_input(Map::new(|s: String| s.len()), vec!["abc".to_owned()]);
    assert_eq!(out, [3]);
}

#[test]
fn map_stops_on_shutdown_with_its_input_open() {
    let (out, report) = stops_on_shutdown(Map::new(|n: u32| n + 1), vec![1, 2], 2, 3);
    assert_eq!(out, [2, 3]);
    assert_eq!(report.components()[0].outcome, Outcome::Finished);
    assert!(report.components()[0].undelivered.is_empty(), "{report}");
}

#[test]
fn map_lets_a_waiting_shutdown_win_over_queued_messages() {
    shutdown_wins_over_queued(Map::new(|n: u32| n), vec![1, 2, 3]);
}

/// The wait for room downstream watches `control` too: a `Shutdown` stops
/// the component there, and the message it held is counted unsent.
#[test]
fn map_stops_on_shutdown_while_waiting_for_room() {
    let (seen_tx, seen) = mpsc::channel();
    let map = Map::new(move |n: u32| {
        seen_tx.send(n).unwrap();
        n
    });
    // Room for one message, which the test does not read at first.
    let mut s = stage(map, Some(1));
    s.input.send(1).unwrap();
    s.input.send(2).unwrap();
    // `f(2)` has run: the component holds 2 and waits for room.
    for n in [1, 2] {
        let got = seen.recv_timeout(components_harness::LIMIT).unwrap();
        assert_eq!(got, n);
    }
    s.control.send(Control::Shutdown).unwrap();
    components_harness::assert_finished_signal(&mut s.signal, "Shutdown");
    let report = s.running.join("Shutdown while waiting for room");
    assert_eq!(rest(&mut s.output, "output"), [1]);
    assert_eq!(left(&report, "Map", "outbox"), [(1, true)], "{report}");
}

#[test]
fn filter_passes_on_only_what_it_keeps() {
    let (out, _) = ends_with_input(
        Filter::new(|n: &u32| n.is_multiple_of(3)),
        (1..=9).collect(),
    );
    assert_eq!(out, [3, 6, 9]);
}

#[test]
fn filter_stops_on_shutdown_with_its_input_open() {
    let (out, _) = stops_on_shutdown(Filter::new(|n: &u32| *n > 1), vec![1, 2], 1, 3);
    assert_eq!(out, [2]);
    shutdown_wins_over_queued(Filter::new(|_: &u32| true), vec![1]);
}

#[test]
fn filter_map_sends_the_somes() {
    let parse = FilterMap::new(|s: &'static str| s.parse::<i32>().ok());
    let (out, _) = ends_with_input(parse, vec!["1", "x", "-2", ""]);
    assert_eq!(out, [1, -2]);
}

#[test]
fn filter_map_stops_on_shutdown_with_its_input_open() {
    let (out, _) = stops_on_shutdown(FilterMap::new(Some::<u8>), vec![7], 1, 8);
    assert_eq!(out, [7]);
    shutdown_wins_over_queued(FilterMap::new(Some::<u8>), vec![1, 2]);
}

#[test]
fn chain_applies_its_steps_in_order() {
    let chain = Chain::new().then(|n: i64| n + 1).then(|n| n * 10);
    let (out, _) = ends_with_input(chain, vec![0, 1]);
    assert_eq!(out, [10, 20]);

    // Given as a list; and with no step at all, messages pass unchanged.
    let of = Chain::of(vec![Box::new(|n: i64| n * 10), Box::new(|n| n + 1)]);
    assert_eq!(ends_with_input(of, vec![0, 1]).0, [1, 11]);
    assert_eq!(ends_with_input(Chain::<i64>::new(), vec![5]).0, [5]);
}

#[test]
fn chain_stops_on_shutdown_with_its_input_open() {
    let chain = Chain::new().then(|s: String| s + "!");
    let (out, _) = stops_on_shutdown(chain, vec!["a".to_owned()], 1, String::new());
    assert_eq!(out, ["a!"]);
    shutdown_wins_over_queued(Chain::<String>::new(), vec![String::new()]);
}

#[test]
fn enumerate_tags_from_zero() {
    let (out, _) = ends_with_input(Enumerate::new(), vec!['x', 'y', 'z']);
    assert_eq!(out, [(0, 'x'), (1, 'y'), (2, 'z')]);
}

#[test]
fn enumerate_stops_on_shutdown_with_its_input_open() {
    let (out, _) = stops_on_shutdown(Enumerate::new(), vec!['a', 'b'], 2, 'c');
    assert_eq!(out, [(0, 'a'), (1, 'b')]);
    shutdown_wins_over_queued(Enumerate::<char>::new(), vec!['a']);
}

#[test]
fn chunk_sends_full_chunks_and_the_last_partial_one_at_the_end() {
    let (out, _) = ends_with_input(Chunk::new(3), (1..=7).collect::<Vec<u8>>());
    assert_eq!(out, [vec![1, 2, 3], vec![4, 5, 6], vec![7]]);

    // An exact multiple: no empty chunk at the end.
    let (out, _) = ends_with_input(Chunk::new(2), vec![1u8, 2]);
    assert_eq!(out, [vec![1, 2]]);
    // No input, no chunk.
    let (out, _) = ends_with_input(Chunk::new(2), Vec::<u8>::new());
    assert!(out.is_empty());
}

/// The unfinished chunk a `Shutdown` finds is counted, not lost silently.
#[test]
fn chunk_stops_on_shutdown_counting_its_unfinished_chunk() {
    let mut s = stage(Chunk::new(2), None);
    for n in [1u8, 2, 3] {
        s.input.send(n).unwrap();
    }
    assert_eq!(next(&mut s.output, "first chunk"), Some(vec![1, 2]));
    // The output held nothing more: 3 waits in the unfinished chunk (or is
    // still queued, if the component has not taken it yet).
    s.control.send(Control::Shutdown).unwrap();
    assert_eq!(next(&mut s.output, "after Shutdown"), None);
    let report = s.running.join("Shutdown with a chunk unfinished");
    let held = left(&report, "Chunk", "outbox");
    let queued = left(&report, "Chunk", "inbox");
    assert!(
        (held == [(1, true)] && queued.is_empty()) || (held.is_empty() && queued == [(1, false)]),
        "message 3 must be counted: {report}"
    );
    components_harness::assert_closed(&mut s.input, 4, "input after Shutdown");
    shutdown_wins_over_queued(Chunk::<u8>::new(2), vec![1, 2, 3]);
}

#[test]
fn chunk_of_zero_fails_with_a_clear_error() {
    // Its input open and empty: it fails as it starts, not for lack of
    // input.
    let s = stage(Chunk::<u8>::new(0), None);
    let failed = s.running.result("Chunk::new(0)").unwrap_err();
    assert!(failed.to_string().contains("at least 1"), "{failed}");
}

#[test]
fn flatten_sends_every_item_in_order() {
    let (out, _) = ends_with_input(Flatten::new(), vec![vec![1, 2], vec![], vec![3]]);
    assert_eq!(out, [1, 2, 3]);
    // Any `IntoIterator`: `Option`s too.
    let (out, _) = ends_with_input(Flatten::new(), vec![Some('a'), None, Some('b')]);
    assert_eq!(out, ['a', 'b']);
}

#[test]
fn flatten_undoes_chunk() {
    let input: Vec<u32> = (0..10).collect();
    let (chunks, _) = ends_with_input(Chunk::new(4), input.clone());
    let (items, _) = ends_with_input(Flatten::new(), chunks);
    assert_eq!(items, input);
}

#[test]
fn flatten_stops_on_shutdown_with_its_input_open() {
    let (out, _) = stops_on_shutdown(Flatten::new(), vec![vec![1, 2]], 2, vec![3]);
    assert_eq!(out, [1, 2]);
    shutdown_wins_over_queued(Flatten::<Vec<u8>>::new(), vec![vec![1]]);
}

/// Stopped halfway through a collection, it counts every item it did not
/// send: the one waiting for room and the ones after it.
#[test]
fn flatten_counts_the_rest_of_a_collection_a_shutdown_cuts_short() {
    let mut s = stage(Flatten::new(), Some(1));
    s.input.send(vec![1, 2, 3, 4]).unwrap();
    // 1 fills the output; the component now waits to send 2.
    assert_eq!(next(&mut s.output, "first item"), Some(1));
    // Reading 1 made room for 2: at most 2 is delivered before the
    // Shutdown lands, and the rest are counted.
    s.control.send(Control::Shutdown).unwrap();
    let delivered = 1 + rest(&mut s.output, "after Shutdown").len();
    let report = s.running.join("Shutdown halfway through a collection");
    let unsent: usize = left(&report, "Flatten", "outbox")
        .iter()
        .map(|&(n, unsent)| {
            assert!(unsent);
            n
        })
        .sum();
    assert_eq!(delivered + unsent, 4, "{report}");
    assert!(unsent >= 2, "{report}");
}
