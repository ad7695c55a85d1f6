//! Driving one ready-made component from a test, through handles: feed its
//! inputs, read its outputs and `signal`, send it a `Shutdown`, and join the
//! system within a bound, so that a component that fails to stop makes the
//! test fail instead of hang.
//!
//! Shared by the `components_*.rs` tests; each uses a different subset.
#![allow(dead_code)]

use std::sync::mpsc;
use std::time::Duration;

use myelin::__private::{MaybeInbox, MaybeOutbox};
use myelin::{
    Control, Handle, InboxPort, IntoPart, Outbox, OutboxPort, Part, Receiver, RecvTimeoutError,
    Report, SendErrorKind, Sender, Undelivered,
};

/// How long a test waits for anything before failing: generous, as the
/// machine may be busy with other builds.
pub(crate) const LIMIT: Duration = Duration::from_secs(30);

/// A system started with [`start`], joined within [`LIMIT`].
pub(crate) struct Running {
    done: mpsc::Receiver<Result<Report, myelin::Error>>,
}

/// Starts `system` on its own thread.
pub(crate) fn start(system: impl IntoPart + Send + 'static) -> Running {
    let handle: Handle = myelin::spawn(system);
    let (tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(handle.join());
    });
    Running { done }
}

impl Running {
    /// Its report, once it has ended; panics, naming `what`, if it has not
    /// ended within [`LIMIT`] or did not succeed.
    pub(crate) fn join(self, what: &str) -> Report {
        match self.done.recv_timeout(LIMIT) {
            Ok(Ok(report)) => report,
            Ok(Err(e)) => panic!("{what}: the run failed: {e}"),
            Err(_) => panic!("{what}: the system did not end within {LIMIT:?}"),
        }
    }

    /// The run's result, whatever it is, within [`LIMIT`].
    pub(crate) fn result(self, what: &str) -> Result<Report, myelin::Error> {
        self.done
            .recv_timeout(LIMIT)
            .unwrap_or_else(|_| panic!("{what}: the system did not end within {LIMIT:?}"))
    }
}

/// The next message from `rx`, `None` at its end; panics, naming `what`, if
/// nothing comes within [`LIMIT`].
pub(crate) fn next<T: Send + 'static>(rx: &mut Receiver<T>, what: &str) -> Option<T> {
    match rx.recv_timeout(LIMIT) {
        Ok(msg) => Some(msg),
        Err(RecvTimeoutError::Closed) => None,
        Err(RecvTimeoutError::Timeout) => panic!("{what}: nothing within {LIMIT:?}"),
    }
}

/// The next `n` messages from `rx`.
pub(crate) fn take<T: Send + 'static>(rx: &mut Receiver<T>, n: usize, what: &str) -> Vec<T> {
    (0..n)
        .map(|i| next(rx, what).unwrap_or_else(|| panic!("{what}: ended after {i} of {n}")))
        .collect()
}

/// Everything left on `rx`, to its end.
pub(crate) fn rest<T: Send + 'static>(rx: &mut Receiver<T>, what: &str) -> Vec<T> {
    std::iter::from_fn(|| next(rx, what)).collect()
}

/// Asserts that the component's `signal` said it finished, and nothing else.
pub(crate) fn assert_finished_signal(signal: &mut Receiver<Control>, what: &str) {
    match next(signal, what) {
        Some(Control::Finished { .. }) => {}
        other => panic!("{what}: expected Finished on signal, got {other:?}"),
    }
    assert_eq!(next(signal, what), None, "{what}: one signal only");
}

/// Asserts that `sender`'s inbox has closed: its component has ended.
pub(crate) fn assert_closed<T: Send + 'static>(sender: &mut Sender<T>, msg: T, what: &str) {
    let err = sender
        .send(msg)
        .err()
        .unwrap_or_else(|| panic!("{what}: the inbox still takes messages"));
    assert_eq!(err.kind(), SendErrorKind::Closed, "{what}");
}

/// What the report says `component` left on `port`: (count, unsent).
pub(crate) fn left(report: &Report, component: &str, port: &str) -> Vec<(usize, bool)> {
    report
        .component(component)
        .unwrap_or_else(|| panic!("no component {component} in {report}"))
        .undelivered
        .iter()
        .filter(|u: &&Undelivered| u.port == port)
        .map(|u| (u.count, u.unsent))
        .collect()
}

/// The component of a one-input, one-output system, driven from outside:
/// `input` feeds its `inbox`, `output` reads its `outbox`.
pub(crate) struct Stage<T, U> {
    pub(crate) input: Sender<T>,
    pub(crate) control: Sender<Control>,
    pub(crate) output: Receiver<U>,
    pub(crate) signal: Receiver<Control>,
    pub(crate) running: Running,
}

