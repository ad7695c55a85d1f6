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
//! pointer (`current.rs`), so a send on the scheduler's own thread wakes its
//! receiver by pushing a slot index onto its run queue (`run_queue.rs`): no
//! atomics, no locks.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::hash::BuildHasherDefault;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

use super::current::{self, BUDGET, record_outcome};
use super::registry::{self, Remote};
use super::run_queue::RunQueue;
use super::system::System;
use super::timer::Timers;
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
    future: Option<BoxFuture>,
    /// The component's path, shared with its context.
    name: Arc<str>,
    /// Start order, for the report.
    seq: u32,
    generation: u16,
    state: State,
    /// `HIDDEN`, `PENDING_SEND` and `END_WITH_SHUTDOWN`, in one byte: the slot is 40 bytes.
    flags: u8,
}

/// The runtime's own helper (a graphline's chassis): reported only if it
/// fails.
const HIDDEN: u8 = 1;
/// The task waits to send a message it holds: the outbox is in
/// `Core::pending_sends`, and is counted as unsent if the task is cancelled.
/// Kept beside the slots, not in them: few tasks wait so at once, and every
/// idle component would pay for the room.
const PENDING_SEND: u8 = 2;
/// In `Slot::flags`: the component asked for its `signal` to say
/// `Shutdown` rather than `Finished` when its body returns `Ok`
/// (`Context::end_with_shutdown`).
const END_WITH_SHUTDOWN: u8 = 4;

impl Slot {
    fn hidden(&self) -> bool {
        self.flags & HIDDEN != 0
    }
}

/// Hashes a slot index as itself: the keys of `Core::pending_sends` are
/// small distinct integers, not input from outside.
#[derive(Default)]
struct IndexHasher(u64);

