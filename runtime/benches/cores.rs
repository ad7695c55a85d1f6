//! Several schedulers: what spreading over cores gains for heavy work, what
//! it costs light work, and what a hop between schedulers costs, each
//! against the alternative in the same run. Run with
//!
//! ```text
//! cargo bench -p myelin --bench cores            # full sizes
//! cargo bench -p myelin --bench cores -- --quick # smaller, for a smoke run
//! ```
//!
//! - **CPU-bound farm**: a dealer deals messages round robin to 8 workers,
//!   each doing about 50 µs of real computation per message (a calibrated
//!   loop of multiply-xorshift rounds), and a merger sums the results: on 1
//!   scheduler, on 2, and as tokio tasks with unbounded `mpsc` channels on
//!   a 2-thread multi-thread runtime.
//! - **Light work**: the 10-stage relay pipeline (1,000,000 `u64`s) and
//!   the ring of 1,000 components (1,000,000 hops), on 1 and on 2
//!   schedulers: placement must keep a chatty chain together.
//! - **Hop between schedulers**: 1,000,000 `u64`s from a source on one
//!   scheduler to a summing sink on the other, against the same between two
//!   OS threads over an unbounded `flume` channel; and a ping-pong of 100,000
//!   round trips, both ways.
//!
//! Each time is the median of 5 rounds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myelin::prelude::*;
use myelin::{Graph, Node, Part, Runtime};

// ---------------------------------------------------------------------------
// Work

/// Rounds of the work loop that take about 50 µs here, found at start.
fn calibrate() -> u64 {
    let mut rounds = 1_000u64;
    loop {
        let t = Instant::now();
        for seed in 0..20 {
            std::hint::black_box(work(seed, rounds));
        }
        let per = t.elapsed() / 20;
        if per >= Duration::from_micros(5) {
            let scale = 50.0 / (per.as_secs_f64() * 1e6);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a loop count scaled by a small positive factor"
            )]
            return (rounds as f64 * scale) as u64;
        }
        rounds *= 4;
    }
}

/// About 50 µs of real computation for the calibrated `rounds`.
fn work(seed: u64, rounds: u64) -> u64 {
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15;
    for _ in 0..rounds {
        x = x.wrapping_mul(0x5851_f42d_4c95_7f2d).wrapping_add(1);
        x ^= x >> 29;
    }
    x
}

// ---------------------------------------------------------------------------
// Components

/// Deals `0..count` round robin over its eight outboxes.
#[component]
pub struct Dealer {
    w0: Outbox<u64>,
    w1: Outbox<u64>,
    w2: Outbox<u64>,
    w3: Outbox<u64>,
    w4: Outbox<u64>,
    w5: Outbox<u64>,
    w6: Outbox<u64>,
    w7: Outbox<u64>,
    count: u64,
}

impl Component for Dealer {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.count {
            let out = match n % 8 {
                0 => &mut self.w0,
                1 => &mut self.w1,
                2 => &mut self.w2,
                3 => &mut self.w3,
                4 => &mut self.w4,
                5 => &mut self.w5,
                6 => &mut self.w6,
                _ => &mut self.w7,
            };
            out.send(n).await?;
        }
        Ok(())
    }
}

/// Does the work for every message.
#[component]
pub struct Worker {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    rounds: u64,
}

impl Component for Worker {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(work(n, self.rounds)).await?;
        }
        Ok(())
    }
}

/// Sums what arrives into `total`.
#[component]
pub struct Merge {
    inbox: Inbox<u64>,
    total: Arc<Mutex<u64>>,
}

impl Component for Merge {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut sum = 0u64;
        while let Some(x) = self.inbox.recv().await {
            sum = sum.wrapping_add(x);
        }
        *self.total.lock().unwrap() = sum;
        Ok(())
    }
}

