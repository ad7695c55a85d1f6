//! myelin against what a user would otherwise pick, in one run.
//!
//! Prints one table per workload with the median of several rounds and the
//! ratios the targets in `BENCHMARKS.md` are stated in. Run with
//!
//! ```text
//! cargo bench -p myelin --bench compare            # full size
//! cargo bench -p myelin --bench compare -- --quick # smaller, for a smoke run
//! cargo bench -p myelin --bench compare -- --ring-only     # one myelin ring run, for profiling
//! cargo bench -p myelin --bench compare -- --pipeline-only # one myelin pipeline run, for profiling
//! cargo bench -p myelin --bench compare -- --memory-only   # bytes per idle myelin component
//! cargo bench -p myelin --bench compare -- --threads-only  # the cross-thread hop alone
//! cargo bench -p myelin --bench compare -- --fan-in-only   # the fan-in tables alone
//! cargo bench -p myelin --bench compare -- --fan-in-only --senders=250,1000 # other sizes
//! cargo bench -p myelin --bench compare -- --fan-in-run=10000 # one myelin fan-in run, for profiling
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use myelin::prelude::*;
use myelin::{Graph, Node, Part};

// ---------------------------------------------------------------------------
// Allocation counting, for bytes per idle component.

struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only keeps a byte count.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocated() -> usize {
    ALLOCATED.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------
// The components, written as a user would.

/// Sends `0..count`, recording when it started.
#[component]
pub struct Numbers {
    /// The numbers.
    outbox: Outbox<u64>,
    count: u64,
    started: Arc<Mutex<Option<Instant>>>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        *self.started.lock().unwrap() = Some(Instant::now());
        for i in 0..self.count {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Passes every message on.
#[component]
pub struct Relay {
    /// Messages in.
    inbox: Inbox<u64>,
    /// The same messages out.
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

/// Sums what arrives; records the elapsed time since the source started, and
/// optionally stops the whole system (to cancel idle components beside it).
#[component]
pub struct Sum {
    /// Numbers to add.
    inbox: Inbox<u64>,
    started: Arc<Mutex<Option<Instant>>>,
    elapsed: Arc<Mutex<Option<Duration>>>,
    stop_system: bool,
}

impl Component for Sum {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut sum = 0u64;
        while let Some(x) = self.inbox.recv().await {
            sum = sum.wrapping_add(x);
        }
        std::hint::black_box(sum);
        let started = self.started.lock().unwrap().expect("source ran first");
        *self.elapsed.lock().unwrap() = Some(started.elapsed());
        if self.stop_system {
            cx.shutdown_system();
        }
        Ok(())
    }
}

/// Forwards a countdown token round a ring; stops the system at zero.
#[component]
pub struct RingNode {
    /// The token.
    inbox: Inbox<u64>,
    /// The token, one less.
    outbox: Outbox<u64>,
    /// Set on the node that starts the ring.
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

/// Passes every message on, on its own thread, the blocking way.
#[component(thread)]
pub struct ThreadRelay {
    /// Messages in.
    inbox: Inbox<u64>,
    /// The same messages out.
    outbox: Outbox<u64>,
}

impl ThreadComponent for ThreadRelay {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(x) = self.inbox.blocking_recv() {
            self.outbox.blocking_send(x)?;
        }
        Ok(())
    }
}

/// Sends `0..count` with `send().await`: one of many senders into one inbox.
#[component]
pub struct Burst {
    /// The numbers.
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for Burst {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.count {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Sends `0..count` with `try_send`, keeping a refused message and pausing
/// until room appears (the Axon way of waiting for room).
#[component]
pub struct TryBurst {
    /// The numbers.
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for TryBurst {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut i = 0;
        while i < self.count {
            match self.outbox.try_send(i) {
                Ok(()) => i += 1,
                Err(e) if e.kind() == myelin::SendErrorKind::Full => cx.pause().await,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Counts what arrives, for the fan-in workloads to check.
#[component]
pub struct Tally {
    /// Numbers from every sender.
    inbox: Inbox<u64>,
    count: Arc<AtomicUsize>,
}

impl Component for Tally {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut n = 0;
        while let Some(x) = self.inbox.recv().await {
            std::hint::black_box(x);
            n += 1;
        }
        self.count.store(n, Ordering::Relaxed);
        Ok(())
    }
}

/// Measures the heap once every other component has started and paused.
#[component]
pub struct Probe {
    baseline: usize,
    per: usize,
    result: Arc<Mutex<Option<f64>>>,
}

impl Component for Probe {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.yield_now().await;
        let bytes = allocated().saturating_sub(self.baseline);
        *self.result.lock().unwrap() = Some(bytes as f64 / self.per as f64);
        cx.shutdown_system();
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Workloads.

const STAGES: usize = 10;

/// A source, `STAGES` relays and a sink: `STAGES + 1` hops per message.
fn myelin_pipeline(messages: u64, idle: usize) -> Duration {
    pipeline_on(myelin::Runtime::new(), messages, idle)
}

/// `myelin_pipeline` in a system started with `Runtime::introspect`.
fn myelin_pipeline_introspected(messages: u64) -> Duration {
    pipeline_on(myelin::Runtime::new().introspect(), messages, 0)
}

fn pipeline_on(runtime: myelin::Runtime, messages: u64, idle: usize) -> Duration {
    let started = Arc::new(Mutex::new(None));
    let elapsed = Arc::new(Mutex::new(None));
    let mut graph = Graph::new("bench");
    if idle > 0 {
        graph = idle_ring(graph, idle);
    }
    let source = Node::new(Numbers::new(messages, started.clone()));
    let mut prev = source.handles().outbox;
    graph = graph.child(Some("numbers"), source);
    for _ in 0..STAGES {
        let relay = Node::new(Relay::new());
        let h = relay.handles();
        myelin::link(&prev, &h.inbox, None).unwrap();
        prev = h.outbox;
        graph = graph.child(None, relay);
    }
    let sink = Node::new(Sum::new(started, elapsed.clone(), idle > 0));
    myelin::link(&prev, &sink.handles().inbox, None).unwrap();
    graph = graph.child(Some("sum"), sink);
    runtime.run(graph).unwrap();
    elapsed.lock().unwrap().expect("sink finished")
}

/// `n` relays in a ring with no token: every one waits forever.
fn idle_ring<H>(mut graph: Graph<H>, n: usize) -> Graph<H> {
    let nodes: Vec<_> = (0..n).map(|_| Node::new(Relay::new())).collect();
    let handles: Vec<_> = nodes.iter().map(Part::handles).collect();
    for i in 0..n {
        myelin::link(&handles[i].outbox, &handles[(i + 1) % n].inbox, None).unwrap();
    }
    drop(handles);
    for node in nodes {
        graph = graph.child(Some("idle"), node);
    }
    graph
}

fn myelin_ring(nodes: usize, hops: u64) -> Duration {
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
    myelin::run(graph).unwrap();
    t.elapsed()
}

fn myelin_idle_bytes(n: usize) -> f64 {
    let result = Arc::new(Mutex::new(None));
    let baseline = allocated();
    let graph = idle_ring(Graph::new("idle"), n);
    let graph = graph.child(
        Some("probe"),
        Node::new(Probe::new(baseline, n, result.clone())),
    );
    myelin::run(graph).unwrap();
    result.lock().unwrap().expect("probe ran")
}

/// Generator -> thread -> generator: two hops that cross threads.
fn myelin_thread_hop(messages: u64) -> Duration {
    let started = Arc::new(Mutex::new(None));
    let elapsed = Arc::new(Mutex::new(None));
    let system = pipeline![
        Numbers::new(messages, started.clone()),
        ThreadRelay::new(),
        Sum::new(started, elapsed.clone(), false)
    ];
    myelin::run(system).unwrap();
    elapsed.lock().unwrap().expect("sink finished")
}

/// The same shape with two OS threads and two unbounded flume channels.
fn flume_thread_hop(messages: u64) -> Duration {
    let t = Instant::now();
    let (to_relay, relay_in) = flume::unbounded::<u64>();
    let (relay_out, back) = flume::unbounded::<u64>();
    let relay = std::thread::spawn(move || {
        for x in relay_in.iter() {
            relay_out.send(x).unwrap();
        }
    });
    let sink = std::thread::spawn(move || {
        let mut sum = 0u64;
        for x in back.iter() {
            sum = sum.wrapping_add(x);
        }
        std::hint::black_box(sum);
    });
    for i in 0..messages {
        to_relay.send(i).unwrap();
    }
    drop(to_relay);
    relay.join().unwrap();
    sink.join().unwrap();
    t.elapsed()
}

/// `senders` components each sending `per` messages into one inbox of
/// `capacity` (`None`: unbounded); the whole run, starting included.
fn myelin_fan_in(senders: usize, per: u64, capacity: Option<usize>, try_send: bool) -> Duration {
    let count = Arc::new(AtomicUsize::new(0));
    let mut graph = Graph::new("fan-in");
    let sink = Node::new(Tally::new(count.clone()));
    let inbox = sink.handles().inbox;
    for _ in 0..senders {
        if try_send {
            let sender = Node::new(TryBurst::new(per));
            myelin::link(&sender.handles().outbox, &inbox, capacity).unwrap();
            graph = graph.child(None, sender);
        } else {
            let sender = Node::new(Burst::new(per));
            myelin::link(&sender.handles().outbox, &inbox, capacity).unwrap();
            graph = graph.child(None, sender);
        }
    }
    drop(inbox);
    graph = graph.child(Some("tally"), sink);
    let t = Instant::now();
    myelin::run(graph).unwrap();
    let d = t.elapsed();
    assert_eq!(count.load(Ordering::Relaxed), senders * per as usize);
    d
}

/// The same with tokio tasks and one `mpsc` channel (`channel(capacity)`,
/// or `unbounded_channel`), spawning included.
fn tokio_fan_in(senders: usize, per: u64, capacity: Option<usize>) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let t = Instant::now();
        let mut n = 0;
        if let Some(capacity) = capacity {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(capacity);
            for _ in 0..senders {
                let tx = tx.clone();
                tokio::task::spawn(async move {
                    for i in 0..per {
                        tx.send(i).await.unwrap();
                    }
                });
            }
            drop(tx);
            while let Some(x) = rx.recv().await {
                std::hint::black_box(x);
                n += 1;
            }
        } else {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
            for _ in 0..senders {
                let tx = tx.clone();
                tokio::task::spawn(async move {
                    for i in 0..per {
                        tx.send(i).unwrap();
                    }
                });
            }
            drop(tx);
            while let Some(x) = rx.recv().await {
                std::hint::black_box(x);
                n += 1;
            }
        }
        assert_eq!(n, senders * per as usize);
        t.elapsed()
    })
}

fn tokio_pipeline(messages: u64) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let t = Instant::now();
        let (tx0, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        tokio::task::spawn(async move {
            for i in 0..messages {
                tx0.send(i).unwrap();
            }
        });
        for _ in 0..STAGES {
            let (tx, next) = tokio::sync::mpsc::unbounded_channel::<u64>();
            let mut input = rx;
            tokio::task::spawn(async move {
                while let Some(x) = input.recv().await {
                    tx.send(x).unwrap();
                }
            });
            rx = next;
        }
        let sink = tokio::task::spawn(async move {
            let mut sum = 0u64;
            while let Some(x) = rx.recv().await {
                sum = sum.wrapping_add(x);
            }
            std::hint::black_box(sum);
        });
        sink.await.unwrap();
        t.elapsed()
    })
}

fn tokio_ring(nodes: usize, hops: u64) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let t = Instant::now();
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..nodes)
            .map(|_| tokio::sync::mpsc::unbounded_channel::<u64>())
            .unzip();
        // Whichever task sees zero ends the run.
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let done = Arc::new(Mutex::new(Some(done_tx)));
        for (i, mut rx) in rxs.into_iter().enumerate() {
            let next = txs[(i + 1) % nodes].clone();
            let done = done.clone();
            tokio::task::spawn(async move {
                while let Some(left) = rx.recv().await {
                    if left == 0 {
                        if let Some(tx) = done.lock().unwrap().take() {
                            let _ = tx.send(());
                        }
                        return;
                    }
                    let _ = next.send(left - 1);
                }
            });
        }
        txs[0].send(hops).unwrap();
        done_rx.await.unwrap();
        t.elapsed()
    })
}

fn tokio_idle_bytes(n: usize) -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let baseline = allocated();
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..n)
            .map(|_| tokio::sync::mpsc::unbounded_channel::<u64>())
            .unzip();
        for (i, mut rx) in rxs.into_iter().enumerate() {
            let next = txs[(i + 1) % n].clone();
            tokio::task::spawn(async move {
                while let Some(x) = rx.recv().await {
                    let _ = next.send(x);
                }
            });
        }
        drop(txs);
        tokio::task::yield_now().await;
        (allocated().saturating_sub(baseline)) as f64 / n as f64
    })
}

