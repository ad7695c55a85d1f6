//! The JSON-lines marshallers of `myelin::components`.
//!
//! Kamaelia's `Test/Util/test_Marshalling.py` checks that a `Marshaller`
//! and a `DeMarshaller` of the same class give back what went in; the
//! round trips here do the same, in memory and through a file.

mod common;
mod io_support;

use std::collections::BTreeMap;

use io_support::{
    Collect, Feed, Scratch, Shared, failure, outcome, run_bounded, shared,
    stops_on_shutdown_while_input_open, stops_on_shutdown_while_sending, take,
};
use myelin::components::{FromJsonLine, ParseError, ReadLines, ToJsonLine, WriteFile};
use myelin::prelude::*;
use myelin::{IntoPart, Outcome, Part, Receiver, Sender};
use serde::{Deserialize, Serialize};

/// A message with some of everything: text that needs escaping (a line
/// break among it), numbers, an option, a list, a nested enum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Reading {
    sensor: String,
    value: f64,
    tags: Vec<String>,
    note: Option<String>,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Kind {
    Plain,
    Calibrated { offset: i64 },
}

fn readings() -> Vec<Reading> {
    vec![
        Reading {
            sensor: "hall \"A\"".to_owned(),
            value: 21.5,
            tags: vec!["indoor".to_owned(), "ünïcödé ✓".to_owned()],
            note: None,
            kind: Kind::Plain,
        },
        Reading {
            sensor: "roof".to_owned(),
            value: -3.25,
            tags: Vec::new(),
            note: Some("two\nlines\r\nand a tab\t".to_owned()),
            kind: Kind::Calibrated { offset: -7 },
        },
    ]
}

/// What goes through `ToJsonLine` then `FromJsonLine` comes out the same,
/// one line per message.
#[test]
fn a_round_trip_gives_back_what_went_in() {
    let lines = shared();
    let sink = lines.clone();
    let report = run_bounded("to JSON", move || {
        pipeline![
            Feed::new(readings()),
            ToJsonLine::<Reading>::new(),
            Collect::new(sink)
        ]
    });
    assert!(report.expect("runs").is_success());
    let lines: Vec<String> = take(&lines);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| !l.contains('\n')), "{lines:?}");

    let values = shared();
    let sink = values.clone();
    let report = run_bounded("from JSON", move || {
        pipeline![
            Feed::new(lines),
            FromJsonLine::<Reading>::new(),
            Collect::new(sink)
        ]
    });
    assert!(report.expect("runs").is_success());
    assert_eq!(parsed(&values), readings());
}

/// The values that came back, each of which must have parsed.
fn parsed(values: &Shared<Result<Reading, ParseError>>) -> Vec<Reading> {
    take(values)
        .into_iter()
        .map(|v| v.expect("every line parses"))
        .collect()
}

/// The same round trip through a file: `ToJsonLine` into `WriteFile` (one
/// line each), then `ReadLines` into `FromJsonLine`.
#[test]
fn a_round_trip_through_a_file() {
    let dir = Scratch::new("json-file");
    let path = dir.path("readings.jsonl");
    let out = path.clone();
    let report = run_bounded("JSON to a file", move || {
        pipeline![
            Feed::new(readings()),
            ToJsonLine::<Reading>::new(),
            WriteFile::<String>::new(out).lines(),
        ]
    });
    assert!(report.expect("runs").is_success());
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.ends_with('\n'));

    let values = shared();
    let sink = values.clone();
    let report = run_bounded("JSON from a file", move || {
        pipeline![
            ReadLines::new(path),
            FromJsonLine::<Reading>::new(),
            Collect::new(sink),
        ]
    });
    assert!(report.expect("runs").is_success());
    assert_eq!(parsed(&values), readings());
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Point {
    x: i32,
    y: i32,
}

