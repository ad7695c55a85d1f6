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
    .unwrap();
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
            let status = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
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

/// Starts late; then sends how many bytes it got and how much its
/// process's peak memory grew meanwhile.
#[component(process)]
pub struct Slow {
    inbox: Inbox<String>,
    outbox: Outbox<u64>,
}

impl Component for Slow {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let before = peak_rss_bytes();
        // Alone on its scheduler in the child, it may block: while it
        // sleeps, the producer runs as far ahead as the links let it.
        std::thread::sleep(std::time::Duration::from_secs(1));
        let mut bytes = 0u64;
        while let Some(block) = self.inbox.recv().await {
            bytes += block.len() as u64;
        }
        self.outbox.send(bytes).await?;
        self.outbox
            .send(peak_rss_bytes().saturating_sub(before))
            .await?;
        Ok(())
    }
}

/// Sends `count` blocks of 64 KiB as fast as it may.
#[component]
struct Blocks {
    outbox: Outbox<String>,
    count: usize,
}

impl Component for Blocks {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let block = "x".repeat(64 << 10);
        for _ in 0..self.count {
            self.outbox.send(block.clone()).await?;
        }
        Ok(())
    }
}

/// The most memory this process has held at once, from the kernel.
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("Linux reports VmHWM");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn a_fast_producer_feeding_a_slow_child_keeps_memory_bounded_on_both_sides() {
    myelin::process::init();
    // 640 blocks of 64 KiB: 40 MiB in all. The link holds 4 and the send
    // credit 64, so about 4.3 MiB can be in flight at once; unbounded
    // buffering would hold most of the 40 MiB on one side or the other.
    let count = 640;
    let before = peak_rss_bytes();
    let got = std::sync::Arc::default();
    myelin::run(graphline! {
        components {
            blocks: Blocks::new(count),
            slow: Slow::new(),
            sink: Sink::new(std::sync::Arc::clone(&got)),
        }
        links {
            blocks.outbox -> slow.inbox (capacity = 4),
            slow.outbox -> sink.inbox,
        }
    })
    .unwrap();
    let grew = peak_rss_bytes().saturating_sub(before);
    let got = got.lock().unwrap().clone();
    assert_eq!(got[0], (count as u64) << 16);
    assert!(
        grew < 16 << 20,
        "the parent's peak memory grew by {} MiB",
        grew >> 20
    );
    assert!(
        got[1] < 16 << 20,
        "the child's peak memory grew by {} MiB",
        got[1] >> 20
    );
}
