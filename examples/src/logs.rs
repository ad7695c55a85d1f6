//! Web-server log analysis as a graphline: read, parse, split, aggregate,
//! summarise. Used by the `log_report` example on the bundled
//! `data/access.log`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use myelin::components::{Collect, Collected, ReadLines};
use myelin::prelude::*;

/// One request from the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Client address.
    pub client: String,
    /// Minute of the day the request arrived, 0..1440.
    pub minute: u16,
    /// HTTP method.
    pub method: String,
    /// The endpoint, with numeric path segments folded to `{id}`.
    pub endpoint: String,
    /// HTTP status.
    pub status: u16,
    /// Response size in bytes.
    pub bytes: u64,
    /// Response time in seconds.
    pub seconds: f64,
}

/// A line that could not be parsed, kept with its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line number.
    pub line: usize,
    /// Why it was rejected.
    pub reason: String,
}

/// Parses one line of Common Log Format with a trailing response time.
///
/// ```
/// use myelin_examples::logs::parse_line;
/// let r = parse_line(r#"203.0.113.7 - - [25/Nov/2026:13:05:09 +0000] "GET /api/items/42 HTTP/1.1" 200 512 0.0230"#).unwrap();
/// assert_eq!((r.minute, r.endpoint.as_str(), r.status), (13 * 60 + 5, "/api/items/{id}", 200));
/// ```
pub fn parse_line(line: &str) -> Result<Request, String> {
    let (client, rest) = line.split_once(' ').ok_or("no client address")?;
    let (_, rest) = rest.split_once('[').ok_or("no timestamp")?;
    let (stamp, rest) = rest.split_once(']').ok_or("unterminated timestamp")?;
    let time = stamp.split(':').skip(1).take(2).collect::<Vec<_>>();
    let [hour, minute] = time[..] else {
        return Err("timestamp has no hour and minute".into());
    };
    let hour: u16 = hour.parse().map_err(|_| "bad hour")?;
    let minute: u16 = minute.parse().map_err(|_| "bad minute")?;
    let (_, rest) = rest.split_once('"').ok_or("no request")?;
    let (request, rest) = rest.split_once('"').ok_or("unterminated request")?;
    let mut request = request.split(' ');
    let method = request.next().ok_or("no method")?.to_owned();
    let target = request.next().ok_or("no path")?;
    let mut fields = rest.split_whitespace();
    let status = fields.next().ok_or("no status")?;
    let status: u16 = status
        .parse()
        .map_err(|_| format!("bad status `{status}`"))?;
    let bytes: u64 = fields
        .next()
        .ok_or("no size")?
        .parse()
        .map_err(|_| "bad size")?;
    let seconds: f64 = fields
        .next()
        .ok_or("no response time")?
        .parse()
        .map_err(|_| "bad response time")?;
    Ok(Request {
        client: client.to_owned(),
        minute: hour * 60 + minute,
        method,
        endpoint: endpoint(target),
        status,
        bytes,
        seconds,
    })
}

/// Folds query strings away and numeric segments to `{id}`, so
/// `/api/items/42?x=1` counts as `/api/items/{id}`.
fn endpoint(target: &str) -> String {
    let path = target.split('?').next().unwrap_or(target);
    path.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses log lines; lines it cannot parse go out on `rejects` with the
/// reason, never silently dropped.
#[component]
pub struct ParseRequests {
    /// Raw log lines.
    inbox: Inbox<String>,
    /// Parsed requests.
    outbox: Outbox<Request>,
    /// Lines that could not be parsed.
    rejects: Outbox<Rejected>,
    #[state(default)]
    line: usize,
}

impl Component for ParseRequests {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(text) = self.inbox.recv().await {
            self.line += 1;
            match parse_line(&text) {
                Ok(request) => self.outbox.send(request).await?,
                Err(reason) => {
                    self.rejects
                        .send(Rejected {
                            line: self.line,
                            reason,
                        })
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// Sends each request's facts to the aggregator that needs them.
#[component]
pub struct Split {
    /// Parsed requests.
    inbox: Inbox<Request>,
    /// Every status code.
    status: Outbox<u16>,
    /// Endpoint and response time of every request.
    latency: Outbox<(String, f64)>,
    /// Minute of the day, and whether the request failed on the server.
    errors: Outbox<(u16, bool)>,
    /// Bytes sent.
    bytes: Outbox<u64>,
}

impl Component for Split {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(r) = self.inbox.recv().await {
            self.status.send(r.status).await?;
            self.errors.send((r.minute, r.status >= 500)).await?;
            self.bytes.send(r.bytes).await?;
            self.latency.send((r.endpoint, r.seconds)).await?;
        }
        Ok(())
    }
}

/// Request counts per status class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Count per status code.
    pub by_code: BTreeMap<u16, u64>,
}

impl StatusCounts {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.by_code.values().sum()
    }
}

/// Counts status codes.
#[component]
pub struct CountStatus {
    /// Status codes.
    inbox: Inbox<u16>,
    /// The counts, once the input ends.
    outbox: Outbox<StatusCounts>,
}

impl Component for CountStatus {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut counts = StatusCounts::default();
        while let Some(code) = self.inbox.recv().await {
            *counts.by_code.entry(code).or_default() += 1;
        }
        self.outbox.send(counts).await?;
        Ok(())
    }
}

/// Adds up a stream of numbers.
#[component]
pub struct Total {
    /// Numbers.
    inbox: Inbox<u64>,
    /// Their sum, once the input ends.
    outbox: Outbox<u64>,
}

impl Component for Total {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut total = 0u64;
        while let Some(n) = self.inbox.recv().await {
            total += n;
        }
        self.outbox.send(total).await?;
        Ok(())
    }
}

