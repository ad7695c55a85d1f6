//! Wakers that cost nothing to create.
//!
//! A waker is the task's address packed into the waker's data word: scheduler
//! id, slot generation and slot index. Creating one allocates nothing, so every
//! task can be polled with a real waker (foreign futures work) without a
//! per-task reference-counted header. Waking on the scheduler's own thread pushes
//! the slot onto the local run queue; waking from any other thread goes through
//! the scheduler's remote queue and unparks it.
//!
//! Clones are counted per scheduler: a scheduler with no runnable task and no
//! clone of its wakers alive anywhere can never be woken again, which is how
//! `run` tells a stalled system from one waiting on the outside world.

use std::task::{RawWaker, RawWakerVTable, Waker};

use super::{current, registry};

/// The address of a task: which scheduler, which slot, which use of that
/// slot, packed into one word as a waker carries it (scheduler id in the
/// top 16 bits, slot generation in the next 16, slot index in the low 32),
/// so comparing two keys is one compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey(u64);

#[cfg(not(target_pointer_width = "64"))]
compile_error!("myelin packs task keys into a pointer-sized word and needs a 64-bit target");

impl TaskKey {
    /// A key no task has (scheduler ids start at zero but this index is
    /// never reached), for placeholders.
    pub(crate) const NONE: Self = Self::new(u16::MAX, 0, u32::MAX);

    #[inline]
    pub(crate) const fn new(sched: u16, generation: u16, index: u32) -> Self {
        Self(((sched as u64) << 48) | ((generation as u64) << 32) | index as u64)
    }

    /// The scheduler's id.
    #[inline]
    pub(crate) const fn sched(self) -> u16 {
        (self.0 >> 48) as u16
    }

    /// Which use of the slot.
    #[inline]
    pub(crate) const fn generation(self) -> u16 {
        (self.0 >> 32) as u16
    }

    /// The slot.
    #[inline]
    pub(crate) const fn index(self) -> u32 {
        self.0 as u32
    }

    /// The key as one word.
    #[inline]
    pub(crate) const fn word(self) -> u64 {
        self.0
    }

    #[inline]
    fn pack(self) -> *const () {
        std::ptr::without_provenance(self.0 as usize)
    }

    #[inline]
    fn unpack(data: *const ()) -> Self {
        Self(data.addr() as u64)
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker for `key` that the caller must not drop (it was never counted).
pub(crate) fn borrowed(key: TaskKey) -> std::mem::ManuallyDrop<Waker> {
    // SAFETY: the vtable functions uphold the RawWaker contract: the data word
    // is plain bits, never dereferenced.
    std::mem::ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(key.pack(), &VTABLE)) })
}

static UNCOUNTED: RawWakerVTable =
    RawWakerVTable::new(clone_uncounted, wake_by_ref, wake_by_ref, drop_uncounted);

/// For a waker of ours, the same task's waker whose clones are not counted
/// (as a link's `WakeRef::Task`): kept where only the system's own
/// components can use it, it is no way in from outside, so it does not hide
/// a deadlock from the stall detector. `None` for any other waker.
pub(crate) fn uncounted(waker: &Waker) -> Option<Waker> {
    (std::ptr::eq(waker.vtable(), &VTABLE) || std::ptr::eq(waker.vtable(), &UNCOUNTED)).then(|| {
        // SAFETY: as for `borrowed`: the data word is plain bits, and this
        // vtable neither counts nor dereferences it.
        unsafe { Waker::from_raw(RawWaker::new(waker.data(), &UNCOUNTED)) }
    })
}

fn clone_uncounted(data: *const ()) -> RawWaker {
    RawWaker::new(data, &UNCOUNTED)
}

fn drop_uncounted(_: *const ()) {}

fn clone(data: *const ()) -> RawWaker {
    registry::retain(TaskKey::unpack(data).sched());
    RawWaker::new(data, &VTABLE)
}

fn wake(data: *const ()) {
    wake_by_ref(data);
    drop_waker(data);
}

fn wake_by_ref(data: *const ()) {
    let key = TaskKey::unpack(data);
    if !current::wake(key) {
        registry::wake(key);
    }
}

fn drop_waker(data: *const ()) {
    registry::release(TaskKey::unpack(data).sched());
}

/// A registered interest in being woken, as stored by a link.
///
/// A link inside one system keeps just the task key: it costs no reference
/// count, and it does not count as a way in from outside (see the module
/// docs). A link with an end outside the system (a handle) keeps a real,
/// counted waker.
pub(crate) enum WakeRef {
    Task(TaskKey),
    Waker(Waker),
}

impl WakeRef {
    /// `key_only`: the registration may keep just the task key (its link
    /// is local, or reaches only components of the same system, whose
    /// activity the scheduler tracks); otherwise a counted waker is kept.
    #[inline]
    pub(crate) fn new(waker: &Waker, key_only: bool) -> Self {
        if key_only && std::ptr::eq(waker.vtable(), &VTABLE) {
            Self::Task(TaskKey::unpack(waker.data()))
        } else {
            Self::Waker(waker.clone())
        }
    }

    /// The same interest, as a bare task key when the waker is one of ours.
    pub(crate) fn into_key_only(self) -> Self {
        match self {
            Self::Waker(w) if std::ptr::eq(w.vtable(), &VTABLE) => {
                Self::Task(TaskKey::unpack(w.data()))
            }
            other => other,
        }
    }

    #[inline]
    pub(crate) fn will_wake(&self, waker: &Waker) -> bool {
        match self {
            Self::Task(key) => {
                std::ptr::eq(waker.vtable(), &VTABLE) && TaskKey::unpack(waker.data()) == *key
            }
            Self::Waker(w) => w.will_wake(waker),
        }
    }

    #[inline]
    pub(crate) fn wake(self) {
        match self {
            Self::Task(key) => {
                if !current::wake(key) {
                    registry::wake(key);
                }
            }
            Self::Waker(w) => w.wake(),
        }
    }
}
