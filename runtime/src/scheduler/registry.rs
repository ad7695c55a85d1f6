//! Schedulers reachable from other threads, by id.
//!
//! A waker carries only a scheduler id, so waking from another thread looks the
//! scheduler up here. That path is the slow one by design: links between
//! components on one scheduler never take it.

use crate::meeting::Places;
use std::sync::{Arc, Mutex};

use super::waker::TaskKey;
// The wake path (queue, flags, counts, the thread to unpark) on the
// runtime's switchable primitives, so the loom models of `system.rs` check
// it; the registry itself, the commands and the outside ends stay on std's.
use crate::sync::thread::{self, Thread};
use crate::sync::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use crate::sync::{lock, lock_std};

/// The part of a scheduler other threads may touch.
pub(crate) struct Remote {
    /// The scheduler's id, as wakers carry it.
    pub(crate) id: u16,
    queue: crate::sync::Mutex<Vec<TaskKey>>,
    /// `PENDING` (the queue or the commands may hold something, so the
    /// scheduler can look with one load instead of a lock) and `SLEEPING`
    /// (the scheduler is, or is about to be, parked: only then do other
    /// threads pay for unparking it), in one word: a waker sets `PENDING`
    /// and learns in the same step whether to unpark, and a scheduler sets
    /// `SLEEPING` and then takes `PENDING`, so by the single order of the
    /// word's changes either the scheduler sees the news or the waker sees
    /// it sleeping.
    flags: AtomicU8,
    /// Set by a request to stop the system from another thread.
    pub(crate) shutdown: AtomicBool,
    /// Work to do on the scheduler's thread (starting parts added from a
    /// handle).
    pub(crate) commands: Mutex<Commands>,
    /// On a system's home scheduler: how many threaded components are
    /// running or about to (not parked waiting for a message, see
    /// `park.rs` and `Active`), plus how many worker schedulers are busy, in the
    /// low half; an epoch that every increment bumps in the high half (see
    /// `system.rs` for why).
    activity: std::sync::atomic::AtomicU64,
    pub(crate) thread: Thread,
    /// Live clones of this scheduler's wakers.
    pub(crate) outstanding: AtomicUsize,
    /// Inboxes outside the system that its components send into (see
    /// `OutsideEnd`).
    outside: Mutex<Vec<OutsideEnd>>,
    /// The system's meeting places (backplanes, store, tracked values): only
    /// the home scheduler's are used, and everything that reaches the system
    /// (its components, threads and handles) reaches the home `Remote`.
    pub(crate) places: Places,
    /// On a system's home scheduler started with `Runtime::introspect`:
    /// its components as they start and end (see `view/registry.rs`).
    pub(crate) view: std::sync::OnceLock<Arc<crate::view::registry::Registry>>,
}

/// An inbox outside the system (a handle's `Receiver`, or an inbox used on
/// a plain thread) that an outbox of the system sends into. What it holds
/// when it is dropped is counted in the system's report, if the report has
/// not been handed out yet (`run::hand_out`).
pub(crate) struct OutsideEnd {
    /// Its link.
    pub(crate) link: Arc<dyn Abandoned>,
    /// The path of the component whose outbox feeds it.
    pub(crate) from: Arc<str>,
    /// That outbox.
    pub(crate) port: &'static str,
}

/// What the report needs of a link whose receiver is outside the system.
/// Declared here, below the ports that implement it, so that the
/// scheduler does not depend on them.
#[doc(hidden)]
pub trait Abandoned: Send + Sync {
    /// How many messages its receiver left when it was dropped outside any
    /// component (a handle's `Receiver`); taken once, then zero.
    fn take_abandoned(&self) -> usize;
}

const MAX_SCHEDULERS: usize = 1 << 16;

/// In `Remote::flags`: news waits.
const PENDING: u8 = 1;
/// In `Remote::flags`: the scheduler sleeps.
const SLEEPING: u8 = 2;

/// One more active party, and a new epoch.
const ACTIVE_ONE: u64 = 1 | (1 << 32);
/// The count of active parties in the activity word.
pub(crate) const ACTIVE_MASK: u64 = u32::MAX as u64;

struct Registry {
    slots: Vec<Option<Arc<Remote>>>,
    /// Where the search for a free id starts.
    next: usize,
}

