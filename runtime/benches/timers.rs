//! Timers: myelin's against tokio's `sleep`, in one run.
//!
//! Each workload starts N tasks that each sleep once for the same duration
//! and end: N myelin generator components calling `myelin::time::sleep`,
//! and N tokio tasks calling `tokio::time::sleep` on a current-thread
//! runtime. Reported: the wall time beyond the sleep itself (starting,
//! registering, firing and ending N timers), the same without the sleep
//! (so the difference is the timers' own cost), and the CPU time a second
//! in the middle of everyone's sleep costs, which should be nothing. Run
//! with
//!
//! ```text
//! cargo bench -p myelin --bench timers            # 1,000,000 timers
//! cargo bench -p myelin --bench timers -- --quick # 100,000
//! ```

use std::time::{Duration, Instant};

use myelin::prelude::*;
use myelin::{Graph, Node};

/// Sleeps once, then ends.
#[component]
pub struct Nap {
    duration: Duration,
}

impl Component for Nap {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if !self.duration.is_zero() {
            myelin::time::sleep(self.duration).await;
        }
        Ok(())
    }
}

/// CPU time (user + system) this process has used so far.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` fills the struct it is given; zeroed is a valid
    // initial value for it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &raw mut usage);
        usage
    };
    let of = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    of(usage.ru_utime) + of(usage.ru_stime)
}

/// Wall time of one run.
struct Run {
    wall: Duration,
}

fn myelin_naps(n: usize, duration: Duration) -> Run {
    let graph = (0..n).fold(Graph::new("naps"), |g, _| {
        g.child(Some("nap"), Node::new(Nap::new(duration)))
    });
    let started = Instant::now();
    let report = myelin::run(graph).expect("the naps end");
    let run = Run {
        wall: started.elapsed(),
    };
    assert_eq!(report.components().len(), n);
    drop(report);
    run
}

fn tokio_naps(n: usize, duration: Duration) -> Run {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                tokio::spawn(async move {
                    if !duration.is_zero() {
                        tokio::time::sleep(duration).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("the nap ends");
        }
    });
    Run {
        wall: started.elapsed(),
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 100_000 } else { 1_000_000 };
    let rounds = if quick { 3 } else { 5 };
    let short = Duration::from_millis(100);

    // Beyond the sleep: the cost of N timers from start to end.
    let mut mine = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..rounds {
        mine.push(myelin_naps(n, short).wall.saturating_sub(short));
        theirs.push(tokio_naps(n, short).wall.saturating_sub(short));
    }
    let (mine, theirs) = (median(mine), median(theirs));

    // The same tasks without the sleep: what starting and ending them costs,
    // so that the difference is what the timers cost.
    let mut mine_bare = Vec::new();
    let mut theirs_bare = Vec::new();
    for _ in 0..rounds {
        mine_bare.push(myelin_naps(n, Duration::ZERO).wall);
        theirs_bare.push(tokio_naps(n, Duration::ZERO).wall);
    }
    let (mine_bare, theirs_bare) = (median(mine_bare), median(theirs_bare));
    let (my_timers, their_timers) = (
        mine.saturating_sub(mine_bare),
        theirs.saturating_sub(theirs_bare),
    );

    // CPU while sleeping: a second in the middle of a 3 s sleep, measured
    // from another thread, should cost nothing.
    let idle = |f: fn(usize, Duration) -> Run| {
        let sleeper = std::thread::spawn(move || f(n, Duration::from_secs(3)));
        std::thread::sleep(Duration::from_millis(1500));
        let before = cpu_time();
        std::thread::sleep(Duration::from_secs(1));
        let during = cpu_time() - before;
        sleeper.join().expect("the naps end");
        during
    };
    let (my_idle, their_idle) = (idle(myelin_naps), idle(tokio_naps));

    println!("timers: {n} tasks each sleeping once (median of {rounds} rounds)");
    println!();
    println!("| | myelin | tokio (current thread) | myelin / tokio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| start, fire and end {n} timers (wall time beyond the {} ms sleep) | {:.0} ms | {:.0} ms | {:.2} |",
        short.as_millis(),
        mine.as_secs_f64() * 1e3,
        theirs.as_secs_f64() * 1e3,
        mine.as_secs_f64() / theirs.as_secs_f64()
    );
    println!(
        "| the same tasks without sleeping (start and end only) | {:.0} ms | {:.0} ms | {:.2} |",
        mine_bare.as_secs_f64() * 1e3,
        theirs_bare.as_secs_f64() * 1e3,
        mine_bare.as_secs_f64() / theirs_bare.as_secs_f64()
    );
    println!(
        "| the timers alone (the difference), per timer | {:.0} ns | {:.0} ns | {:.2} |",
        my_timers.as_secs_f64() * 1e9 / n as f64,
        their_timers.as_secs_f64() * 1e9 / n as f64,
        my_timers.as_secs_f64() / their_timers.as_secs_f64()
    );
    println!(
        "| CPU time of a second in the middle of a 3 s sleep | {:.1} ms | {:.1} ms | |",
        my_idle.as_secs_f64() * 1e3,
        their_idle.as_secs_f64() * 1e3
    );
}
