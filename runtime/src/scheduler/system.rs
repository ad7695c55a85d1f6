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
use std::sync::atomic::AtomicUsize;

use crate::sync::Ordering;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::local::Core;
use super::registry::{ACTIVE_MASK, Active, Remote};
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

    /// The remotes of the workers started so far.
    pub(crate) fn worker_remotes(&self) -> Vec<Arc<Remote>> {
        lock(&self.workers)
            .iter()
            .flatten()
            .map(|w| w.remote.clone())
            .collect()
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

/// Whether, with the home scheduler `home` idle, nothing in its system can
/// ever wake a task again: no threaded component runs and no worker is busy
/// (the activity word), no worker has a wake-up or command waiting, no
/// waker of any scheduler is held outside the system's own links, and the
/// activity word still reads the same after those looks (see the module
/// docs).
pub(crate) fn quiet(home: &Remote, workers: &[Arc<Remote>]) -> bool {
    let before = home.activity();
    if before & ACTIVE_MASK != 0
        || home.outstanding() != 0
        || workers
            .iter()
            .any(|w| w.outstanding() != 0 || w.is_pending())
    {
        return false;
    }
    // Nobody became active during the looks: nobody queued a wake-up after
    // theirs.
    home.activity() == before
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

/// Exhaustive interleavings of the wake path between schedulers and of the
/// stall decision, run with
/// `RUSTFLAGS="--cfg loom" cargo test -p myelin --lib --release loom`.
///
/// Each model runs the protocol's real pieces (`Remote::wake`, the
/// activity word kept by `Active`, `quiet`) with the scheduler loops'
/// steps written out: a scheduler says it sleeps, looks at its queue, and
/// parks only if it found nothing; the home scheduler declares a stall
/// only if `quiet` holds and its own queue is still empty.
#[cfg(all(test, loom))]
mod loom_tests {
    use std::sync::Arc;

    use loom::thread;

    use super::{Active, Remote, quiet};
    use crate::scheduler::waker::TaskKey;

    const KEY: TaskKey = TaskKey::new(0, 1, 0);

    /// What the home scheduler concluded when it stopped looking.
    #[derive(Debug, PartialEq)]
    enum Seen {
        WokenUp,
        Stalled,
    }

    /// The home scheduler's idle loop: returns once it has a wake-up, or
    /// once it declares the system stalled.
    fn home_idle(home: &Remote, workers: &[Arc<Remote>]) -> Seen {
        loop {
            home.sleep();
            if home.take_pending() {
                home.wake_up();
                return Seen::WokenUp;
            }
            if quiet(home, workers) {
                home.wake_up();
                if home.take_pending() {
                    return Seen::WokenUp;
                }
                return Seen::Stalled;
            }
            crate::sync::thread::park();
            home.wake_up();
        }
    }

    /// A worker's loop, counted active by `active`: takes its wake-ups
    /// (each one runs a task that wakes a task of `home`) until a `stop`
    /// key, parking (counted out) when it has none.
    fn worker_loop(me: &Remote, home: &Remote, active: &Active, stop: TaskKey) {
        loop {
            me.sleep();
            if me.take_pending() {
                me.wake_up();
                for key in me.take_keys() {
                    if key == stop {
                        return;
                    }
                    home.wake(KEY);
                }
                continue;
            }
            active.idle_while(crate::sync::thread::park);
            me.wake_up();
        }
    }

    const STOP: TaskKey = TaskKey::new(1, 9, 9);

    /// Starts a worker thread running `worker_loop` with `active`; returns
    /// its remote.
    fn start_worker(home: &Arc<Remote>, active: Active) -> Arc<Remote> {
        let (tx, rx) = loom::sync::mpsc::channel::<Arc<Remote>>();
        let h = home.clone();
        let t = thread::spawn(move || {
            let me = Arc::new(Remote::new(1));
            tx.send(me.clone()).unwrap();
            worker_loop(&me, &h, &active, STOP);
        });
        drop(t);
        rx.recv().unwrap()
    }

    /// A busy worker whose task wakes a home task, then goes idle: the
    /// home scheduler, going idle at the same time, is woken, never
    /// declares a stall, and never sleeps through the wake-up.
    #[test]
    fn loom_a_wake_from_a_worker_is_never_taken_for_a_stall() {
        loom::model(|| {
            let home = Arc::new(Remote::new(0));
            let worker = start_worker(&home, Active::new(&home));
            worker.wake(KEY);
            assert_eq!(home_idle(&home, &[worker.clone()]), Seen::WokenUp);
            worker.wake(STOP);
        });
    }

    /// A worker with nothing to do goes idle while the home scheduler
    /// looks: a deadlock across the two is declared, not slept through.
    #[test]
    fn loom_a_deadlock_across_schedulers_is_declared() {
        loom::model(|| {
            let home = Arc::new(Remote::new(0));
            let worker = start_worker(&home, Active::new(&home));
            assert_eq!(home_idle(&home, &[worker.clone()]), Seen::Stalled);
            worker.wake(STOP);
        });
    }

    /// The epoch at work: a threaded component (counted active) wakes an
    /// idle worker and then parks itself; the worker's task then wakes a
    /// home task. However the home scheduler's looks interleave with the
    /// worker leaving and rejoining the count, it sees the wake-up and
    /// never declares a stall.
    #[test]
    fn loom_a_worker_woken_while_home_looks_is_never_missed() {
        // Three threads: bounded preemptions keep the run to seconds, and
        // two are enough to interleave a worker's leaving and rejoining
        // with each of the home scheduler's looks.
        let mut model = loom::model::Builder::new();
        model.preemption_bound = Some(3);
        model.check(|| {
            let home = Arc::new(Remote::new(0));
            let worker = start_worker(&home, Active::new(&home));
            let thread_component = Active::new(&home);
            let w = worker.clone();
            let t = thread::spawn(move || {
                w.wake(KEY);
                drop(thread_component);
            });
            assert_eq!(home_idle(&home, &[worker.clone()]), Seen::WokenUp);
            t.join().unwrap();
            worker.wake(STOP);
        });
    }
}
