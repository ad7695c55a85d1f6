//! The file readers and writer of `myelin::components`.

mod common;
mod io_support;

use std::path::Path;

use io_support::{
    Collect, Feed, Scratch, eventually, failure, join_bounded, outcome, run_bounded, shared,
    stops_on_shutdown_while_input_open, take, undelivered, unsent,
};
use myelin::components::{ReadChunks, ReadLines, WriteFile};
use myelin::prelude::*;
use myelin::{IntoPart, Outcome, Part, Receiver, Sender};

/// The lines `ReadLines` sends for the file at `path`.
fn read_lines(reader: ReadLines) -> Vec<String> {
    let seen = shared();
    let sink = seen.clone();
    let report = run_bounded("read lines", move || pipeline![reader, Collect::new(sink)]);
    assert!(report.expect("runs").is_success());
    take(&seen)
}

/// The chunks `ReadChunks` sends.
fn read_chunks(reader: ReadChunks) -> Vec<Vec<u8>> {
    let seen = shared();
    let sink = seen.clone();
    let report = run_bounded("read chunks", move || pipeline![reader, Collect::new(sink)]);
    assert!(report.expect("runs").is_success());
    take(&seen)
}

/// `ReadLines` alone in front of a sink, failing: the reason.
fn read_lines_failure(reader: ReadLines) -> (String, Vec<String>) {
    let seen = shared();
    let sink = seen.clone();
    let result = run_bounded("read lines", move || pipeline![reader, Collect::new(sink)]);
    (failure(result, "ReadLines"), take(&seen))
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn read_lines_sends_each_line_without_its_line_break() {
    let dir = Scratch::new("read-lines");
    let path = dir.file("text", "one\ntwo\r\n\n  four  \nlast without a break");
    assert_eq!(
        read_lines(ReadLines::new(path)),
        ["one", "two", "", "  four  ", "last without a break"]
    );
    let path = dir.file("ends-with-break", "a\nb\n");
    assert_eq!(read_lines(ReadLines::new(path)), ["a", "b"]);
    let path = dir.file("empty", "");
    assert!(read_lines(ReadLines::new(path)).is_empty());
}

#[test]
fn read_lines_of_a_missing_file_fails_naming_it() {
    let dir = Scratch::new("read-lines-missing");
    let path = dir.path("not-there");
    let (reason, seen) = read_lines_failure(ReadLines::new(path.clone()));
    assert!(
        reason.starts_with(&format!(
            "cannot open `{}`: No such file or directory",
            shown(&path)
        )),
        "{reason}"
    );
    assert!(seen.is_empty());
}

/// A read that fails after the open (here: the path is a directory) names
/// the file too.
#[cfg(unix)]
#[test]
fn read_lines_of_a_directory_fails_naming_it() {
    let dir = Scratch::new("read-lines-dir");
    let path = dir.path("");
    let (reason, _) = read_lines_failure(ReadLines::new(path.clone()));
    assert!(
        reason.starts_with(&format!("cannot read `{}`: Is a directory", shown(&path))),
        "{reason}"
    );
}

/// Invalid UTF-8 fails the reader with an error naming the file and the
/// line, after the lines before it were sent; no panic.
#[test]
fn read_lines_fails_on_invalid_utf8_naming_the_line() {
    let dir = Scratch::new("read-lines-utf8");
    let path = dir.file("latin1", b"fine\nstill fine\ncaf\xe9\nnever sent\n");
    let (reason, seen) = read_lines_failure(ReadLines::new(path.clone()));
    assert!(
        reason.starts_with(&format!(
            "cannot read `{}`: line 3 is not valid UTF-8 (",
            shown(&path)
        )),
        "{reason}"
    );
    assert_eq!(seen, ["fine", "still fine"]);
}

/// `lossy` replaces invalid UTF-8 instead.
#[test]
fn read_lines_lossy_replaces_invalid_utf8() {
    let dir = Scratch::new("read-lines-lossy");
    let path = dir.file("latin1", b"caf\xe9\nok\n");
    assert_eq!(
        read_lines(ReadLines::new(path).lossy()),
        ["caf\u{fffd}", "ok"]
    );
}

#[test]
fn read_chunks_sends_chunks_of_the_size_asked_the_last_shorter() {
    let dir = Scratch::new("read-chunks");
    let bytes: Vec<u8> = (0..=255).collect();
    let path = dir.file("bytes", &bytes);
    let chunks = read_chunks(ReadChunks::new(path.clone(), 100));
    assert_eq!(
        chunks.iter().map(Vec::len).collect::<Vec<_>>(),
        [100, 100, 56]
    );
    assert_eq!(chunks.concat(), bytes);
    assert_eq!(read_chunks(ReadChunks::new(path, 64)).len(), 4);
    let path = dir.file("one", b"x");
    assert_eq!(read_chunks(ReadChunks::new(path, 1 << 20)), [b"x".to_vec()]);
    let path = dir.file("empty", b"");
    assert!(read_chunks(ReadChunks::new(path, 8)).is_empty());
}

#[test]
fn read_chunks_fails_clearly_on_a_missing_file_or_a_zero_size() {
    let dir = Scratch::new("read-chunks-errors");
    let missing = dir.path("not-there");
    let reader = ReadChunks::new(missing.clone(), 8);
    let result = run_bounded("read chunks", move || {
        pipeline![reader, Collect::new(shared::<Vec<u8>>())]
    });
    let reason = failure(result, "ReadChunks");
    assert!(
        reason.starts_with(&format!(
            "cannot open `{}`: No such file or directory",
            shown(&missing)
        )),
        "{reason}"
    );

    let path = dir.file("data", b"data");
    let reader = ReadChunks::new(path.clone(), 0);
    let result = run_bounded("read chunks", move || {
        pipeline![reader, Collect::new(shared::<Vec<u8>>())]
    });
    assert_eq!(
        failure(result, "ReadChunks"),
        format!("cannot read `{}` in chunks of 0 bytes", shown(&path))
    );
}

/// Runs `reader`, a source of `lines` lines or chunks, into a receiver with
/// room for one; takes the first, then asks the reader to stop (`stop`:
/// with a `Shutdown` on its `control`; otherwise the whole system is shut
/// down). Checks that it stops at once, with the file not read to its end
/// and nothing lost: what was sent is in the receiver, and what the reader
/// held waiting for room is counted unsent.
fn stops_before_the_end<P, T>(
    name: &str,
    node: P,
    outbox: &myelin::OutboxPort<T>,
    total: usize,
    by_shutdown: bool,
) where
    P: Part + IntoPart + Send + 'static,
    T: Send + 'static + std::fmt::Debug,
{
    let mut output = Receiver::bounded(outbox, 1).unwrap();
    let mut control = Sender::new(&node.control_port()).unwrap();
    let handle = myelin::spawn(node);
    let mut received = vec![output.recv().expect("the first")];
    // Nothing tells the test when the reader, its output full again, waits
    // for room; this pause makes it very likely that it does by now, so
    // that a reader deaf to `control` while it waits would hang the test.
    // A reader that stops correctly passes whatever the timing.
    std::thread::sleep(std::time::Duration::from_millis(50));
    if by_shutdown {
        control.send(Control::Shutdown).unwrap();
    } else {
        handle.shutdown();
    }
    let report = join_bounded(handle, &format!("{name} asked to stop")).unwrap();
    let expected = if by_shutdown {
        Outcome::Finished
    } else {
        Outcome::Cancelled
    };
    assert_eq!(outcome(&report, name), expected, "{report}");
    while let Some(x) = output.recv() {
        received.push(x);
    }
    let left = undelivered(&report, name);
    assert!(left.is_empty() || left == [unsent("outbox", 1)], "{report}");
    assert!(received.len() + left.len() < total, "{received:?}");
}

/// A `Shutdown` stops `ReadLines` at once, with lines still to read: it
/// looks before each line, and while it waits for room downstream.
#[test]
fn read_lines_stops_on_shutdown_before_the_end() {
    let dir = Scratch::new("read-lines-stop");
    let text: String = (0..10_000).map(|n| format!("line {n}\n")).collect();
    for by_shutdown in [true, false] {
        let node = ReadLines::new(dir.file("long", &text)).into_part();
        let outbox = node.handles().outbox;
        stops_before_the_end("ReadLines", node, &outbox, 10_000, by_shutdown);
    }
}

#[test]
fn read_chunks_stops_on_shutdown_before_the_end() {
    let dir = Scratch::new("read-chunks-stop");
    let bytes = vec![7_u8; 10_000];
    for by_shutdown in [true, false] {
        let node = ReadChunks::new(dir.file("long", &bytes), 1).into_part();
        let outbox = node.handles().outbox;
        stops_before_the_end("ReadChunks", node, &outbox, 10_000, by_shutdown);
    }
}

#[test]
fn write_file_writes_bytes_as_they_are() {
    let dir = Scratch::new("write-bytes");
    let path = dir.path("out.bin");
    let out = path.clone();
    let report = run_bounded("write bytes", move || {
        pipeline![
            Feed::new(vec![
                b"ab".to_vec(),
                vec![0, 0xff],
                Vec::new(),
                b"\n".to_vec()
            ]),
            WriteFile::<Vec<u8>>::new(out),
        ]
    });
    assert!(report.expect("runs").is_success());
    assert_eq!(std::fs::read(&path).unwrap(), b"ab\x00\xff\n");
}

#[test]
fn write_file_lines_replaces_the_file_one_line_per_message() {
    let dir = Scratch::new("write-lines");
    let path = dir.file("out.txt", "old contents, longer than the new\n");
    let out = path.clone();
    let report = run_bounded("write lines", move || {
        pipeline![
            Feed::new(vec!["first", "", "third"]),
            WriteFile::<&'static str>::new(out).lines(),
        ]
    });
    assert!(report.expect("runs").is_success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n\nthird\n");
}

#[test]
fn write_file_fails_clearly_when_it_cannot_create_the_file() {
    let dir = Scratch::new("write-missing-dir");
    let path = dir.path("no/such/dir/out.txt");
    let out = path.clone();
    let result = run_bounded("write into nothing", move || {
        pipeline![
            Feed::new(vec!["x".to_owned()]),
            WriteFile::<String>::new(out)
        ]
    });
    let reason = failure(result, "WriteFile");
    assert!(
        reason.starts_with(&format!(
            "cannot create `{}`: No such file or directory",
            shown(&path)
        )),
        "{reason}"
    );
}

/// A write that fails names the file.
#[cfg(target_os = "linux")]
#[test]
fn write_file_fails_clearly_when_a_write_fails() {
    let result = run_bounded("write to a full device", || {
        pipeline![
            Feed::new(vec!["x".to_owned()]),
            WriteFile::<String>::new("/dev/full".into()),
        ]
    });
    let reason = failure(result, "WriteFile");
    assert!(
        reason.starts_with("cannot write `/dev/full`: No space left on device"),
        "{reason}"
    );
}

/// What `WriteFile` has received is in the file whenever it waits for
/// more: it flushes when its inbox is empty. It ends when its input ends.
#[test]
fn write_file_flushes_while_it_waits_and_ends_with_its_input() {
    let dir = Scratch::new("write-flush");
    let path = dir.path("log.txt");
    let node = WriteFile::<String>::new(path.clone()).lines().into_part();
    let mut input = Sender::new(&node.handles().inbox).unwrap();
    let handle = myelin::spawn(node);
    let contents = || std::fs::read_to_string(&path).unwrap_or_default();
    input.send("one".to_owned()).unwrap();
    eventually("the first line is written", || contents() == "one\n");
    input.send("two".to_owned()).unwrap();
    eventually("the second line is written", || contents() == "one\ntwo\n");
    drop(input);
    let report = join_bounded(handle, "WriteFile whose input ends").unwrap();
    assert_eq!(outcome(&report, "WriteFile"), Outcome::Finished);
    assert_eq!(contents(), "one\ntwo\n");
}

/// A `Shutdown` stops `WriteFile` at once while its input is open; what it
/// received is written.
#[test]
fn write_file_stops_on_shutdown_while_its_input_is_open() {
    let dir = Scratch::new("write-stop");
    let path = dir.path("log.txt");
    let node = WriteFile::<String>::new(path.clone()).lines().into_part();
    let inbox = node.handles().inbox;
    let report =
        stops_on_shutdown_while_input_open("WriteFile", node, &inbox, vec!["kept".to_owned()]);
    // Written, or counted unread if the `Shutdown` came first.
    let written = std::fs::read_to_string(&path).unwrap();
    let unread = report.component("WriteFile").unwrap().undelivered.len();
    assert!(
        (written == "kept\n" && unread == 0) || (written.is_empty() && unread == 1),
        "{written:?} {report}"
    );
}
