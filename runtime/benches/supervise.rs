//! Supervision: the time from a child's failure to its replacement
//! receiving its next message, for a generator child and a threaded one.
//! Run with
//!
//! ```text
//! cargo bench -p myelin --bench supervise            # 10,000 restarts
//! cargo bench -p myelin --bench supervise -- --quick # 1,000
//! ```
//!
//! Also the cost of supervision while nothing fails: messages through a
//! relay, plain and under a supervisor (whose input passes through it).
//!
//! A driver sends the child a message that makes it panic, then a probe.
//! The failing instance notes the time just before it panics; the instance
//! that replaces it notes the time it receives the probe (which waited in
//! the failed instance's inbox, or was sent during the restart), and echoes
//! it so the driver starts the next round.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myelin::components::{Child, Discard, Source, Supervisor};
use myelin::prelude::*;

/// Makes the child panic.
const FAIL: u64 = u64::MAX;

/// Times from each failure to the replacement's first message.
#[derive(Clone, Default)]
struct Clock {
    failed_at: Arc<Mutex<Option<Instant>>>,
    gaps: Arc<Mutex<Vec<Duration>>>,
}

impl Clock {
    fn failing(&self) {
        *self.failed_at.lock().unwrap() = Some(Instant::now());
    }

    fn received(&self) {
        let now = Instant::now();
        if let Some(failed) = self.failed_at.lock().unwrap().take() {
            self.gaps.lock().unwrap().push(now - failed);
        }
    }
}

/// Echoes what it receives; `FAIL` panics.
#[component]
pub struct Victim {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    clock: Clock,
}

impl Component for Victim {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.clock.received();
            if n == FAIL {
                self.clock.failing();
                panic!("bench: failing on purpose");
            }
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// `Victim` on a thread of its own.
#[component(thread)]
pub struct ThreadVictim {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    clock: Clock,
}

impl ThreadComponent for ThreadVictim {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(n) = self.inbox.blocking_recv() {
            self.clock.received();
            if n == FAIL {
                self.clock.failing();
                panic!("bench: failing on purpose");
            }
            self.outbox.blocking_send(n)?;
        }
        Ok(())
    }
}

/// Makes the child fail `rounds` times, each followed by a probe it waits
/// to see echoed.
#[component]
pub struct Driver {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    rounds: u64,
}

impl Component for Driver {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for probe in 0..self.rounds {
            self.outbox.send(FAIL).await?;
            self.outbox.send(probe).await?;
            let echoed = self.inbox.recv().await;
            assert_eq!(echoed, Some(probe));
        }
        Ok(())
    }
}

fn restarts<C, P>(rounds: u64, clock: &Clock, child: C) -> Vec<Duration>
where
    C: FnMut() -> P + Send + 'static,
    P: IntoPart,
    P::Part: myelin::Stage<u64, u64>,
{
    let supervisor =
        Supervisor::new(Child::new("victim", child)).intensity(usize::MAX, Duration::from_secs(1));
    let report = myelin::run(graphline! {
        components {
            driver: Driver::new(rounds),
            sup: supervisor,
        }
        links {
            driver.outbox -> sup.inbox,
            sup.outbox -> driver.inbox,
        }
    })
    .unwrap();
    assert_eq!(report.restarts().len() as u64, rounds);
    std::mem::take(&mut *clock.gaps.lock().unwrap())
}

/// Passes on what it receives.
#[component]
pub struct Relay {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Relay {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Times `messages` through a relay, supervised or not; median of 5.
fn throughput(messages: u64, supervised: bool) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            if supervised {
                let relay = Supervisor::new(Child::new("relay", Relay::new));
                myelin::run(pipeline![
                    Source::new(0..messages),
                    relay,
                    Discard::<u64>::new()
                ])
                .unwrap();
            } else {
                myelin::run(pipeline![
                    Source::new(0..messages),
                    Relay::new(),
                    Discard::<u64>::new()
                ])
                .unwrap();
            }
            t.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

fn summary(mut gaps: Vec<Duration>) -> (Duration, Duration, Duration) {
    gaps.sort();
    let at = |q: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into a sorted sample"
        )]
        let i = ((gaps.len() - 1) as f64 * q).round() as usize;
        gaps[i]
    };
    (at(0.5), at(0.99), gaps[gaps.len() - 1])
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds: u64 = if quick { 1_000 } else { 10_000 };
    // The panics are the point: keep them off the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let clock = Clock::default();
    let c = clock.clone();
    let generator = summary(restarts(rounds, &clock, move || Victim::new(c.clone())));
    let c = clock.clone();
    let threaded = summary(restarts(rounds, &clock, move || {
        ThreadVictim::new(c.clone())
    }));
    println!(
        "From a child's failure to its replacement receiving its next message, {rounds} restarts:\n"
    );
    println!("| child | median | p99 | max |");
    println!("|---|---:|---:|---:|");
    for (what, (p50, p99, max)) in [("generator", generator), ("threaded", threaded)] {
        println!("| {what} | {p50:.1?} | {p99:.1?} | {max:.1?} |");
    }
    let messages: u64 = if quick { 100_000 } else { 1_000_000 };
    let plain = throughput(messages, false);
    let supervised = throughput(messages, true);
    #[expect(clippy::cast_precision_loss, reason = "a rate for a table")]
    let per_message = |d: Duration| d.as_nanos() as f64 / messages as f64;
    println!(
        "\n{messages} u64 messages from a source through a relay to a sink, nothing failing, median of 5:\n"
    );
    println!("| relay | time | ns per message |");
    println!("|---|---:|---:|");
    println!("| plain | {plain:.1?} | {:.1} |", per_message(plain));
    println!(
        "| under a supervisor | {supervised:.1?} | {:.1} |",
        per_message(supervised)
    );
}
