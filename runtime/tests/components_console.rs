//! The console components of `myelin::components`: `Print` and `ReadStdin`.

mod common;
mod io_support;

use std::io::{self, BufRead, Cursor, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use io_support::{
    Collect, Feed, HANG, Shared, eventually, failure, join_bounded, outcome, run_bounded, shared,
    stops_on_shutdown_while_input_open, take, undelivered, unsent,
};
use myelin::components::{Print, ReadStdin};
use myelin::prelude::*;
use myelin::{IntoPart, Outcome, Part, Receiver, Sender};

/// A writer whose bytes the test reads afterwards.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that refuses everything.
struct Broken;

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "the reader went away",
        ))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn print_writes_each_message_as_a_line() {
    let out = Buffer::default();
    let printer = Print::<String>::new().output(out.clone());
    let report = run_bounded("print", move || {
        pipeline![
            Feed::new(vec![
                "one".to_owned(),
                String::new(),
                "three four".to_owned()
            ]),
            printer,
        ]
    });
    assert!(report.expect("runs").is_success());
    assert_eq!(out.text(), "one\n\nthree four\n");

    let out = Buffer::default();
    let printer = Print::<f64>::new().output(out.clone());
    run_bounded("print numbers", move || {
        pipeline![Feed::new(vec![1.5, -2.0]), printer]
    })
    .expect("runs");
    assert_eq!(out.text(), "1.5\n-2\n");
}

#[test]
fn print_fails_clearly_when_it_cannot_write() {
    let printer = Print::<u32>::new().output(Broken);
    let result = run_bounded("print into a broken pipe", move || {
        pipeline![Feed::new(vec![1]), printer]
    });
    assert_eq!(
        failure(result, "Print"),
        "cannot write to its output: the reader went away"
    );
}

#[test]
fn print_ends_when_its_input_ends() {
    let out = Buffer::default();
    let node = Print::<u32>::new().output(out.clone()).into_part();
    let mut input = Sender::new(&node.handles().inbox).unwrap();
    let handle = myelin::spawn(node);
    input.send(1).unwrap();
    eventually("the line is written", || out.text() == "1\n");
    drop(input);
    let report = join_bounded(handle, "Print whose input ends").unwrap();
    assert_eq!(outcome(&report, "Print"), Outcome::Finished);
}

#[test]
fn print_stops_on_shutdown_while_its_input_is_open() {
    let node = Print::<u32>::new().output(Buffer::default()).into_part();
    let inbox = node.handles().inbox;
    stops_on_shutdown_while_input_open("Print", node, &inbox, vec![1, 2]);
}

/// The lines `ReadStdin` sends for `input`.
fn read(input: impl BufRead + Send + 'static) -> Result<(Vec<String>, myelin::Report), String> {
    let seen = shared();
    let sink = seen.clone();
    let reader = ReadStdin::new().input(input);
    match run_bounded("read stdin", move || pipeline![reader, Collect::new(sink)]) {
        Ok(report) => Ok((take(&seen), report)),
        Err(e) => Err(failure(Err(e), "ReadStdin")),
    }
}

#[test]
fn read_stdin_sends_each_line_and_ends_with_its_input() {
    let (lines, report) = read(Cursor::new("hello\r\nworld\n\nlast")).unwrap();
    assert_eq!(lines, ["hello", "world", "", "last"]);
    assert_eq!(outcome(&report, "ReadStdin"), Outcome::Finished);
    let (lines, _) = read(Cursor::new("")).unwrap();
    assert!(lines.is_empty());
}

#[test]
fn read_stdin_fails_clearly_on_invalid_utf8() {
    let reason = read(Cursor::new(b"ok\n\xff\xfe\n".to_vec())).unwrap_err();
    assert!(
        reason.starts_with("cannot read stdin: line 2 is not valid UTF-8 ("),
        "{reason}"
    );
}

/// Input that arrives only when the test sends it: a read blocks until
/// then, as on a terminal.
struct Typed {
    lines: mpsc::Receiver<String>,
    buffer: Cursor<Vec<u8>>,
}

impl Typed {
    fn new() -> (mpsc::Sender<String>, Self) {
        let (tx, lines) = mpsc::channel();
        let typed = Self {
            lines,
            buffer: Cursor::new(Vec::new()),
        };
        (tx, typed)
    }
}

impl Read for Typed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.read(buf)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Typed {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.buffer.position() as usize == self.buffer.get_ref().len() {
            // Blocks until a line is typed; the end of input once the
            // typist is gone.
            let line = self.lines.recv().unwrap_or_default();
            self.buffer = Cursor::new(line.into_bytes());
        }
        self.buffer.fill_buf()
    }
    fn consume(&mut self, amount: usize) {
        self.buffer.consume(amount);
    }
}

