//! One-way throughput of the process link, against a raw pipe to a child.
//!
//! A generator in the parent sends `N` messages to a `#[component(process)]`
//! consumer, which takes them all, sums them and reports the count and sum
//! back to a collector in the parent. The alternative is what a user would
//! write by hand: the same binary spawned as a child with a piped stdin, the
//! parent writing the same payload bytes through a `BufWriter`, the child
//! reading and summing them and printing the total. Both times run from
//! just before the child is spawned to the parent holding the checked
//! total. Run with
//!
//! ```text
//! cargo bench -p myelin --bench process                  # full size
//! cargo bench -p myelin --bench process -- --quick       # smaller, for a smoke run
//! cargo bench -p myelin --bench process -- --only small  # one myelin run of a case
//! ```
//!
//! `--only` takes `small`, `vec` or `bytes` (and optionally a message count)
//! and runs that case once through myelin, for profiling.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myelin::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes in a large message.
const LARGE: usize = 64 << 10;

/// Tells a re-executed copy of this binary to be the raw pipe's child, and
/// which payload to expect.
const PIPE_CHILD: &str = "MYELIN_BENCH_PIPE_CHILD";

/// The byte every position of large message `i` holds.
fn fill(i: u64) -> u8 {
    (i % 251) as u8
}

/// The sum of the bytes of large messages `0..n`.
fn large_sum(n: u64) -> u64 {
    (0..n).map(|i| u64::from(fill(i)) * LARGE as u64).sum()
}

/// The sum of all bytes, touching each one.
fn byte_sum(bytes: &[u8]) -> u64 {
    bytes.iter().map(|&b| u64::from(b)).sum()
}

/// A large message that serde sees as one byte string rather than a
/// sequence of `u8`s: postcard writes the same bytes (a length, then the
/// bytes) either way, but copies a byte string in one go.
#[derive(Debug, Default)]
pub struct Blob(Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Blob;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Blob, E> {
                Ok(Blob(v))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

/// A consumer's account of what it took: how many messages, and their sum.
pub type Tally = (u64, u64);

// ---------------------------------------------------------------------------
// The myelin side, written as a user would.

/// Sends `0..count` as `u64`s.
#[component]
pub struct SmallSource {
    /// The numbers.
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for SmallSource {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.count {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Sums `u64`s in a child process; sends the tally when its inbox ends.
#[component(process)]
pub struct SmallSink {
    /// The numbers.
    #[inbox(capacity = 1024)]
    inbox: Inbox<u64>,
    /// The tally, once.
    outbox: Outbox<Tally>,
}

impl Component for SmallSink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(x) = self.inbox.recv().await {
            count += 1;
            sum = sum.wrapping_add(x);
        }
        self.outbox.send((count, sum)).await?;
        Ok(())
    }
}

/// Sends `count` large messages as plain `Vec<u8>`s.
#[component]
pub struct VecSource {
    /// The buffers.
    outbox: Outbox<Vec<u8>>,
    count: u64,
}

impl Component for VecSource {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.count {
            self.outbox.send(vec![fill(i); LARGE]).await?;
        }
        Ok(())
    }
}

/// Sums the bytes of `Vec<u8>`s in a child process.
#[component(process)]
pub struct VecSink {
    /// The buffers.
    #[inbox(capacity = 64)]
    inbox: Inbox<Vec<u8>>,
    /// The tally, once.
    outbox: Outbox<Tally>,
}

impl Component for VecSink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(buf) = self.inbox.recv().await {
            count += 1;
            sum += byte_sum(&buf);
        }
        self.outbox.send((count, sum)).await?;
        Ok(())
    }
}

/// Sends `count` large messages as [`Blob`]s.
#[component]
pub struct BlobSource {
    /// The buffers.
    outbox: Outbox<Blob>,
    count: u64,
}

impl Component for BlobSource {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.count {
            self.outbox.send(Blob(vec![fill(i); LARGE])).await?;
        }
        Ok(())
    }
}

