//! Process components: the same binary re-executed as a child, linked like
//! any other component.

use myelin::prelude::*;
use myelin::{Outcome, Report};

myelin::process_test_entry!();

/// Squares numbers in a child process.
#[component(process)]
pub struct Square {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    /// Added to every square, to show the state crossed.
    offset: u64,
}

impl Component for Square {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * n + self.offset).await?;
        }
        Ok(())
    }
}

#[component]
struct Numbers {
    outbox: Outbox<u64>,
    upto: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 1..=self.upto {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[component]
struct Collect {
    inbox: Inbox<u64>,
    expect: Vec<u64>,
}

impl Component for Collect {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut got = Vec::new();
        while let Some(n) = self.inbox.recv().await {
            got.push(n);
        }
        if got != self.expect {
            return Err(Error::msg(format!(
                "got {} values, expected {}",
                got.len(),
                self.expect.len()
            )));
        }
        Ok(())
    }
}

#[test]
fn squares_cross_a_process_and_back_in_order() {
    myelin::process::init();
    let expect: Vec<u64> = (1..=10_000u64).map(|n| n * n + 7).collect();
    let report: Report = myelin::run(pipeline![
        Numbers::new(10_000),
        Square::new(7),
        Collect::new(expect)
    ])
    .unwrap_or_else(|e| panic!("{e}: {}", e.report().unwrap()));
    let square = report.component("Square").expect("reported");
    assert_eq!(square.outcome, Outcome::Finished);
    assert!(square.undelivered.is_empty(), "{report}");
}

/// Fails or panics in its child when it sees `bad`.
#[component(process)]
pub struct Picky {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    bad: u64,
    panic: bool,
}

impl Component for Picky {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            if n == self.bad {
                if self.panic {
                    panic!("cannot stand {n}");
                }
                return Err(Error::msg(format!("refused {n}")));
            }
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Receives everything; records what arrived.
#[component]
struct Sink {
    inbox: Inbox<u64>,
    got: std::sync::Arc<std::sync::Mutex<Vec<u64>>>,
}

impl Component for Sink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.got.lock().unwrap().push(n);
        }
        Ok(())
    }
}

fn failure_of(err: &Error, name: &str) -> String {
    let report = err.report().expect("a run error carries its report");
    match &report.component(name).expect("reported").outcome {
        Outcome::Failed(reason) => reason.clone(),
        other => panic!("{name} ended {other:?}: {report}"),
    }
}

#[test]
fn an_error_in_the_child_fails_the_component_with_its_message() {
    myelin::process::init();
    let got = std::sync::Arc::default();
    let err = myelin::run(pipeline![
        Numbers::new(100),
        Picky::new(40, false),
        Sink::new(std::sync::Arc::clone(&got))
    ])
    .unwrap_err();
    assert_eq!(failure_of(&err, "Picky"), "refused 40");
    assert_eq!(*got.lock().unwrap(), (1..40).collect::<Vec<_>>());
}

#[test]
fn a_panic_in_the_child_is_reported_with_its_message() {
    myelin::process::init();
    let got = std::sync::Arc::default();
    let err = myelin::run(pipeline![
        Numbers::new(100),
        Picky::new(7, true),
        Sink::new(std::sync::Arc::clone(&got))
    ])
    .unwrap_err();
    let reason = failure_of(&err, "Picky");
    assert!(reason.contains("cannot stand 7"), "{reason}");
}

/// Sends its pid once it has passed `after` messages on, then takes no more.
#[component(process)]
pub struct Stalls {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    pid: Outbox<u32>,
    after: u64,
}

impl Component for Stalls {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.after {
            let Some(n) = self.inbox.recv().await else {
                return Ok(());
            };
            self.outbox.send(n).await?;
        }
        self.pid.send(std::process::id()).await?;
        loop {
            // Waits for a control message that never comes: only a kill
            // ends this child.
            cx.control().recv().await;
        }
    }
}

