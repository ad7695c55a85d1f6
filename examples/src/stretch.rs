//! Key stretching of log lines on a pool of worker processes, used by the
//! `process_pool` example.
//!
//! Every line of a web-server log is given a keyed digest the way a password
//! is hashed for storage: one FNV-1a pass over the key and the line, then
//! `rounds` more passes, each over the previous digest and the line again.
//! The digests are summed per endpoint and status into a fingerprint of that
//! traffic, next to request and byte counts. The work is all CPU and every
//! line is independent, so it spreads over processes; the sums do not depend
//! on the order lines are seen in, so the result can be checked against a
//! plain single-threaded pass ([`direct`]).
//!
//! [`system`] builds the whole run as one graphline of three kinds of
//! component:
//!
//! ```text
//! read ─▶ pool ────────────────────────────────────────────▶ write
//!         deal ─┬▶ Stretch  (child process) ─┬▶ merge        (thread: CSV)
//!          ▲    ├▶ Stretch2 (child process) ─┤
//!          │    └▶ ...                      ─┘
//!          └─ done: a worker's number each time it finishes a chunk
//! ```
//!
//! `read` (a generator) cuts the log into chunks of lines; `pool` is a graph
//! built by hand with [`pool`], because its number of workers is only known
//! at run time: a generator that deals the chunks out to whichever worker
//! has the least work queued, that many `#[component(process)]` workers,
//! and a generator that merges their summaries; `write` (a threaded
//! component) stores the merged table as CSV with blocking file I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use myelin::prelude::*;
use myelin::{Graph, InboxPort, IntoPart, Node, OutboxPort, Part};
use serde::{Deserialize, Serialize};

use crate::logs::parse_line;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The endpoint that lines which do not parse are counted under.
pub const UNPARSED: &str = "(unparsed)";

/// Continues an FNV-1a 64 hash from state `hash` over `bytes`.
///
/// ```
/// use myelin_examples::stretch::fnv1a;
/// const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// assert_eq!(fnv1a(OFFSET, b""), OFFSET);
/// assert_eq!(fnv1a(OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
/// assert_eq!(fnv1a(fnv1a(OFFSET, b"foo"), b"bar"), fnv1a(OFFSET, b"foobar"));
/// ```
#[inline]
pub fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// The keyed, stretched digest of `line`: FNV-1a over `key` and `line`, then
/// `rounds` times FNV-1a over the previous digest and `line`. The cost grows
/// linearly with `rounds` and no round can start before the one before it
/// ends.
///
/// ```
/// use myelin_examples::stretch::stretch;
/// let line = "GET /api/items/42";
/// assert_ne!(stretch(b"key", line, 10), stretch(b"key", line, 11));
/// assert_ne!(stretch(b"key", line, 10), stretch(b"other", line, 10));
/// assert_eq!(stretch(b"key", line, 10), stretch(b"key", line, 10));
/// ```
pub fn stretch(key: &[u8], line: &str, rounds: u32) -> u64 {
    let line = line.as_bytes();
    let mut digest = fnv1a(fnv1a(FNV_OFFSET, key), line);
    for _ in 0..rounds {
        digest = fnv1a(fnv1a(FNV_OFFSET, &digest.to_le_bytes()), line);
    }
    digest
}

/// What the lines of one endpoint and status add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Number of lines.
    pub requests: u64,
    /// Response bytes.
    pub bytes: u64,
    /// The wrapping sum of the lines' stretched digests: the same whatever
    /// order the lines are seen in, and changed by any change to any line.
    pub fingerprint: u64,
}

impl Group {
    /// Adds `other` into this group.
    pub fn absorb(&mut self, other: Group) {
        self.requests += other.requests;
        self.bytes += other.bytes;
        self.fingerprint = self.fingerprint.wrapping_add(other.fingerprint);
    }
}

/// Groups by endpoint (numeric segments folded to `{id}`) and status; lines
/// that do not parse are counted under ([`UNPARSED`], 0).
pub type Table = BTreeMap<(String, u16), Group>;

/// Adds one line to `table`.
pub fn tally(table: &mut Table, key: &[u8], line: &str, rounds: u32) {
    let (endpoint, status, bytes) = match parse_line(line) {
        Ok(r) => (r.endpoint, r.status, r.bytes),
        Err(_) => (UNPARSED.to_owned(), 0, 0),
    };
    table.entry((endpoint, status)).or_default().absorb(Group {
        requests: 1,
        bytes,
        fingerprint: stretch(key, line, rounds),
    });
}

