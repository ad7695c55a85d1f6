//! The scheduler that runs generator components on one thread.
//!
//! Axon's scheduler walks its run queue calling `next()` on every active
//! microprocess and applies queued pause and wake requests between passes. Here
//! a component's `async` body is the generator and one `poll` is one resume:
//! it runs until it pauses (waiting for a message, for room downstream, or for
//! any foreign future) or yields. Paused components are not in the run queue at
//! all, so a million idle components cost no time; a delivery puts exactly the
//! receiver back.
//!
//! The core lives on the stack of `run` and is reached through a thread-local
//! pointer, so a send on the scheduler's own thread wakes its receiver by
//! pushing a slot index onto a `VecDeque`: no atomics, no locks.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

use super::WakeRef;
use super::registry::{self, Remote};
use super::timer::{TimerKey, Timers};
use super::waker::{self, TaskKey};
use crate::report::{Outcome, ReportBuilder};
use crate::sync::lock_std as lock;
use std::sync::Arc;
use std::sync::atomic::Ordering;

type BoxFuture = Pin<Box<dyn Future<Output = ()>>>;

/// How many message operations a component may complete in one resume before
/// it is made to yield, so one busy component cannot starve the rest.
const RESUME_BUDGET: u32 = 128;

/// How many resumes between looks at the remote wake queue while busy.
const REMOTE_CHECK_INTERVAL: u32 = 61;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Free,
    Idle,
    Scheduled,
    Running,
    RunningNotified,
}

struct Slot {
    generation: u16,
    state: State,
    future: Option<BoxFuture>,
    /// The component's path, shared with its context.
    name: Arc<str>,
    /// Start order, for the report.
    seq: usize,
    /// The runtime's own helper (a graphline's chassis): reported only if it
    /// fails.
    hidden: bool,
    /// The outbox of a send waiting with its message, if any: counted as
    /// unsent if the component is cancelled.
    pending_send: Option<&'static str>,
    /// The component asked for its `signal` to say `Shutdown` rather than
    /// `Finished` when its body returns `Ok` (`Context::end_with_shutdown`).
    /// Kept here rather than in the `Context`, where it would make every
    /// idle component bigger; here it fits in padding.
    end_with_shutdown: bool,
}

pub(crate) struct Core {
    id: u16,
    remote: Arc<Remote>,
    queue: RefCell<VecDeque<u32>>,
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    running: Cell<Option<u32>>,
    live: Cell<usize>,
    spawned: Cell<usize>,
    shutdown: Cell<bool>,
    report: RefCell<ReportBuilder>,
    /// Told instead of ending the run when nothing can happen here: the
    /// scheduler of a process component's child, whose parent may still
    /// send (see `process/child.rs`).
    idle: RefCell<Option<Arc<dyn IdleWatch>>>,
    /// While `cancel_all` drops tasks: work a dropped task leaves until
    /// every task has been dropped (waiting for a threaded component's
    /// thread to end), with the slot it belongs to.
    after_cancel: RefCell<Option<Vec<(u32, AfterCancel)>>>,
    /// Who waits for which moment.
    timers: RefCell<Timers>,
}

/// Work that must wait until every task of a cancelled system is dropped.
pub(crate) type AfterCancel = Box<dyn FnOnce()>;

/// Watches a scheduler go idle: the scheduler in a process component's
/// child, where "nothing can happen here" means "waiting for the parent",
/// which only the parent can tell from a deadlock.
pub(crate) trait IdleWatch {
    /// Taken before the scheduler looks for work the last time: what the
    /// watcher needs to know the idle state it will be told about.
    fn snapshot(&self) -> u64;
    /// No task is runnable, no waker exists outside the system's own links,
    /// and no threaded component is active, as of `snapshot`. Returns
    /// whether that still holds (then the scheduler sleeps until woken) or
    /// something changed since the snapshot (then it looks again).
    fn idle(&self, snapshot: u64) -> bool;
}