fn threads_pipeline(messages: u64) -> Duration {
    let t = Instant::now();
    let (tx0, mut rx) = flume::unbounded::<u64>();
    let mut handles = vec![std::thread::spawn(move || {
        for i in 0..messages {
            tx0.send(i).unwrap();
        }
    })];
    for _ in 0..STAGES {
        let (tx, next) = flume::unbounded::<u64>();
        let input = rx;
        handles.push(std::thread::spawn(move || {
            for x in input.iter() {
                tx.send(x).unwrap();
            }
        }));
        rx = next;
    }
    let mut sum = 0u64;
    for x in rx.iter() {
        sum = sum.wrapping_add(x);
    }
    std::hint::black_box(sum);
    for h in handles {
        h.join().unwrap();
    }
    t.elapsed()
}

/// The upper bound: plain futures over unsynchronised `VecDeque`s, each
/// draining its whole queue per poll, polled round robin. No wakers, no
/// ports, no failure handling: what is left when everything myelin adds is
/// taken away.
fn raw_pipeline(messages: u64) -> Duration {
    type Queue = Rc<RefCell<VecDeque<u64>>>;
    struct Stage {
        input: Option<Queue>,
        output: Option<Queue>,
        next: u64,
        seen: u64,
        sum: u64,
    }
    impl Future for Stage {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<()> {
            let this = &mut *self;
            match (&this.input, &this.output) {
                (None, Some(out)) => {
                    let mut out = out.borrow_mut();
                    let end = (this.next + 128).min(this.seen);
                    for i in this.next..end {
                        out.push_back(i);
                    }
                    this.next = end;
                    if this.next == this.seen {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                }
                (Some(input), Some(out)) => {
                    let mut input = input.borrow_mut();
                    let mut out = out.borrow_mut();
                    while let Some(x) = input.pop_front() {
                        out.push_back(x);
                        this.next += 1;
                    }
                    if this.next == this.seen {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                }
                (Some(input), None) => {
                    let mut input = input.borrow_mut();
                    while let Some(x) = input.pop_front() {
                        this.sum = this.sum.wrapping_add(x);
                        this.next += 1;
                    }
                    if this.next == this.seen {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                }
                (None, None) => Poll::Ready(()),
            }
        }
    }
    let queues: Vec<Queue> = (0..=STAGES).map(|_| Queue::default()).collect();
    let mut stages: Vec<Pin<Box<Stage>>> = Vec::new();
    stages.push(Box::pin(Stage {
        input: None,
        output: Some(queues[0].clone()),
        next: 0,
        seen: messages,
        sum: 0,
    }));
    for i in 0..STAGES {
        stages.push(Box::pin(Stage {
            input: Some(queues[i].clone()),
            output: Some(queues[i + 1].clone()),
            next: 0,
            seen: messages,
            sum: 0,
        }));
    }
    stages.push(Box::pin(Stage {
        input: Some(queues[STAGES].clone()),
        output: None,
        next: 0,
        seen: messages,
        sum: 0,
    }));
    let t = Instant::now();
    let mut cx = TaskContext::from_waker(Waker::noop());
    let mut live: Vec<bool> = vec![true; stages.len()];
    while live.iter().any(|l| *l) {
        for (stage, live) in stages.iter_mut().zip(live.iter_mut()) {
            if *live && stage.as_mut().poll(&mut cx).is_ready() {
                *live = false;
            }
        }
    }
    std::hint::black_box(stages.last().map(|s| s.sum));
    t.elapsed()
}

// ---------------------------------------------------------------------------
// Reporting.

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn rate(hops: u64, d: Duration) -> f64 {
    hops as f64 / d.as_secs_f64() / 1e6
}

fn main() {
    if std::env::args().any(|a| a == "--memory-only") {
        println!(
            "memory {:.0} bytes per idle component",
            myelin_idle_bytes(1_000_000)
        );
        return;
    }
    if std::env::args().any(|a| a == "--threads-only") {
        for _ in 0..3 {
            let m = myelin_thread_hop(1_000_000);
            let f = flume_thread_hop(1_000_000);
            println!(
                "thread hop: myelin {:.1} ns/hop, flume {:.1} ns/hop",
                m.as_nanos() as f64 / 2e6,
                f.as_nanos() as f64 / 2e6
            );
        }
        return;
    }
    if std::env::args().any(|a| a == "--pipeline-only") {
        let d = myelin_pipeline(1_000_000, 0);
        println!("pipeline {:.1} M hops/s", rate(11_000_000, d));
        return;
    }
    if std::env::args().any(|a| a == "--introspected-only") {
        let d = myelin_pipeline_introspected(1_000_000);
        println!("pipeline, introspected {:.1} M hops/s", rate(11_000_000, d));
        return;
    }
    if std::env::args().any(|a| a == "--ring-only") {
        let d = myelin_ring(1000, 1_000_000);
        println!("ring {:.1} M hops/s", rate(1_000_000, d));
        return;
    }
    if let Some(n) = std::env::args().find_map(|a| {
        a.strip_prefix("--fan-in-run=")
            .map(|n| n.parse::<usize>().unwrap())
    }) {
        let d = myelin_fan_in(n, 10, Some(1), false);
        println!(
            "fan-in of {n} x 10 into capacity 1: {:.1} ms",
            d.as_secs_f64() * 1e3
        );
        return;
    }
    if std::env::args().any(|a| a == "--fan-in-only") {
        let quick = std::env::args().any(|a| a == "--quick");
        fan_in_tables(
            if quick { 3 } else { 7 },
            if quick { 100_000 } else { 1_000_000 },
            quick,
        );
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 7 };
    let messages: u64 = if quick { 100_000 } else { 1_000_000 };
    let idle: usize = if quick { 100_000 } else { 1_000_000 };
    let ring_nodes = 1000;
    let ring_hops: u64 = if quick { 100_000 } else { 1_000_000 };
    let hops = messages * (STAGES as u64 + 1);

    println!(
        "pipeline: {messages} u64 messages through {STAGES} relays ({hops} hops), median of {rounds}"
    );
    let mut rows: Vec<(&str, f64)> = Vec::new();
    let mut measure = |name: &'static str, f: &dyn Fn() -> Duration| {
        let d = median((0..rounds).map(|_| f()).collect());
        rows.push((name, rate(hops, d)));
    };
    measure("myelin generators", &|| myelin_pipeline(messages, 0));
    measure("myelin generators, introspected", &|| {
        myelin_pipeline_introspected(messages)
    });
    measure("tokio current-thread + unbounded mpsc", &|| {
        tokio_pipeline(messages)
    });
    measure("11 OS threads + flume", &|| threads_pipeline(messages));
    measure("raw futures over VecDeque (upper bound)", &|| {
        raw_pipeline(messages)
    });
    let mine = rows[0].1;
    println!("| variant | M hops/s | myelin / variant |");
    println!("|---|---:|---:|");
    for (name, r) in &rows {
        println!("| {name} | {r:.1} | {:.2} |", mine / r);
    }

    println!();
    let long = messages * 10;
    println!(
        "idle components beside a pipeline: {long} messages through {STAGES} relays, with and \
         without {idle} idle components in the same system, median of {rounds}"
    );
    let alone = median((0..rounds).map(|_| myelin_pipeline(long, 0)).collect());
    let beside = median((0..rounds).map(|_| myelin_pipeline(long, idle)).collect());
    let long_hops = long * (STAGES as u64 + 1);
    println!("| system | M hops/s | relative |");
    println!("|---|---:|---:|");
    println!("| pipeline alone | {:.1} | 1.00 |", rate(long_hops, alone));
    println!(
        "| pipeline + {idle} idle components | {:.1} | {:.2} |",
        rate(long_hops, beside),
        rate(long_hops, beside) / rate(long_hops, alone)
    );

    println!();
    println!("ring: {ring_nodes} components, one token, {ring_hops} hops, median of {rounds}");
    let m = median(
        (0..rounds)
            .map(|_| myelin_ring(ring_nodes, ring_hops))
            .collect(),
    );
    let t = median(
        (0..rounds)
            .map(|_| tokio_ring(ring_nodes, ring_hops))
            .collect(),
    );
    println!("| variant | M hops/s | ns/hop | myelin / variant |");
    println!("|---|---:|---:|---:|");
    for (name, d) in [
        ("myelin generators", m),
        ("tokio tasks + unbounded mpsc", t),
    ] {
        println!(
            "| {name} | {:.1} | {:.1} | {:.2} |",
            rate(ring_hops, d),
            d.as_nanos() as f64 / ring_hops as f64,
            rate(ring_hops, m) / rate(ring_hops, d)
        );
    }

    println!();
    println!(
        "across threads: {messages} u64 messages, generator -> threaded component -> \
         generator (2 hops each), median of {rounds}"
    );
    let m = median((0..rounds).map(|_| myelin_thread_hop(messages)).collect());
    let f = median((0..rounds).map(|_| flume_thread_hop(messages)).collect());
    println!("| variant | ns/hop | M hops/s | myelin / variant |");
    println!("|---|---:|---:|---:|");
    for (name, d) in [
        ("myelin generator -> thread -> generator", m),
        ("two OS threads + flume, same shape", f),
    ] {
        println!(
            "| {name} | {:.1} | {:.1} | {:.2} |",
            d.as_nanos() as f64 / (2 * messages) as f64,
            rate(2 * messages, d),
            rate(2 * messages, m) / rate(2 * messages, d)
        );
    }

    println!();
    println!("memory: bytes per idle component (one inbox, one outbox), over {idle}");
    let mb = myelin_idle_bytes(idle);
    let tb = tokio_idle_bytes(idle);
    println!("| variant | bytes |");
    println!("|---|---:|");
    println!("| myelin generator component | {mb:.0} |");
    println!("| tokio task + unbounded mpsc channel | {tb:.0} |");

    println!();
    fan_in_tables(rounds, messages, quick);
}

/// Many senders into one small inbox, and many producers into one bounded
/// inbox against the same unbounded.
fn fan_in_tables(rounds: usize, messages: u64, quick: bool) {
    println!(
        "fan-in: N senders x 10 messages into one inbox of capacity 1 (the whole run, \
         starting the senders included), median of {rounds}"
    );
    println!(
        "| senders | myelin `send().await` (ms) | tokio tasks + `channel(1)` (ms) | myelin / tokio |"
    );
    println!("|---:|---:|---:|---:|");
    // `--senders=250,1000` measures other sizes.
    let sizes: Vec<usize> = std::env::args()
        .find_map(|a| a.strip_prefix("--senders=").map(str::to_owned))
        .map_or_else(
            || vec![1_000, 10_000],
            |list| list.split(',').map(|n| n.parse().unwrap()).collect(),
        );
    for &senders in &sizes {
        let m = median(
            (0..rounds)
                .map(|_| myelin_fan_in(senders, 10, Some(1), false))
                .collect(),
        );
        let t = median(
            (0..rounds)
                .map(|_| tokio_fan_in(senders, 10, Some(1)))
                .collect(),
        );
        println!(
            "| {senders} | {:.1} | {:.1} | {:.2} |",
            m.as_secs_f64() * 1e3,
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / m.as_secs_f64()
        );
    }

    // Components waiting with `try_send` and `pause` keep no place in line:
    // every take wakes them all, so a crowd costs time quadratic in its size
    // (10,000 take about a minute: one round, and only in the full run).
    println!();
    println!(
        "fan-in with `try_send` + `pause`: N components x 10 messages into one inbox of \
         capacity 1, median of {rounds} (one round above 1,000)"
    );
    println!("| components | myelin (ms) |");
    println!("|---:|---:|");
    for &senders in &sizes {
        if quick && senders > 1_000 {
            continue;
        }
        let n = if senders > 1_000 { 1 } else { rounds };
        let p = median(
            (0..n)
                .map(|_| myelin_fan_in(senders, 10, Some(1), true))
                .collect(),
        );
        println!("| {senders} | {:.1} |", p.as_secs_f64() * 1e3);
    }

    println!();
    let producers = 100;
    let per = messages / producers as u64;
    let total = per * producers as u64;
    println!(
        "many producers: {producers} senders x {per} messages into one inbox, bounded to 64 \
         against unbounded, median of {rounds}"
    );
    println!("| variant | bounded 64 (M msgs/s) | unbounded (M msgs/s) | bounded / unbounded |");
    println!("|---|---:|---:|---:|");
    let mb = median(
        (0..rounds)
            .map(|_| myelin_fan_in(producers, per, Some(64), false))
            .collect(),
    );
    let mu = median(
        (0..rounds)
            .map(|_| myelin_fan_in(producers, per, None, false))
            .collect(),
    );
    let tb = median(
        (0..rounds)
            .map(|_| tokio_fan_in(producers, per, Some(64)))
            .collect(),
    );
    let tu = median(
        (0..rounds)
            .map(|_| tokio_fan_in(producers, per, None))
            .collect(),
    );
    for (name, b, u) in [
        ("myelin generators", mb, mu),
        ("tokio tasks + mpsc", tb, tu),
    ] {
        println!(
            "| {name} | {:.1} | {:.1} | {:.2} |",
            rate(total, b),
            rate(total, u),
            rate(total, b) / rate(total, u)
        );
    }
}