/// Adds every group of `part` into `total`.
pub fn merge_into(total: &mut Table, part: Table) {
    for (key, group) in part {
        total.entry(key).or_default().absorb(group);
    }
}

/// The table of `text`'s lines, computed directly on this thread with no
/// components at all: what the pool's result is checked against.
pub fn direct(text: &str, key: &[u8], rounds: u32) -> Table {
    let mut table = Table::new();
    for line in text.lines() {
        tally(&mut table, key, line, rounds);
    }
    table
}

/// A run of consecutive lines of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// Its position among the chunks, from 0.
    pub index: u32,
    /// The lines.
    pub lines: Vec<String>,
}

/// A worker's result for one chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The chunk it summarises.
    pub chunk: u32,
    /// The worker that did it.
    pub worker: usize,
    /// The chunk's groups.
    pub table: Table,
}

/// Everything merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Total {
    /// How many chunks were merged.
    pub chunks: u32,
    /// The merged groups.
    pub table: Table,
}

/// Reads a file and sends its lines in chunks of `lines` lines (the last
/// one may be shorter).
#[component]
pub struct ReadChunks {
    /// The chunks, in order.
    outbox: Outbox<Chunk>,
    path: PathBuf,
    lines: usize,
}

impl Component for ReadChunks {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let file = std::fs::File::open(&self.path)
            .map_err(|e| Error::msg(format!("cannot open {}: {e}", self.path.display())))?;
        let size = self.lines.max(1);
        let mut chunk = Chunk {
            index: 0,
            lines: Vec::with_capacity(size),
        };
        for line in std::io::BufReader::new(file).lines() {
            chunk.lines.push(line?);
            if chunk.lines.len() == size {
                let next = Chunk {
                    index: chunk.index + 1,
                    lines: Vec::with_capacity(size),
                };
                self.outbox
                    .send(std::mem::replace(&mut chunk, next))
                    .await?;
            }
        }
        if !chunk.lines.is_empty() {
            self.outbox.send(chunk).await?;
        }
        Ok(())
    }
}

/// Deals chunks out to workers, each chunk to the worker with the fewest
/// outstanding (sent to it and not yet reported done on `done`), and none
/// to a worker that already has `backlog` outstanding: so a worker that
/// falls behind gets fewer chunks, and none waits with work queued for it
/// while another sits idle.
///
/// It counts for itself rather than relying on its outboxes' capacity
/// because a process component's inbox takes more than its capacity: the
/// messages sent on into the child process do not count against it.
///
/// Its outboxes are made and linked by [`pool`], one per worker, so their
/// number can be chosen at run time.
#[component]
pub struct Deal {
    /// Chunks to deal.
    inbox: Inbox<Chunk>,
    /// A worker's number each time it has finished a chunk.
    done: Inbox<usize>,
    workers: Vec<Outbox<Chunk>>,
    backlog: usize,
}

impl Deal {
    fn finished(outstanding: &mut [usize], worker: usize) -> Result<(), Error> {
        match outstanding.get_mut(worker) {
            Some(n) if *n > 0 => {
                *n -= 1;
                Ok(())
            }
            _ => Err(Error::msg(format!(
                "worker {worker} reported a chunk it was not given"
            ))),
        }
    }
}

impl Component for Deal {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let gone = || Error::msg("the workers ended with chunks outstanding");
        let mut outstanding = vec![0; self.workers.len()];
        loop {
            while let Ok(worker) = self.done.try_recv() {
                Self::finished(&mut outstanding, worker)?;
            }
            let Some((worker, &least)) = outstanding.iter().enumerate().min_by_key(|(_, n)| **n)
            else {
                return Err(Error::msg("no workers to deal to"));
            };
            if least < self.backlog {
                let Some(chunk) = self.inbox.recv().await else {
                    break;
                };
                self.workers[worker].send(chunk).await?;
                outstanding[worker] += 1;
            } else {
                let worker = self.done.recv().await.ok_or_else(gone)?;
                Self::finished(&mut outstanding, worker)?;
            }
        }
        // Hear the last chunks out, so that no worker reports to a dealer
        // that has gone.
        while outstanding.iter().any(|&n| n > 0) {
            let worker = self.done.recv().await.ok_or_else(gone)?;
            Self::finished(&mut outstanding, worker)?;
        }
        Ok(())
    }
}

