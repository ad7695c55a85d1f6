//! What runs on this thread: the per-thread state every layer may read.
//!
//! A thread runs at most one of two things: a generator scheduler
//! (`local::Core`), resuming one task at a time, or a helper of a component
//! off the scheduler (a threaded component's body, a process component's
//! bridge), parking through its [`Parker`]. A handle's user runs neither.
//! Ports, timers and the lifecycle helpers ask here what runs, so they
//! depend on this module alone, not on the scheduler's core or on
//! `thread/` (tokio keeps the same kind of state in its
//! `runtime/context.rs`, with `task/coop` for the budget).
//!
//! The scheduler is reached through a plain pointer, set while its run loop
//! is on the stack: a send on the scheduler's own thread wakes its receiver
//! by pushing a slot index onto its run queue, with no atomics and no locks.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::task::Waker;
use std::thread::Thread;
use std::time::Instant;

use super::WakeRef;
use super::local::{AfterCancel, Core};
use super::park::Parker;
use super::registry::Remote;
use super::timer::TimerKey;
use super::waker::{self, TaskKey};
use crate::report::Outcome;

thread_local! {
    /// The scheduler running on this thread, if any.
    static SCHEDULER: Cell<*const Core> = const { Cell::new(std::ptr::null()) };

    /// Port operations the task being resumed may still complete before it
    /// must yield. Its own thread-local, so the check on every send and
    /// receive is one load and one store; outside a scheduler it is
    /// effectively unlimited.
    pub(super) static BUDGET: Cell<u32> = const { Cell::new(u32::MAX) };

    /// Set on a helper thread of a component while it works for it.
    static HELPER: RefCell<Option<Helper>> = const { RefCell::new(None) };

    /// A helper registered to be woken by a link with an end outside the
    /// system (a handle) since it last paused.
    static WAITS_OUTSIDE: Cell<bool> = const { Cell::new(false) };
}

// ---- The scheduler on this thread ----

/// Restores the previous scheduler pointer when the scheduler leaves.
pub(super) struct EnterGuard(*const Core);

impl Drop for EnterGuard {
    fn drop(&mut self) {
        SCHEDULER.with(|c| c.set(self.0));
    }
}

/// Makes `core` the scheduler of the calling thread until the guard drops.
pub(super) fn enter(core: &Core) -> EnterGuard {
    let previous = SCHEDULER.with(|c| c.replace(std::ptr::from_ref(core)));
    EnterGuard(previous)
}

/// Runs `f` with the scheduler running on this thread, if any.
#[inline]
fn with_scheduler<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    let ptr = SCHEDULER.with(Cell::get);
    if ptr.is_null() {
        None
    } else {
        // SAFETY: the pointer is non-null only while `enter`'s guard is
        // alive, and the core outlives that guard.
        Some(f(unsafe { &*ptr }))
    }
}

/// Whether a scheduler is running on this thread.
pub(crate) fn is_inside() -> bool {
    !SCHEDULER.with(Cell::get).is_null()
}

/// Wakes `key` if it belongs to the scheduler on this thread; returns whether
/// it did.
#[inline]
pub(crate) fn wake(key: TaskKey) -> bool {
    with_scheduler(|core| core.wake_here(key)).unwrap_or(false)
}

/// The thread's token (what `Chan::bind_local` takes), if a scheduler
/// runs on this thread.
pub(crate) fn scheduler_token() -> Option<usize> {
    is_inside().then(thread_token)
}

/// The remote side of scheduler `id`, if it runs on this thread (saves the
/// registry's lock).
pub(crate) fn remote_if_current(id: u16) -> Option<Arc<Remote>> {
    with_scheduler(|core| (core.id() == id).then(|| core.remote().clone())).flatten()
}