/// Sends `1..=upto`, counting what was accepted.
#[component]
struct CountedNumbers {
    outbox: Outbox<u64>,
    upto: u64,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Component for CountedNumbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 1..=self.upto {
            self.outbox.send(n).await?;
            self.accepted
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Kills the process whose pid arrives.
#[component(thread)]
struct Killer {
    inbox: Inbox<u32>,
}

impl ThreadComponent for Killer {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        if let Some(pid) = self.inbox.blocking_recv() {
            // The shell's own `kill`: no separate binary needed.
            let status = std::process::Command::new("sh")
                .args(["-c", &format!("kill -9 {pid}")])
                .status()?;
            assert!(status.success());
        }
        Ok(())
    }
}

#[test]
fn a_child_killed_mid_stream_fails_with_its_exit_status_and_loses_nothing_unreported() {
    myelin::process::init();
    let got = std::sync::Arc::default();
    let accepted = std::sync::Arc::default();
    let err = myelin::run(graphline! {
        components {
            numbers: CountedNumbers::new(10_000, std::sync::Arc::clone(&accepted)),
            stalls: Stalls::new(100),
            sink: Sink::new(std::sync::Arc::clone(&got)),
            killer: Killer::new(),
        }
        links {
            numbers.outbox -> stalls.inbox (capacity = 16),
            stalls.outbox -> sink.inbox,
            stalls.pid -> killer.inbox,
        }
    })
    .unwrap_err();
    let report = err.report().unwrap();
    let reason = failure_of(&err, "stalls");
    assert!(
        reason.contains("exited unexpectedly") && reason.contains("SIGKILL"),
        "{reason}"
    );
    let got = got.lock().unwrap().clone();
    assert_eq!(got, (1..=100).collect::<Vec<_>>());
    // Every number the producer got rid of was either received or is
    // reported unread by the dead component: in its inbox in the parent, in
    // flight, in the child's inbox, or taken but not yet confirmed (which
    // may have been passed on: the child confirms takes in batches).
    let accepted = accepted.load(std::sync::atomic::Ordering::Relaxed);
    let stalls = report.component("stalls").unwrap();
    let unread: usize = stalls
        .undelivered
        .iter()
        .filter(|u| u.port == "inbox")
        .map(|u| u.count)
        .sum();
    assert!(
        got.len() + unread >= accepted,
        "{} received + {unread} unread < {accepted} sent: {report}",
        got.len()
    );
    assert!(
        got.len() + unread <= accepted + 64,
        "{} received + {unread} unread, but only {accepted} sent: {report}",
        got.len()
    );
}

/// Takes nothing from `inbox` until a message arrives on `go`.
#[component(process)]
pub struct Gate {
    inbox: Inbox<u64>,
    go: Inbox<()>,
    outbox: Outbox<u64>,
}

impl Component for Gate {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.go.recv().await;
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Sends `count` numbers, then `()` on `go`.
#[component]
struct FloodThenGo {
    outbox: Outbox<u64>,
    go: Outbox<()>,
    count: u64,
}

impl Component for FloodThenGo {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        // Far more than the link and the send credit hold: the flood waits
        // here until the gate opens, so `go` is sent from another component.
        for n in 0..self.count {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Sends one `()`.
#[component]
struct Go {
    outbox: Outbox<()>,
}

impl Component for Go {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(()).await?;
        Ok(())
    }
}

#[test]
fn a_full_inbox_in_the_child_does_not_hold_up_another() {
    myelin::process::init();
    // The flood fills the gate's `inbox` (in the parent and in flight) long
    // before `go` is sent; one shared queue across the boundary would leave
    // `go` stuck behind the flood, and the gate would wait for ever.
    let got = std::sync::Arc::default();
    myelin::run(graphline! {
        components {
            flood: FloodThenGo::new(5_000),
            go: Go::new(),
            gate: Gate::new(),
            sink: Sink::new(std::sync::Arc::clone(&got)),
        }
        links {
            flood.outbox -> gate.inbox (capacity = 4),
            go.outbox -> gate.go,
            gate.outbox -> sink.inbox,
        }
    })
    .unwrap();
    assert_eq!(*got.lock().unwrap(), (0..5_000).collect::<Vec<_>>());
}

/// Writes `bytes` straight onto the child's socket, as a corrupted child
/// would, then waits to be stopped.
#[component(process)]
pub struct Corrupt {
    outbox: Outbox<u64>,
    bytes: Vec<u8>,
}

impl Component for Corrupt {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        // SAFETY: descriptor 3 is the child's socket, which the runtime owns;
        // `ManuallyDrop` keeps this borrowed view from closing it.
        let mut socket = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(3) });
        socket.write_all(&self.bytes)?;
        socket.flush()?;
        cx.control().recv().await;
        Ok(())
    }
}