/// Response-time percentiles of one endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointStats {
    /// The endpoint.
    pub endpoint: String,
    /// Requests.
    pub requests: usize,
    /// Median response time, seconds.
    pub p50: f64,
    /// 95th percentile, seconds.
    pub p95: f64,
    /// 99th percentile, seconds.
    pub p99: f64,
}

/// Response-time percentiles per endpoint, slowest p95 first.
#[component]
pub struct Latency {
    /// Endpoint and response time.
    inbox: Inbox<(String, f64)>,
    /// The percentiles, once the input ends.
    outbox: Outbox<Vec<EndpointStats>>,
}

impl Component for Latency {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut times: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        while let Some((endpoint, seconds)) = self.inbox.recv().await {
            times.entry(endpoint).or_default().push(seconds);
        }
        let mut stats: Vec<EndpointStats> = times
            .into_iter()
            .map(|(endpoint, mut t)| {
                t.sort_by(f64::total_cmp);
                let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
                EndpointStats {
                    endpoint,
                    requests: t.len(),
                    p50: at(0.50),
                    p95: at(0.95),
                    p99: at(0.99),
                }
            })
            .collect();
        stats.sort_by(|a, b| b.p95.total_cmp(&a.p95));
        self.outbox.send(stats).await?;
        Ok(())
    }
}

/// A ten-minute window whose server-error rate passed the threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Spike {
    /// First minute of the window (minute of the day).
    pub from_minute: u16,
    /// Requests in the window.
    pub requests: u64,
    /// Of which failed with a 5xx status.
    pub errors: u64,
}

impl Spike {
    /// The window's error rate, 0..=1.
    pub fn rate(&self) -> f64 {
        self.errors as f64 / self.requests as f64
    }
}

/// Finds ten-minute windows where more than `threshold` of requests failed.
#[component]
pub struct ErrorSpikes {
    /// Minute of day and whether the request failed.
    inbox: Inbox<(u16, bool)>,
    /// The windows over the threshold, once the input ends.
    outbox: Outbox<Vec<Spike>>,
    threshold: f64,
}

impl Component for ErrorSpikes {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut windows: BTreeMap<u16, (u64, u64)> = BTreeMap::new();
        while let Some((minute, failed)) = self.inbox.recv().await {
            let w = windows.entry(minute / 10 * 10).or_default();
            w.0 += 1;
            w.1 += u64::from(failed);
        }
        let spikes = windows
            .into_iter()
            .map(|(from_minute, (requests, errors))| Spike {
                from_minute,
                requests,
                errors,
            })
            .filter(|s| s.rate() > self.threshold)
            .collect();
        self.outbox.send(spikes).await?;
        Ok(())
    }
}

/// Gathers rejected lines into one list.
#[component]
pub struct Gather {
    /// Rejected lines.
    inbox: Inbox<Rejected>,
    /// All of them, once the input ends.
    outbox: Outbox<Vec<Rejected>>,
}

impl Component for Gather {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut all = Vec::new();
        while let Some(r) = self.inbox.recv().await {
            all.push(r);
        }
        self.outbox.send(all).await?;
        Ok(())
    }
}

/// Everything the analysis found.
#[derive(Clone, Debug, PartialEq)]
pub struct LogReport {
    /// Status code counts.
    pub status: StatusCounts,
    /// Total bytes sent.
    pub bytes: u64,
    /// Per-endpoint response times, slowest first.
    pub endpoints: Vec<EndpointStats>,
    /// Windows with a high server-error rate.
    pub spikes: Vec<Spike>,
    /// Lines that could not be parsed.
    pub rejected: Vec<Rejected>,
}