/// A `Shutdown` stops `ReadStdin` at once even while it waits for a line
/// that does not come (Kamaelia's `ConsoleReader` looked at `control` only
/// after a line).
#[test]
fn read_stdin_stops_on_shutdown_while_no_line_comes() {
    let (typist, typed) = Typed::new();
    let node = ReadStdin::new().input(typed).into_part();
    let mut output = Receiver::new(&node.handles().outbox).unwrap();
    let mut control = Sender::new(&node.control_port()).unwrap();
    let handle = myelin::spawn(node);
    typist.send("first\n".to_owned()).unwrap();
    assert_eq!(output.recv().as_deref(), Some("first"));
    // Nothing says when it waits for the next line; this makes it very
    // likely that it does by now, so that a reader blocked in its read
    // would hang the test. A correct reader passes whatever the timing.
    std::thread::sleep(Duration::from_millis(50));
    control.send(Control::Shutdown).unwrap();
    let report = join_bounded(handle, "ReadStdin asked to stop while waiting for input").unwrap();
    assert_eq!(outcome(&report, "ReadStdin"), Outcome::Finished);
    assert_eq!(output.recv(), None);
    drop(typist);
}

/// The whole system stopping stops it too, also while it waits for a line.
#[test]
fn read_stdin_stops_with_the_system_while_no_line_comes() {
    let (typist, typed) = Typed::new();
    let node = ReadStdin::new().input(typed).into_part();
    let mut output = Receiver::new(&node.handles().outbox).unwrap();
    let handle = myelin::spawn(node);
    typist.send("first\n".to_owned()).unwrap();
    assert_eq!(output.recv().as_deref(), Some("first"));
    // As above: very likely waiting for the next line by now.
    std::thread::sleep(Duration::from_millis(50));
    handle.shutdown();
    let report = join_bounded(handle, "ReadStdin in a system shut down").unwrap();
    assert_eq!(outcome(&report, "ReadStdin"), Outcome::Cancelled);
    drop(typist);
}

/// A `Shutdown` stops it while it waits for room downstream; the line it
/// held is counted unsent.
#[test]
fn read_stdin_stops_on_shutdown_while_waiting_to_send() {
    let text: String = (0..100).map(|n| format!("line {n}\n")).collect();
    let node = ReadStdin::new().input(Cursor::new(text)).into_part();
    let mut output = Receiver::bounded(&node.handles().outbox, 1).unwrap();
    let mut control = Sender::new(&node.control_port()).unwrap();
    let handle = myelin::spawn(node);
    assert_eq!(output.recv().as_deref(), Some("line 0"));
    // As in the file readers' test: no signal says it now waits for room;
    // this makes it very likely, and a correct reader passes either way.
    std::thread::sleep(Duration::from_millis(50));
    control.send(Control::Shutdown).unwrap();
    let report = join_bounded(handle, "ReadStdin asked to stop while sending").unwrap();
    assert_eq!(outcome(&report, "ReadStdin"), Outcome::Finished);
    let left = undelivered(&report, "ReadStdin");
    assert!(left.is_empty() || left == [unsent("outbox", 1)], "{report}");
    let mut received = 1;
    while output.recv().is_some() {
        received += 1;
    }
    assert!(received + left.len() < 100);
}

/// Waiting for input is not a stall: the input comes from outside the
/// system. A reader waiting for a line, and a sink waiting for the reader,
/// are all the system has, and it goes on when the line comes.
#[test]
fn read_stdin_waiting_for_input_is_not_a_stall() {
    let (typist, typed) = Typed::new();
    let seen: Shared<String> = shared();
    let sink = seen.clone();
    let reader = ReadStdin::new().input(typed);
    let handle = myelin::spawn(pipeline![reader, Collect::new(sink)]);
    typist.send("one\n".to_owned()).unwrap();
    eventually("the first line arrives", || take(&seen).len() == 1);
    // Nothing can run now until the next line. A stall detector that took
    // this for a deadlock would end the system here, at once; the pause
    // gives it the time to.
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        !handle.is_finished(),
        "the system ended while waiting for input"
    );
    typist.send("two\n".to_owned()).unwrap();
    drop(typist);
    let report = join_bounded(handle, "ReadStdin reading typed lines").unwrap();
    assert!(report.is_success(), "{report}");
    assert_eq!(take(&seen), ["one", "two"]);
}

/// The environment variable that makes `reads_the_real_stdin` the child.
const CHILD: &str = "MYELIN_TEST_READ_STDIN_CHILD";

/// `ReadStdin::new()` reads the process's stdin, and `Print::new()` writes
/// to its stdout: this test runs itself as a child process with a pipe for
/// each.
#[test]
fn reads_the_real_stdin_and_prints_to_the_real_stdout() {
    if std::env::var_os(CHILD).is_some() {
        let report =
            myelin::run(pipeline![ReadStdin::new(), Print::<String>::new(),]).expect("runs");
        assert!(report.is_success());
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "reads_the_real_stdin_and_prints_to_the_real_stdout",
            "--exact",
            "--quiet",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starts the child");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"first line\r\nsecond line\n").unwrap();
    drop(stdin);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx
        .recv_timeout(HANG)
        .expect("the child ends")
        .expect("the child runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The test harness prints its own lines around ours.
    assert!(stdout.contains("\nfirst line\nsecond line\n"), "{stdout:?}");
}
