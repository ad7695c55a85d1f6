//! Generators and threads in one graphline, doing real work on the bundled
//! log: a generator splits `data/access.log` into blocks of lines, two
//! threaded workers parse their blocks in parallel (CPU work, off the
//! scheduler), a generator merges their partial results, and a threaded
//! writer stores the merged table as CSV with ordinary blocking file I/O.
//! The program then reads the file back and checks it against a
//! single-threaded count of the same log.
//!
//! ```text
//! cargo run --release --example mixed_kinds
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;

use myelin::prelude::*;
use myelin_examples::logs::parse_line;

/// Per-endpoint request count and bytes.
type Table = BTreeMap<String, (u64, u64)>;

/// Reads a file and deals its lines out in blocks, alternately to `left`
/// and `right`.
#[component]
pub struct Deal {
    /// Blocks for the first worker.
    left: Outbox<Vec<String>>,
    /// Blocks for the second worker.
    right: Outbox<Vec<String>>,
    path: PathBuf,
    block: usize,
}

impl Component for Deal {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let file = std::fs::File::open(&self.path)?;
        let mut block = Vec::with_capacity(self.block);
        let mut to_left = true;
        for line in std::io::BufReader::new(file).lines() {
            block.push(line?);
            if block.len() == self.block {
                let full = std::mem::replace(&mut block, Vec::with_capacity(self.block));
                if to_left {
                    self.left.send(full).await?;
                } else {
                    self.right.send(full).await?;
                }
                to_left = !to_left;
            }
        }
        if !block.is_empty() {
            self.left.send(block).await?;
        }
        Ok(())
    }
}

/// Parses blocks of log lines on its own thread and sends a partial table
/// per block.
#[component(thread)]
pub struct Tally {
    /// Blocks of lines; bounded, so the dealer waits for a busy worker.
    #[inbox(capacity = 4)]
    inbox: Inbox<Vec<String>>,
    /// One partial table per block.
    outbox: Outbox<Table>,
}

impl ThreadComponent for Tally {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(lines) = self.inbox.blocking_recv() {
            let mut table = Table::new();
            for line in &lines {
                if let Ok(r) = parse_line(line) {
                    let entry = table.entry(r.endpoint).or_default();
                    entry.0 += 1;
                    entry.1 += r.bytes;
                }
            }
            self.outbox.blocking_send(table)?;
        }
        Ok(())
    }
}

/// Merges partial tables (from any number of workers: their outboxes all
/// link to this one inbox) and sends the total when they have all finished.
#[component]
pub struct Merge {
    /// Partial tables.
    inbox: Inbox<Table>,
    /// The merged table.
    outbox: Outbox<Table>,
}

impl Component for Merge {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut total = Table::new();
        while let Some(part) = self.inbox.recv().await {
            for (endpoint, (n, bytes)) in part {
                let entry = total.entry(endpoint).or_default();
                entry.0 += n;
                entry.1 += bytes;
            }
        }
        self.outbox.send(total).await?;
        Ok(())
    }
}

/// Writes the table as CSV, with blocking file I/O on its own thread.
#[component(thread)]
pub struct WriteCsv {
    /// The table to write.
    inbox: Inbox<Table>,
    path: PathBuf,
}

impl ThreadComponent for WriteCsv {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        let Some(table) = self.inbox.blocking_recv() else {
            return Err(Error::msg("no table to write"));
        };
        let mut out = std::io::BufWriter::new(std::fs::File::create(&self.path)?);
        writeln!(out, "endpoint,requests,bytes")?;
        for (endpoint, (n, bytes)) in &table {
            writeln!(out, "{endpoint},{n},{bytes}")?;
        }
        out.flush()?;
        Ok(())
    }
}

fn main() -> Result<(), myelin::Error> {
    let log = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log"));
    let csv = std::env::temp_dir().join(format!("myelin-mixed-{}.csv", std::process::id()));

    let system = graphline! {
        components {
            deal: Deal::new(log.clone(), 500),
            left: Tally::new(),
            right: Tally::new(),
            merge: Merge::new(),
            write: WriteCsv::new(csv.clone()),
        }
        links {
            deal.left -> left.inbox,
            deal.right -> right.inbox,
            left.outbox -> merge.inbox,
            right.outbox -> merge.inbox,
            merge.outbox -> write.inbox,
        }
    };
    let started = std::time::Instant::now();
    let report = myelin::run(system)?;
    let elapsed = started.elapsed();

    // Check the file against a plain single-threaded count.
    let mut expected = Table::new();
    for line in std::fs::read_to_string(&log)?.lines() {
        if let Ok(r) = parse_line(line) {
            let entry = expected.entry(r.endpoint).or_default();
            entry.0 += 1;
            entry.1 += r.bytes;
        }
    }
    let mut written = Table::new();
    for line in std::fs::read_to_string(&csv)?.lines().skip(1) {
        let mut fields = line.rsplitn(3, ',');
        let bytes: u64 = fields.next().unwrap_or_default().parse()?;
        let n: u64 = fields.next().unwrap_or_default().parse()?;
        let endpoint = fields.next().unwrap_or_default().to_owned();
        written.insert(endpoint, (n, bytes));
    }
    std::fs::remove_file(&csv)?;
    if written != expected {
        return Err(Error::msg(
            "the CSV does not match a direct count of the log",
        ));
    }
    let requests: u64 = written.values().map(|(n, _)| n).sum();
    println!(
        "{requests} requests over {} endpoints, counted by two worker threads and checked \
         ({} components, {:.0} ms)",
        written.len(),
        report.components().len(),
        elapsed.as_secs_f64() * 1e3
    );
    for (endpoint, (n, bytes)) in &written {
        println!("  {endpoint:<20} {n:>6} requests {:>10} bytes", bytes);
    }
    Ok(())
}