/// Starts `component` with handles on its `inbox`, `outbox`, `control` and
/// `signal`; the output link holds at most `room` messages if given.
pub(crate) fn stage<C, T, U>(component: C, room: Option<usize>) -> Stage<T, U>
where
    C: IntoPart,
    C::Part: IntoPart + Send + 'static,
    <C::Part as Part>::Handles: MaybeInbox<Port = InboxPort<T>> + MaybeOutbox<Port = OutboxPort<U>>,
    T: Send + 'static,
    U: Send + 'static,
{
    let part = component.into_part();
    let handles = part.handles();
    let input = Sender::new(&handles.inbox_port()).unwrap();
    let control = Sender::new(&part.control_port()).unwrap();
    let output = match room {
        Some(n) => Receiver::bounded(&handles.outbox_port(), n),
        None => Receiver::new(&handles.outbox_port()),
    }
    .unwrap();
    let signal = Receiver::new(&part.signal_port()).unwrap();
    Stage {
        input,
        control,
        output,
        signal,
        running: start(part),
    }
}

/// Feeds `inputs` to `component`, ends its input, and returns everything
/// it sent; checks it finished, saying so on `signal`.
pub(crate) fn ends_with_input<C, T, U>(component: C, inputs: Vec<T>) -> (Vec<U>, Report)
where
    C: IntoPart,
    C::Part: IntoPart + Send + 'static,
    <C::Part as Part>::Handles: MaybeInbox<Port = InboxPort<T>> + MaybeOutbox<Port = OutboxPort<U>>,
    T: Send + 'static,
    U: Send + 'static,
{
    let mut s = stage(component, None);
    for msg in inputs {
        s.input.send(msg).unwrap();
    }
    drop(s.input);
    let out = rest(&mut s.output, "output");
    assert_finished_signal(&mut s.signal, "end of input");
    let report = s.running.join("end of input");
    assert!(report.is_success(), "{report}");
    (out, report)
}

/// Feeds `inputs` to `component`, reads the first `expect` outputs (so it
/// has handled them), then sends `Shutdown` while its input is still open.
/// Checks that it stops at once: its output ends, its `signal` says
/// `Finished`, the run ends, and its input no longer takes messages
/// (`extra` is handed back). Returns every output and the report.
pub(crate) fn stops_on_shutdown<C, T, U>(
    component: C,
    inputs: Vec<T>,
    expect: usize,
    extra: T,
) -> (Vec<U>, Report)
where
    C: IntoPart,
    C::Part: IntoPart + Send + 'static,
    <C::Part as Part>::Handles: MaybeInbox<Port = InboxPort<T>> + MaybeOutbox<Port = OutboxPort<U>>,
    T: Send + 'static,
    U: Send + 'static,
{
    let mut s = stage(component, None);
    for msg in inputs {
        s.input.send(msg).unwrap();
    }
    let mut out = take(&mut s.output, expect, "output before Shutdown");
    s.control.send(Control::Shutdown).unwrap();
    out.extend(rest(&mut s.output, "output after Shutdown"));
    assert_finished_signal(&mut s.signal, "Shutdown");
    let report = s.running.join("Shutdown with the input open");
    assert!(report.is_success(), "{report}");
    // Still held open, and refused: the component stopped of its own accord.
    assert_closed(&mut s.input, extra, "input after Shutdown");
    (out, report)
}

/// Queues `inputs` and a `Shutdown` before `component` starts: the
/// `Shutdown` wins, so it sends nothing and leaves every input unread.
pub(crate) fn shutdown_wins_over_queued<C, T, U>(component: C, inputs: Vec<T>) -> Report
where
    C: IntoPart,
    C::Part: IntoPart + Send + 'static,
    <C::Part as Part>::Handles: MaybeInbox<Port = InboxPort<T>> + MaybeOutbox<Port = OutboxPort<U>>,
    T: Send + 'static,
    U: Send + 'static,
{
    let part = component.into_part();
    let handles = part.handles();
    let mut input = Sender::new(&handles.inbox_port()).unwrap();
    let mut control = Sender::new(&part.control_port()).unwrap();
    let mut output = Receiver::new(&handles.outbox_port()).unwrap();
    let n = inputs.len();
    for msg in inputs {
        input.send(msg).unwrap();
    }
    control.send(Control::Shutdown).unwrap();
    let running = start(part);
    assert!(
        rest(&mut output, "output").is_empty(),
        "sent something after Shutdown"
    );
    let report = running.join("Shutdown queued before the start");
    let name = &report.components()[0].name;
    assert_eq!(left(&report, name, "inbox"), [(n, false)], "{report}");
    drop(input);
    report
}

/// An outbox for tests that link by hand.
pub(crate) fn outbox<T: Send + 'static>() -> Outbox<T> {
    Outbox::new("test")
}
