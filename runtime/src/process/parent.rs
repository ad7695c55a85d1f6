//! The parent's side of a process component: a proxy task on the scheduler
//! (the same as a threaded component's) and two bridge threads.
//!
//! The **writer** takes messages from the component's own inboxes (which
//! its upstream links already reach) and sends them as frames, one inbox at
//! a time and only while it holds credit for that inbox. The **reader**
//! decodes what the child sends into the component's own outboxes (which
//! reach its downstream), hands credit back to the writer, and at the end
//! reaps the child and reports how the component ended.
//!
//! Credit is what keeps memory bounded: per inbox, at most a window of
//! messages (its capacity if it has one, else [`WINDOW`]) and about
//! [`WINDOW_BYTES`] are on their way to or waiting in the child; beyond that
//! they stay in the parent's inbox, which fills and makes its senders wait.
//! Credit is per inbox, so a full inbox in the child never blocks another's
//! messages.

use std::collections::VecDeque;
use std::io::{BufReader, BufWriter, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use super::frame::{FrameBuf, FrameError, FrameReader, Kind};
use super::protocol::{self, Hello, VERSION, WINDOW_BYTES};
use super::spawn::spawn_child;
use super::wire::{Delivery, PumpError, Pumped, WireSink, WireSource, Wires, pump};
use super::{STOP_GRACE, initialised};
use crate::graph::Spawner;
use crate::report::Outcome;
use crate::sync::lock_std as lock;
use crate::thread::{Done, Parker, Proxy, Shared, as_helper, park_here, thread_waker};
use crate::{Control, Outbox};

/// Messages per unbounded inbox that may be on their way to, or waiting
/// in, the child. Large, because every round of credit costs thread
/// wake-ups on both sides; [`WINDOW_BYTES`] keeps large messages in check.
pub(crate) const WINDOW: u32 = 1024;

/// The same for `control`, which carries few messages.
const CONTROL_WINDOW: u32 = 16;

/// The most messages the writer takes from one inbox before looking at the
/// next, so a busy inbox cannot starve the others.
const BATCH: u32 = 64;

/// Everything the node gathered for its child.
pub(crate) struct Session {
    pub(crate) name: Arc<str>,
    pub(crate) key: &'static str,
    /// The encoded state, or why it could not be encoded.
    pub(crate) state: Result<Vec<u8>, String>,
    /// Sources: the inboxes, then `control`; sinks: the outboxes.
    pub(crate) wires: Wires,
    pub(crate) signal: Outbox<Control>,
}

/// What the two bridge threads share.
struct Bridge {
    shared: Arc<Shared>,
    /// Per inbox: the messages in flight to the child.
    flights: Box<[Mutex<Flight>]>,
    sent: Box<[AtomicU64]>,
    returned: Box<[AtomicU64]>,
    /// The writer's parker, once it runs.
    writer: OnceLock<Arc<Parker>>,
    /// Whether the child counts as active for stall detection.
    child: Mutex<ChildState>,
    /// The reader has finished: the writer stops.
    stop: AtomicBool,
    /// Why the bridge gave up on the child; the first reason is reported.
    failure: Mutex<Option<String>>,
    /// The link was cut because a cancelled child did not stop in time.
    cut_on_cancel: AtomicBool,
    /// Shutting it down ends the reader's wait, wherever the child is.
    socket: UnixStream,
}

/// Messages sent on one inbox and not yet taken by the child's component.
struct Flight {
    /// Their encoded sizes, oldest first (the child takes them in order).
    sizes: VecDeque<u32>,
    /// Their total size.
    bytes: u64,
    /// How many may be in flight at once.
    window: u32,
}

/// What the parent knows of its child's activity.
///
/// The child counts as one active thread of the parent's scheduler unless
/// it said it was idle (its scheduler had nothing to do and was waiting for
/// the parent) after taking in everything the parent had sent: then it can
/// only act again once the parent sends, and the system may be stalled.
struct ChildState {
    /// Counted among the scheduler's active threads.
    active: bool,
    /// Message and end frames sent so far.
    sent: u64,
}

impl Bridge {
    /// Whether another message may go to the child on inbox `port`: within
    /// the window, and within the byte budget unless nothing is in flight.
    fn may_send(&self, port: usize) -> bool {
        let flight = lock(&self.flights[port]);
        flight.sizes.len() < flight.window as usize
            && (flight.bytes < WINDOW_BYTES || flight.sizes.is_empty())
    }

    fn sent_message(&self, port: usize, size: usize) {
        // An oversized message is refused when its frame is finished;
        // until then it counts as the largest possible.
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let mut flight = lock(&self.flights[port]);
        flight.sizes.push_back(size);
        flight.bytes += u64::from(size);
    }

    /// The child's component took `n` more messages from inbox `port`.
    fn credited(&self, port: usize, n: u32) {
        let mut flight = lock(&self.flights[port]);
        for _ in 0..n {
            match flight.sizes.pop_front() {
                Some(size) => flight.bytes -= u64::from(size),
                None => break,
            }
        }
    }

    /// Before sending the child a frame it will act on: it counts as
    /// active again before it can possibly react.
    fn note_send(&self) {
        let mut child = lock(&self.child);
        child.sent += 1;
        if !child.active {
            child.active = true;
            self.shared.remote.thread_unparked();
        }
    }

    /// The child went idle having taken in `received` frames.
    fn note_idle(&self, received: u64) {
        let mut child = lock(&self.child);
        if child.active && child.sent == received {
            child.active = false;
            self.shared.remote.thread_parked();
        }
    }

    /// Counts the child active again, for `Shared::finish` to count it out.
    fn hold_child(&self) {
        let mut child = lock(&self.child);
        if !child.active {
            child.active = true;
            self.shared.remote.thread_unparked();
        }
    }

    /// Gives up on the child: records why and cuts the link, which makes
    /// the reader kill and reap it.
    fn fail(&self, reason: String) {
        lock(&self.failure).get_or_insert(reason);
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    fn wake_writer(&self) {
        if let Some(parker) = self.writer.get() {
            parker.unpark();
        }
    }
}

/// Starts the child and its bridge threads; a proxy task stands for them
/// on the scheduler. Whatever goes wrong ends as the component's failure.
pub(crate) fn start(session: Session, spawner: &Spawner<'_>) {
    let shared = Arc::new(Shared::new(spawner.core.remote().clone()));
    Proxy::spawn(&shared, &session.name, spawner);
    let name = session.name.clone();
    if let Err(failed) = launch(session, &shared) {
        let outcome = Outcome::Failed(failed.reason);
        // As for any component that fails: its `signal` says so.
        if let Some(mut signal) = failed.signal {
            crate::control::announce(&mut signal, &name, &outcome);
        }
        shared.finish(Done {
            outcome,
            undelivered: Vec::new(),
        });
    }
}

/// Why a child could not be started, with the component's `signal` when
/// it is still at hand to say so.
struct LaunchFailed {
    reason: String,
    signal: Option<Outbox<Control>>,
}

fn launch(session: Session, shared: &Arc<Shared>) -> Result<(), LaunchFailed> {
    let Session {
        name,
        key,
        state,
        wires,
        signal,
    } = session;
    let failed = |reason: String, signal| {
        Err(LaunchFailed {
            reason,
            signal: Some(signal),
        })
    };
    if !initialised() {
        return failed(
            "this binary cannot start process components: call `myelin::process::init()` \
             first thing in `main` (in a test crate, add `myelin::process_test_entry!()` \
             and call `myelin::process::init()` in the test)"
                .into(),
            signal,
        );
    }
    let state = match state {
        Ok(state) => state,
        Err(reason) => return failed(reason, signal),
    };
    let Wires { sources, sinks, .. } = wires;
    // A bounded inbox keeps its bound across the boundary: as many again
    // may be in flight as wait in the parent.
    let mut windows: Vec<u32> = sources
        .iter()
        .map(|s| {
            s.capacity()
                .map_or(WINDOW, |c| u32::try_from(c).unwrap_or(WINDOW).min(WINDOW))
        })
        .collect();
    if let Some(control) = windows.last_mut() {
        *control = CONTROL_WINDOW;
    }
    let hello = match postcard::to_stdvec(&Hello {
        version: VERSION,
        key: key.to_owned(),
        name: name.to_string(),
        state,
        windows: windows.clone(),
    }) {
        Ok(hello) => hello,
        Err(e) => return failed(format!("could not encode the child's start: {e}"), signal),
    };
    let (child, socket) = match spawn_child() {
        Ok(started) => started,
        Err(e) => return failed(format!("could not start its child process: {e}"), signal),
    };
    let (writer_socket, reader_socket) = match (socket.try_clone(), socket.try_clone()) {
        (Ok(w), Ok(r)) => (w, r),
        (Err(e), _) | (_, Err(e)) => {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            let reason = format!("could not set up the link to its child process: {e}");
            return failed(reason, signal);
        }
    };
    let bridge = Arc::new(Bridge {
        shared: shared.clone(),
        flights: windows
            .iter()
            .map(|&window| {
                Mutex::new(Flight {
                    sizes: VecDeque::new(),
                    bytes: 0,
                    window,
                })
            })
            .collect(),
        sent: windows.iter().map(|_| AtomicU64::new(0)).collect(),
        returned: windows.iter().map(|_| AtomicU64::new(0)).collect(),
        writer: OnceLock::new(),
        child: Mutex::new(ChildState {
            active: true,
            sent: 0,
        }),
        stop: AtomicBool::new(false),
        failure: Mutex::new(None),
        cut_on_cancel: AtomicBool::new(false),
        socket,
    });
    let inbox_names: Vec<&'static str> = sources.iter().map(|s| s.name()).collect();
    let mut outbox_names: Vec<&'static str> = sinks.iter().map(|s| s.name()).collect();
    outbox_names.push("signal");

    // Each bridge thread counts as an active thread of the scheduler while
    // it runs, from before it starts; it parks through a parker of its own,
    // which keeps that count exact (see `thread/park.rs`).
    let remote = shared.remote.clone();
    remote.thread_unparked();
    let writer = {
        let bridge = bridge.clone();
        std::thread::Builder::new()
            .name(format!("{name} (to child)"))
            .spawn(move || {
                let parker = Arc::new(Parker::new(bridge.shared.remote.clone()));
                let _ = bridge.writer.set(parker.clone());
                bridge.shared.set_parker(parker.clone());
                let (_, left) = as_helper(bridge.shared.clone(), parker, || {
                    write_loop(&bridge, sources, &hello, writer_socket);
                });
                bridge.shared.remote.thread_parked();
                left
            })
    };
    let writer = match writer {
        Ok(writer) => writer,
        Err(e) => {
            remote.thread_parked();
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            return failed(format!("could not start its bridge thread: {e}"), signal);
        }
    };

    remote.thread_unparked();
    let reader = {
        let bridge = bridge.clone();
        let name = name.clone();
        std::thread::Builder::new()
            .name(format!("{name} (from child)"))
            .spawn(move || {
                let parker = Arc::new(Parker::new(bridge.shared.remote.clone()));
                let ((outcome, mut undelivered), _) =
                    as_helper(bridge.shared.clone(), parker, || {
                        let reading = Reading {
                            bridge: &bridge,
                            name: &name,
                            inbox_names,
                            outbox_names,
                        };
                        reading.run(child, reader_socket, sinks, signal)
                    });
                bridge.stop.store(true, Ordering::Release);
                bridge.wake_writer();
                let left = writer.join().unwrap_or_default();
                merge(&mut undelivered, left);
                bridge.hold_child();
                bridge.shared.finish(Done {
                    outcome,
                    undelivered,
                });
                bridge.shared.remote.thread_parked();
            })
    };
    if let Err(e) = reader {
        remote.thread_parked();
        // The writer stops once the link is cut; the child dies when its
        // socket closes.
        bridge.fail(format!("could not start its bridge thread: {e}"));
        bridge.stop.store(true, Ordering::Release);
        bridge.wake_writer();
        // `signal` went with the thread that could not start.
        return Err(LaunchFailed {
            reason: format!("could not start its bridge thread: {e}"),
            signal: None,
        });
    }
    Ok(())
}

/// Adds `more` to `into`, one entry per port and kind.
fn merge(
    into: &mut Vec<(&'static str, usize, bool)>,
    more: impl IntoIterator<Item = (&'static str, usize, bool)>,
) {
    for (port, count, unsent) in more {
        match into.iter_mut().find(|(p, _, u)| *p == port && *u == unsent) {
            Some(entry) => entry.1 += count,
            None => into.push((port, count, unsent)),
        }
    }
}

/// The writer thread: inboxes to frames.
fn write_loop(
    bridge: &Bridge,
    mut sources: Vec<Box<dyn WireSource>>,
    hello: &[u8],
    socket: UnixStream,
) {
    let waker = thread_waker();
    let mut out = BufWriter::with_capacity(1 << 16, socket);
    let mut frame = FrameBuf::new();
    if frame
        .write(Kind::Hello, 0, hello, &mut out)
        .and_then(|()| out.flush())
        .is_err()
    {
        // The child died at once; the reader reports how.
        return;
    }
    let mut ended = vec![false; sources.len()];
    let mut cancel_deadline: Option<Instant> = None;
    loop {
        if bridge.stop.load(Ordering::Acquire) {
            return;
        }
        if cancel_deadline.is_none() && bridge.shared.is_cancelled() {
            // Forward nothing more: what is still queued here stays in the
            // inboxes and is counted when they drop.
            let _ = frame
                .write(Kind::Cancel, 0, &[], &mut out)
                .and_then(|()| out.flush());
            cancel_deadline = Some(Instant::now() + STOP_GRACE);
        }
        if let Some(deadline) = cancel_deadline {
            let now = Instant::now();
            if now >= deadline {
                bridge.cut_on_cancel.store(true, Ordering::Release);
                let _ = bridge.socket.shutdown(Shutdown::Both);
                std::thread::park();
            } else {
                std::thread::park_timeout(deadline - now);
            }
            continue;
        }
        let mut progressed = false;
        for (port, source) in sources.iter_mut().enumerate() {
            if ended[port] {
                continue;
            }
            let index = u16::try_from(port).expect("fewer than 65536 ports");
            let mut batch = 0;
            while batch < BATCH && bridge.may_send(port) {
                let pumped = pump(
                    &mut **source,
                    index,
                    &mut frame,
                    &mut out,
                    &waker,
                    |kind, size| {
                        if kind == Kind::Message {
                            bridge.sent_message(port, size);
                            // Counted before the write: if the child is gone,
                            // this one is lost with the rest in flight.
                            bridge.sent[port].fetch_add(1, Ordering::Relaxed);
                        }
                        bridge.note_send();
                    },
                );
                match pumped {
                    Ok(Pumped::Message) => {
                        batch += 1;
                        progressed = true;
                    }
                    Ok(Pumped::Empty) => break,
                    Ok(Pumped::Ended) => {
                        ended[port] = true;
                        progressed = true;
                        break;
                    }
                    Err(PumpError::Unencodable(e)) => {
                        // Lost, like those in flight: counted with them.
                        bridge.sent[port].fetch_add(1, Ordering::Relaxed);
                        bridge.fail(e.to_string());
                        return;
                    }
                    Err(PumpError::Oversized(reason)) => {
                        bridge.fail(reason);
                        return;
                    }
                    // The child is gone; the reader says how.
                    Err(PumpError::Gone) => return,
                }
            }
        }
        if !progressed {
            if out.flush().is_err() {
                return;
            }
            // Woken by a message or end of stream on an inbox with credit,
            // by credit coming back, by `stop`, or by cancellation. Waiting
            // on inboxes fed from outside the system is not idleness.
            let outside = sources.iter().any(|s| s.is_external());
            park_here(outside);
        }
    }
}

/// The reader thread's view: frames to outboxes, and the final account.
struct Reading<'a> {
    bridge: &'a Bridge,
    name: &'a str,
    inbox_names: Vec<&'static str>,
    /// The outboxes, then `signal`.
    outbox_names: Vec<&'static str>,
}

impl Reading<'_> {
    fn run(
        self,
        mut child: Child,
        socket: UnixStream,
        sinks: Vec<Box<dyn WireSink>>,
        mut signal: Outbox<Control>,
    ) -> (Outcome, Vec<(&'static str, usize, bool)>) {
        let bridge = self.bridge;
        let mut sinks: Vec<Option<Box<dyn WireSink>>> = sinks.into_iter().map(Some).collect();
        let mut refused = vec![0usize; sinks.len() + 1];
        let mut frames = FrameReader::new(BufReader::with_capacity(1 << 16, socket));
        let mut done: Option<protocol::Done> = None;
        // The link broke (reset, or cut inside a frame): what the child's
        // exit status says decides whether that was a crash or bad data.
        let mut broken: Option<FrameError> = None;
        let remote = &bridge.shared.remote;
        loop {
            // Waiting for the child is not activity of this thread: the
            // child itself counts while it may still send (`ChildState`).
            remote.thread_parked();
            let read = frames.read();
            remote.thread_unparked();
            let (kind, port, bytes) = match read {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e @ (FrameError::Io(_) | FrameError::Truncated)) => {
                    broken = Some(e);
                    break;
                }
                Err(e) => {
                    bridge.fail(format!("bad data from its child process: {e}"));
                    break;
                }
            };
            let port = usize::from(port);
            match kind {
                Kind::Ready => {}
                Kind::Message if port < sinks.len() => {
                    let Some(sink) = sinks[port].as_mut() else {
                        bridge.fail(format!(
                            "its child process sent on `{}` after ending it",
                            self.outbox_names[port]
                        ));
                        break;
                    };
                    match sink.deliver(bytes) {
                        Ok(()) => {}
                        Err(Delivery::Malformed(e)) => {
                            bridge.fail(format!("bad data from its child process: {e}"));
                            break;
                        }
                        Err(Delivery::Refused) => refused[port] += 1,
                    }
                }
                Kind::Message if port == sinks.len() => {
                    match postcard::from_bytes::<Control>(bytes) {
                        Ok(msg) => {
                            // As for any component, an unlinked or finished
                            // `signal` is normal: the report has the outcome.
                            let _ = signal.blocking_send(msg);
                        }
                        Err(e) => {
                            bridge.fail(format!(
                                "bad data from its child process: a message for `signal` \
                                 is not a valid `Control`: {e}"
                            ));
                            break;
                        }
                    }
                }
                Kind::End if port < sinks.len() => sinks[port] = None,
                Kind::End if port == sinks.len() => {}
                Kind::Credit if port < bridge.flights.len() && bytes.len() == 4 => {
                    let n = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                    bridge.returned[port].fetch_add(u64::from(n), Ordering::Relaxed);
                    bridge.credited(port, n);
                    bridge.wake_writer();
                }
                Kind::Idle if bytes.len() == 8 => {
                    let mut received = [0; 8];
                    received.copy_from_slice(bytes);
                    bridge.note_idle(u64::from_le_bytes(received));
                }
                Kind::Shutdown => bridge.shared.remote.request_shutdown(),
                Kind::Done => match postcard::from_bytes::<protocol::Done>(bytes) {
                    Ok(d) => {
                        done = Some(d);
                        break;
                    }
                    Err(e) => {
                        bridge.fail(format!(
                            "bad data from its child process: malformed end report: {e}"
                        ));
                        break;
                    }
                },
                _ => {
                    bridge.fail(format!(
                        "bad data from its child process: unexpected {kind:?} frame for port {port}"
                    ));
                    break;
                }
            }
        }

        // Reap the child. Unless it said it was done, it may still be
        // running (it closed the socket, or we cut the link): kill it; a
        // child already dead is not affected, and since it is not reaped
        // yet its pid cannot have been reused.
        if done.is_none() {
            let _ = child.kill();
        }
        let status = child.wait();
        let failure = lock(&bridge.failure).take();
        let outcome = match (failure, &done) {
            (Some(reason), _) => Outcome::Failed(reason),
            (None, Some(done)) => done.outcome.clone().into(),
            (None, None) if bridge.cut_on_cancel.load(Ordering::Acquire) => Outcome::Cancelled,
            (None, None) => Outcome::Failed(match (status, broken) {
                (Ok(status), Some(e)) if status.success() => {
                    format!("bad data from its child process: {e}")
                }
                (Ok(status), _) => format!("its child process exited unexpectedly ({status})"),
                (Err(e), _) => format!("its child process was lost: {e}"),
            }),
        };

        // Everything sent that the component did not take is unread: in
        // the child's inbox, in the socket, or lost with the child.
        let mut undelivered = Vec::new();
        for (port, name) in self.inbox_names.iter().enumerate() {
            let sent = bridge.sent[port].load(Ordering::Relaxed);
            let taken = match &done {
                Some(done) => done.taken.get(port).copied().unwrap_or(0),
                None => bridge.returned[port].load(Ordering::Relaxed),
            };
            let unread = usize::try_from(sent.saturating_sub(taken)).unwrap_or(usize::MAX);
            if unread > 0 {
                undelivered.push((*name, unread, false));
            }
        }
        for (port, count) in done.iter().flat_map(|d| &d.unsent) {
            let name = self
                .outbox_names
                .iter()
                .find(|n| **n == port.as_str())
                .copied()
                .unwrap_or("signal");
            merge(
                &mut undelivered,
                [(name, usize::try_from(*count).unwrap_or(usize::MAX), true)],
            );
        }
        for (port, count) in refused.into_iter().enumerate() {
            if count > 0 {
                merge(&mut undelivered, [(self.outbox_names[port], count, true)]);
            }
        }
        if done.is_none() {
            // The child could not say how it ended; say it for it.
            crate::control::announce(&mut signal, self.name, &outcome);
        }
        drop(sinks);
        drop(signal);
        (outcome, undelivered)
    }
}
