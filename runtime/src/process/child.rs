//! The child's side: rebuild the component from the parent's hello, run it
//! on a scheduler of its own, and bridge its ports to the socket.
//!
//! A reader thread decodes the parent's frames into the component's inboxes
//! (through mirror outboxes linked to them); a writer thread encodes what
//! the component sends (through mirror inboxes linked from its outboxes),
//! and hands send credit back as the component takes from its inboxes.

use std::collections::VecDeque;
use std::io::{BufReader, BufWriter, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

use super::frame::{FrameBuf, FrameReader, Kind};
use super::protocol::{self, Hello, VERSION, WINDOW_BYTES, WireOutcome};
use super::spawn::child_socket;
use super::wire::{
    Delivery, Pulled, PumpError, Pumped, StateReader, TakeWatch, WireSink, WireSource, Wires, pump,
    wire,
};
use super::{ProcessPorts, find_entry};
use crate::graph::Node;
use crate::scheduler::current::thread_waker;
use crate::scheduler::local::IdleWatch;
use crate::scheduler::registry::Remote;
use crate::sync::lock_std as lock;
use crate::{Component, Control};

/// What `serve` read before it knew the component type.
pub(crate) struct Session {
    socket: UnixStream,
    frames: FrameReader<BufReader<UnixStream>>,
    hello: Hello,
}

/// Runs the component the parent asks for; returns the exit code.
pub(crate) fn serve() -> i32 {
    let socket = match child_socket() {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("myelin: {e}");
            return 2;
        }
    };
    let frames = match socket.try_clone() {
        Ok(read) => FrameReader::new(BufReader::new(read)),
        Err(e) => return refuse(&socket, 0, &format!("could not read from the parent: {e}")),
    };
    let mut frames = frames;
    let hello = match frames.read() {
        Ok(Some((Kind::Hello, _, bytes))) => match postcard::from_bytes::<Hello>(bytes) {
            Ok(hello) => hello,
            Err(e) => return refuse(&socket, 0, &format!("malformed start from the parent: {e}")),
        },
        Ok(Some((kind, ..))) => {
            return refuse(&socket, 0, &format!("expected a start frame, got {kind:?}"));
        }
        Ok(None) => return 0,
        Err(e) => return refuse(&socket, 0, &format!("could not read the start frame: {e}")),
    };
    let ports = hello.windows.len();
    if hello.version != VERSION {
        let reason = format!(
            "the child speaks protocol version {VERSION} and the parent {}",
            hello.version
        );
        return refuse(&socket, ports, &reason);
    }
    match find_entry(&hello.key) {
        Some(entry) => (entry.serve)(Session {
            socket,
            frames,
            hello,
        }),
        None => {
            let reason = format!(
                "the child process has no process component `{}`: was the binary \
                 replaced while the system ran?",
                hello.key
            );
            refuse(&socket, ports, &reason)
        }
    }
}

/// Reports a failure to start and returns the exit code.
fn refuse(socket: &UnixStream, ports: usize, reason: &str) -> i32 {
    let done = protocol::Done {
        outcome: WireOutcome::Failed(reason.to_owned()),
        delivered: vec![0; ports],
        taken: vec![0; ports],
        unsent: Vec::new(),
    };
    let _ = send_done(socket, &done);
    1
}

fn send_done(socket: &UnixStream, done: &protocol::Done) -> std::io::Result<()> {
    let bytes = postcard::to_stdvec(done).map_err(std::io::Error::other)?;
    let mut out = socket;
    FrameBuf::new().write(Kind::Done, 0, &bytes, &mut out)?;
    out.flush()
}

/// Asks the child's system to stop, whether or not it has started yet.
#[derive(Default)]
struct Stopper {
    state: Mutex<(Option<Arc<Remote>>, bool)>,
    /// Why the child gave up (bad data from the parent).
    failure: Mutex<Option<String>>,
}

impl Stopper {
    fn started(&self, remote: &Arc<Remote>) {
        let mut state = lock(&self.state);
        state.0 = Some(remote.clone());
        if state.1 {
            remote.request_shutdown();
        }
    }

