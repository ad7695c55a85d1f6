//! What the tests of the ready-made I/O, marshalling and choosing components
//! share: bounded waits, scratch directories, and the shutdown-protocol
//! checks every component gets.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

// What every behaviour test shares; each file uses some of it.
#[allow(unused_imports)]
pub(crate) use crate::common::{Collect, Feed, HANG, Shared, run_bounded, shared, take};
use myelin::prelude::*;
use myelin::{Handle, InboxPort, Outcome, Report, SendErrorKind, Sender, Undelivered};

/// Joins `handle` on a helper thread, failing the test if the system has
/// not ended within [`HANG`].
pub(crate) fn join_bounded(handle: Handle, what: &str) -> Result<Report, myelin::Error> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(handle.join());
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("{what}: the system did not end within {HANG:?}"))
}

/// Waits until `done` holds, looking every millisecond, failing the test
/// after [`HANG`].
pub(crate) fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < HANG, "{what}: not so after {HANG:?}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The outcome of the component called `name` in `report`.
pub(crate) fn outcome(report: &Report, name: &str) -> Outcome {
    report
        .component(name)
        .unwrap_or_else(|| panic!("no component `{name}` in {report}"))
        .outcome
        .clone()
}

/// What the component called `name` left undelivered, sorted by port.
pub(crate) fn undelivered(report: &Report, name: &str) -> Vec<Undelivered> {
    let mut left = report
        .component(name)
        .unwrap_or_else(|| panic!("no component `{name}` in {report}"))
        .undelivered
        .clone();
    left.sort_by_key(|u| u.port);
    left
}

/// `count` messages unread in the inbox `port`.
pub(crate) fn unread(port: &'static str, count: usize) -> Undelivered {
    Undelivered {
        port,
        count,
        unsent: false,
    }
}

/// `count` messages left waiting to be sent on the outbox `port`.
pub(crate) fn unsent(port: &'static str, count: usize) -> Undelivered {
    Undelivered {
        port,
        count,
        unsent: true,
    }
}

/// A sender into `port` whose inbox holds at most `capacity` messages, so
/// that a `try_send` accepted once the inbox was full tells the test that
/// the component has taken a message. Call before the system starts.
pub(crate) fn bounded_sender<T: Send + 'static>(port: &InboxPort<T>, capacity: usize) -> Sender<T> {
    // A capacity belongs to the inbox, and a link sets it; the outbox that
    // made this one is gone before the system starts.
    let setter: Outbox<T> = Outbox::new("capacity");
    myelin::link(&setter.port(), port, Some(capacity)).expect("links");
    drop(setter);
    Sender::new(port).expect("a sender before the start")
}

/// Sends `msg` as soon as the inbox has room: once the component has taken
/// a message, when the inbox was full.
pub(crate) fn send_when_taken<T: Send + 'static>(sender: &mut Sender<T>, msg: T) {
    let mut msg = Some(msg);
    eventually("the component takes a message", || {
        match sender.try_send(msg.take().expect("not sent yet")) {
            Ok(()) => true,
            Err(e) if e.kind() == SendErrorKind::Full => {
                msg = Some(e.into_inner());
                false
            }
            Err(e) => panic!("{e}"),
        }
    });
}

/// The failure reason of the only component of a run that failed.
pub(crate) fn failure(result: Result<Report, myelin::Error>, name: &str) -> String {
    let error = result.expect_err("the run fails");
    let report = error.report().expect("a run's error carries its report");
    match outcome(report, name) {
        Outcome::Failed(reason) => reason,
        other => panic!("`{name}` {other}, expected a failure: {report}"),
    }
}

/// A directory of its own under the system's temporary directory, removed
/// when dropped.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    /// A new empty directory; `tag` keeps tests apart.
    pub(crate) fn new(tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "myelin-test-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creates a scratch directory");
        Self(dir)
    }

    /// A path in the directory.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` to `name` in the directory, and returns its path.
    pub(crate) fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("writes a scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Pauses for ever without sending on its outbox (a requester that never
/// asks, a source that never sends), ignoring its `control`.
#[component]
pub(crate) struct Silent<T: Send + 'static> {
    outbox: Outbox<T>,
}

impl<T: Send + 'static> Component for Silent<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            cx.pause().await;
        }
    }
}

/// Checks that the component `node` stops at once, finishing normally, when
/// a `Shutdown` arrives while its input is still open: `inputs` are sent
/// first and the input is held open until the system has ended. Whatever
/// the component sends must already have somewhere to go. Returns the
/// report.
pub(crate) fn stops_on_shutdown_while_input_open<P, I>(
    name: &str,
    node: P,
    inbox: &InboxPort<I>,
    inputs: Vec<I>,
) -> Report
where
    P: myelin::Part + myelin::IntoPart + Send + 'static,
    I: Send + 'static,
{
    let mut input = Sender::new(inbox).expect("a sender before the start");
    let mut control = Sender::new(&node.control_port()).expect("a sender before the start");
    let handle = myelin::spawn(node);
    for msg in inputs {
        input.send(msg).expect("the component takes its input");
    }
    control
        .send(Control::Shutdown)
        .expect("the component is running");
    let report = join_bounded(handle, &format!("{name} asked to shut down")).expect("runs");
    assert_eq!(outcome(&report, name), Outcome::Finished, "{report}");
    drop(input);
    report
}

/// Checks that the component `node`, with one input and one output, stops
/// at once on a `Shutdown` that comes while it waits for room to send,
/// counting the message it was sending as unsent.
///
/// Its output is a receiver with room for one message, never read. The
/// first of `inputs` is queued before the start, in an inbox that holds one
/// message; each of the others is sent once the one before has been taken.
/// So when the last is accepted, the component has taken the one before
/// and, its output being full of `first`, waits to send what it made of
/// it. Then the `Shutdown` comes.
pub(crate) fn stops_on_shutdown_while_sending<P, I, O>(
    name: &str,
    node: P,
    inbox: &InboxPort<I>,
    outbox: &myelin::OutboxPort<O>,
    inputs: Vec<I>,
    first: O,
) where
    P: myelin::Part + myelin::IntoPart + Send + 'static,
    I: Send + 'static,
    O: Send + 'static + PartialEq + std::fmt::Debug,
{
    let mut inputs = inputs.into_iter();
    let mut input = bounded_sender(inbox, 1);
    let mut control = Sender::new(&node.control_port()).expect("a sender before the start");
    let mut output = myelin::Receiver::bounded(outbox, 1).expect("a receiver before the start");
    input
        .send(inputs.next().expect("at least two inputs"))
        .expect("queued");
    let handle = myelin::spawn(node);
    for msg in inputs {
        send_when_taken(&mut input, msg);
    }
    control
        .send(Control::Shutdown)
        .expect("the component is running");
    let report =
        join_bounded(handle, &format!("{name} asked to shut down while sending")).expect("runs");
    assert_eq!(outcome(&report, name), Outcome::Finished, "{report}");
    assert_eq!(
        undelivered(&report, name),
        [unread("inbox", 1), unsent("outbox", 1)],
        "{report}"
    );
    assert_eq!(output.recv(), Some(first));
    assert_eq!(output.recv(), None);
    drop(input);
}
