//! How a meeting place keeps the wakers of those waiting on it, so that the
//! stall detector can still tell a deadlock from a wait on the outside.
//!
//! A waker a place keeps is a way to wake a task. If only the system's own
//! components can reach the place, keeping just the task's key (an
//! uncounted waker, supplied by the scheduler) is enough, and a system
//! whose components all wait on each other there is reported as stalled.
//! While anything outside the system holds the places (a `Handle`, or
//! places, a backplane, a publisher or a subscription taken from one), the
//! outside may still publish or set a value, so the place keeps counted
//! wakers, and such waits are never taken for a stall.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Waker;

/// Turns a scheduler's waker into its uncounted form; `None` for another
/// executor's waker, which is kept as it is.
pub(crate) type Uncounted = fn(&Waker) -> Option<Waker>;

/// The waiting side of a set of places.
#[derive(Default)]
pub(crate) struct Waiters {
    /// Holders outside the system alive now.
    outside: AtomicUsize,
    /// Supplied by a running system's scheduler; `None` for places made
    /// with `Places::new`, which keep counted wakers always.
    uncounted: Option<Uncounted>,
}

impl Waiters {
    pub(crate) fn in_system(uncounted: Uncounted) -> Self {
        Self {
            outside: AtomicUsize::new(0),
            uncounted: Some(uncounted),
        }
    }

    /// Whether something outside the system holds the places now.
    pub(crate) fn outside(&self) -> bool {
        self.outside.load(Ordering::SeqCst) > 0
    }

    /// The waker to keep for `waker`.
    pub(crate) fn keep(&self, waker: &Waker) -> Waker {
        if !self.outside()
            && let Some(key_only) = self.uncounted.and_then(|f| f(waker))
        {
            return key_only;
        }
        waker.clone()
    }

    /// Whether `kept` (from `keep`) wakes the same task as `waker`.
    pub(crate) fn same(&self, kept: &Waker, waker: &Waker) -> bool {
        kept.will_wake(waker)
            || self
                .uncounted
                .and_then(|f| Some((f(kept)?, f(waker)?)))
                .is_some_and(|(a, b)| a.will_wake(&b))
    }
}

/// A holder of the places outside the system, counted while it lives.
pub(crate) struct Outside(Arc<Waiters>);

impl Outside {
    pub(crate) fn new(waiters: &Arc<Waiters>) -> Arc<Self> {
        waiters.outside.fetch_add(1, Ordering::SeqCst);
        Arc::new(Self(waiters.clone()))
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        self.0.outside.fetch_sub(1, Ordering::SeqCst);
    }
}
