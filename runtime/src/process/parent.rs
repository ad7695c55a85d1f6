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
use super::wire::{Delivery, Pulled, PumpError, Pumped, WireSink, WireSource, Wires, pump};
use super::{STOP_GRACE, initialised};
use crate::graph::Spawner;
use crate::report::Outcome;
use crate::scheduler::current::{park_here, thread_waker};
use crate::scheduler::park::Parker;
use crate::scheduler::registry::Active;
use crate::sync::lock_std as lock;
use crate::thread::{Done, Proxy, Shared, as_helper};
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
    /// The component failed while its child still runs (`give_up`): the
    /// writer stops the child as for a cancellation.
    halt: AtomicBool,
    /// Why the bridge gave up on the child; the first reason is reported.
    failure: Mutex<Option<String>>,
    /// The link was cut because a cancelled child did not stop in time.
    cut_on_cancel: AtomicBool,
    /// Shutting it down ends the reader's wait, wherever the child is.
    socket: UnixStream,
}

/// Messages sent on one inbox and not yet taken by the child's component.
struct Flight {
    /// Their encoded sizes, oldest first (the child takes them in order),
    /// and whether each is quiet: an upstream's `Finished` on `control`,
    /// which is never counted unread (see `lifecycle::settle`).
    sizes: VecDeque<(u32, bool)>,
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
/// The count itself is the component's (`Shared::count_in`), which its
/// proxy started.
struct ChildState {
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

    /// A message of `size` bytes is going to the child on inbox `port`
    /// (`quiet`: see `Flight::sizes`).
    fn sent_message(&self, port: usize, size: usize, quiet: bool) {
        // An oversized message is refused when its frame is finished;
        // until then it counts as the largest possible.
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let mut flight = lock(&self.flights[port]);
        flight.sizes.push_back((size, quiet));
        flight.bytes += u64::from(size);
        self.sent[port].fetch_add(1, Ordering::Relaxed);
    }

    /// The child's component took `n` more messages from inbox `port`.
    fn credited(&self, port: usize, n: u32) {
        let mut flight = lock(&self.flights[port]);
        for _ in 0..n {
            match flight.sizes.pop_front() {
                Some((size, _)) => flight.bytes -= u64::from(size),
                None => break,
            }
        }
    }

    /// How many of the last `n` messages sent on inbox `port` count as
    /// unread if they never reached the component: all but the quiet ones.
    fn unread_among_last(&self, port: usize, n: u64) -> usize {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let flight = lock(&self.flights[port]);
        let quiet = flight
            .sizes
            .iter()
            .rev()
            .take(n)
            .filter(|(_, quiet)| *quiet)
            .count();
        n - quiet
    }

    /// Before sending the child a frame it will act on: it counts as
    /// active again before it can possibly react.
    fn note_send(&self) {
        let mut child = lock(&self.child);
        child.sent += 1;
        self.shared.count_in();
    }

    /// The child went idle having taken in `received` frames.
    fn note_idle(&self, received: u64) {
        let child = lock(&self.child);
        if child.sent == received {
            self.shared.count_out();
        }
    }

    /// Counts the child active again, for `Shared::finish` to count it out.
    fn hold_child(&self) {
        let _child = lock(&self.child);
        self.shared.count_in();
    }

