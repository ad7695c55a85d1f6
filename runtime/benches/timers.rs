//! Timers: myelin's against tokio's `sleep`, in one run.
//!
//! Each workload starts N tasks that each sleep once for the same duration
//! and end: N myelin generator components calling `myelin::time::sleep`,
//! and N tokio tasks calling `tokio::time::sleep` on a current-thread
//! runtime. Reported: the wall time beyond the sleep itself (starting,
//! registering, firing and ending N timers), the same without the sleep
//! (so the difference is the timers' own cost), and the CPU time of one
//! second while all N sleep, which should be nothing. Run
//! with
//!
//! ```text
//! cargo bench -p myelin --bench timers            # 1,000,000 timers
//! cargo bench -p myelin --bench timers -- --quick # 100,000
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Sleeps for an hour after counting itself in.
#[component]
pub struct LongNap {
    asleep: Arc<AtomicUsize>,
}

impl Component for LongNap {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let nap = myelin::time::sleep(Duration::from_secs(3600));
        self.asleep.fetch_add(1, Ordering::Relaxed);
        nap.await;
        Ok(())
    }
}

/// Waits until `asleep` reaches `n` (every task is about to sleep), lets
/// a moment pass for the last to set its timer, then measures the CPU time
/// of one second.
fn cpu_of_a_second_asleep(asleep: &AtomicUsize, n: usize) -> Duration {
    while asleep.load(Ordering::Relaxed) < n {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    let before = cpu_time();
    std::thread::sleep(Duration::from_secs(1));
    cpu_time() - before
}

fn myelin_idle(n: usize) -> Duration {
    let asleep = Arc::new(AtomicUsize::new(0));
    let graph = (0..n).fold(Graph::new("naps"), |g, _| {
        g.child(Some("nap"), Node::new(LongNap::new(asleep.clone())))
    });
    let handle = myelin::spawn(graph);
    let cpu = cpu_of_a_second_asleep(&asleep, n);
    handle.shutdown();
    let _ = handle.join();
    cpu
}

fn tokio_idle(n: usize) -> Duration {
    let asleep = Arc::new(AtomicUsize::new(0));
    let counted = asleep.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            for _ in 0..n {
                let counted = counted.clone();
                tokio::spawn(async move {
                    let nap = tokio::time::sleep(Duration::from_secs(3600));
                    counted.fetch_add(1, Ordering::Relaxed);
                    nap.await;
                });
            }
            let _ = stopped.await;
        });
    });
    let cpu = cpu_of_a_second_asleep(&asleep, n);
    let _ = stop.send(());
    runtime.join().expect("the runtime ends");
    cpu
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    if std::env::args().any(|a| a == "--bare-only") {
        // One myelin run of components that end at once, for profiling.
        let run = myelin_naps(if quick { 100_000 } else { 1_000_000 }, Duration::ZERO);
        println!("{:.0} ms", run.wall.as_secs_f64() * 1e3);
        return;
    }
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

    // CPU while sleeping: one second, measured from another thread once
    // every task has set its timer, of a sleep that is then cut short.
    let (my_idle, their_idle) = (myelin_idle(n), tokio_idle(n));

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
        "| CPU time of one second while all {n} sleep | {:.1} ms | {:.1} ms | |",
        my_idle.as_secs_f64() * 1e3,
        their_idle.as_secs_f64() * 1e3
    );
}
