//! Memory across a process boundary: a test binary of its own, so that the
//! peak memory it reads is not disturbed by other tests running beside it.

use myelin::prelude::*;

myelin::process_test_entry!();

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

/// Starts late; then sends how many bytes it got and how much its
/// process's peak memory grew meanwhile.
#[component(process)]
pub struct Slow {
    inbox: Inbox<String>,
    outbox: Outbox<u64>,
}

impl Component for Slow {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let before = peak_rss_bytes();
        // Alone on its scheduler in the child, it may block: while it
        // sleeps, the producer runs as far ahead as the links let it.
        std::thread::sleep(std::time::Duration::from_secs(1));
        let mut bytes = 0u64;
        while let Some(block) = self.inbox.recv().await {
            bytes += block.len() as u64;
        }
        self.outbox.send(bytes).await?;
        self.outbox
            .send(peak_rss_bytes().saturating_sub(before))
            .await?;
        Ok(())
    }
}

/// Sends `count` blocks of 64 KiB as fast as it may.
#[component]
struct Blocks {
    outbox: Outbox<String>,
    count: usize,
}

impl Component for Blocks {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let block = "x".repeat(64 << 10);
        for _ in 0..self.count {
            self.outbox.send(block.clone()).await?;
        }
        Ok(())
    }
}

/// The most memory this process has held at once, from the kernel.
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("Linux reports VmHWM");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn a_fast_producer_feeding_a_slow_child_keeps_memory_bounded_on_both_sides() {
    myelin::process::init();
    // 640 blocks of 64 KiB: 40 MiB in all. The link holds 4 and the send
    // credit 64, so about 4.3 MiB can be in flight at once; unbounded
    // buffering would hold most of the 40 MiB on one side or the other.
    let count = 640;
    let before = peak_rss_bytes();
    let got = std::sync::Arc::default();
    myelin::run(graphline! {
        components {
            blocks: Blocks::new(count),
            slow: Slow::new(),
            sink: Sink::new(std::sync::Arc::clone(&got)),
        }
        links {
            blocks.outbox -> slow.inbox (capacity = 4),
            slow.outbox -> sink.inbox,
        }
    })
    .unwrap();
    let grew = peak_rss_bytes().saturating_sub(before);
    let got = got.lock().unwrap().clone();
    assert_eq!(got[0], (count as u64) << 16);
    assert!(
        grew < 16 << 20,
        "the parent's peak memory grew by {} MiB",
        grew >> 20
    );
    assert!(
        got[1] < 16 << 20,
        "the child's peak memory grew by {} MiB",
        got[1] >> 20
    );
}