thread_local! {
    static CURRENT: Cell<*const Core> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` with the scheduler running on this thread, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    let ptr = CURRENT.with(Cell::get);
    if ptr.is_null() {
        None
    } else {
        // SAFETY: CURRENT is non-null only while `Core::enter`'s guard is alive,
        // and the core outlives that guard.
        Some(f(unsafe { &*ptr }))
    }
}

/// Whether a scheduler is running on this thread.
pub(crate) fn is_inside() -> bool {
    !CURRENT.with(Cell::get).is_null()
}

/// Wakes `key` if it belongs to the scheduler on this thread; returns whether
/// it did.
pub(crate) fn wake(key: TaskKey) -> bool {
    with_current(|core| {
        if core.id == key.sched {
            core.schedule(key);
            true
        } else {
            false
        }
    })
    .unwrap_or(false)
}

pub(crate) fn remote_if_current(id: u16) -> Option<Arc<Remote>> {
    with_current(|core| (core.id == id).then(|| core.remote.clone())).flatten()
}

/// Takes one unit of the running component's budget; `false` means it must
/// yield first.
///
/// The budget is its own thread-local so the check on every send and receive
/// is one load and one store; outside a scheduler it is effectively unlimited.
#[inline]
pub(crate) fn consume_budget() -> bool {
    BUDGET.with(|b| {
        let left = b.get();
        b.set(left.wrapping_sub(1));
        left != 0
    })
}

thread_local! {
    static BUDGET: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// Records that the running component left `count` messages in `port`;
/// `false` if no component is running on this thread to record them under
/// (see `Inbox`'s `Drop`).
pub(crate) fn record_backlog(port: &'static str, count: usize) -> bool {
    record_left(port, count, false)
}

/// Records that the running component was cancelled holding `count`
/// messages it was waiting to send on `port`.
pub(crate) fn record_unsent(port: &'static str, count: usize) {
    let _ = record_left(port, count, true);
}

/// The running component is waiting to send a message on `port`.
pub(crate) fn park_send(port: &'static str) {
    set_pending_send(Some(port));
}

/// The running component's `signal` is to say `Shutdown` when it ends
/// (see `Context::end_with_shutdown`).
pub(crate) fn set_end_with_shutdown() {
    with_current(|core| {
        if let Some(index) = core.running.get() {
            core.slots.borrow_mut()[index as usize].end_with_shutdown = true;
        }
    });
}

/// Whether the running component asked for its `signal` to say
/// `Shutdown` when it ends.
pub(crate) fn ends_with_shutdown() -> bool {
    with_current(|core| {
        core.running
            .get()
            .is_some_and(|index| core.slots.borrow()[index as usize].end_with_shutdown)
    })
    .unwrap_or(false)
}

fn set_pending_send(port: Option<&'static str>) {
    with_current(|core| {
        if let Some(index) = core.running.get() {
            core.slots.borrow_mut()[index as usize].pending_send = port;
        }
    });
}

fn record_left(port: &'static str, count: usize, unsent: bool) -> bool {
    let recorded = with_current(|core| {
        let index = core.running.get()?;
        let slots = core.slots.borrow();
        let slot = &slots[index as usize];
        // The runtime's own helpers leave nothing worth reporting.
        if !slot.hidden {
            core.report
                .borrow_mut()
                .backlog(slot.seq, &slot.name, port, count, unsent);
        }
        Some(())
    })
    .flatten();
    // Otherwise a threaded component's thread, whose proxy reports it; or
    // no component at all.
    recorded.is_some() || crate::thread::record_backlog(port, count, unsent)
}

/// Records how the running component ended.
pub(crate) fn record_outcome(outcome: Outcome) {
    with_current(|core| {
        if let Some(index) = core.running.get() {
            let slots = core.slots.borrow();
            let slot = &slots[index as usize];
            if slot.hidden && !matches!(outcome, Outcome::Failed(_)) {
                return;
            }
            core.report
                .borrow_mut()
                .outcome(slot.seq, &slot.name, outcome);
        }
    });
}

/// A waker for the component running on this thread, if any: lets an
/// operation that has no task context (`try_send` finding a full inbox)
/// still arrange for the component to be woken when things change.
pub(crate) fn current_waker() -> Option<std::task::Waker> {
    with_current(|core| {
        let index = core.running.get()?;
        let generation = core.slots.borrow()[index as usize].generation;
        let key = TaskKey {
            sched: core.id,
            generation,
            index,
        };
        Some((*waker::borrowed(key)).clone())
    })
    .flatten()
}

/// Runs `work` once every task of the system being cancelled has been
/// dropped, reporting under the task being dropped now; at once if no
/// cancellation is under way.
///
/// A threaded component's proxy waits here for its thread: while it
/// waited inside its own drop, a generator dropped after it (whose full
/// inbox the thread was trying to send into) stayed alive, its inbox open,
/// and the thread could neither send nor learn that the inbox closed.
pub(crate) fn after_cancel(work: AfterCancel) {
    let work = with_current(|core| {
        let index = core.running.get()?;
        match core.after_cancel.borrow_mut().as_mut() {
            Some(list) => {
                list.push((index, work));
                None
            }
            None => Some(work),
        }
    })
    .flatten();
    if let Some(work) = work {
        work();
    }
}

/// Wakes `waker` at `deadline` on the scheduler running on this thread;
/// `None` if there is none. Returns the scheduler's id and the timer's key,
/// for `rewake_timer` and `cancel_timer`.
pub(crate) fn add_timer(deadline: Instant, waker: WakeRef) -> Option<(u16, TimerKey)> {
    with_current(|core| (core.id, core.timers.borrow_mut().insert(deadline, waker)))
}

/// Replaces the waker of a timer of this thread's scheduler `sched`;
/// `false` if it has fired, was cancelled, or belongs elsewhere.
pub(crate) fn rewake_timer(sched: u16, key: TimerKey, waker: WakeRef) -> bool {
    with_current(|core| core.id == sched && core.timers.borrow_mut().rewake(key, waker))
        .unwrap_or(false)
}

/// Cancels a timer of this thread's scheduler `sched` (nothing happens if
/// it fired, or if this thread does not run `sched`: a scheduler's timers
/// go with it).
pub(crate) fn cancel_timer(sched: u16, key: TimerKey) {
    with_current(|core| {
        if core.id == sched {
            core.timers.borrow_mut().cancel(key);
        }
    });
}

/// Asks the running system to stop.
pub(crate) fn request_shutdown() {
    with_current(|core| {
        core.shutdown.set(true);
        // Threaded components see it at once (`is_cancelled`), not only when
        // the scheduler gets round to cancelling them.
        core.remote
            .shutdown
            .store(true, std::sync::atomic::Ordering::Release);
    });
}

struct EnterGuard(*const Core);

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

impl Core {
    pub(crate) fn new() -> Self {
        let (id, remote) = registry::register();
        Self {
            id,
            remote,
            queue: RefCell::new(VecDeque::new()),
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            running: Cell::new(None),
            live: Cell::new(0),
            spawned: Cell::new(0),
            shutdown: Cell::new(false),
            report: RefCell::new(ReportBuilder::default()),
            idle: RefCell::new(None),
            after_cancel: RefCell::new(None),
            timers: RefCell::new(Timers::default()),
        }
    }

    /// Reports idleness to `watch` instead of ending the run as stalled.
    pub(crate) fn watch_idle(&self, watch: Arc<dyn IdleWatch>) {
        *self.idle.borrow_mut() = Some(watch);
    }

    /// Makes this core the current one for the calling thread until the guard
    /// drops.
    fn enter(&self) -> EnterGuard {
        let previous = CURRENT.with(|c| c.replace(std::ptr::from_ref(self)));
        EnterGuard(previous)
    }

    /// Records that parts to be added from a handle could not be built.
    pub(crate) fn report_added_failure(&self, error: &crate::Error) {
        let seq = self.spawned.get();
        self.spawned.set(seq + 1);
        self.report.borrow_mut().outcome(
            seq,
            &Arc::from("added"),
            Outcome::Failed(error.to_string()),
        );
    }

    /// This scheduler's id.
    pub(crate) fn id(&self) -> u16 {
        self.id
    }

    /// How other threads reach this scheduler.
    pub(crate) fn remote(&self) -> &Arc<Remote> {
        &self.remote
    }

    /// Adds a task, runnable at once, whose outcome is reported under `name`.
    pub(crate) fn spawn(&self, name: Arc<str>, future: BoxFuture) -> TaskKey {
        self.spawn_task(name, future, false)
    }

    /// Adds a runtime helper task, left out of the report unless it fails.
    pub(crate) fn spawn_hidden(&self, name: Arc<str>, future: BoxFuture) -> TaskKey {
        self.spawn_task(name, future, true)
    }

    fn spawn_task(&self, name: Arc<str>, future: BoxFuture, hidden: bool) -> TaskKey {
        let seq = self.spawned.get();
        let mut slots = self.slots.borrow_mut();
        let index = match self.free.borrow_mut().pop() {
            Some(i) => i,
            None => {
                slots.push(Slot {
                    generation: 0,
                    state: State::Free,
                    future: None,
                    name: Arc::from(""),
                    seq: 0,
                    hidden: false,
                    pending_send: None,
                    end_with_shutdown: false,
                });
                u32::try_from(slots.len() - 1).expect("more than 2^32 components")
            }
        };
        let slot = &mut slots[index as usize];
        slot.generation = slot.generation.wrapping_add(1);
        slot.state = State::Scheduled;
        slot.future = Some(future);
        slot.name = name;
        slot.seq = seq;
        slot.hidden = hidden;
        slot.pending_send = None;
        slot.end_with_shutdown = false;
        self.live.set(self.live.get() + 1);
        self.spawned.set(self.spawned.get() + 1);
        self.queue.borrow_mut().push_back(index);
        TaskKey {
            sched: self.id,
            generation: slot.generation,
            index,
        }
    }

    /// How many tasks have been spawned so far.
    pub(crate) fn spawned(&self) -> usize {
        self.spawned.get()
    }

    fn schedule(&self, key: TaskKey) {
        let mut slots = self.slots.borrow_mut();
        let Some(slot) = slots.get_mut(key.index as usize) else {
            return;
        };
        if slot.generation != key.generation {
            return;
        }
        match slot.state {
            State::Idle => {
                slot.state = State::Scheduled;
                self.queue.borrow_mut().push_back(key.index);
            }
            State::Running => slot.state = State::RunningNotified,
            State::Free | State::Scheduled | State::RunningNotified => {}
        }
    }

    /// Resumes one task.
    fn resume(&self, index: u32) {
        let (generation, mut future) = {
            let mut slots = self.slots.borrow_mut();
            let slot = &mut slots[index as usize];
            if slot.state != State::Scheduled {
                return;
            }
            slot.state = State::Running;
            // A send still waiting will say so again if it stays waiting.
            slot.pending_send = None;
            let Some(future) = slot.future.take() else {
                return;
            };
            (slot.generation, future)
        };
        let key = TaskKey {
            sched: self.id,
            generation,
            index,
        };
        let waker = waker::borrowed(key);
        let mut cx = std::task::Context::from_waker(&waker);
        self.running.set(Some(index));
        BUDGET.with(|b| b.set(RESUME_BUDGET));
        let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)));
        BUDGET.with(|b| b.set(u32::MAX));
        let done = match polled {
            Ok(Poll::Pending) => false,
            Ok(Poll::Ready(())) => true,
            Err(panic) => {
                // The body's own panics are caught inside the component driver;
                // this one came from the runtime's glue or a destructor.
                record_outcome(Outcome::Failed(crate::error::panic_message(&*panic)));
                true
            }
        };
        if done {
            drop_quietly(future);
            self.running.set(None);
            self.release(index);
        } else {
            self.running.set(None);
            let mut slots = self.slots.borrow_mut();
            let slot = &mut slots[index as usize];
            slot.future = Some(future);
            if slot.state == State::RunningNotified {
                slot.state = State::Scheduled;
                self.queue.borrow_mut().push_back(index);
            } else {
                slot.state = State::Idle;
            }
        }
    }

    fn release(&self, index: u32) {
        let mut slots = self.slots.borrow_mut();
        let slot = &mut slots[index as usize];
        slot.state = State::Free;
        slot.future = None;
        self.free.borrow_mut().push(index);
        self.live.set(self.live.get() - 1);
    }

    /// Drops every remaining task, reporting each as `outcome` unless it
    /// already reported one.
    ///
    /// In two passes: first every task is dropped (so every cancelled
    /// component's inboxes close), then what the dropped tasks left to do
    /// once that is done (waiting for their threads) runs, in order.
    fn cancel_all(&self, outcome: &Outcome) {
        let outer = self.after_cancel.replace(Some(Vec::new()));
        // One pass in slot order; a destructor may spawn nothing (the system
        // is stopping) but may wake others, which only touches states.
        let mut index = 0;
        loop {
            let next = {
                let mut slots = self.slots.borrow_mut();
                let Some(slot) = slots.get_mut(index) else {
                    break;
                };
                let pending = slot.pending_send.take();
                slot.future
                    .take()
                    .map(|f| (f, slot.seq, slot.name.clone(), slot.hidden, pending))
            };
            if let Some((future, seq, name, hidden, pending)) = next {
                if !hidden {
                    let mut report = self.report.borrow_mut();
                    report.outcome_if_unset(seq, &name, outcome.clone());
                    if let Some(port) = pending {
                        report.backlog(seq, &name, port, 1, true);
                    }
                }
                let index = u32::try_from(index).expect("slot index fits u32");
                self.running.set(Some(index));
                drop_quietly(future);
                self.running.set(None);
                self.release(index);
            }
            index += 1;
        }
        self.queue.borrow_mut().clear();
        self.timers.borrow_mut().clear();
        let deferred = self.after_cancel.replace(outer).unwrap_or_default();
        for (index, work) in deferred {
            // The slot is free but untouched (nothing spawns while the
            // system stops): its name and place in the report still hold.
            self.running.set(Some(index));
            if let Err(panic) = catch_unwind(AssertUnwindSafe(work)) {
                record_outcome(Outcome::Failed(crate::error::panic_message(&*panic)));
            }
            self.running.set(None);
        }
    }

    /// Gives back a run queue that grew for a crowd (a million components
    /// starting at once) and now holds a few: a ring buffer much larger than
    /// its contents spreads a small working set over many cache lines.
    fn trim_queue(&self) {
        let mut queue = self.queue.borrow_mut();
        let keep = (queue.len() * 4).max(256);
        if queue.capacity() > keep * 4 {
            queue.shrink_to(keep);
        }
    }

    fn take_remote(&self) -> bool {
        if !self.remote.pending.swap(false, Ordering::SeqCst) {
            return false;
        }
        if self.remote.shutdown.load(Ordering::Acquire) {
            self.shutdown.set(true);
        }
        let commands = lock(&self.remote.commands).take();
        let any_command = !commands.is_empty();
        for command in commands {
            command(self);
        }
        let keys = std::mem::take(&mut *lock(&self.remote.queue));
        // A shutdown request counts as news even when it carries no wake-up:
        // the run loop must get back to its shutdown check, not park.
        let any = any_command || !keys.is_empty() || self.shutdown.get();
        for key in keys {
            self.schedule(key);
        }
        any
    }

    /// Wakes every task whose timer is due; returns whether there was one.
    fn fire_timers(&self) -> bool {
        if self.timers.borrow().is_empty() {
            return false;
        }
        let now = Instant::now();
        let mut any = false;
        // One at a time: a foreign waker may run code that adds a timer.
        loop {
            let due = self.timers.borrow_mut().pop_due(now);
            let Some(waker) = due else {
                return any;
            };
            any = true;
            waker.wake();
        }
    }

    /// Runs until every task has finished, the system is shut down, or nothing
    /// can ever run again.
    pub(crate) fn run(&self) -> crate::report::Report {
        let _guard = self.enter();
        let mut since_remote = 0;
        loop {
            while !self.shutdown.get() {
                let Some(index) = self.queue.borrow_mut().pop_front() else {
                    break;
                };
                self.resume(index);
                since_remote += 1;
                if since_remote == REMOTE_CHECK_INTERVAL {
                    since_remote = 0;
                    self.take_remote();
                    self.fire_timers();
                    self.trim_queue();
                }
            }
            if self.shutdown.get() {
                self.cancel_all(&Outcome::Cancelled);
                break;
            }
            if self.fire_timers() {
                continue;
            }
            if self.live.get() == 0 {
                // Everything has ended; parts added from a handle at this
                // very moment still start (and keep the system going), and
                // later ones are refused.
                let late = self.remote.close_commands();
                if late.is_empty() {
                    break;
                }
                for command in late {
                    command(self);
                }
                continue;
            }
            // Taken before the looks below, so that anything the watcher
            // counts after it is seen by them as a wake-up.
            let watch = self.idle.borrow().clone();
            let snapshot = watch.as_ref().map(|w| w.snapshot());
            // About to sleep: say so first, then look once more. A wake or a
            // thread parking either lands before the look (and is seen) or
            // after the flag (and unparks us): see `Remote::sleeping`.
            self.remote.sleeping.store(true, Ordering::SeqCst);
            if self.take_remote() {
                self.remote.sleeping.store(false, Ordering::SeqCst);
                continue;
            }
            let next_timer = self.timers.borrow().next_deadline();
            if let Some(deadline) = next_timer {
                // Waiting for a moment is not a stall: sleep until the
                // earliest one (or until woken sooner).
                if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                    std::thread::park_timeout(wait);
                }
                self.remote.sleeping.store(false, Ordering::SeqCst);
                continue;
            }
            if self.remote.outstanding.load(Ordering::SeqCst) == 0
                && self.remote.active_threads.load(Ordering::SeqCst) == 0
            {
                self.remote.sleeping.store(false, Ordering::SeqCst);
                // A waker's last use may have been a wake that landed after
                // the look above: its release (ordered after the queue push)
                // is what made the count zero, so look once more.
                if self.take_remote() {
                    continue;
                }
                if let (Some(watch), Some(snapshot)) = (watch, snapshot) {
                    // Idle here; only the watcher can tell whether that is
                    // a deadlock. Sleep until something arrives.
                    if !watch.idle(snapshot) {
                        continue;
                    }
                    self.remote.sleeping.store(true, Ordering::SeqCst);
                    if !self.take_remote() {
                        std::thread::park();
                    }
                    self.remote.sleeping.store(false, Ordering::SeqCst);
                    continue;
                }
                // No task is runnable, no waker exists outside the system's
                // own links, and every threaded component is parked waiting
                // for a message: nothing can ever happen again.
                self.cancel_all(&Outcome::Stalled);
                break;
            }
            std::thread::park();
            self.remote.sleeping.store(false, Ordering::SeqCst);
        }
        self.report.replace(ReportBuilder::default()).finish()
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        let _guard = self.enter();
        self.cancel_all(&Outcome::Cancelled);
        registry::unregister(self.id);
    }
}

/// Drops a finished or cancelled task; a panicking destructor must not take
/// the scheduler down with it.
fn drop_quietly(future: BoxFuture) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(move || drop(future))) {
        record_outcome(Outcome::Failed(crate::error::panic_message(&*panic)));
    }
}