/// A frame header: payload length, kind, reserved byte, port.
fn header(len: u32, kind: u8, port: u16) -> Vec<u8> {
    let mut bytes = len.to_le_bytes().to_vec();
    bytes.push(kind);
    bytes.push(0);
    bytes.extend_from_slice(&port.to_le_bytes());
    bytes
}

fn corrupt_reason(bytes: Vec<u8>) -> String {
    myelin::process::init();
    let got = std::sync::Arc::default();
    let err = myelin::run(pipeline![
        Corrupt::new(bytes),
        Sink::new(std::sync::Arc::clone(&got))
    ])
    .unwrap_err();
    assert!(got.lock().unwrap().is_empty());
    failure_of(&err, "Corrupt")
}

#[test]
fn an_oversized_frame_from_the_child_is_refused_without_allocating_it() {
    // Claims 4 GiB; the parent must refuse it from the header alone.
    let reason = corrupt_reason(header(u32::MAX, 3, 0));
    assert!(
        reason.contains("bad data from its child process")
            && reason.contains("4294967295 bytes, over the limit"),
        "{reason}"
    );
}

#[test]
fn a_malformed_frame_header_from_the_child_is_an_error() {
    let reason = corrupt_reason(header(0, 200, 0));
    assert!(
        reason.contains("malformed frame header (kind 200"),
        "{reason}"
    );
}

#[test]
fn a_message_that_does_not_decode_names_the_port_and_type() {
    // A varint that never ends is not a `u64`.
    let mut bytes = header(11, 3, 0);
    bytes.extend_from_slice(&[0xff; 11]);
    let reason = corrupt_reason(bytes);
    assert!(
        reason.contains("a message for `outbox` is not a valid `u64`"),
        "{reason}"
    );
}

/// Counts until stopped.
#[component(process)]
pub struct Endless {
    outbox: Outbox<u64>,
}

impl Component for Endless {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut n = 0;
        loop {
            self.outbox.send(n).await?;
            n += 1;
        }
    }
}

/// Asks the system to stop after `after` messages, then keeps reading.
#[component]
struct StopAfter {
    inbox: Inbox<u64>,
    after: usize,
}

impl Component for StopAfter {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut seen = 0;
        while self.inbox.recv().await.is_some() {
            seen += 1;
            if seen == self.after {
                cx.shutdown_system();
            }
        }
        Ok(())
    }
}

#[test]
fn shutting_down_stops_a_busy_child() {
    myelin::process::init();
    let report = myelin::run(graphline! {
        components {
            endless: Endless::new(),
            stop: StopAfter::new(1_000),
        }
        links {
            endless.outbox -> stop.inbox (capacity = 64),
        }
    })
    .unwrap();
    assert_eq!(
        report.component("endless").unwrap().outcome,
        Outcome::Cancelled,
        "{report}"
    );
}

/// Reports the control messages its child receives, on `outbox`.
#[component(process)]
pub struct Obeys {
    outbox: Outbox<String>,
}

impl Component for Obeys {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if let Some(msg) = cx.control().recv().await {
            self.outbox.send(format!("{msg:?}")).await?;
        }
        Ok(())
    }
}

/// Sends `Shutdown` on its outbox.
#[component]
struct Stopper {
    outbox: Outbox<Control>,
}