impl std::hash::Hasher for IndexHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }

    fn finish(&self) -> u64 {
        // Spread into the high bits, which the table's groups use.
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

type PendingSends = HashMap<u32, &'static str, BuildHasherDefault<IndexHasher>>;

pub(crate) struct Core {
    id: u16,
    remote: Arc<Remote>,
    /// What this scheduler shares with the others of its system.
    system: Arc<System>,
    /// This is the system's home scheduler (the one that decides when the
    /// system ends), not a worker.
    home: bool,
    queue: RefCell<RunQueue>,
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    /// The outbox each task marked `pending_send` waits to send on.
    pending_sends: RefCell<PendingSends>,
    running: Cell<Option<u32>>,
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

/// What the per-thread context (`current.rs`) asks of the scheduler running
/// on this thread, about the task it is resuming.
impl Core {
    /// Schedules `key` if it belongs to this scheduler; returns whether it
    /// did.
    #[inline]
    pub(super) fn wake_here(&self, key: TaskKey) -> bool {
        if self.id == key.sched() {
            self.schedule(key);
            true
        } else {
            false
        }
    }

    /// The task being resumed (or dropped), if any.
    pub(super) fn running_key(&self) -> Option<TaskKey> {
        let index = self.running.get()?;
        let generation = self.slots.borrow()[index as usize].generation;
        Some(TaskKey::new(self.id, generation, index))
    }

    /// The path of the task being resumed, if any.
    pub(super) fn running_name(&self) -> Option<Arc<str>> {
        let index = self.running.get()?;
        Some(self.slots.borrow()[index as usize].name.clone())
    }

    /// Makes the running task's `signal` say `Shutdown` when it ends
    /// normally (see `Context::end_with_shutdown`).
    pub(super) fn set_end_with_shutdown(&self) {
        if let Some(index) = self.running.get() {
            self.slots.borrow_mut()[index as usize].flags |= END_WITH_SHUTDOWN;
        }
    }

    /// Whether the running task asked for its `signal` to say `Shutdown`.
    pub(super) fn ends_with_shutdown(&self) -> bool {
        self.running
            .get()
            .is_some_and(|index| self.slots.borrow()[index as usize].flags & END_WITH_SHUTDOWN != 0)
    }

    /// Notes the outbox the running task waits to send on (`None`: none).
    pub(super) fn set_pending_send(&self, port: Option<&'static str>) {
        if let Some(index) = self.running.get() {
            let flags = &mut self.slots.borrow_mut()[index as usize].flags;
            if port.is_some() {
                *flags |= PENDING_SEND;
            } else {
                *flags &= !PENDING_SEND;
            }
            let mut pending = self.pending_sends.borrow_mut();
            match port {
                Some(port) => pending.insert(index, port),
                None => pending.remove(&index),
            };
        }
    }

    /// Forgets what the task in `slot` waited to send, if anything.
    fn take_pending_send(&self, slot: &mut Slot, index: u32) -> Option<&'static str> {
        if slot.flags & PENDING_SEND == 0 {
            return None;
        }
        slot.flags &= !PENDING_SEND;
        self.pending_sends.borrow_mut().remove(&index)
    }

    /// Records messages the running task left in `port`; `false` if no task
    /// is running.
    pub(super) fn record_left(&self, port: &'static str, count: usize, unsent: bool) -> bool {
        let Some(index) = self.running.get() else {
            return false;
        };
        let slots = self.slots.borrow();
        let slot = &slots[index as usize];
        // The runtime's own helpers leave nothing worth reporting.
        if !slot.hidden() {
            self.report
                .borrow_mut()
                .backlog(slot.seq as usize, &slot.name, port, count, unsent);
        }
        true
    }

    /// Records how the running task ended.
    pub(super) fn record_restart(&self, restart: crate::report::Restart) {
        self.report.borrow_mut().restart(restart);
    }

    pub(super) fn record_outcome(&self, outcome: Outcome) {
        if let Some(index) = self.running.get() {
            let slots = self.slots.borrow();
            let slot = &slots[index as usize];
            if slot.hidden() && !matches!(outcome, Outcome::Failed(_)) {
                return;
            }
            if let Some(view) = self.system.home.view.get() {
                view.ended(slot.seq as usize, &outcome, false);
            }
            crate::trace::ended(&slot.name, &outcome);
            self.report
                .borrow_mut()
                .outcome(slot.seq as usize, &slot.name, outcome);
        }
    }

    /// Keeps `work` until every task being cancelled has been dropped;
    /// hands it back if no cancellation is under way (or no task runs).
    pub(super) fn defer(&self, work: AfterCancel) -> Option<AfterCancel> {
        let Some(index) = self.running.get() else {
            return Some(work);
        };
        match self.after_cancel.borrow_mut().as_mut() {
            Some(list) => {
                list.push((index, work));
                None
            }
            None => Some(work),
        }
    }

    /// This scheduler's timers.
    pub(super) fn timers(&self) -> &RefCell<Timers> {
        &self.timers
    }

    /// Runs `command` on this scheduler at its next look outside, never
    /// inside a task's resume; `false` if it no longer takes commands.
    pub(super) fn submit_counted(&self, command: registry::Command) -> bool {
        // Counted as a task until it has run: the system must not end
        // between a component asking and the command running.
        let system = self.system.clone();
        system.add_live();
        let done = system.clone();
        let accepted = self.remote.submit(Box::new(move |core: &Core| {
            command(core);
            done.remove_live();
        }));
        if !accepted {
            system.remove_live();
        }
        accepted
    }

    /// Stops the system at the run loop's next look.
    pub(super) fn request_shutdown(&self) {
        self.shutdown.set(true);
        if self.home {
            // Threaded components see it at once (`is_cancelled`), not only
            // when the scheduler gets round to cancelling them.
            self.remote
                .shutdown
                .store(true, std::sync::atomic::Ordering::Release);
        } else {
            // The home scheduler decides for the whole system and tells the
            // other workers; this one stops at once, as a single scheduler
            // would, instead of running on until told.
            self.system.home.request_shutdown();
        }
    }
}

impl Core {
    /// The home scheduler of a new system that may use up to `schedulers`
    /// schedulers, this one included.
    pub(crate) fn new(schedulers: usize) -> Self {
        let (id, remote) = registry::register();
        let system = Arc::new(System::new(remote.clone(), schedulers));
        Self::build(id, remote, system, true)
    }

    /// A worker scheduler of `system`, on the calling thread.
    pub(crate) fn worker(system: Arc<System>) -> Self {
        let (id, remote) = registry::register();
        Self::build(id, remote, system, false)
    }

    fn build(id: u16, remote: Arc<Remote>, system: Arc<System>, home: bool) -> Self {
        Self {
            id,
            remote,
            system,
            home,
            queue: RefCell::new(RunQueue::new()),
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            pending_sends: RefCell::new(PendingSends::default()),
            running: Cell::new(None),
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
    fn enter(&self) -> current::EnterGuard {
        current::enter(self)
    }

    /// Records that parts to be added from a handle could not be built.
    pub(crate) fn report_added_failure(&self, error: &crate::Error) {
        let seq = self.system.next_seq();
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

    /// What this scheduler shares with the others of its system.
    pub(crate) fn system(&self) -> &Arc<System> {
        &self.system
    }

    /// Makes room in the slot table for `count` more tasks about to be
    /// spawned: exactly, for a batch larger than the table (a system
    /// starting), by the usual doubling otherwise (parts added a few at a
    /// time must not reallocate the table each time).
    pub(crate) fn reserve_tasks(&self, count: usize) {
        let needed = count.saturating_sub(self.free.borrow().len());
        let mut slots = self.slots.borrow_mut();
        if needed > slots.len() {
            slots.reserve_exact(needed);
        } else {
            slots.reserve(needed);
        }
    }

    /// Adds a runtime helper task, left out of the report unless it fails.
    pub(crate) fn spawn_hidden(&self, name: Arc<str>, future: BoxFuture) -> TaskKey {
        self.system.add_live();
        self.spawn_task(self.system.next_seq(), name, future, true)
    }

    /// Adds a task whose start-order number `seq` was taken, and whose
    /// life was counted (`System::add_live`), when it was placed.
    pub(crate) fn spawn_placed(&self, seq: usize, name: Arc<str>, future: BoxFuture) -> TaskKey {
        self.spawn_task(seq, name, future, false)
    }

    fn spawn_task(&self, seq: usize, name: Arc<str>, future: BoxFuture, hidden: bool) -> TaskKey {
        let mut slots = self.slots.borrow_mut();
        let index = match self.free.borrow_mut().pop() {
            Some(i) => i,
            None => {
                slots.push(Slot {
                    future: None,
                    name: Arc::from(""),
                    seq: 0,
                    generation: 0,
                    state: State::Free,
                    flags: 0,
                });
                u32::try_from(slots.len() - 1).expect("more than 2^32 components")
            }
        };
        let slot = &mut slots[index as usize];
        slot.generation = slot.generation.wrapping_add(1);
        slot.state = State::Scheduled;
        slot.future = Some(future);
        slot.name = name;
        slot.seq = u32::try_from(seq).expect("fewer than 2^32 components");
        slot.flags = if hidden { HIDDEN } else { 0 };
        if !hidden {
            crate::trace::started(&slot.name);
        }
        self.queue.borrow_mut().push_back(index);
        TaskKey::new(self.id, slot.generation, index)
    }

    /// Runs `f` on the slots without the `RefCell`'s flag: for the few
    /// accesses on every hop (waking, resuming), each of which only reads
    /// and writes slot fields and the run queue, and calls nothing that
    /// could reach the slots again. Checked in debug builds.
    #[inline(always)]
    fn with_slots<R>(&self, f: impl FnOnce(&mut Vec<Slot>) -> R) -> R {
        #[cfg(debug_assertions)]
        let _check = self.slots.borrow_mut();
        // SAFETY: single-threaded (the core is `!Sync`); no other borrow of
        // the slots is alive (the debug build holds the flag to prove it),
        // and `f` calls nothing that borrows them.
        #[cfg(not(debug_assertions))]
        return f(unsafe { &mut *self.slots.as_ptr() });
        #[cfg(debug_assertions)]
        {
            // SAFETY: as above; `_check` holds the flag, and the pointer is
            // only used while it does.
            f(unsafe { &mut *self.slots.as_ptr() })
        }
    }

    /// `with_slots` for the run queue.
    #[inline(always)]
    fn with_queue<R>(&self, f: impl FnOnce(&mut RunQueue) -> R) -> R {
        #[cfg(debug_assertions)]
        let _check = self.queue.borrow_mut();
        // SAFETY: as in `with_slots`.
        #[cfg(not(debug_assertions))]
        return f(unsafe { &mut *self.queue.as_ptr() });
        #[cfg(debug_assertions)]
        {
            // SAFETY: as in `with_slots`.
            f(unsafe { &mut *self.queue.as_ptr() })
        }
    }

    #[inline]
    fn schedule(&self, key: TaskKey) {
        self.with_slots(|slots| {
            let Some(slot) = slots.get_mut(key.index() as usize) else {
                return;
            };
            if slot.generation != key.generation() {
                return;
            }
            match slot.state {
                State::Idle => {
                    slot.state = State::Scheduled;
                    self.with_queue(|queue| queue.push_back(key.index()));
                }
                State::Running => slot.state = State::RunningNotified,
                State::Free | State::Scheduled | State::RunningNotified => {}
            }
        });
    }

    /// Resumes one task.
    #[inline]
    fn resume(&self, index: u32) {
        let taken = self.with_slots(|slots| {
            let slot = &mut slots[index as usize];
            if slot.state != State::Scheduled {
                return None;
            }
            slot.state = State::Running;
            // A send still waiting will say so again if it stays waiting.
            if slot.flags & PENDING_SEND != 0 {
                self.take_pending_send(slot, index);
            }
            let future = slot.future.as_mut()?;
            // Polled where it lies: the box stays in its slot, untouched
            // until the poll returns (the slot is `Running`: nothing frees
            // or reuses it, and the table growing moves the box's pointer,
            // never the future).
            // SAFETY: the future is pinned in its box; it is only ever
            // polled through this pointer, never moved.
            let future: *mut (dyn Future<Output = ()> + 'static) =
                unsafe { future.as_mut().get_unchecked_mut() };
            Some((slot.generation, future))
        });
        let Some((generation, future)) = taken else {
            return;
        };
        let key = TaskKey::new(self.id, generation, index);
        let waker = waker::borrowed(key);
        let mut cx = std::task::Context::from_waker(&waker);
        self.running.set(Some(index));
        BUDGET.with(|b| b.set(RESUME_BUDGET));
        // SAFETY: see above; the box outlives the poll.
        let polled = catch_unwind(AssertUnwindSafe(|| unsafe {
            Pin::new_unchecked(&mut *future).poll(&mut cx)
        }));
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
            let future = self.slots.borrow_mut()[index as usize].future.take();
            if let Some(future) = future {
                drop_quietly(future);
            }
            self.running.set(None);
            self.release(index);
        } else {
            self.running.set(None);
            self.with_slots(|slots| {
                let slot = &mut slots[index as usize];
                if slot.state == State::RunningNotified {
                    slot.state = State::Scheduled;
                    self.with_queue(|queue| queue.push_back(index));
                } else {
                    slot.state = State::Idle;
                }
            });
        }
    }

    fn release(&self, index: u32) {
        let mut slots = self.slots.borrow_mut();
        let slot = &mut slots[index as usize];
        slot.state = State::Free;
        slot.future = None;
        // A body may end in the resume that left a send waiting (one branch
        // of a select): that message went with the body.
        self.take_pending_send(slot, index);
        self.free.borrow_mut().push(index);
        self.system.remove_live();
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
                let pending = self
                    .take_pending_send(slot, u32::try_from(index).expect("slot index fits u32"));
                slot.future.take().map(|f| {
                    (
                        f,
                        slot.seq as usize,
                        slot.name.clone(),
                        slot.hidden(),
                        pending,
                    )
                })
            };
            if let Some((future, seq, name, hidden, pending)) = next {
                if !hidden {
                    if let Some(view) = self.system.home.view.get() {
                        view.ended(seq, outcome, true);
                    }
                    crate::trace::ended(&name, outcome);
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
        if !self.remote.take_pending() {
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
        let keys = self.remote.take_keys();
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

    /// Runs resumes until the run queue is empty or shutdown is asked,
    /// looking outside (remote wake-ups, timers) now and then.
    fn run_queue(&self) {
        let mut since_remote = 0;
        while !self.shutdown.get() {
            let Some(index) = self.with_queue(RunQueue::pop_front) else {
                break;
            };
            self.resume(index);
            // A stop asked from another thread (a handle, a component on
            // another scheduler) is seen after every resume, not only at
            // the next look outside: a component that never waits must not
            // hold the system up for a whole interval of resumes.
            if self.remote.shutdown.load(Ordering::Relaxed) {
                self.shutdown.set(true);
            }
            since_remote += 1;
            if since_remote == REMOTE_CHECK_INTERVAL {
                since_remote = 0;
                self.take_remote();
                self.fire_timers();
                self.trim_queue();
            }
        }
    }

    /// Runs until every task has finished, the system is shut down, or nothing
    /// can ever run again; then stops the system's workers and returns the
    /// whole report.
    pub(crate) fn run(&self) -> crate::report::Report {
        debug_assert!(self.home, "only a home scheduler runs a system");
        let _guard = self.enter();
        let ending = self.run_home();
        self.system.stop_workers(ending);
        let mut report = self.report.replace(ReportBuilder::default());
        for part in self.system.join_workers() {
            report.merge(part);
        }
        report.finish()
    }

    /// The home scheduler's loop; returns how the workers' remaining
    /// components end.
    fn run_home(&self) -> Outcome {
        loop {
            self.run_queue();
            if self.shutdown.get() {
                // Workers first: a threaded component this scheduler waits
                // for may be blocked on one of theirs.
                self.system.stop_workers(Outcome::Cancelled);
                self.cancel_all(&Outcome::Cancelled);
                return Outcome::Cancelled;
            }
            if self.fire_timers() {
                continue;
            }
            if self.system.live() == 0 {
                // Everything has ended; parts added from a handle at this
                // very moment still start (and keep the system going), and
                // later ones are refused.
                let late = self.remote.close_commands();
                if late.is_empty() {
                    return Outcome::Cancelled;
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
            self.remote.sleep();
            if self.take_remote() {
                self.remote.wake_up();
                continue;
            }
            let next_timer = self.timers.borrow().next_deadline();
            if let Some(deadline) = next_timer {
                // Waiting for a moment is not a stall: sleep until the
                // earliest one (or until woken sooner).
                if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                    std::thread::park_timeout(wait);
                }
                self.remote.wake_up();
                continue;
            }
            if self.nothing_can_happen() {
                self.remote.wake_up();
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
                    self.remote.sleep();
                    if !self.take_remote() {
                        std::thread::park();
                    }
                    self.remote.wake_up();
                    continue;
                }
                // No task is runnable anywhere, no waker exists outside the
                // system's own links, and every threaded component is
                // parked waiting for a message: nothing can ever happen
                // again.
                self.system.stop_workers(Outcome::Stalled);
                self.cancel_all(&Outcome::Stalled);
                return Outcome::Stalled;
            }
            std::thread::park();
            self.remote.wake_up();
        }
    }

    /// Whether, with this scheduler idle, nothing in the system can ever
    /// wake a task again: no threaded component is running and no worker is
    /// busy, none has a wake-up waiting, and no waker is held outside the
    /// system's own links (see `system.rs`).
    fn nothing_can_happen(&self) -> bool {
        super::system::quiet(&self.remote, &self.system.worker_remotes())
    }

    /// A worker scheduler's loop: runs what it is given until the home
    /// scheduler says stop, then cancels what is left and returns its part
    /// of the report.
    pub(crate) fn run_worker(&self, active: registry::Active) -> ReportBuilder {
        let _guard = self.enter();
        loop {
            self.run_queue();
            if self.shutdown.get() {
                self.cancel_all(&self.system.stop_outcome());
                break;
            }
            if self.fire_timers() {
                continue;
            }
            self.remote.sleep();
            if self.take_remote() {
                self.remote.wake_up();
                continue;
            }
            let next_timer = self.timers.borrow().next_deadline();
            if let Some(deadline) = next_timer {
                // Still busy: a waiting timer keeps the system waiting.
                if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                    std::thread::park_timeout(wait);
                }
                self.remote.wake_up();
                continue;
            }
            // Idle: leave the activity count, sleep, and rejoin it before
            // looking at the queues again (see `system.rs`).
            active.idle_while(std::thread::park);
            self.remote.wake_up();
        }
        // Leaves the count for good: the home scheduler is waiting for it.
        drop(active);
        self.remote.close_commands();
        self.report.replace(ReportBuilder::default())
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        let _guard = self.enter();
        if self.home {
            self.system.stop_workers(Outcome::Cancelled);
        }
        self.cancel_all(&Outcome::Cancelled);
        if self.home {
            drop(self.system.join_workers());
        }
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