/// Waits for one result from each aggregator and combines them.
#[component]
pub struct Summarise {
    /// Status counts.
    status: Inbox<StatusCounts>,
    /// Bytes total.
    bytes: Inbox<u64>,
    /// Endpoint latencies.
    endpoints: Inbox<Vec<EndpointStats>>,
    /// Error spikes.
    spikes: Inbox<Vec<Spike>>,
    /// Rejected lines.
    rejected: Inbox<Vec<Rejected>>,
    /// The combined report.
    outbox: Outbox<LogReport>,
}

fn missing(what: &str) -> Error {
    Error::msg(format!("the {what} aggregator ended without a result"))
}

impl Component for Summarise {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let report = LogReport {
            status: self.status.recv().await.ok_or_else(|| missing("status"))?,
            bytes: self.bytes.recv().await.ok_or_else(|| missing("bytes"))?,
            endpoints: self
                .endpoints
                .recv()
                .await
                .ok_or_else(|| missing("latency"))?,
            spikes: self.spikes.recv().await.ok_or_else(|| missing("spikes"))?,
            rejected: self
                .rejected
                .recv()
                .await
                .ok_or_else(|| missing("rejects"))?,
        };
        self.outbox.send(report).await?;
        Ok(())
    }
}

/// Runs the whole analysis over the log at `path`.
///
/// The system is a pipeline of three parts: a reader, the analysis (a
/// graphline whose own `inbox` and `outbox` pass through to its parser and
/// its summariser) and a sink. The reader and the sink are ready-made
/// components (`myelin::components`); the analysis is this module's own.
pub fn analyse(path: impl Into<PathBuf>) -> Result<(LogReport, myelin::Report), Error> {
    let (system, reports) = system(path);
    let run = myelin::run(system)?;
    let report = reports
        .take()
        .pop()
        .ok_or_else(|| Error::msg("the analysis produced no report"))?;
    Ok((report, run))
}

/// The system [`analyse`] runs, not yet running, with the handle on what
/// its sink collects (the `picture` example draws it).
pub fn system(path: impl Into<PathBuf>) -> (impl Part + IntoPart, Collected<LogReport>) {
    let keep = Collect::<LogReport>::new();
    let reports = keep.collected();
    let analysis = graphline! {
        components {
            parse: ParseRequests::new(),
            split: Split::new(),
            status: CountStatus::new(),
            bytes: Total::new(),
            latency: Latency::new(),
            spikes: ErrorSpikes::new(0.05),
            rejects: Gather::new(),
            summary: Summarise::new(),
        }
        links {
            self.inbox -> parse.inbox,
            parse.outbox -> split.inbox,
            parse.rejects -> rejects.inbox,
            split.status -> status.inbox,
            split.bytes -> bytes.inbox,
            split.latency -> latency.inbox,
            split.errors -> spikes.inbox,
            status.outbox -> summary.status,
            bytes.outbox -> summary.bytes,
            latency.outbox -> summary.endpoints,
            spikes.outbox -> summary.spikes,
            rejects.outbox -> summary.rejected,
            summary.outbox -> self.outbox,
        }
    };
    (
        pipeline![ReadLines::new(path.into()), analysis, keep],
        reports,
    )
}

impl fmt::Display for LogReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.status.total();
        writeln!(
            f,
            "{total} requests, {:.1} MB sent",
            self.bytes as f64 / 1e6
        )?;
        let class = |lo: u16| -> u64 {
            self.status
                .by_code
                .range(lo..lo + 100)
                .map(|(_, n)| n)
                .sum()
        };
        writeln!(
            f,
            "status: 2xx {}  3xx {}  4xx {}  5xx {} ({:.2}% server errors)",
            class(200),
            class(300),
            class(400),
            class(500),
            100.0 * class(500) as f64 / total.max(1) as f64
        )?;
        writeln!(f, "\nslowest endpoints (seconds):")?;
        writeln!(
            f,
            "  {:<20} {:>8} {:>8} {:>8} {:>8}",
            "endpoint", "requests", "p50", "p95", "p99"
        )?;
        for e in self.endpoints.iter().take(6) {
            writeln!(
                f,
                "  {:<20} {:>8} {:>8.3} {:>8.3} {:>8.3}",
                e.endpoint, e.requests, e.p50, e.p95, e.p99
            )?;
        }
        writeln!(f, "\nten-minute windows with more than 5% server errors:")?;
        if self.spikes.is_empty() {
            writeln!(f, "  none")?;
        }
        for s in &self.spikes {
            writeln!(
                f,
                "  {:02}:{:02}  {:>4} of {:>4} requests failed ({:.0}%)",
                s.from_minute / 60,
                s.from_minute % 60,
                s.errors,
                s.requests,
                100.0 * s.rate()
            )?;
        }
        writeln!(f, "\nunparseable lines: {}", self.rejected.len())?;
        for r in &self.rejected {
            writeln!(f, "  line {}: {}", r.line, r.reason)?;
        }
        Ok(())
    }
}