impl Component for Stopper {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(Control::Shutdown).await?;
        Ok(())
    }
}

/// Collects anything printable.
#[component]
struct Lines<T: Send + std::fmt::Debug + 'static> {
    inbox: Inbox<T>,
    got: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl<T: Send + std::fmt::Debug + 'static> Component for Lines<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = self.inbox.recv().await {
            self.got.lock().unwrap().push(format!("{msg:?}"));
        }
        Ok(())
    }
}

#[test]
fn control_and_signal_cross_the_boundary() {
    myelin::process::init();
    let heard = std::sync::Arc::default();
    let signals = std::sync::Arc::default();
    myelin::run(graphline! {
        components {
            stopper: Stopper::new(),
            obeys: Obeys::new(),
            heard: Lines::<String>::new(std::sync::Arc::clone(&heard)),
            signals: Lines::<Control>::new(std::sync::Arc::clone(&signals)),
        }
        links {
            stopper.outbox -> obeys.control,
            obeys.outbox -> heard.inbox,
            obeys.signal -> signals.inbox,
        }
    })
    .unwrap();
    assert_eq!(*heard.lock().unwrap(), vec!["\"Shutdown\"".to_string()]);
    let signals = signals.lock().unwrap().clone();
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert!(
        signals[0].contains("Finished") && signals[0].contains("obeys"),
        "{signals:?}"
    );
}

#[test]
fn a_killed_child_says_so_on_its_signal() {
    myelin::process::init();
    let signals = std::sync::Arc::default();
    let _ = myelin::run(graphline! {
        components {
            numbers: Numbers::new(1_000),
            stalls: Stalls::new(10),
            sink: Sink::new(std::sync::Arc::default()),
            killer: Killer::new(),
            signals: Lines::<Control>::new(std::sync::Arc::clone(&signals)),
        }
        links {
            numbers.outbox -> stalls.inbox,
            stalls.outbox -> sink.inbox,
            stalls.pid -> killer.inbox,
            stalls.signal -> signals.inbox,
        }
    })
    .unwrap_err();
    let signals = signals.lock().unwrap().clone();
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert!(
        signals[0].contains("Failed") && signals[0].contains("SIGKILL"),
        "{signals:?}"
    );
}

/// Adds one, on a thread of its own.
#[component(thread)]
struct ThreadIncrement {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl ThreadComponent for ThreadIncrement {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(n + 1)?;
        }
        Ok(())
    }
}

#[test]
fn generators_threads_and_processes_link_the_same_way() {
    myelin::process::init();
    let expect: Vec<u64> = (1..=2_000u64).map(|n| (n + 1) * (n + 1) + 1 + 1).collect();
    myelin::run(pipeline![
        Numbers::new(2_000),
        ThreadIncrement::new(),
        Square::new(1),
        ThreadIncrement::new(),
        Collect::new(expect)
    ])
    .unwrap();
}