    /// Gives up on the child: records why and cuts the link, which makes
    /// the reader kill and reap it. For a link that can no longer be
    /// trusted (bad data); see `give_up` for one that can.
    fn fail(&self, reason: String) {
        lock(&self.failure).get_or_insert(reason);
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    /// Fails the component while the link is still sound (a message that
    /// cannot cross: a type postcard cannot carry, a message over the frame
    /// limit): records why and has the writer stop the child as for a
    /// cancellation, so that its end report still comes and every message
    /// is counted exactly.
    fn give_up(&self, reason: String) {
        lock(&self.failure).get_or_insert(reason);
        self.halt.store(true, Ordering::Release);
        self.wake_writer();
    }

    /// Whether the child is to be stopped: the component was cancelled, or
    /// the bridge gave up on it.
    fn stopping(&self) -> bool {
        self.halt.load(Ordering::Acquire) || self.shared.is_cancelled()
    }

    fn wake_writer(&self) {
        if let Some(parker) = self.writer.get() {
            parker.unpark();
        }
    }
}

/// Starts the child and its bridge threads; a proxy task stands for them
/// on the scheduler. Whatever goes wrong ends as the component's failure.
pub(crate) fn start(session: Session, spawner: &Spawner<'_>, seen: crate::describe::Seen) {
    let shared = Arc::new(Shared::new(spawner.core.remote().clone()));
    Proxy::spawn(&shared, &session.name, spawner, seen);
    let name = session.name.clone();
    if let Err(failed) = launch(session, &shared) {
        let outcome = Outcome::Failed(failed.reason);
        // As for any component that fails: its `signal` says so.
        if let Some(mut signal) = failed.signal {
            crate::lifecycle::announce(&mut signal, &name, &outcome);
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
        child: Mutex::new(ChildState { sent: 0 }),
        stop: AtomicBool::new(false),
        halt: AtomicBool::new(false),
        failure: Mutex::new(None),
        cut_on_cancel: AtomicBool::new(false),
        socket,
    });
    let inbox_names: Vec<&'static str> = sources.iter().map(|s| s.name()).collect();
    let mut outbox_names: Vec<&'static str> = sinks.iter().map(|s| s.name()).collect();
    outbox_names.push("signal");

    // Each bridge thread counts as an active thread of the scheduler while
    // it runs, from before it starts (its `Active` goes with it, and goes
    // if it cannot start); it parks through a parker of its own, which
    // keeps that count exact (see `scheduler/park.rs`).
    let active = Active::new(&shared.remote);
    let writer = {
        let bridge = bridge.clone();
        std::thread::Builder::new()
            .name(format!("{name} (to child)"))
            .spawn(move || {
                let parker = Arc::new(Parker::new(bridge.shared.remote.clone()));
                let _ = bridge.writer.set(parker.clone());
                let mut sources = sources;
                let (_, left) = as_helper(bridge.shared.clone(), parker, || {
                    write_loop(&bridge, &mut sources, &hello, writer_socket);
                    close_sources(&mut sources);
                });
                drop(active);
                left
            })
    };
    let writer = match writer {
        Ok(writer) => writer,
        Err(e) => {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            return failed(format!("could not start its bridge thread: {e}"), signal);
        }
    };

    let active = Active::new(&shared.remote);
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
                            active: &active,
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
                drop(active);
            })
    };
    if let Err(e) = reader {
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

/// Closes the component's inboxes (`control` last): they take no more
/// messages, and what they still hold is counted unread, except an
/// upstream's `Finished` left on `control`, which says nothing the end of
/// the stream did not (as `lifecycle::settle` does for any component).
fn close_sources(sources: &mut Vec<Box<dyn WireSource>>) {
    if let Some(control) = sources.last_mut() {
        let waker = std::task::Waker::noop();
        let mut bytes = Vec::new();
        let mut unread = 0;
        loop {
            bytes.clear();
            match control.pull(&mut bytes, waker) {
                Ok(Pulled::Message) if is_finished(&bytes) => {}
                Ok(Pulled::Message) | Err(_) => unread += 1,
                Ok(Pulled::Empty | Pulled::Closed) => break,
            }
        }
        if unread > 0 {
            crate::scheduler::current::record_backlog(control.name(), unread);
        }
    }
    // Dropping the inboxes counts what the others hold.
    sources.clear();
}

/// Whether `bytes` encode a `Control::Finished`.
fn is_finished(bytes: &[u8]) -> bool {
    matches!(
        postcard::from_bytes::<Control>(bytes),
        Ok(Control::Finished { .. })
    )
}

/// The writer thread: inboxes to frames.
fn write_loop(
    bridge: &Bridge,
    sources: &mut Vec<Box<dyn WireSource>>,
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
    let control = sources.len() - 1;
    let mut cancel_deadline: Option<Instant> = None;
    loop {
        if bridge.stop.load(Ordering::Acquire) {
            return;
        }
        if cancel_deadline.is_none() && bridge.stopping() {
            // Forward nothing more, and take nothing more: the inboxes
            // close now, as a cancelled generator's do, counting what they
            // hold, and refuse what senders still offer (a handle's
            // `Sender` into an unbounded inbox would otherwise fill memory
            // for as long as the child takes to stop).
            close_sources(sources);
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
        'pass: for (port, source) in sources.iter_mut().enumerate() {
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
                    |kind, payload| {
                        if kind == Kind::Message {
                            // Counted before the write: if the child is gone,
                            // this one is lost with the rest in flight.
                            let quiet = port == control && is_finished(payload);
                            bridge.sent_message(port, payload.len(), quiet);
                        }
                        bridge.note_send();
                        true
                    },
                );
                match pumped {
                    Ok(Pumped::Message) => {
                        batch += 1;
                        progressed = true;
                    }
                    // Nothing is held back here.
                    Ok(Pumped::Empty | Pumped::Held) => break,
                    Ok(Pumped::Ended) => {
                        ended[port] = true;
                        progressed = true;
                        break;
                    }
                    // The message cannot cross, and the component fails: it
                    // is lost, counted with those that never reached the
                    // child (an oversized one was counted as it was sent),
                    // and the child is stopped.
                    Err(PumpError::Unencodable(e)) => {
                        bridge.sent_message(port, 0, false);
                        bridge.give_up(e.to_string());
                        progressed = true;
                        break 'pass;
                    }
                    Err(PumpError::Oversized(reason)) => {
                        bridge.give_up(reason);
                        progressed = true;
                        break 'pass;
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
    /// The reader thread, counted active.
    active: &'a Active,
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
        // Per outbox, then `signal`: messages from the child that could not
        // be passed on, counted unsent.
        let mut refused = vec![0usize; sinks.len() + 1];
        let mut frames = FrameReader::new(BufReader::with_capacity(1 << 16, socket));
        let mut done: Option<protocol::Done> = None;
        // The component was failed here while its child still runs (a
        // message that cannot cross): nothing more from it is passed on.
        let mut given_up = false;
        // The child announced the component's failure on `signal`.
        let mut announced_failure = false;
        // The link broke (reset, or cut inside a frame): what the child's
        // exit status says decides whether that was a crash or bad data.
        let mut broken: Option<FrameError> = None;
        loop {
            // Waiting for the child is not activity of this thread: the
            // child itself counts while it may still send (`ChildState`).
            let read = self.active.idle_while(|| frames.read());
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
                    if given_up {
                        refused[port] += 1;
                        continue;
                    }
                    match sink.deliver(bytes) {
                        Ok(()) => {}
                        // A type postcard cannot carry: the link is sound,
                        // so the child is stopped and still reports.
                        Err(Delivery::Malformed(e)) if e.unsupported() => {
                            refused[port] += 1;
                            bridge.give_up(e.to_string());
                            given_up = true;
                        }
                        Err(Delivery::Malformed(e)) => {
                            refused[port] += 1;
                            bridge.fail(format!("bad data from its child process: {e}"));
                            break;
                        }
                        // Refused by a finished receiver, or by cancellation
                        // (a cancelled bridge never waits for room).
                        Err(Delivery::Refused) => refused[port] += 1,
                    }
                }
                Kind::Message if port == sinks.len() => {
                    match postcard::from_bytes::<Control>(bytes) {
                        Ok(msg) => {
                            let own_end = matches!(
                                &msg,
                                Control::Finished { component }
                                    | Control::Failed { component, .. }
                                    if component == self.name
                            );
                            if given_up {
                                // No longer true: the failure is announced
                                // below. Anything else is counted.
                                if !own_end {
                                    refused[port] += 1;
                                }
                                continue;
                            }
                            announced_failure |= own_end && matches!(msg, Control::Failed { .. });
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
        // the child's inbox, in the socket, or lost with the child. Of
        // those that never reached its inbox (the last ones sent), an
        // upstream's `Finished` on `control` is not counted, as for any
        // component; of those that did, the child left such ones out.
        let mut undelivered = Vec::new();
        for (port, name) in self.inbox_names.iter().enumerate() {
            let sent = bridge.sent[port].load(Ordering::Relaxed);
            let (unreached, unread_there) = match &done {
                Some(done) => {
                    let taken = done.taken.get(port).copied().unwrap_or(0);
                    let delivered = done
                        .delivered
                        .get(port)
                        .copied()
                        .unwrap_or(taken)
                        .clamp(taken, sent.max(taken));
                    (sent.saturating_sub(delivered), delivered - taken)
                }
                None => {
                    let returned = bridge.returned[port].load(Ordering::Relaxed);
                    (sent.saturating_sub(returned), 0)
                }
            };
            let unread = bridge
                .unread_among_last(port, unreached)
                .saturating_add(usize::try_from(unread_there).unwrap_or(usize::MAX));
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
        // The child could not say how it ended, or did not know it failed
        // (the failure was found by a bridge): say it for it.
        let announce = match &outcome {
            Outcome::Failed(_) => !announced_failure,
            _ => done.is_none(),
        };
        if announce {
            crate::lifecycle::announce(&mut signal, self.name, &outcome);
        }
        drop(sinks);
        drop(signal);
        (outcome, undelivered)
    }
}