    fn stop(&self) {
        let mut state = lock(&self.state);
        state.1 = true;
        if let Some(remote) = &state.0 {
            remote.request_shutdown();
        }
    }

    fn fail(&self, reason: String) {
        lock(&self.failure).get_or_insert(reason);
        self.stop();
    }

    /// Whether the child's system was asked to shut down from inside (by
    /// its component), not by the parent.
    fn shutdown_asked_here(&self) -> bool {
        let state = lock(&self.state);
        !state.1
            && state
                .0
                .as_ref()
                .is_some_and(|remote| remote.shutdown.load(Ordering::Acquire))
    }

    /// Makes the scheduler look at its state again (and so report whether
    /// it is still idle).
    fn poke(&self) {
        if let Some(remote) = &lock(&self.state).0 {
            remote.submit(Box::new(|_| {}));
        }
    }
}

/// How long the child's scheduler must stay idle before the parent hears
/// of it: long enough that a child busy with a stream of messages does not
/// report every gap between them, short enough that a deadlock is reported
/// at once to a person.
const IDLE_SETTLE: Duration = Duration::from_millis(1);

/// Tells the parent when the child's scheduler is idle.
///
/// The scheduler reports idleness here instead of ending the run as stalled
/// (its component is waiting for the parent). The writer passes it on as an
/// idle frame saying how many frames the child had taken in; the parent
/// compares that with what it sent to tell "waiting for me" from "still
/// busy with what I sent".
#[derive(Default)]
struct Idleness {
    /// Message and end frames the reader has delivered.
    received: AtomicU64,
    /// The scheduler reported idle and has not been poked since: a delivery
    /// that does not wake the component (an end of stream it is not
    /// waiting on) must still make it look again and report anew.
    asleep: AtomicBool,
    /// How many times the scheduler went idle, and `received` as of the
    /// last time.
    last: Mutex<(u64, u64)>,
    /// The writer, woken to pass the news on.
    writer: OnceLock<Thread>,
}

impl IdleWatch for Idleness {
    fn snapshot(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }

    fn idle(&self, snapshot: u64) -> bool {
        // Set before looking at `received`, while the reader counts before
        // looking at `asleep`: one of the two sees the other.
        self.asleep.store(true, Ordering::SeqCst);
        if self.received.load(Ordering::SeqCst) != snapshot {
            self.asleep.store(false, Ordering::SeqCst);
            return false;
        }
        {
            let mut last = lock(&self.last);
            last.0 += 1;
            last.1 = snapshot;
        }
        if let Some(writer) = self.writer.get() {
            writer.unpark();
        }
        true
    }
}