/// Passes on what it receives: in a ring, it waits first.
#[component]
struct Hold {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Hold {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[test]
fn a_deadlock_through_a_process_component_is_reported_as_a_stall() {
    myelin::process::init();
    // A ring of two that both wait to receive first: `hold` in the parent,
    // and `square` in its child. Nothing can ever happen, in either process.
    let err = myelin::run(graphline! {
        components {
            hold: Hold::new(),
            square: Square::new(0),
            numbers: Numbers::new(100),
            drain: Sink::new(std::sync::Arc::default()),
        }
        links {
            hold.outbox -> square.inbox,
            square.outbox -> hold.inbox,
            numbers.outbox -> drain.inbox,
        }
    })
    .unwrap_err();
    let report = err.report().unwrap();
    for name in ["hold", "square"] {
        assert_eq!(
            report.component(name).unwrap().outcome,
            Outcome::Stalled,
            "{report}"
        );
    }
    assert_eq!(
        report.component("drain").unwrap().outcome,
        Outcome::Finished
    );
}

#[test]
fn a_ring_through_a_process_component_that_has_work_is_not_a_stall() {
    myelin::process::init();
    // The same ring, primed by one more component: it runs to the end
    // without being mistaken for a deadlock while the child works.
    let got = std::sync::Arc::default();
    myelin::run(graphline! {
        components {
            numbers: Numbers::new(3_000),
            square: Square::new(0),
            sink: Sink::new(std::sync::Arc::clone(&got)),
        }
        links {
            numbers.outbox -> square.inbox (capacity = 1),
            square.outbox -> sink.inbox (capacity = 1),
        }
    })
    .unwrap();
    assert_eq!(got.lock().unwrap().len(), 3_000);
}

/// Asks the whole system to stop, from its child process.
#[component(process)]
pub struct StopAll {
    outbox: Outbox<u64>,
}

impl Component for StopAll {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.shutdown_system();
        Ok(())
    }
}

#[test]
fn shutdown_system_in_a_child_stops_the_parents_system() {
    myelin::process::init();
    // `left` and `right` wait on each other for ever: only a shutdown ends
    // them (and while the child runs, they are not yet a stall).
    let report = myelin::run(graphline! {
        components {
            stop: StopAll::new(),
            left: Hold::new(),
            right: Hold::new(),
        }
        links {
            left.outbox -> right.inbox,
            right.outbox -> left.inbox,
        }
    })
    .unwrap();
    for name in ["left", "right"] {
        assert_eq!(
            report.component(name).unwrap().outcome,
            Outcome::Cancelled,
            "{report}"
        );
    }
}

/// Counts the bytes of the strings it gets.
#[component(process)]
pub struct Lengths {
    inbox: Inbox<String>,
}

impl Component for Lengths {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Sends one string of `len` bytes.
#[component]
struct Huge {
    outbox: Outbox<String>,
    len: usize,
}

impl Component for Huge {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send("x".repeat(self.len)).await?;
        Ok(())
    }
}

#[test]
fn a_message_over_the_frame_limit_fails_the_component_naming_the_port() {
    myelin::process::init();
    let err = myelin::run(pipeline![
        Huge::new(myelin::process::MAX_FRAME + 1),
        Lengths::new()
    ])
    .unwrap_err();
    let reason = failure_of(&err, "Lengths");
    assert!(
        reason.contains("a message on `inbox`") && reason.contains("over the frame limit"),
        "{reason}"
    );
    let report = err.report().unwrap();
    let lost: usize = report
        .component("Lengths")
        .unwrap()
        .undelivered
        .iter()
        .filter(|u| u.port == "inbox")
        .map(|u| u.count)
        .sum();
    assert_eq!(lost, 1, "{report}");
}

#[test]
fn a_handle_drives_a_process_component_both_ways() -> Result<(), Error> {
    use myelin::{IntoPart, Part, Receiver, Sender};
    myelin::process::init();
    let square = Square::new(0).into_part();
    let ports = square.handles();
    let mut input = Sender::new(&ports.inbox)?;
    let mut output = Receiver::new(&ports.outbox)?;
    let handle = myelin::spawn(square);
    // Round trips, one at a time: each answer comes back from the child
    // before the next question goes.
    for n in 1..=200u64 {
        input.send(n)?;
        assert_eq!(output.recv(), Some(n * n));
    }
    // The same from async code on another runtime.
    tokio::runtime::Builder::new_current_thread()
        .build()?
        .block_on(async {
            for n in 201..=300u64 {
                input.send_async(n).await?;
                assert_eq!(output.recv_async().await, Some(n * n));
            }
            Ok::<_, Error>(())
        })?;
    drop(input);
    assert_eq!(output.recv(), None);
    let report = handle.join()?;
    assert_eq!(
        report.component("Square").unwrap().outcome,
        Outcome::Finished
    );
    Ok(())
}

#[test]
fn a_process_component_can_join_a_running_system() -> Result<(), Error> {
    use myelin::{IntoPart, Part, Sender};
    myelin::process::init();
    let got = std::sync::Arc::default();
    let sink = Sink::new(std::sync::Arc::clone(&got)).into_part();
    let sink_inbox = sink.handles().inbox;
    let keep_open = Sender::new(&sink_inbox)?;
    let handle = myelin::spawn(sink);
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    handle.add(move || {
        let numbers = Numbers::new(50).into_part();
        let square = Square::new(0).into_part();
        myelin::link(&square.handles().outbox, &sink_inbox, None)?;
        let _ = done_tx.send(());
        Ok(pipeline![numbers, square])
    })?;
    done_rx.recv()?;
    drop(keep_open);
    let report = handle.join()?;
    assert_eq!(
        *got.lock().unwrap(),
        (1..=50u64).map(|n| n * n).collect::<Vec<_>>(),
        "{report}"
    );
    Ok(())
}

/// Starts programs from its child process and reports what they saw.
#[component(process)]
pub struct StartsPrograms {
    outbox: Outbox<String>,
}

impl Component for StartsPrograms {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        // Does a program it starts hold the child's link to the parent?
        let fd = std::process::Command::new("sh")
            .args(["-c", "test -e /proc/$$/fd/3 && echo open || echo closed"])
            .output()?;
        self.outbox
            .send(String::from_utf8_lossy(&fd.stdout).trim().to_owned())
            .await?;
        // Does a myelin binary it starts (this very test binary, running one
        // probe test) take itself for a child of a process component?
        let probe = std::process::Command::new(std::env::current_exe()?)
            .args(["--exact", "init_probe", "--nocapture", "--test-threads=1"])
            .env("MYELIN_INIT_PROBE", "1")
            .output()?;
        let said = String::from_utf8_lossy(&probe.stdout);
        let verdict = if said.contains("init returned") {
            "init returned"
        } else {
            "init did not return"
        };
        self.outbox.send(verdict.to_owned()).await?;
        Ok(())
    }
}