/// Sums the bytes of [`Blob`]s in a child process.
#[component(process)]
pub struct BlobSink {
    /// The buffers.
    #[inbox(capacity = 64)]
    inbox: Inbox<Blob>,
    /// The tally, once.
    outbox: Outbox<Tally>,
}

impl Component for BlobSink {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(Blob(buf)) = self.inbox.recv().await {
            count += 1;
            sum += byte_sum(&buf);
        }
        self.outbox.send((count, sum)).await?;
        Ok(())
    }
}

/// Keeps the consumer's tally and when it arrived.
#[component]
pub struct Collect {
    /// The tally.
    inbox: Inbox<Tally>,
    got: Arc<Mutex<Option<(Tally, Instant)>>>,
}

impl Component for Collect {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(tally) = self.inbox.recv().await {
            *self.got.lock().unwrap() = Some((tally, Instant::now()));
        }
        Ok(())
    }
}

/// The large-message encodings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Large {
    /// `Vec<u8>`, which serde treats as a sequence of `u8`.
    Vec,
    /// [`Blob`], a byte string.
    Bytes,
}

/// Runs the system built by `system`; returns the time from the start of
/// the run to the tally's arrival, after checking the tally.
fn myelin_run<S: myelin::IntoPart>(
    system: impl FnOnce(Arc<Mutex<Option<(Tally, Instant)>>>) -> S,
    expect: Tally,
) -> Duration {
    let got = Arc::new(Mutex::new(None));
    let system = system(got.clone());
    let t = Instant::now();
    let report = myelin::run(system).unwrap();
    let (tally, at) = got.lock().unwrap().expect("the tally arrived");
    assert_eq!(tally, expect, "{report}");
    at - t
}

fn myelin_small(n: u64) -> Duration {
    myelin_run(
        |got| pipeline![SmallSource::new(n), SmallSink::new(), Collect::new(got)],
        (n, n * n.saturating_sub(1) / 2),
    )
}

fn myelin_large(n: u64, encoding: Large) -> Duration {
    let expect = (n, large_sum(n));
    match encoding {
        Large::Vec => myelin_run(
            |got| pipeline![VecSource::new(n), VecSink::new(), Collect::new(got)],
            expect,
        ),
        Large::Bytes => myelin_run(
            |got| pipeline![BlobSource::new(n), BlobSink::new(), Collect::new(got)],
            expect,
        ),
    }
}

// ---------------------------------------------------------------------------
// The raw pipe.

/// Spawns this binary as the pipe's child, lets `feed` write into its
/// stdin, and returns the time to its checked total.
fn raw_run(kind: &str, feed: impl FnOnce(&mut dyn Write), expect: Tally) -> Duration {
    let t = Instant::now();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(PIPE_CHILD, kind)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = BufWriter::new(child.stdin.take().unwrap());
        feed(&mut stdin);
        stdin.flush().unwrap();
    }
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let elapsed = t.elapsed();
    assert!(child.wait().unwrap().success());
    let mut fields = line.split_whitespace().map(|f| f.parse::<u64>().unwrap());
    let tally = (fields.next().unwrap(), fields.next().unwrap());
    assert_eq!(tally, expect);
    elapsed
}

fn raw_small(n: u64) -> Duration {
    raw_run(
        "small",
        |out| {
            for i in 0..n {
                out.write_all(&i.to_le_bytes()).unwrap();
            }
        },
        (n, n * n.saturating_sub(1) / 2),
    )
}

fn raw_large(n: u64) -> Duration {
    raw_run(
        "large",
        |out| {
            let mut buf = vec![0u8; LARGE];
            for i in 0..n {
                buf.fill(fill(i));
                out.write_all(&buf).unwrap();
            }
        },
        (n, large_sum(n)),
    )
}

/// The pipe's child: reads stdin to its end, prints `count sum`.
fn pipe_child(kind: &str) {
    let mut input = BufReader::new(std::io::stdin().lock());
    let (mut count, mut sum) = (0u64, 0u64);
    match kind {
        "small" => {
            let mut word = [0u8; 8];
            while input.read_exact(&mut word).is_ok() {
                count += 1;
                sum = sum.wrapping_add(u64::from_le_bytes(word));
            }
        }
        "large" => {
            let mut buf = vec![0u8; LARGE];
            while input.read_exact(&mut buf).is_ok() {
                count += 1;
                sum += byte_sum(&buf);
            }
        }
        other => panic!("unknown pipe child kind {other}"),
    }
    println!("{count} {sum}");
}

