//! Meeting places against what a user would otherwise pick, in one run.
//!
//! - **STM**: commits of one increment through `Store::atomically` on one
//!   thread (uncontended), and the same increments of one value from 8
//!   threads at once (contended), against a `Mutex<HashMap<String, u64>>`
//!   doing the same updates.
//! - **Backplane fan-out**: 1,000,000 `u64` published by one generator
//!   component to 10 subscriber components on one scheduler (each
//!   subscription `Policy::Wait(1024)`, taken straight from the backplane
//!   and summed), against tokio's `broadcast` channel with one sending
//!   task and 10 receiving tasks on a current-thread runtime (capacity
//!   2^20, so that no receiver ever lags and nothing is lost there either).
//!
//! ```text
//! cargo bench -p myelin --bench meeting            # full sizes
//! cargo bench -p myelin --bench meeting -- --quick # smaller, for a smoke run
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU64, Ordering};

use myelin::meeting::{Key, Places, Policy, Publisher, Store, Subscription};
use myelin::prelude::*;
use myelin::{Graph, Node};

const COUNT: Key<u64> = Key::new("count");

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Median wall time of `rounds` runs of `f`.
fn time(rounds: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect(),
    )
}

fn stm_increments(store: &Store, n: u64) {
    for _ in 0..n {
        store
            .atomically(|tx| {
                let v = tx.read(&COUNT)?.unwrap_or(0);
                tx.write(&COUNT, v + 1);
                Ok(())
            })
            .expect("a commit");
    }
}

fn mutex_increments(map: &Mutex<HashMap<String, u64>>, n: u64) {
    for _ in 0..n {
        let mut map = map.lock().expect("not poisoned");
        *map.entry("count".to_owned()).or_insert(0) += 1;
    }
}

/// `threads` threads each running `work` once, started together.
fn on_threads(threads: usize, work: impl Fn() + Send + Sync + 'static) {
    let work = Arc::new(work);
    let start = Arc::new(std::sync::Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (work, start) = (work.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                work();
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a worker");
    }
}

fn stm_table(quick: bool, rounds: usize) {
    let n: u64 = if quick { 200_000 } else { 2_000_000 };
    let threads = 8;
    let per_thread = n / 8;

    let store = Store::new();
    let stm_alone = time(rounds, || stm_increments(&store, n));
    let map = Mutex::new(HashMap::new());
    let mutex_alone = time(rounds, || mutex_increments(&map, n));

    let stm_contended = time(rounds, || {
        let store = Store::new();
        let check = store.clone();
        on_threads(threads, move || stm_increments(&store, per_thread));
        assert_eq!(check.get(&COUNT).unwrap(), Some(per_thread * 8));
    });
    let mutex_contended = time(rounds, || {
        let map = Arc::new(Mutex::new(HashMap::new()));
        let check = map.clone();
        on_threads(threads, move || mutex_increments(&map, per_thread));
        assert_eq!(check.lock().unwrap()["count"], per_thread * 8);
    });

    let rate = |d: Duration| n as f64 / d.as_secs_f64() / 1e6;
    println!(
        "\nSTM: {n} increments of one value, uncontended (one thread) and contended \
         ({threads} threads x {per_thread}), median of {rounds}"
    );
    println!("| variant | M commits/s | ns/commit | myelin / variant |");
    println!("|---|---:|---:|---:|");
    for (name, mine, theirs) in [
        ("uncontended", stm_alone, mutex_alone),
        ("contended, 8 threads", stm_contended, mutex_contended),
    ] {
        println!(
            "| myelin Store::atomically, {name} | {:.2} | {:.0} | 1.00 |",
            rate(mine),
            mine.as_nanos() as f64 / n as f64
        );
        println!(
            "| Mutex<HashMap<String, u64>>, {name} | {:.2} | {:.0} | {:.2} |",
            rate(theirs),
            theirs.as_nanos() as f64 / n as f64,
            rate(mine) / rate(theirs)
        );
    }
}

const FAN: Key<u64> = Key::new("fan");
const SUBSCRIBERS: usize = 10;

/// Publishes `0..n` into `FAN`.
#[component]
pub struct FanOut {
    n: u64,
    #[state(default)]
    publisher: Option<Publisher<u64>>,
}

impl Component for FanOut {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut publisher = self.publisher.take().expect("joined");
        for x in 0..self.n {
            publisher.publish(x).await;
        }
        Ok(())
    }

    fn meet(&mut self, places: &Places, _path: &str) {
        self.publisher = Some(places.backplane(&FAN).expect("one type").publisher());
    }
}