/// Stretches every line of each chunk it gets, in a child process, and
/// sends one summary per chunk, then its number on `done`.
#[component(process)]
pub struct Stretch {
    /// Chunks of lines.
    inbox: Inbox<Chunk>,
    /// One summary per chunk.
    outbox: Outbox<Summary>,
    /// Its own number, each time it has finished a chunk.
    done: Outbox<usize>,
    worker: usize,
    key: String,
    rounds: u32,
}

impl Component for Stretch {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(chunk) = self.inbox.recv().await {
            let mut table = Table::new();
            for line in &chunk.lines {
                tally(&mut table, self.key.as_bytes(), line, self.rounds);
            }
            self.outbox
                .send(Summary {
                    chunk: chunk.index,
                    worker: self.worker,
                    table,
                })
                .await?;
            self.done.send(self.worker).await?;
        }
        Ok(())
    }
}

/// Merges the summaries of all workers (their outboxes all feed this one
/// inbox) and sends the total once every worker has finished. Fails if a
/// chunk is summarised twice. Counts in `shares` how many chunks each
/// worker did.
#[component]
pub struct Merge {
    /// Summaries, in whatever order the workers finish them.
    inbox: Inbox<Summary>,
    /// The total.
    outbox: Outbox<Total>,
    shares: Shares,
}

impl Component for Merge {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut total = Total::default();
        let mut seen = BTreeSet::new();
        while let Some(summary) = self.inbox.recv().await {
            if !seen.insert(summary.chunk) {
                return Err(Error::msg(format!(
                    "chunk {} summarised twice",
                    summary.chunk
                )));
            }
            total.chunks += 1;
            *lock(&self.shares).entry(summary.worker).or_default() += 1;
            merge_into(&mut total.table, summary.table);
        }
        self.outbox.send(total).await?;
        Ok(())
    }
}

/// Writes the total as CSV, with blocking file I/O on its own thread.
///
/// Its `control` may be fed the `signal` of whatever produces the data: a
/// total that arrives after a `Control::Failed` there is incomplete, and no
/// file is written.
#[component(thread)]
pub struct WriteCsv {
    /// The total to write.
    inbox: Inbox<Total>,
    path: PathBuf,
}

impl ThreadComponent for WriteCsv {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let Some(total) = self.inbox.blocking_recv() else {
            return Err(Error::msg("no total to write"));
        };
        // Everything upstream has ended by now, so its word is already here.
        while let Ok(control) = cx.control().try_recv() {
            if let Control::Failed { .. } = control {
                return Err(Error::msg(format!("nothing written: {control}")));
            }
        }
        let file = std::fs::File::create(&self.path)
            .map_err(|e| Error::msg(format!("cannot create {}: {e}", self.path.display())))?;
        let mut out = std::io::BufWriter::new(file);
        writeln!(out, "endpoint,status,requests,bytes,fingerprint")?;
        for ((endpoint, status), g) in &total.table {
            writeln!(
                out,
                "{endpoint},{status},{},{},{:016x}",
                g.requests, g.bytes, g.fingerprint
            )?;
        }
        out.flush()?;
        Ok(())
    }
}

/// Reads back a CSV file written by [`WriteCsv`].
pub fn read_csv(path: &Path) -> Result<Table, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::msg(format!("cannot read {}: {e}", path.display())))?;
    let mut lines = text.lines();
    if lines.next() != Some("endpoint,status,requests,bytes,fingerprint") {
        return Err(Error::msg(format!(
            "{}: not a fingerprint table",
            path.display()
        )));
    }
    let mut table = Table::new();
    for (n, line) in lines.enumerate() {
        let bad = || Error::msg(format!("{}:{}: bad row `{line}`", path.display(), n + 2));
        // The endpoint comes first and is the only field that is text.
        let mut fields = line.rsplitn(5, ',');
        let mut next = || fields.next().ok_or_else(bad);
        let fingerprint = u64::from_str_radix(next()?, 16).map_err(|_| bad())?;
        let bytes = next()?.parse().map_err(|_| bad())?;
        let requests = next()?.parse().map_err(|_| bad())?;
        let status = next()?.parse().map_err(|_| bad())?;
        let endpoint = next()?.to_owned();
        let group = Group {
            requests,
            bytes,
            fingerprint,
        };
        if table.insert((endpoint, status), group).is_some() {
            return Err(bad());
        }
    }
    Ok(table)
}