/// Run only as the probe above: calls `init` as any `main` would.
#[test]
fn init_probe() {
    if std::env::var_os("MYELIN_INIT_PROBE").is_some() {
        myelin::process::init();
        println!("init returned");
    }
}

#[test]
fn programs_a_child_starts_neither_hold_its_link_nor_take_themselves_for_children() {
    myelin::process::init();
    let said = std::sync::Arc::default();
    myelin::run(pipeline![
        StartsPrograms::new(),
        Lines::<String>::new(std::sync::Arc::clone(&said))
    ])
    .unwrap();
    assert_eq!(
        *said.lock().unwrap(),
        vec!["\"closed\"".to_owned(), "\"init returned\"".to_owned()]
    );
}

#[test]
fn two_process_components_link_to_each_other() {
    myelin::process::init();
    let expect: Vec<u64> = (1..=500u64).map(|n| (n * n) * (n * n)).collect();
    myelin::run(pipeline![
        Numbers::new(500),
        Square::new(0),
        Square::new(0),
        Collect::new(expect)
    ])
    .unwrap();
}

/// Stops at a `Shutdown`, asking for `Shutdown` on its `signal`.
#[component(process)]
pub struct PassesShutdown {}

impl Component for PassesShutdown {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = cx.control().recv().await {
            if msg == Control::Shutdown {
                cx.end_with_shutdown();
                break;
            }
        }
        Ok(())
    }
}

#[test]
fn a_process_component_can_end_with_shutdown_on_its_signal() {
    myelin::process::init();
    let signals = std::sync::Arc::default();
    let report = myelin::run(graphline! {
        components {
            stopper: Stopper::new(),
            passes: PassesShutdown::new(),
            signals: Lines::<Control>::new(std::sync::Arc::clone(&signals)),
        }
        links {
            stopper.outbox -> passes.control,
            passes.signal -> signals.inbox,
        }
    })
    .unwrap();
    assert_eq!(*signals.lock().unwrap(), ["Shutdown"]);
    assert_eq!(
        report.component("passes").unwrap().outcome,
        Outcome::Finished,
        "{report}"
    );
}