/// Sums what `FAN` carries.
#[component]
pub struct FanIn {
    sum: Arc<AtomicU64>,
    #[state(default)]
    subscription: Option<Subscription<u64>>,
}

impl Component for FanIn {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut subscription = self.subscription.take().expect("joined");
        let mut sum = 0;
        while let Some(x) = subscription.recv().await {
            sum += x;
        }
        self.sum.fetch_add(sum, Ordering::Relaxed);
        Ok(())
    }

    fn meet(&mut self, places: &Places, path: &str) {
        let plane = places.backplane(&FAN).expect("one type");
        self.subscription = Some(plane.subscribe(path, Policy::Wait(1024)));
    }
}

fn expected_sum(n: u64) -> u64 {
    n * (n - 1) / 2 * SUBSCRIBERS as u64
}

fn myelin_fan_out(n: u64) {
    let sum = Arc::new(AtomicU64::new(0));
    let graph = (0..SUBSCRIBERS).fold(
        Graph::new("fan").child(Some("publisher"), Node::new(FanOut::new(n))),
        |g, _| g.child(Some("subscriber"), Node::new(FanIn::new(sum.clone()))),
    );
    myelin::Runtime::new()
        .schedulers(1)
        .run(graph)
        .expect("the fan-out");
    assert_eq!(sum.load(Ordering::Relaxed), expected_sum(n));
}

fn tokio_fan_out(n: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let sum = runtime.block_on(async move {
        let (tx, _) = tokio::sync::broadcast::channel::<u64>(1 << 20);
        let receivers: Vec<_> = (0..SUBSCRIBERS)
            .map(|_| {
                let mut rx = tx.subscribe();
                tokio::spawn(async move {
                    let mut sum = 0;
                    while let Ok(x) = rx.recv().await {
                        sum += x;
                    }
                    sum
                })
            })
            .collect();
        let sender = tokio::spawn(async move {
            for x in 0..n {
                tx.send(x).expect("receivers");
            }
        });
        sender.await.expect("the sender");
        let mut sum = 0;
        for r in receivers {
            sum += r.await.expect("a receiver");
        }
        sum
    });
    assert_eq!(sum, expected_sum(n));
}

fn fan_out_table(quick: bool, rounds: usize) {
    let n: u64 = if quick { 100_000 } else { 1_000_000 };
    let mine = time(rounds, || myelin_fan_out(n));
    let theirs = time(rounds, || tokio_fan_out(n));
    let rate = |d: Duration| (n * SUBSCRIBERS as u64) as f64 / d.as_secs_f64() / 1e6;
    println!(
        "\nbackplane fan-out: {n} u64 from one publisher to {SUBSCRIBERS} subscribers, \
         one thread, median of {rounds}"
    );
    println!("| variant | ms | M deliveries/s | myelin / variant |");
    println!("|---|---:|---:|---:|");
    println!(
        "| myelin backplane, Policy::Wait(1024), one scheduler | {:.1} | {:.1} | 1.00 |",
        mine.as_secs_f64() * 1e3,
        rate(mine)
    );
    println!(
        "| tokio broadcast (capacity 2^20), current-thread runtime | {:.1} | {:.1} | {:.2} |",
        theirs.as_secs_f64() * 1e3,
        rate(theirs),
        rate(mine) / rate(theirs)
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 7 };
    stm_table(quick, rounds);
    fan_out_table(quick, rounds);
}