/// How many chunks each worker of a [`pool`] did, by worker number: filled
/// in as the pool runs, to look at afterwards.
pub type Shares = Arc<Mutex<BTreeMap<usize, u32>>>;

/// Locks `shares`, whether or not a panic poisoned it.
fn lock(shares: &Shares) -> std::sync::MutexGuard<'_, BTreeMap<usize, u32>> {
    shares
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How many chunks each of `workers` workers did, in order of worker number.
pub fn shares(shares: &Shares, workers: usize) -> Vec<u32> {
    let shares = lock(shares);
    (0..workers)
        .map(|w| shares.get(&w).copied().unwrap_or(0))
        .collect()
}

/// The ports of a [`pool`]: chunks in, the merged total out.
#[derive(Clone, Debug)]
pub struct PoolPorts {
    /// Chunks to work on (the dealer's inbox).
    pub inbox: InboxPort<Chunk>,
    /// The merged total (the merger's outbox).
    pub outbox: OutboxPort<Total>,
}

/// A graph of a [`Deal`]er, `workers` [`Stretch`] process components, and a
/// [`Merge`]: chunks in, one [`Total`] out. The dealer gives each worker at
/// most `backlog` chunks at a time; `shares` counts how many each did.
///
/// Built by hand rather than with `graphline!`, whose components are fixed
/// when the program is compiled; as a graph it can still be a component of
/// one.
///
/// # Panics
///
/// If `workers` or `backlog` is zero.
pub fn pool(
    workers: usize,
    backlog: usize,
    key: &str,
    rounds: u32,
    shares: &Shares,
) -> Graph<PoolPorts> {
    assert!(workers > 0, "a pool needs at least one worker");
    assert!(
        backlog > 0,
        "a worker must be given at least one chunk at a time"
    );
    let outboxes: Vec<Outbox<Chunk>> = (0..workers).map(|_| Outbox::new("workers")).collect();
    let links: Vec<_> = outboxes.iter().map(Outbox::port).collect();
    let deal = Node::new(Deal::new(outboxes, backlog));
    let dealer = deal.handles();
    let merge = Node::new(Merge::new(shares.clone()));
    let merged = merge.handles();
    let mut graph = Graph::new("pool").child(Some("deal"), deal);
    for (worker, outbox) in links.iter().enumerate() {
        let stretch = Stretch::new(worker, key.to_owned(), rounds).into_part();
        let ports = stretch.handles();
        myelin::link(outbox, &ports.inbox, None).expect("a fresh outbox");
        myelin::link(&ports.outbox, &merged.inbox, None).expect("a fresh outbox");
        myelin::link(&ports.done, &dealer.done, None).expect("a fresh outbox");
        graph = graph.child(None, stretch);
    }
    let ports = PoolPorts {
        inbox: dealer.inbox,
        outbox: merged.outbox,
    };
    graph.child(Some("merge"), merge).with_handles(ports)
}

/// How to run the analysis.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Worker processes.
    pub workers: usize,
    /// Lines per chunk.
    pub chunk_lines: usize,
    /// Chunks a worker is given at a time: the one it works on, and the
    /// next ones, queued so it need not wait for them.
    pub backlog: usize,
    /// Extra hash rounds per line.
    pub rounds: u32,
    /// The key mixed into every digest.
    pub key: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            workers: 2,
            chunk_lines: 1000,
            backlog: 2,
            rounds: 400,
            key: "myelin".to_owned(),
        }
    }
}

/// The whole run as one graphline: read `log` in chunks, stretch them on a
/// [`pool`] of worker processes, write the merged table to `csv` (unless
/// the read failed). `shares` counts how many chunks each worker did.
pub fn system(
    log: &Path,
    csv: &Path,
    settings: &Settings,
    shares: &Shares,
) -> impl IntoPart + use<> {
    graphline! {
        components {
            read: ReadChunks::new(log.to_owned(), settings.chunk_lines),
            pool: pool(
                settings.workers,
                settings.backlog,
                &settings.key,
                settings.rounds,
                shares,
            ),
            write: WriteCsv::new(csv.to_owned()),
        }
        links {
            read.outbox -> pool.inbox (capacity = settings.workers),
            pool.outbox -> write.inbox,
            // A failed read must not leave a CSV that looks complete.
            read.signal -> write.control,
        }
    }
}