/// Sends `0..count`.
#[component]
pub struct Numbers {
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.count {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Passes every message on.
#[component]
pub struct Relay {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Relay {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(x) = self.inbox.recv().await {
            self.outbox.send(x).await?;
        }
        Ok(())
    }
}

/// Forwards a countdown token round a ring; stops the system at zero.
#[component]
pub struct RingNode {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    first: Option<u64>,
}

impl Component for RingNode {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if let Some(hops) = self.first.take() {
            self.outbox.send(hops).await?;
        }
        while let Some(left) = self.inbox.recv().await {
            if left == 0 {
                cx.shutdown_system();
                return Ok(());
            }
            self.outbox.send(left - 1).await?;
        }
        Ok(())
    }
}

/// Answers every ball with the same ball, `rounds` times, then ends.
#[component]
pub struct Paddle {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    serve: Option<u64>,
}

impl Component for Paddle {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        if let Some(rounds) = self.serve {
            for i in 0..rounds {
                self.outbox.send(i).await?;
                if self.inbox.recv().await.is_none() {
                    break;
                }
            }
            return Ok(());
        }
        while let Some(x) = self.inbox.recv().await {
            if self.outbox.send(x).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Workloads

fn myelin_farm(schedulers: usize, count: u64, rounds: u64) -> (Duration, u64) {
    let total = Arc::new(Mutex::new(0));
    let w = || Worker::new(rounds);
    let system = graphline! {
        components {
            dealer: Dealer::new(count),
            w0: w(), w1: w(), w2: w(), w3: w(), w4: w(), w5: w(), w6: w(), w7: w(),
            merge: Merge::new(total.clone()),
        }
        links {
            dealer.w0 -> w0.inbox, dealer.w1 -> w1.inbox, dealer.w2 -> w2.inbox,
            dealer.w3 -> w3.inbox, dealer.w4 -> w4.inbox, dealer.w5 -> w5.inbox,
            dealer.w6 -> w6.inbox, dealer.w7 -> w7.inbox,
            w0.outbox -> merge.inbox, w1.outbox -> merge.inbox, w2.outbox -> merge.inbox,
            w3.outbox -> merge.inbox, w4.outbox -> merge.inbox, w5.outbox -> merge.inbox,
            w6.outbox -> merge.inbox, w7.outbox -> merge.inbox,
        }
    };
    let t = Instant::now();
    Runtime::new().schedulers(schedulers).run(system).unwrap();
    let elapsed = t.elapsed();
    let total = *total.lock().unwrap();
    (elapsed, total)
}

fn tokio_farm(count: u64, rounds: u64) -> (Duration, u64) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let t = Instant::now();
    let total = rt.block_on(async move {
        let (merge_tx, mut merge_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        let mut workers = Vec::new();
        for _ in 0..8 {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
            let out = merge_tx.clone();
            tokio::spawn(async move {
                while let Some(n) = rx.recv().await {
                    let _ = out.send(work(n, rounds));
                }
            });
            workers.push(tx);
        }
        drop(merge_tx);
        tokio::spawn(async move {
            for n in 0..count {
                let _ = workers[(n % 8) as usize].send(n);
            }
        });
        let merger = tokio::spawn(async move {
            let mut sum = 0u64;
            while let Some(x) = merge_rx.recv().await {
                sum = sum.wrapping_add(x);
            }
            sum
        });
        merger.await.unwrap()
    });
    (t.elapsed(), total)
}

fn myelin_pipeline(schedulers: usize, messages: u64) -> Duration {
    let mut graph = Graph::new("pipeline");
    let source = Node::new(Numbers::new(messages));
    let mut prev = source.handles().outbox;
    graph = graph.child(None, source);
    for _ in 0..10 {
        let relay = Node::new(Relay::new());
        let h = relay.handles();
        myelin::link(&prev, &h.inbox, None).unwrap();
        prev = h.outbox;
        graph = graph.child(None, relay);
    }
    let total = Arc::new(Mutex::new(0));
    let sink = Node::new(Merge::new(total));
    myelin::link(&prev, &sink.handles().inbox, None).unwrap();
    drop(prev);
    graph = graph.child(None, sink);
    let t = Instant::now();
    Runtime::new().schedulers(schedulers).run(graph).unwrap();
    t.elapsed()
}

fn myelin_ring(schedulers: usize, nodes: usize, hops: u64) -> Duration {
    let mut graph = Graph::new("ring");
    let parts: Vec<_> = (0..nodes)
        .map(|i| Node::new(RingNode::new((i == 0).then_some(hops))))
        .collect();
    let handles: Vec<_> = parts.iter().map(Part::handles).collect();
    for i in 0..nodes {
        myelin::link(&handles[i].outbox, &handles[(i + 1) % nodes].inbox, None).unwrap();
    }
    drop(handles);
    for p in parts {
        graph = graph.child(None, p);
    }
    let t = Instant::now();
    Runtime::new().schedulers(schedulers).run(graph).unwrap();
    t.elapsed()
}

/// Source on scheduler 1, sink on scheduler 0 (or both on one).
fn myelin_hop(schedulers: usize, messages: u64) -> Duration {
    let total = Arc::new(Mutex::new(0));
    let system = pipeline![
        Numbers::new(messages).on_scheduler(1),
        Merge::new(total).on_scheduler(0)
    ];
    let t = Instant::now();
    Runtime::new().schedulers(schedulers).run(system).unwrap();
    t.elapsed()
}

fn flume_hop(messages: u64) -> Duration {
    let t = Instant::now();
    let (tx, rx) = flume::unbounded::<u64>();
    let sink = std::thread::spawn(move || {
        let mut sum = 0u64;
        for x in rx.iter() {
            sum = sum.wrapping_add(x);
        }
        std::hint::black_box(sum);
    });
    for i in 0..messages {
        tx.send(i).unwrap();
    }
    drop(tx);
    sink.join().unwrap();
    t.elapsed()
}

fn myelin_ping_pong(schedulers: usize, rounds: u64) -> Duration {
    let system = graphline! {
        components {
            a: Paddle::new(Some(rounds)).on_scheduler(0),
            b: Paddle::new(None).on_scheduler(1),
        }
        links {
            a.outbox -> b.inbox,
            b.outbox -> a.inbox,
        }
    };
    let t = Instant::now();
    Runtime::new().schedulers(schedulers).run(system).unwrap();
    t.elapsed()
}

fn flume_ping_pong(rounds: u64) -> Duration {
    let t = Instant::now();
    let (to_b, b_in) = flume::unbounded::<u64>();
    let (to_a, a_in) = flume::unbounded::<u64>();
    let b = std::thread::spawn(move || {
        for x in b_in.iter() {
            if to_a.send(x).is_err() {
                break;
            }
        }
    });
    for i in 0..rounds {
        to_b.send(i).unwrap();
        a_in.recv().unwrap();
    }
    drop(to_b);
    b.join().unwrap();
    t.elapsed()
}

// ---------------------------------------------------------------------------

fn median(mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..5).map(|_| f()).collect();
    times.sort();
    times[2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}", a.as_secs_f64() / b.as_secs_f64())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!("# Several schedulers ({cores} cores available)\n");

    let rounds = calibrate();
    let count: u64 = if quick { 1_000 } else { 4_000 };
    println!("## CPU-bound farm: {count} messages, 8 workers, ~50 us each ({rounds} rounds)\n");
    let (_, want) = myelin_farm(1, count, rounds);
    let one = median(|| {
        let (t, sum) = myelin_farm(1, count, rounds);
        assert_eq!(sum, want);
        t
    });
    let two = median(|| {
        let (t, sum) = myelin_farm(2, count, rounds);
        assert_eq!(sum, want);
        t
    });
    let tokio = median(|| {
        let (t, sum) = tokio_farm(count, rounds);
        assert_eq!(sum, want);
        t
    });
    println!("| system | time | speed-up over 1 scheduler |");
    println!("|---|---|---|");
    println!("| myelin, 1 scheduler | {} | 1.00 |", ms(one));
    println!(
        "| myelin, 2 schedulers | {} | {} |",
        ms(two),
        ratio(one, two)
    );
    println!(
        "| tokio multi-thread (2 workers), mpsc | {} | {} |",
        ms(tokio),
        ratio(one, tokio)
    );
    println!(
        "\nmyelin on 2 schedulers / tokio: {} (below 1 is faster)\n",
        ratio(two, tokio)
    );

    let messages: u64 = if quick { 200_000 } else { 1_000_000 };
    println!("## Light work: 1 scheduler against 2\n");
    println!("| workload | 1 scheduler | 2 schedulers | throughput on 2 / on 1 |");
    println!("|---|---|---|---|");
    let p1 = median(|| myelin_pipeline(1, messages));
    let p2 = median(|| myelin_pipeline(2, messages));
    println!(
        "| pipeline, 10 relays, {messages} messages | {} | {} | {} |",
        ms(p1),
        ms(p2),
        ratio(p1, p2)
    );
    let r1 = median(|| myelin_ring(1, 1000, messages));
    let r2 = median(|| myelin_ring(2, 1000, messages));
    println!(
        "| ring of 1000, {messages} hops | {} | {} | {} |",
        ms(r1),
        ms(r2),
        ratio(r1, r2)
    );

    println!("\n## A hop between schedulers against a flume hop between threads\n");
    println!("| workload | myelin | flume, 2 threads | myelin / flume | myelin, same scheduler |");
    println!("|---|---|---|---|---|");
    let h2 = median(|| myelin_hop(2, messages));
    let hf = median(|| flume_hop(messages));
    let h1 = median(|| myelin_hop(1, messages));
    println!(
        "| stream of {messages} u64 | {} ({:.0} ns/msg) | {} ({:.0} ns/msg) | {} | {} |",
        ms(h2),
        h2.as_secs_f64() * 1e9 / messages as f64,
        ms(hf),
        hf.as_secs_f64() * 1e9 / messages as f64,
        ratio(h2, hf),
        ms(h1)
    );
    let rounds: u64 = if quick { 20_000 } else { 100_000 };
    let g2 = median(|| myelin_ping_pong(2, rounds));
    let gf = median(|| flume_ping_pong(rounds));
    let g1 = median(|| myelin_ping_pong(1, rounds));
    println!(
        "| ping-pong, {rounds} round trips | {} ({:.1} us/trip) | {} ({:.1} us/trip) | {} | {} |",
        ms(g2),
        g2.as_secs_f64() * 1e6 / rounds as f64,
        ms(gf),
        gf.as_secs_f64() * 1e6 / rounds as f64,
        ratio(g2, gf),
        ms(g1)
    );
}
