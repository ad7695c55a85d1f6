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