/// Runs component type `C` for the parent; returns the exit code.
pub(crate) fn serve_component<C: Component + ProcessPorts>(session: Session) -> i32 {
    let Session {
        socket,
        frames,
        hello,
    } = session;
    let ports = hello.windows.len();
    let mut state = StateReader::new(&hello.state);
    let component = match C::decode_state(&mut state).and_then(|c| state.finish().map(|()| c)) {
        Ok(component) => component,
        Err(e) => {
            let reason = format!("could not rebuild the component in its child process: {e}");
            return refuse(&socket, ports, &reason);
        }
    };
    let mut wires = component.mirror_wires();
    let node = Node::new(component);
    wire::<Control>().mirror_inbox(&mut wires, node.control());
    wire::<Control>().mirror_outbox(&mut wires, node.signal());
    let Wires {
        sources,
        sinks,
        watches,
    } = wires;
    if sinks.len() != ports {
        let reason = format!(
            "the parent has {} inboxes for this component and the child {}",
            ports,
            sinks.len()
        );
        return refuse(&socket, ports, &reason);
    }
    let inbox_names: Vec<&'static str> = sinks.iter().map(|s| s.name()).collect();

    let stopper = Arc::new(Stopper::default());
    let idleness = Arc::new(Idleness::default());
    let sizes: Arc<[Mutex<Sizes>]> = (0..ports).map(|_| Mutex::default()).collect();
    let reader = {
        let stopper = stopper.clone();
        let idleness = idleness.clone();
        let sizes = sizes.clone();
        std::thread::Builder::new()
            .name("myelin child reader".into())
            .spawn(move || read_loop(frames, sinks, &sizes, &stopper, &idleness))
    };
    if let Err(e) = reader {
        return refuse(
            &socket,
            ports,
            &format!("could not start its reader thread: {e}"),
        );
    }
    let writer = {
        let socket = match socket.try_clone() {
            Ok(socket) => socket,
            Err(e) => {
                return refuse(
                    &socket,
                    ports,
                    &format!("could not write to the parent: {e}"),
                );
            }
        };
        let watches = watches.clone();
        let windows = hello.windows.clone();
        let stopper = stopper.clone();
        let idleness = idleness.clone();
        let name = hello.name.clone();
        std::thread::Builder::new()
            .name("myelin child writer".into())
            .spawn(move || {
                let _ = idleness.writer.set(std::thread::current());
                let bridge = Bridge {
                    sizes: &sizes,
                    watches: &watches,
                    windows: &windows,
                    stopper: &stopper,
                    idleness: &idleness,
                    name: &name,
                };
                bridge.write_loop(socket, sources)
            })
    };
    let writer = match writer {
        Ok(writer) => writer,
        Err(e) => {
            return refuse(
                &socket,
                ports,
                &format!("could not start its writer thread: {e}"),
            );
        }
    };

    let name = hello.name.clone();
    let watch: Arc<dyn IdleWatch> = idleness;
    let report = match crate::run::run_named(node, name, Some(watch), |remote| {
        stopper.started(remote);
    }) {
        Ok(report) => report,
        Err(e) => e.report().cloned().unwrap_or_default(),
    };
    // Everything the component sent is written before the end report, or
    // counted here if it could not be.
    let not_written = writer.join().unwrap_or_default();

    let entry = report.components().first();
    let outcome = match lock(&stopper.failure).take() {
        Some(reason) => WireOutcome::Failed(reason),
        None => entry.map_or(WireOutcome::Cancelled, |e| (&e.outcome).into()),
    };
    let left = |port: &str, unsent: bool| -> u64 {
        entry.map_or(0, |e| {
            e.undelivered
                .iter()
                .filter(|u| u.port == port && u.unsent == unsent)
                .map(|u| u.count as u64)
                .sum()
        })
    };
    let noop = std::task::Waker::noop();
    let delivered: Vec<u64> = watches
        .iter()
        .map(|watch| watch.watch_takes(noop, 0).0)
        .collect();
    let taken = delivered
        .iter()
        .zip(&inbox_names)
        .map(|(delivered, name)| delivered.saturating_sub(left(name, false)))
        .collect();
    let mut unsent: Vec<(String, u64)> = entry
        .map(|e| {
            e.undelivered
                .iter()
                .filter(|u| u.unsent)
                .map(|u| (u.port.to_owned(), u.count as u64))
                .collect()
        })
        .unwrap_or_default();
    for (port, count) in not_written {
        match unsent.iter_mut().find(|(p, _)| p == port) {
            Some(entry) => entry.1 += count,
            None => unsent.push((port.to_owned(), count)),
        }
    }
    let failed = matches!(outcome, WireOutcome::Failed(_));
    if stopper.shutdown_asked_here() {
        // `cx.shutdown_system()` in the component means the whole system,
        // which is the parent's.
        let mut out = &socket;
        let _ = FrameBuf::new().write(Kind::Shutdown, 0, &[], &mut out);
    }
    let done = protocol::Done {
        outcome,
        delivered,
        taken,
        unsent,
    };
    match send_done(&socket, &done) {
        Ok(()) if !failed => 0,
        _ => 1,
    }
}

