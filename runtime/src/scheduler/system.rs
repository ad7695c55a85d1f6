//! What the schedulers of one system share.
//!
//! A system runs on a home scheduler (the thread that called `run`, or the
//! thread `spawn` started) and on up to `schedulers - 1` workers, each an
//! OS thread with a scheduler of its own, started only when placement puts
//! a component there. The home scheduler decides for all of them when the
//! system ends: when no task is left anywhere, when shutdown is asked, or
//! when it has stalled. Workers run what they are given until the home
//! scheduler tells them to stop, then cancel what they still hold on their
//! own thread (a component's future never leaves its thread) and hand
//! their part of the report back.
//!
//! # Telling a stall across schedulers
//!
//! The home `Remote`'s activity word counts every party that may still
//! wake a task without being woken first: running threaded components and
//! busy workers. Its upper half is an epoch, bumped by every increment. A
//! worker leaves the count only after it found its queues empty, and
//! rejoins before it looks at them again. The home scheduler declares a
//! stall only if the word reads zero parties, then no worker has a wake-up
//! waiting and no waker is held outside, then the word still reads the
//! same: nobody became active in between, so nobody could have queued a
//! wake-up after its look.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::local::Core;
use super::registry::{Active, Remote};
use crate::report::{Outcome, ReportBuilder};
use crate::sync::lock_std as lock;
use std::sync::Mutex;

/// The shared state of one system's schedulers.
pub(crate) struct System {
    /// The home scheduler's remote: handles, threads and the activity word
    /// live there.
    pub(crate) home: Arc<Remote>,
    /// The most schedulers this system may use, home included.
    pub(crate) schedulers: usize,
    /// Tasks alive on any scheduler, counting those handed to a worker and
    /// not started yet.
    live: AtomicUsize,
    /// Start order, for the report.
    seq: AtomicUsize,
    /// Worker `i` runs scheduler `i + 1`.
    workers: Mutex<Vec<Option<Worker>>>,
    /// How the workers' remaining components end, once decided.
    stop: Mutex<Option<Outcome>>,
}

struct Worker {
    remote: Arc<Remote>,
    /// The worker thread's token, for binding links to it.
    token: usize,
    thread: Option<JoinHandle<ReportBuilder>>,
}

/// How the home scheduler reaches one scheduler of its system.
pub(crate) struct Target {
    pub(crate) token: usize,
    pub(crate) remote: Option<Arc<Remote>>,
}

impl System {
    pub(crate) fn new(home: Arc<Remote>, schedulers: usize) -> Self {
        Self {
            home,
            schedulers: schedulers.max(1),
            live: AtomicUsize::new(0),
            seq: AtomicUsize::new(0),
            workers: Mutex::new(Vec::new()),
            stop: Mutex::new(None),
        }
    }

    /// Takes the next start-order number.
    pub(crate) fn next_seq(&self) -> usize {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// How many start-order numbers have been taken.
    pub(crate) fn seq(&self) -> usize {
        self.seq.load(Ordering::Relaxed)
    }

    /// A task is about to exist.
    pub(crate) fn add_live(&self) {
        self.live.fetch_add(1, Ordering::SeqCst);
    }

    /// A task ended; the last one wakes the home scheduler to end the run.
    pub(crate) fn remove_live(&self) {
        if self.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.home.thread.unpark();
        }
    }

    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// Scheduler `index` (1 or more), started if it has not been; `None`
    /// if its thread could not be started (the caller places on home).
    pub(crate) fn worker(self: &Arc<Self>, index: usize) -> Option<Target> {
        debug_assert!(index >= 1 && index < self.schedulers);
        let mut workers = lock(&self.workers);
        if workers.len() < index {
            workers.resize_with(index, || None);
        }
        if workers[index - 1].is_none() {
            let (tx, rx) = mpsc::channel();
            let system = self.clone();
            // Busy from the start: it is about to be handed work. The guard
            // goes with the thread, so one that never runs counts itself out.
            let active = Active::new(&self.home);
            let spawned = std::thread::Builder::new()
                .name(format!("myelin-scheduler-{index}"))
                .spawn(move || {
                    let core = Core::worker(system);
                    let _ = tx.send((core.remote().clone(), super::current::thread_token()));
                    core.run_worker(active)
                });
            let Ok(thread) = spawned else {
                return None;
            };
            // `Err`: the thread died before it could say where it is.
            let (remote, token) = rx.recv().ok()?;
            workers[index - 1] = Some(Worker {
                remote,
                token,
                thread: Some(thread),
            });
        }
        workers[index - 1].as_ref().map(|w| Target {
            token: w.token,
            remote: Some(w.remote.clone()),
        })
    }

    /// Whether any worker has a wake-up or a command it has not taken.
    pub(crate) fn any_worker_pending(&self) -> bool {
        lock(&self.workers)
            .iter()
            .flatten()
            .any(|w| w.remote.pending.load(Ordering::SeqCst))
    }

    /// Live clones of the wakers of every worker's tasks.
    pub(crate) fn workers_outstanding(&self) -> usize {
        lock(&self.workers)
            .iter()
            .flatten()
            .map(|w| w.remote.outstanding.load(Ordering::SeqCst))
            .sum()
    }

    /// Tells every worker to stop, cancelling what it still runs with
    /// `outcome`.
    pub(crate) fn stop_workers(&self, outcome: Outcome) {
        lock(&self.stop).get_or_insert(outcome);
        for w in lock(&self.workers).iter().flatten() {
            w.remote.request_shutdown();
        }
    }

    /// How a stopping worker's components end.
    pub(crate) fn stop_outcome(&self) -> Outcome {
        lock(&self.stop).clone().unwrap_or(Outcome::Cancelled)
    }

    /// Waits for every worker to stop; returns their parts of the report.
    pub(crate) fn join_workers(&self) -> Vec<ReportBuilder> {
        let threads: Vec<_> = lock(&self.workers)
            .iter_mut()
            .flatten()
            .filter_map(|w| w.thread.take())
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_default())
            .collect()
    }
}

/// The environment variable that sets the default number of schedulers
/// (a positive integer), for every [`Runtime::new`](crate::Runtime::new),
/// [`run`](crate::run) and [`spawn`](crate::spawn) of the process.
pub const SCHEDULERS_ENV: &str = "MYELIN_SCHEDULERS";

/// The number of schedulers a system may use unless told otherwise: one,
/// or what [`SCHEDULERS_ENV`] says.
pub(crate) fn default_schedulers() -> usize {
    if let Some(n) = std::env::var(SCHEDULERS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    1
}
