//! Meeting places against what a user would otherwise pick, in one run.
//!
//! - **STM**: commits of one increment through `Store::atomically` on one
//!   thread (uncontended), and the same increments of one value from 8
//!   threads at once (contended), against a `Mutex<HashMap<String, u64>>`
//!   doing the same updates.
//!
//! ```text
//! cargo bench -p myelin --bench meeting            # full sizes
//! cargo bench -p myelin --bench meeting -- --quick # smaller, for a smoke run
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myelin::meeting::{Key, Store};

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

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 7 };
    stm_table(quick, rounds);
}