/// The reader thread: the parent's frames into the component's inboxes.
fn read_loop(
    mut frames: FrameReader<BufReader<UnixStream>>,
    sinks: Vec<Box<dyn WireSink>>,
    sizes: &[Mutex<Sizes>],
    stopper: &Stopper,
    idleness: &Idleness,
) {
    let mut sinks: Vec<Option<Box<dyn WireSink>>> = sinks.into_iter().map(Some).collect();
    loop {
        let (kind, port, bytes) = match frames.read() {
            Ok(Some(frame)) => frame,
            // The parent is gone: stop.
            Ok(None) => break stopper.stop(),
            Err(e) => break stopper.fail(format!("bad data from the parent: {e}")),
        };
        let port = usize::from(port);
        match kind {
            Kind::Message => match sinks.get_mut(port).and_then(Option::as_mut) {
                Some(sink) => {
                    // Recorded before the message can be taken, so the
                    // writer always finds the size of what was taken.
                    let size = u32::try_from(bytes.len()).expect("frames are at most MAX_FRAME");
                    if lock(&sizes[port]).delivered(size, WINDOW_BYTES / 4) {
                        // The writer may be waiting for a larger batch.
                        if let Some(writer) = idleness.writer.get() {
                            writer.unpark();
                        }
                    }
                    match sink.deliver(bytes) {
                        // A type postcard cannot carry: nobody sent bad data.
                        Err(Delivery::Malformed(e)) if e.unsupported() => {
                            break stopper.fail(e.to_string());
                        }
                        Err(Delivery::Malformed(e)) => {
                            break stopper.fail(format!("bad data from the parent: {e}"));
                        }
                        // The component has ended: the parent counts what
                        // never reached it.
                        Ok(()) | Err(Delivery::Refused) => {}
                    }
                }
                None => {
                    break stopper.fail(format!(
                        "bad data from the parent: a message for inbox {port}, which has ended \
                         or does not exist"
                    ));
                }
            },
            Kind::End if port < sinks.len() => sinks[port] = None,
            Kind::Cancel => {
                stopper.stop();
                continue;
            }
            _ => {
                break stopper.fail(format!(
                    "bad data from the parent: unexpected {kind:?} frame for port {port}"
                ));
            }
        }
        // Counted once delivered: a delivery that wakes the component has
        // queued its wake-up before this, so an idle scheduler that counts
        // it has seen that wake-up too (see `Core::run`).
        idleness.received.fetch_add(1, Ordering::SeqCst);
        if idleness.asleep.swap(false, Ordering::SeqCst) {
            stopper.poke();
        }
    }
    // Ending the streams lets a component waiting on them finish.
    drop(sinks);
}

/// The sizes of an inbox's messages delivered and not yet credited,
/// oldest first.
#[derive(Default)]
struct Sizes {
    sizes: VecDeque<u32>,
    /// Their total.
    bytes: u64,
}

impl Sizes {
    /// Records a delivery; `true` if the total just reached `threshold`
    /// (a batch may now be due sooner than by count).
    fn delivered(&mut self, size: u32, threshold: u64) -> bool {
        let before = self.bytes;
        self.sizes.push_back(size);
        self.bytes += u64::from(size);
        before < threshold && self.bytes >= threshold
    }

    /// How many of the oldest make a batch: `count`, or fewer if they reach
    /// `bytes` first.
    fn batch(&self, count: u64, bytes: u64) -> u64 {
        let mut total = 0;
        for (n, &size) in (1..).zip(
            self.sizes
                .iter()
                .take(usize::try_from(count).unwrap_or(usize::MAX)),
        ) {
            total += u64::from(size);
            if total >= bytes {
                return n;
            }
        }
        count
    }

    /// The oldest `n` were credited.
    fn credit(&mut self, n: u64) {
        let n = usize::try_from(n)
            .unwrap_or(usize::MAX)
            .min(self.sizes.len());
        for size in self.sizes.drain(..n) {
            self.bytes -= u64::from(size);
        }
    }
}

/// What the writer thread works with.
struct Bridge<'a> {
    /// Per inbox, the messages delivered and not yet credited.
    sizes: &'a [Mutex<Sizes>],
    watches: &'a [Arc<dyn TakeWatch>],
    windows: &'a [u32],
    stopper: &'a Stopper,
    idleness: &'a Idleness,
    /// The component's name, as its own `signal` announces it.
    name: &'a str,
}