// ---------------------------------------------------------------------------
// Reporting.

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    myelin::process::init();
    if let Ok(kind) = std::env::var(PIPE_CHILD) {
        pipe_child(&kind);
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let case = args.get(i + 1).map(String::as_str);
        let count = args.get(i + 2).and_then(|n| n.parse::<u64>().ok());
        let (name, n, d) = match case {
            Some("small") => {
                let n = count.unwrap_or(1_000_000);
                ("small", n, myelin_small(n))
            }
            Some("vec") => {
                let n = count.unwrap_or(20_000);
                ("vec", n, myelin_large(n, Large::Vec))
            }
            Some("bytes") => {
                let n = count.unwrap_or(20_000);
                ("bytes", n, myelin_large(n, Large::Bytes))
            }
            _ => panic!("--only takes small, vec or bytes, and optionally a count"),
        };
        println!(
            "{name}: {n} messages in {:.3} s, {:.3} M msgs/s",
            d.as_secs_f64(),
            n as f64 / d.as_secs_f64() / 1e6
        );
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 5 };
    // Sized so that each case runs for about a second at full size: the raw
    // pipe moves 8-byte values so fast that it needs far more of them than
    // myelin for its time not to be mostly the child's start.
    let small: u64 = if quick { 100_000 } else { 1_000_000 };
    let raw_small_n: u64 = if quick { 10_000_000 } else { 100_000_000 };
    let large: u64 = if quick { 2_000 } else { 20_000 };

    println!(
        "process link, one way: parent generator -> process component (sums, reports back), \
         against a raw pipe to a child (BufWriter on its stdin), median of {rounds}"
    );
    let time = |f: &dyn Fn() -> Duration| median((0..rounds).map(|_| f()).collect());
    let rows: Vec<(&str, &str, u64, usize, Duration)> = vec![
        (
            "8 B (`u64`)",
            "myelin process component",
            small,
            8,
            time(&|| myelin_small(small)),
        ),
        (
            "8 B (`u64`)",
            "raw pipe",
            raw_small_n,
            8,
            time(&|| raw_small(raw_small_n)),
        ),
        (
            "64 KiB (`Vec<u8>`)",
            "myelin process component",
            large,
            LARGE,
            time(&|| myelin_large(large, Large::Vec)),
        ),
        (
            "64 KiB (byte-string newtype)",
            "myelin process component",
            large,
            LARGE,
            time(&|| myelin_large(large, Large::Bytes)),
        ),
        (
            "64 KiB",
            "raw pipe",
            large,
            LARGE,
            time(&|| raw_large(large)),
        ),
    ];
    let rate = |row: &(&str, &str, u64, usize, Duration)| row.2 as f64 / row.4.as_secs_f64();
    let (raw_small_rate, raw_large_rate) = (rate(&rows[1]), rate(&rows[4]));
    println!("| message | variant | messages | time (s) | M msgs/s | MB/s | myelin / raw |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for row in &rows {
        let (message, variant, n, bytes, d) = *row;
        let per_s = rate(row);
        let raw = if bytes == 8 {
            raw_small_rate
        } else {
            raw_large_rate
        };
        println!(
            "| {message} | {variant} | {n} | {:.3} | {:.3} | {:.1} | {:.2} |",
            d.as_secs_f64(),
            per_s / 1e6,
            per_s * bytes as f64 / 1e6,
            per_s / raw
        );
    }

    println!();
    println!("startup: the same runs with no messages, median of {rounds}");
    let m = time(&|| myelin_small(0));
    let r = time(&|| raw_small(0));
    println!("| variant | ms |");
    println!("|---|---:|");
    println!(
        "| myelin process component | {:.2} |",
        m.as_secs_f64() * 1e3
    );
    println!("| raw pipe | {:.2} |", r.as_secs_f64() * 1e3);
}
