//! The ready-made sinks: `Collect` (Axon's `Collate`) and `Discard`
//! (`NullSink`). Each reads to the end of its input, or stops at once on
//! `Shutdown` while its input is still open, and hands what it kept or
//! counted to the test through a handle, not global state.

mod components_harness;

use components_harness::{assert_closed, assert_finished_signal, left, start};
use myelin::components::{Collect, Discard, Source};
use myelin::{Control, IntoPart, Part, Receiver, Sender, pipeline};

#[test]
fn collect_keeps_everything_in_order_for_after_the_run() {
    let collect = Collect::<u32>::new();
    let got = collect.collected();
    myelin::run(pipeline![Source::new(1..=100), collect]).unwrap();
    assert_eq!(got.len(), 100);
    assert_eq!(got.take(), (1..=100).collect::<Vec<_>>());
    // Taken: the list is empty now.
    assert!(got.is_empty());
}

#[test]
fn collected_handles_share_one_list() {
    let collect = Collect::<&str>::new();
    let (a, b) = (collect.collected(), collect.collected());
    myelin::run(pipeline![Source::new(["x", "y"]), collect]).unwrap();
    assert_eq!(a.clone().into_inner(), ["x", "y"]);
    assert!(b.take().is_empty());
}

/// Stopped by a `Shutdown` with its input still open, it keeps what it
/// received until then; what was still queued is counted in the report.
#[test]
fn collect_stops_on_shutdown_with_its_input_open() {
    let collect = Collect::<u8>::new();
    let got = collect.collected();
    let part = collect.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    input.send(1).unwrap();
    input.send(2).unwrap();
    control.send(Control::Shutdown).unwrap();
    assert_finished_signal(&mut signal, "Shutdown");
    let report = running.join("Collect with its input open");
    let kept = got.take();
    let unread: usize = left(&report, "Collect", "inbox").iter().map(|l| l.0).sum();
    assert_eq!(kept.len() + unread, 2, "{report}");
    assert_eq!(kept, [1, 2][..kept.len()]);
    assert_closed(&mut input, 3, "input after Shutdown");
}

#[test]
fn discard_counts_what_it_reads() {
    let sink = Discard::<String>::new();
    let read = sink.discarded();
    assert_eq!(read.get(), 0);
    let words = vec!["a".to_owned(); 50];
    myelin::run(pipeline![Source::new(words), sink]).unwrap();
    assert_eq!(read.get(), 50);
}

#[test]
fn discard_stops_on_shutdown_with_its_input_open() {
    let sink = Discard::<u8>::new();
    let read = sink.discarded();
    let part = sink.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    input.send(1).unwrap();
    control.send(Control::Shutdown).unwrap();
    assert_finished_signal(&mut signal, "Shutdown");
    let report = running.join("Discard with its input open");
    let unread: usize = left(&report, "Discard", "inbox").iter().map(|l| l.0).sum();
    assert_eq!(read.get() as usize + unread, 1, "{report}");
    assert_closed(&mut input, 2, "input after Shutdown");
}

#[test]
fn sinks_end_when_their_input_ends() {
    let collect = Collect::<u8>::new();
    let got = collect.collected();
    let part = collect.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut signal = Receiver::new(&part.signal_port()).unwrap();
    let running = start(part);
    input.send(9).unwrap();
    drop(input);
    assert_finished_signal(&mut signal, "end of input");
    assert!(running.join("Collect").is_success());
    assert_eq!(got.take(), [9]);

    let sink = Discard::<u8>::new();
    let read = sink.discarded();
    let part = sink.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let running = start(part);
    input.send(9).unwrap();
    drop(input);
    assert!(running.join("Discard").is_success());
    assert_eq!(read.get(), 1);
}

/// A `Shutdown` already waiting wins over queued messages.
#[test]
fn sinks_let_a_waiting_shutdown_win_over_queued_messages() {
    let collect = Collect::<u8>::new();
    let got = collect.collected();
    let part = collect.into_part();
    let mut input = Sender::new(&part.handles().inbox).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    input.send(1).unwrap();
    control.send(Control::Shutdown).unwrap();
    let report = start(part).join("queued Shutdown");
    assert!(got.is_empty());
    assert_eq!(left(&report, "Collect", "inbox"), [(1, false)]);
}
