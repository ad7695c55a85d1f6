//! What an idle generator component costs: heap bytes per component with
//! one inbox and one outbox, counted by a global allocator wrapper, as the
//! memory row of `benches/compare.rs` counts them (`BENCHMARKS.md`,
//! "Memory"). The only test in its binary, so nothing else allocates while
//! it counts.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use myelin::prelude::*;
use myelin::{Graph, Node, Part};

/// The most an idle component may keep, in bytes: what it keeps now (373
/// at this size), with a margin for the allocator's rounding and the
/// scheduler's tables.
const BOUND: usize = 400;

/// Components in the measured system: one less than a power of two, so
/// the scheduler's table of tasks (with the probe) is exactly full, as it
/// is about to be at a million in the benchmark.
const COMPONENTS: usize = (1 << 15) - 1;

struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; the
// counter is only a statistic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Passes every message on.
#[component]
struct Relay {
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

/// Measures the heap once every other component has started and paused,
/// then stops the system.
#[component]
struct Probe {
    baseline: usize,
    bytes: Arc<Mutex<Option<usize>>>,
}

impl Component for Probe {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.yield_now().await;
        let bytes = ALLOCATED
            .load(Ordering::Relaxed)
            .saturating_sub(self.baseline);
        *self.bytes.lock().unwrap() = Some(bytes);
        cx.shutdown_system();
        Ok(())
    }
}

#[test]
fn an_idle_component_with_one_inbox_and_one_outbox_keeps_few_bytes() {
    let bytes = Arc::new(Mutex::new(None));
    let result = bytes.clone();
    let per = common::within_hang(move || {
        let baseline = ALLOCATED.load(Ordering::Relaxed);
        // A ring with no token: every relay waits for ever.
        let nodes: Vec<_> = (0..COMPONENTS).map(|_| Node::new(Relay::new())).collect();
        let handles: Vec<_> = nodes.iter().map(Part::handles).collect();
        for (i, from) in handles.iter().enumerate() {
            let to = &handles[(i + 1) % COMPONENTS];
            myelin::link(&from.outbox, &to.inbox, None).unwrap();
        }
        drop(handles);
        let mut graph = Graph::new("idle");
        for node in nodes {
            graph = graph.child(Some("idle"), node);
        }
        let graph = graph.child(Some("probe"), Node::new(Probe::new(baseline, result)));
        let report = myelin::run(graph).unwrap();
        assert_eq!(report.components().len(), COMPONENTS + 1);
        let bytes = bytes.lock().unwrap().expect("the probe ran");
        bytes / COMPONENTS
    });
    println!("{per} bytes per idle component");
    assert!(
        per <= BOUND,
        "an idle component keeps {per} bytes, more than {BOUND}"
    );
}