/// Takes one unit of the running component's budget; `false` means it must
/// yield first.
#[inline]
pub(crate) fn consume_budget() -> bool {
    BUDGET.with(|b| {
        let left = b.get();
        b.set(left.wrapping_sub(1));
        left != 0
    })
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

fn record_left(port: &'static str, count: usize, unsent: bool) -> bool {
    with_scheduler(|core| core.record_left(port, count, unsent)).unwrap_or(false)
        // Otherwise a helper thread, whose proxy reports it; or no
        // component at all.
        || HELPER.with(|h| match h.borrow_mut().as_mut() {
            Some(helper) => {
                helper.undelivered.push((port, count, unsent));
                true
            }
            None => false,
        })
}

/// The running component is waiting to send a message on `port`: a
/// cancellation counts it as unsent. The scheduler forgets it at the
/// component's next resume.
pub(crate) fn park_send(port: &'static str) {
    with_scheduler(|core| core.set_pending_send(Some(port)));
}

/// The running component's `signal` is to say `Shutdown` when it ends
/// (see `Context::end_with_shutdown`).
pub(crate) fn set_end_with_shutdown() {
    with_scheduler(Core::set_end_with_shutdown);
}

/// Whether the running component asked for its `signal` to say
/// `Shutdown` when it ends.
pub(crate) fn ends_with_shutdown() -> bool {
    with_scheduler(Core::ends_with_shutdown).unwrap_or(false)
}

/// Runs `command` on this thread's scheduler at its next look outside
/// (never inside a task's resume), keeping the system alive until it has
/// run; `false` if no scheduler runs here or it no longer takes commands.
pub(crate) fn submit_here(command: super::registry::Command) -> bool {
    with_scheduler(|core| core.submit_counted(command)).unwrap_or(false)
}

/// Records how the running component ended.
pub(crate) fn record_outcome(outcome: Outcome) {
    with_scheduler(|core| core.record_outcome(outcome));
}

/// Records a supervisor's restart in the report of this thread's
/// scheduler.
pub(crate) fn record_restart(restart: crate::report::Restart) {
    with_scheduler(|core| core.record_restart(restart));
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
    let mut work = Some(work);
    with_scheduler(|core| work = work.take().and_then(|w| core.defer(w)));
    if let Some(work) = work {
        work();
    }
}

/// Wakes `waker` at `deadline` on the scheduler running on this thread;
/// `None` if there is none. Returns the scheduler's id and the timer's key,
/// for `rewake_timer` and `cancel_timer`.
pub(crate) fn add_timer(deadline: Instant, waker: WakeRef) -> Option<(u16, TimerKey)> {
    with_scheduler(|core| {
        (
            core.id(),
            core.timers().borrow_mut().insert(deadline, waker),
        )
    })
}

/// Replaces the waker of a timer of this thread's scheduler `sched`;
/// `false` if it has fired, was cancelled, or belongs elsewhere.
pub(crate) fn rewake_timer(sched: u16, key: TimerKey, waker: WakeRef) -> bool {
    with_scheduler(|core| core.id() == sched && core.timers().borrow_mut().rewake(key, waker))
        .unwrap_or(false)
}

/// Cancels a timer of this thread's scheduler `sched` (nothing happens if
/// it fired, or if this thread does not run `sched`: a scheduler's timers
/// go with it).
pub(crate) fn cancel_timer(sched: u16, key: TimerKey) {
    with_scheduler(|core| {
        if core.id() == sched {
            core.timers().borrow_mut().cancel(key);
        }
    });
}

/// The meeting places of the system whose scheduler runs on this thread.
pub(crate) fn places() -> Option<crate::meeting::Places> {
    with_scheduler(|core| core.system().home.places.clone())
}

/// The path of the component running on this thread: the task the
/// scheduler is resuming, or the component whose thread this is (named
/// after it); `None` outside any.
pub(crate) fn component_name() -> Option<std::sync::Arc<str>> {
    with_scheduler(Core::running_name)
        .flatten()
        .or_else(|| std::thread::current().name().map(Into::into))
}

/// The registry of the running system, if it is introspected.
pub(crate) fn view() -> Option<std::sync::Arc<crate::view::registry::Registry>> {
    with_scheduler(|core| core.system().home.view.get().cloned()).flatten()
}

/// Asks the running system to stop.
pub(crate) fn request_shutdown() {
    with_scheduler(Core::request_shutdown);
}

// ---- A helper thread of a component ----

/// The component a helper thread works for, as far as the thread needs to
/// know it.
pub(crate) trait Owner: Send + Sync {
    /// The component is being cancelled, or its system is shutting down.
    fn is_cancelled(&self) -> bool;
}

struct Helper {
    owner: Arc<dyn Owner>,
    /// How this thread parks (a process component's bridge threads each
    /// have their own).
    parker: Arc<Parker>,
    undelivered: Vec<(&'static str, usize, bool)>,
}

/// Runs `f` on the calling thread as a helper of `owner`: blocking port
/// operations park through `parker` and return once `owner` is cancelled;
/// the messages left in ports dropped here are collected and returned.
pub(crate) fn as_helper<R>(
    owner: Arc<dyn Owner>,
    parker: Arc<Parker>,
    f: impl FnOnce() -> R,
) -> (R, Vec<(&'static str, usize, bool)>) {
    HELPER.with(|h| {
        *h.borrow_mut() = Some(Helper {
            owner,
            parker,
            undelivered: Vec::new(),
        });
    });
    let result = f();
    let undelivered = HELPER
        .with(|h| h.borrow_mut().take())
        .map(|helper| helper.undelivered)
        .unwrap_or_default();
    (result, undelivered)
}

/// Whether the component this helper thread works for is being cancelled.
pub(crate) fn cancelled() -> bool {
    HELPER.with(|h| {
        h.borrow()
            .as_ref()
            .is_some_and(|helper| helper.owner.is_cancelled())
    })
}

fn current_parker() -> Option<Arc<Parker>> {
    HELPER.with(|h| h.borrow().as_ref().map(|helper| helper.parker.clone()))
}

/// A waker that unparks the calling thread: through its `Parker` on a
/// helper thread, plainly elsewhere (a handle's user).
pub(crate) fn thread_waker() -> Waker {
    if let Some(parker) = current_parker() {
        return Waker::from(parker);
    }
    struct Unpark(Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    thread_local! {
        static WAKER: Waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    }
    WAKER.with(Clone::clone)
}

/// A waker for whatever runs on the calling thread: the generator component
/// being resumed, or the component whose helper this thread is. Lets an
/// operation with no task context (`try_send` finding an inbox full) still
/// arrange for its caller to be woken when things change, so "try, then
/// pause" works in both kinds.
pub(crate) fn current_waker() -> Option<Waker> {
    with_scheduler(|core| {
        core.running_key()
            .map(|key| (*waker::borrowed(key)).clone())
    })
    .flatten()
    .or_else(|| current_parker().map(Waker::from))
}

/// `current_waker`, for a link that is full: `outside` says the link has an
/// end outside the system, so a helper's next pause waits on something
/// outside, which is no stall (see `take_waits_outside`).
pub(crate) fn waker_for_room(outside: bool) -> Option<Waker> {
    let waker = current_waker()?;
    if outside {
        note_waits_outside();
    }
    Some(waker)
}

/// The caller registered `current_waker` on a link with an end outside the
/// system: its next pause waits on something outside, which is no stall.
pub(crate) fn note_waits_outside() {
    WAITS_OUTSIDE.with(|w| w.set(true));
}

/// Whether the caller registered on a link with an end outside the system
/// since it last asked; asking clears it.
pub(crate) fn take_waits_outside() -> bool {
    WAITS_OUTSIDE.with(|w| w.replace(false))
}

/// Parks the calling thread until its `thread_waker` is woken (possibly
/// spuriously: callers re-check what they wait for). `from_outside`: what it
/// waits for can come from outside the system (a handle), so a helper
/// parked here does not count towards a stall.
pub(crate) fn park_here(from_outside: bool) {
    match current_parker() {
        Some(parker) => parker.park(from_outside),
        None => std::thread::park(),
    }
}

/// Panics with a clear message when a blocking port operation is called on
/// a scheduler thread, where it would freeze every generator component.
#[track_caller]
pub(crate) fn forbid_on_scheduler(operation: &str) {
    assert!(
        !is_inside(),
        "myelin: `{operation}` blocks, and was called from a generator component; \
         use the `async` form (`recv().await`, `send(..).await`) there, or make the \
         component `#[component(thread)]`"
    );
}

/// A per-thread number that is never zero and differs between live threads.
#[inline]
pub(crate) fn thread_token() -> usize {
    #[cfg(not(loom))]
    {
        thread_local!(static TOKEN: u8 = const { 0 });
        TOKEN.with(|t| std::ptr::from_ref(t) as usize)
    }
    #[cfg(loom)]
    {
        loom::thread_local!(static TOKEN: u8 = 0);
        TOKEN.with(|t| std::ptr::from_ref(t) as usize)
    }
}
