//! A component that adds a worker, with its own pair of boxes, for each
//! job it receives, and removes the pair when the job is done (Kamaelia's
//! AdaptiveCommsComponent, typed). The jobs are blocks of the bundled
//! `data/access.log`; each worker counts the status codes of its block, and
//! the dispatcher adds the counts up. The program checks the totals against
//! a plain count of the same file.
//!
//! ```text
//! cargo run --release --example job_workers
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use myelin::components::{Chunk, ReadLines};
use myelin::prelude::*;
use myelin::{Inboxes, Outboxes, link};
use myelin_examples::logs::parse_line;

/// Status code -> requests.
type Counts = BTreeMap<u16, u64>;

/// Counts the status codes of the lines it is given, then sends its counts
/// and ends.
#[component]
pub struct CountBlock {
    /// The lines of one job.
    inbox: Inbox<String>,
    /// The counts, once the job's lines have ended.
    outbox: Outbox<Counts>,
}

impl Component for CountBlock {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut counts = Counts::new();
        while let Some(line) = self.inbox.recv().await {
            if let Ok(request) = parse_line(&line) {
                *counts.entry(request.status).or_default() += 1;
            }
        }
        self.outbox.send(counts).await?;
        Ok(())
    }
}

/// Starts a `CountBlock` per job, with a pair of boxes keyed by the job's
/// number, and removes the pair when the worker's counts are back.
#[component]
pub struct Dispatch {
    /// Jobs: blocks of lines.
    inbox: Inbox<Vec<String>>,
    /// The totals, when every job is done.
    total: Arc<Mutex<Counts>>,
    /// The most workers running at once.
    widest: Arc<Mutex<usize>>,
}

impl Component for Dispatch {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut to_worker: Outboxes<usize, String> = Outboxes::new("to_worker");
        let mut from_worker: Inboxes<usize, Counts> = Inboxes::new("from_worker");
        let mut total = Counts::new();
        let mut jobs = 0;
        let mut open = true;
        while open || !from_worker.is_empty() {
            // A job or a worker's counts, whichever comes first (both
            // receives are cancel-safe).
            let next = std::future::poll_fn(|task| {
                if open && let Poll::Ready(job) = Pin::new(&mut self.inbox.recv()).poll(task) {
                    return Poll::Ready(Err(job));
                }
                if !from_worker.is_empty()
                    && let Poll::Ready(got) = Pin::new(&mut from_worker.recv()).poll(task)
                {
                    return Poll::Ready(Ok(got));
                }
                Poll::Pending
            })
            .await;
            match next {
                Err(Some(lines)) => {
                    let id = jobs;
                    jobs += 1;
                    let worker = CountBlock::new().into_part();
                    let ports = worker.handles();
                    link(&to_worker.add(id)?, &ports.inbox, None)?;
                    link(&ports.outbox, &from_worker.add(id)?, None)?;
                    cx.start(worker)?;
                    for line in lines {
                        to_worker.send(&id, line).await?;
                    }
                    // The job is all sent: closing its box ends the worker.
                    to_worker.remove(&id);
                    let mut widest = self.widest.lock().unwrap();
                    *widest = (*widest).max(from_worker.len());
                }
                Err(None) => open = false,
                Ok(Some((_, Some(counts)))) => {
                    for (status, n) in counts {
                        *total.entry(status).or_default() += n;
                    }
                }
                Ok(Some((id, None))) => {
                    // The worker has ended and its counts are in.
                    from_worker.remove(&id);
                }
                Ok(None) => unreachable!("waited only while workers ran"),
            }
        }
        *self.total.lock().unwrap() = total;
        Ok(())
    }
}

fn main() -> Result<(), myelin::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log").to_owned());
    let total = Arc::new(Mutex::new(Counts::new()));
    let widest = Arc::new(Mutex::new(0));
    let report = myelin::run(pipeline![
        ReadLines::new(path.clone().into()),
        Chunk::new(5_000),
        Dispatch::new(total.clone(), widest.clone()),
    ])?;
    let total = total.lock().unwrap().clone();
    let workers = report
        .components()
        .iter()
        .filter(|c| c.name.starts_with("Dispatch.CountBlock"))
        .count();
    println!("status  requests");
    for (status, n) in &total {
        println!("{status:>6}  {n:>8}");
    }
    println!(
        "\n{workers} workers, one per block of 5,000 lines; at most {} at once",
        widest.lock().unwrap()
    );
    // The same count, without components.
    let mut expect = Counts::new();
    let text = std::fs::read_to_string(&path).map_err(|e| Error::msg(format!("{path}: {e}")))?;
    for line in text.lines() {
        if let Ok(request) = parse_line(line) {
            *expect.entry(request.status).or_default() += 1;
        }
    }
    assert_eq!(total, expect, "the workers' totals match a plain count");
    Ok(())
}