static REGISTRY: std::sync::Mutex<Registry> = std::sync::Mutex::new(Registry {
    slots: Vec::new(),
    next: 0,
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers a scheduler running on the calling thread and returns its id.
pub(crate) fn register() -> (u16, Arc<Remote>) {
    let mut reg = registry();
    // Ids are handed out round robin, not lowest-free first: a waker that
    // outlives its scheduler then finds its id unused (or reused only after
    // 65,536 more schedulers), so it cannot disturb a newer scheduler's
    // waker count.
    let len = reg.slots.len();
    let id = if len < MAX_SCHEDULERS {
        reg.slots.push(None);
        len
    } else {
        let start = reg.next;
        (0..len)
            .map(|i| (start + i) % len)
            .find(|&i| reg.slots[i].is_none())
            .expect("more than 65536 schedulers alive at once")
    };
    let remote = Arc::new(Remote::new(
        u16::try_from(id).expect("scheduler ids fit in 16 bits"),
    ));
    reg.slots[id] = Some(remote.clone());
    reg.next = id + 1;
    (remote.id, remote)
}

/// Something to run on a scheduler's own thread.
pub(crate) type Command = Box<dyn FnOnce(&super::local::Core) + Send>;

/// Commands waiting for the scheduler, and whether it still takes them.
#[derive(Default)]
pub(crate) struct Commands {
    queue: Vec<Command>,
    closed: bool,
}

impl Commands {
    pub(crate) fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.queue)
    }
}

impl Remote {
    /// The remote of scheduler `id`, running on the calling thread (not
    /// registered: `register` does that).
    pub(crate) fn new(id: u16) -> Self {
        Self::on(id, thread::current())
    }

    /// The remote of scheduler `id`, running on `thread`.
    pub(crate) fn on(id: u16, thread: Thread) -> Self {
        Self {
            id,
            queue: crate::sync::Mutex::new(Vec::new()),
            flags: AtomicU8::new(0),
            shutdown: AtomicBool::new(false),
            commands: Mutex::new(Commands::default()),
            activity: std::sync::atomic::AtomicU64::new(0),
            thread,
            outstanding: AtomicUsize::new(0),
            outside: Mutex::new(Vec::new()),
            places: Places::in_system(super::waker::uncounted),
            view: std::sync::OnceLock::new(),
        }
    }

    /// Queues a wake-up for `key` from another thread, and unparks the
    /// scheduler if it sleeps (or is about to: see `sleeping`).
    pub(crate) fn wake(&self, key: TaskKey) {
        lock(&self.queue).push(key);
        self.notify();
    }

    /// Says there is news (a wake-up, a command, a request), unparking the
    /// scheduler if it sleeps.
    fn notify(&self) {
        if self.flags.fetch_or(PENDING, Ordering::SeqCst) & SLEEPING != 0 {
            self.thread.unpark();
        }
    }

    /// Whether there is news the scheduler has not taken.
    ///
    /// A read-modify-write that changes nothing, not a load: it reads the
    /// latest value of the word in every interleaving, which the stall
    /// decision relies on (it pairs with a change to the activity word,
    /// not to this one).
    pub(crate) fn is_pending(&self) -> bool {
        self.flags.fetch_or(0, Ordering::SeqCst) & PENDING != 0
    }

    /// Takes the news: `true` if there was any since the last take.
    pub(crate) fn take_pending(&self) -> bool {
        self.flags.fetch_and(!PENDING, Ordering::SeqCst) & PENDING != 0
    }

    /// The scheduler is about to park: from now on, news unparks it. It
    /// must take the news (`take_pending`) once more before it parks.
    pub(crate) fn sleep(&self) {
        self.flags.fetch_or(SLEEPING, Ordering::SeqCst);
    }

    /// The scheduler is awake again.
    pub(crate) fn wake_up(&self) {
        self.flags.fetch_and(!SLEEPING, Ordering::SeqCst);
    }

    /// Whether the scheduler is, or is about to be, parked (read as
    /// `is_pending` is, for the same reason).
    pub(crate) fn is_sleeping(&self) -> bool {
        self.flags.fetch_or(0, Ordering::SeqCst) & SLEEPING != 0
    }

    /// The wake-ups queued from other threads, taken.
    pub(crate) fn take_keys(&self) -> Vec<TaskKey> {
        std::mem::take(&mut *lock(&self.queue))
    }

    /// Live clones of this scheduler's wakers.
    pub(crate) fn outstanding(&self) -> usize {
        self.outstanding.load(Ordering::SeqCst)
    }

