//! Ports made while running: the cost of adding a port pair (an inbox and
//! an outbox in keyed groups), linking them, sending one message through,
//! and removing both, inside a running component; against creating a
//! tokio `mpsc` channel, sending one message through and dropping it, in
//! the same run. Run with
//!
//! ```text
//! cargo bench -p myelin --bench dynamic            # 1,000,000 pairs
//! cargo bench -p myelin --bench dynamic -- --quick # 100,000
//! ```

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myelin::prelude::*;
use myelin::{Inboxes, Outboxes, link};

/// Adds, links, uses and removes `pairs` port pairs; records the time.
#[component]
pub struct Churn {
    pairs: u64,
    took: Arc<Mutex<Duration>>,
}

impl Component for Churn {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut ins: Inboxes<u64, u64> = Inboxes::new("clients_in");
        let mut outs: Outboxes<u64, u64> = Outboxes::new("clients_out");
        let t = Instant::now();
        for key in 0..self.pairs {
            let inbox = ins.add(key)?;
            let outbox = outs.add(key)?;
            link(&outbox, &inbox, None)?;
            outs.send(&key, key).await?;
            let (_, got) = ins.recv().await.expect("one inbox");
            std::hint::black_box(got);
            outs.remove(&key);
            let left = ins.remove(&key).expect("added");
            debug_assert!(left.is_empty());
        }
        *self.took.lock().unwrap() = t.elapsed();
        Ok(())
    }
}

fn myelin_churn(pairs: u64) -> Duration {
    let took = Arc::new(Mutex::new(Duration::ZERO));
    myelin::run(pipeline![Churn::new(pairs, took.clone())]).unwrap();
    *took.lock().unwrap()
}

fn tokio_churn(pairs: u64) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move {
        let t = Instant::now();
        for key in 0..pairs {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
            tx.send(key).unwrap();
            std::hint::black_box(rx.recv().await);
            drop((tx, rx));
        }
        t.elapsed()
    })
}

fn median(mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..5).map(|_| f()).collect();
    times.sort();
    times[2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let pairs: u64 = if quick { 100_000 } else { 1_000_000 };
    let m = median(|| myelin_churn(pairs));
    let t = median(|| tokio_churn(pairs));
    #[expect(clippy::cast_precision_loss, reason = "a rate for a table")]
    let rate = |d: Duration| pairs as f64 / d.as_secs_f64();
    println!("# Port pairs made while running ({pairs} pairs, median of 5)\n");
    println!("| what | time | per second | ratio to tokio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| myelin: add an inbox and an outbox to groups, link, send one, remove both | {:.1} ms | {:.0} | {:.2} |",
        m.as_secs_f64() * 1e3,
        rate(m),
        m.as_secs_f64() / t.as_secs_f64()
    );
    println!(
        "| tokio: create an unbounded mpsc channel, send one, drop it | {:.1} ms | {:.0} | 1.00 |",
        t.as_secs_f64() * 1e3,
        rate(t)
    );
}