/// Messages the child's writer took from the component and could not
/// write, per outbox: the parent adds them to what the component left
/// unsent.
type NotWritten = Vec<(&'static str, u64)>;

impl Bridge<'_> {
    /// The writer thread: what the component sends into frames, credit back as
    /// it takes from its inboxes, and word of its scheduler going idle. Ends
    /// when every outbox has ended; returns what it took and could not write.
    fn write_loop(&self, socket: UnixStream, mut sources: Vec<Box<dyn WireSource>>) -> NotWritten {
        let Self {
            sizes: all_sizes,
            watches,
            windows,
            stopper,
            idleness,
            name: _,
        } = *self;
        let waker = thread_waker();
        let mut out = BufWriter::with_capacity(1 << 16, socket);
        let mut frame = FrameBuf::new();
        if frame.write(Kind::Ready, 0, &[], &mut out).is_err() {
            return NotWritten::new();
        }
        // Credit goes back in batches of a quarter window (in messages or
        // in bytes): fewer frames, and the parent still never runs dry while
        // the component keeps taking.
        let thresholds: Vec<u64> = windows.iter().map(|&w| u64::from((w / 4).max(1))).collect();
        let byte_threshold = WINDOW_BYTES / 4;
        let mut acked = vec![0u64; watches.len()];
        let mut ended = vec![false; sources.len()];
        let signal = sources.len() - 1;
        // The component's announcement of its own end on `signal`, held
        // until every other outbox has ended: a message on one of them that
        // cannot cross then fails the component before the announcement
        // goes out, and the parent never hears it finished and then failed.
        let mut held: Option<Vec<u8>> = None;
        // The idle report last passed on, and the idle count when this thread
        // last took a message: an idle report from before that is stale (the
        // take may have woken a component waiting to send).
        let mut reported = 0;
        let mut taken_at = 0;
        let mut armed: Option<(u64, Instant)> = None;
        loop {
            let mut progressed = false;
            for (port, watch) in watches.iter().enumerate() {
                // Credit is due once the component has taken a batch: a
                // quarter window, or fewer messages if they add up to a
                // quarter of the byte budget (the oldest uncredited ones,
                // since it takes in order). Watched so that this thread is
                // woken once per batch, not on every take.
                let mut sizes = lock(&all_sizes[port]);
                let batch = sizes.batch(thresholds[port], byte_threshold);
                let (delivered, queued) = watch.watch_takes(&waker, acked[port] + batch);
                let taken = delivered.saturating_sub(queued as u64);
                let unacked = taken.saturating_sub(acked[port]);
                if unacked >= batch {
                    let n = u32::try_from(unacked).unwrap_or(u32::MAX);
                    sizes.credit(u64::from(n));
                    drop(sizes);
                    let index = u16::try_from(port).expect("fewer than 65536 ports");
                    if frame
                        .write(Kind::Credit, index, &n.to_le_bytes(), &mut out)
                        .is_err()
                    {
                        return NotWritten::new();
                    }
                    acked[port] += u64::from(n);
                    progressed = true;
                }
            }
            let mut took = false;
            for (port, source) in sources.iter_mut().enumerate() {
                if ended[port] {
                    continue;
                }
                let index = u16::try_from(port).expect("fewer than 65536 ports");
                let others_ended = ended[..signal].iter().all(|&e| e);
                if port == signal
                    && let Some(end) = &held
                {
                    if !others_ended {
                        continue;
                    }
                    if frame.write(Kind::Message, index, end, &mut out).is_err() {
                        stopper.fail("the link to the parent failed".to_owned());
                        return NotWritten::new();
                    }
                    held = None;
                    progressed = true;
                }
                let hold_end = port == signal && !others_ended;
                for _ in 0..64 {
                    match pump(
                        &mut **source,
                        index,
                        &mut frame,
                        &mut out,
                        &waker,
                        |kind, payload| {
                            !(hold_end && kind == Kind::Message && self.own_end(payload))
                        },
                    ) {
                        Ok(Pumped::Message) => {
                            progressed = true;
                            took = true;
                        }
                        Ok(Pumped::Held) => {
                            held = Some(frame.payload().to_vec());
                            progressed = true;
                            took = true;
                            break;
                        }
                        Ok(Pumped::Empty) => break,
                        Ok(Pumped::Ended) => {
                            ended[port] = true;
                            progressed = true;
                            break;
                        }
                        // The component fails; the message is lost, and so is
                        // whatever it sends from now on: counted, not sent.
                        Err(PumpError::Unencodable(e)) => {
                            stopper.fail(e.to_string());
                            let _ = out.flush();
                            return self.discard(&mut sources, &mut ended, port);
                        }
                        Err(PumpError::Oversized(reason)) => {
                            stopper.fail(reason);
                            let _ = out.flush();
                            return self.discard(&mut sources, &mut ended, port);
                        }
                        Err(PumpError::Gone) => {
                            stopper.fail("the link to the parent failed".to_owned());
                            return NotWritten::new();
                        }
                    }
                }
            }
            if took {
                // Read once per pass, after the takes: later than each take,
                // so an idle report it admits is only ever more recent.
                taken_at = lock(&idleness.last).0;
            }
            if ended.iter().all(|&e| e) {
                let _ = out.flush();
                return NotWritten::new();
            }
            if !progressed {
                let (count, received) = *lock(&idleness.last);
                if count != reported {
                    if count <= taken_at {
                        // Stale: a take since may have woken the component.
                        // Let the scheduler look again.
                        reported = count;
                        stopper.poke();
                    } else if let Some((armed_count, since)) = armed
                        && armed_count == count
                    {
                        // A whole pass since the report found nothing: every
                        // credit and message from before it is already out,
                        // ahead of this frame. Still idle a moment later
                        // (a child that streams goes idle between messages
                        // all the time; the parent need not hear of it):
                        // say so.
                        let waited = since.elapsed();
                        if waited < IDLE_SETTLE {
                            if out.flush().is_err() {
                                return NotWritten::new();
                            }
                            std::thread::park_timeout(IDLE_SETTLE - waited);
                            continue;
                        }
                        reported = count;
                        armed = None;
                        if frame
                            .write(Kind::Idle, 0, &received.to_le_bytes(), &mut out)
                            .is_err()
                        {
                            return NotWritten::new();
                        }
                    } else {
                        // What the component did before going idle may not
                        // have been seen by this pass: make one more first.
                        armed = Some((count, Instant::now()));
                        continue;
                    }
                }
                if out.flush().is_err() {
                    return NotWritten::new();
                }
                std::thread::park();
            }
        }
    }

    /// After the message just taken from outbox `failed` could not be
    /// written (the component has been failed for it): takes everything
    /// the component still sends, until its outboxes end, and counts it
    /// instead of writing it. An announcement of its own end on `signal`
    /// (one held back included, which the caller drops) is not a message to
    /// count: it is no longer true, and the parent announces the failure.
    fn discard(
        &self,
        sources: &mut [Box<dyn WireSource>],
        ended: &mut [bool],
        failed: usize,
    ) -> NotWritten {
        let mut lost: NotWritten = vec![(sources[failed].name(), 1)];
        let mut count = |port: &'static str| match lost.iter_mut().find(|(p, _)| *p == port) {
            Some(entry) => entry.1 += 1,
            None => lost.push((port, 1)),
        };
        let waker = thread_waker();
        let signal = sources.len() - 1;
        let mut bytes = Vec::new();
        loop {
            let mut progressed = false;
            for (port, source) in sources.iter_mut().enumerate() {
                while !ended[port] {
                    bytes.clear();
                    match source.pull(&mut bytes, &waker) {
                        Ok(Pulled::Message) if port == signal && self.own_end(&bytes) => {}
                        // Taken from the component either way.
                        Ok(Pulled::Message) | Err(_) => count(source.name()),
                        Ok(Pulled::Empty) => break,
                        Ok(Pulled::Closed) => ended[port] = true,
                    }
                    progressed = true;
                }
            }
            if ended.iter().all(|&e| e) {
                return lost;
            }
            if !progressed {
                std::thread::park();
            }
        }
    }

    /// Whether `bytes` on `signal` are the component's announcement of its
    /// own end.
    fn own_end(&self, bytes: &[u8]) -> bool {
        matches!(
            postcard::from_bytes::<Control>(bytes),
            Ok(Control::Finished { component } | Control::Failed { component, .. })
                if component == self.name
        )
    }
}