/// A line that is not a `T` becomes an error value naming its line number,
/// serde's message and the text, and the lines after it are read as usual.
/// Blank lines are skipped but counted.
#[test]
fn a_bad_line_is_an_error_value_and_the_stream_goes_on() {
    let lines = [
        r#"{"x": 1, "y": 2}"#,
        "{oops",
        "",
        "   ",
        r#"{"x": "three", "y": 4}"#,
        r#"{"x": 5, "y": 6}"#,
        "{\"x\": 7, \"y\": 8}\r\n",
    ];
    let values = shared::<Result<Point, ParseError>>();
    let sink = values.clone();
    let report = run_bounded("bad JSON lines", move || {
        pipeline![
            Feed::new(lines.iter().map(|l| (*l).to_owned()).collect()),
            FromJsonLine::<Point>::new(),
            Collect::new(sink),
        ]
    });
    assert!(report.expect("runs").is_success());
    let values = take(&values);
    assert_eq!(values.len(), 5, "{values:?}");
    assert_eq!(values[0], Ok(Point { x: 1, y: 2 }));
    assert_eq!(
        values[1],
        Err(ParseError {
            line: 2,
            column: 2,
            message: "key must be a string".to_owned(),
            text: "{oops".to_owned(),
        })
    );
    let wrong_type = values[2].as_ref().unwrap_err();
    assert_eq!(wrong_type.line, 5);
    assert_eq!(wrong_type.text, r#"{"x": "three", "y": 4}"#);
    assert_eq!(
        wrong_type.message,
        r#"invalid type: string "three", expected i32"#
    );
    assert_eq!(
        wrong_type.to_string(),
        r#"line 5, column 13: invalid type: string "three", expected i32: {"x": "three", "y": 4}"#
    );
    assert_eq!(values[3], Ok(Point { x: 5, y: 6 }));
    assert_eq!(values[4], Ok(Point { x: 7, y: 8 }));
}

/// A message serde cannot write as JSON fails `ToJsonLine`, with an error
/// that says which message.
#[test]
fn a_message_that_cannot_be_json_fails_with_its_number() {
    let mut bad = BTreeMap::new();
    bad.insert((1_u8, 2_u8), "pair keys");
    let seen = shared::<String>();
    let sink = seen.clone();
    let result = run_bounded("unserialisable message", move || {
        pipeline![
            Feed::new(vec![BTreeMap::new(), bad]),
            ToJsonLine::<BTreeMap<(u8, u8), &'static str>>::new(),
            Collect::new(sink),
        ]
    });
    assert_eq!(
        failure(result, "ToJsonLine"),
        "cannot serialise message 2 as JSON: key must be a string"
    );
    assert_eq!(take(&seen), ["{}"]);
}

/// Both marshallers end when their input ends.
#[test]
fn the_marshallers_end_when_their_input_ends() {
    let node = ToJsonLine::<u32>::new().into_part();
    let mut input = Sender::new(&node.handles().inbox).unwrap();
    let mut output = Receiver::new(&node.handles().outbox).unwrap();
    let handle = myelin::spawn(node);
    input.send(7).unwrap();
    assert_eq!(output.recv().as_deref(), Some("7"));
    drop(input);
    assert_eq!(output.recv(), None);
    let report = io_support::join_bounded(handle, "ToJsonLine").unwrap();
    assert_eq!(outcome(&report, "ToJsonLine"), Outcome::Finished);

    let node = FromJsonLine::<u32>::new().into_part();
    let mut input = Sender::new(&node.handles().inbox).unwrap();
    let mut output = Receiver::new(&node.handles().outbox).unwrap();
    let handle = myelin::spawn(node);
    input.send("7".to_owned()).unwrap();
    assert_eq!(output.recv(), Some(Ok(7)));
    drop(input);
    assert_eq!(output.recv(), None);
    let report = io_support::join_bounded(handle, "FromJsonLine").unwrap();
    assert_eq!(outcome(&report, "FromJsonLine"), Outcome::Finished);
}

/// Both stop at once on `Shutdown` while their input is open.
#[test]
fn the_marshallers_stop_on_shutdown_while_their_input_is_open() {
    let node = ToJsonLine::<u32>::new().into_part();
    let inbox = node.handles().inbox;
    let _output = Receiver::new(&node.handles().outbox).unwrap();
    stops_on_shutdown_while_input_open("ToJsonLine", node, &inbox, vec![1, 2]);

    let node = FromJsonLine::<u32>::new().into_part();
    let inbox = node.handles().inbox;
    let _output = Receiver::new(&node.handles().outbox).unwrap();
    stops_on_shutdown_while_input_open("FromJsonLine", node, &inbox, vec!["1".to_owned()]);
}

/// Both stop on `Shutdown` while they wait for room downstream.
#[test]
fn the_marshallers_stop_on_shutdown_while_waiting_to_send() {
    let node = ToJsonLine::<u32>::new().into_part();
    let (inbox, outbox) = (node.handles().inbox, node.handles().outbox);
    stops_on_shutdown_while_sending(
        "ToJsonLine",
        node,
        &inbox,
        &outbox,
        vec![1, 2, 3],
        "1".to_owned(),
    );

    let node = FromJsonLine::<u32>::new().into_part();
    let (inbox, outbox) = (node.handles().inbox, node.handles().outbox);
    let lines = ["1", "oops", "3"].map(str::to_owned).to_vec();
    stops_on_shutdown_while_sending("FromJsonLine", node, &inbox, &outbox, lines, Ok(1));
}