    /// A threaded component started (or was woken), or a worker scheduler
    /// became busy: see [`Active`], and the `Parker`, which counts its
    /// thread out and in as it parks.
    pub(super) fn thread_unparked(&self) {
        self.activity.fetch_add(ACTIVE_ONE, Ordering::SeqCst);
    }

    /// A threaded component parked waiting for a message (or ended), or a
    /// worker scheduler went idle.
    pub(super) fn thread_parked(&self) {
        // The last active party going idle is what an idle home scheduler
        // may be waiting for (to tell a stall); let it look. Otherwise no
        // news.
        if self.activity.fetch_sub(1, Ordering::SeqCst) & ACTIVE_MASK == 1 && self.is_sleeping() {
            self.thread.unpark();
        }
    }

    /// The activity word: active parties in the low half, epoch in the high.
    pub(crate) fn activity(&self) -> u64 {
        self.activity.load(Ordering::SeqCst)
    }

    /// Queues `command` to run on the scheduler's thread at its next look
    /// outside; `false` if the scheduler has stopped taking commands.
    pub(crate) fn submit(&self, command: Command) -> bool {
        {
            let mut commands = lock_std(&self.commands);
            if commands.closed {
                return false;
            }
            commands.queue.push(command);
        }
        self.notify();
        true
    }

    /// Stops taking commands, unless some are waiting: those are returned
    /// to run first.
    pub(crate) fn close_commands(&self) -> Vec<Command> {
        let mut commands = lock_std(&self.commands);
        if commands.queue.is_empty() {
            commands.closed = true;
        }
        std::mem::take(&mut commands.queue)
    }

    /// Notes an inbox outside the system that one of its outboxes feeds.
    pub(crate) fn add_outside(&self, end: OutsideEnd) {
        let mut outside = lock_std(&self.outside);
        // Fan-in: one entry per inbox.
        if !outside.iter().any(|e| Arc::ptr_eq(&e.link, &end.link)) {
            outside.push(end);
        }
    }

    /// The inboxes outside the system noted so far, handed over once.
    pub(crate) fn take_outside(&self) -> Vec<OutsideEnd> {
        std::mem::take(&mut *lock_std(&self.outside))
    }

    /// Asks the scheduler to shut its system down at its next look outside.
    pub(crate) fn request_shutdown(&self) {
        self.shutdown.store(true, Ordering::Release);
        self.notify();
    }
}

/// One count among a scheduler's active threads: a thread of the system (a
/// threaded component's, a process component's bridge, or its child) that
/// runs or may still act, so the system is not stalled. Dropping it counts
/// the thread out, so no path (an early return, a thread that could not
/// start, a panic) leaves the count unbalanced.
#[must_use = "the thread counts as active only while this lives"]
pub(crate) struct Active(Arc<Remote>);

impl Active {
    /// Counts a thread of `remote`'s system in.
    pub(crate) fn new(remote: &Arc<Remote>) -> Self {
        remote.thread_unparked();
        Self(remote.clone())
    }

    /// Counts the thread out while `f` waits on something that is not the
    /// system's doing, and back in once it returns (or unwinds).
    pub(crate) fn idle_while<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Back<'a>(&'a Remote);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                self.0.thread_unparked();
            }
        }
        self.0.thread_parked();
        let _back = Back(&self.0);
        f()
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        self.0.thread_parked();
    }
}

pub(crate) fn unregister(id: u16) {
    if let Some(slot) = registry().slots.get_mut(usize::from(id)) {
        *slot = None;
    }
}

fn find(id: u16) -> Option<Arc<Remote>> {
    if let Some(remote) = super::current::remote_if_current(id) {
        return Some(remote);
    }
    registry().slots.get(usize::from(id)).cloned().flatten()
}

pub(crate) fn retain(id: u16) {
    if let Some(r) = find(id) {
        r.outstanding.fetch_add(1, Ordering::Relaxed);
    }
}

pub(crate) fn release(id: u16) {
    if let Some(r) = find(id) {
        // Saturating: a waker that outlived its scheduler may be dropped after
        // the id was reused, and must not wrap the new scheduler's count.
        let _ = r
            .outstanding
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }
}

/// Queues a wake-up from another thread and unparks the scheduler.
pub(crate) fn wake(key: TaskKey) {
    if let Some(r) = find(key.sched()) {
        r.wake(key);
    }
}
