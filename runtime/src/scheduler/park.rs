//! Parking a threaded component's thread in a way the scheduler can see.
//!
//! A system is stalled when no generator can run, no waker can come from
//! outside, and every threaded component is parked waiting for a message
//! (not for a timeout, and not busy in its own code). To know the last part,
//! each component thread parks through a `Parker`, which keeps the
//! scheduler's count of active threads exact: a thread leaves the count only
//! when it commits to parking with no wake-up pending, and re-enters it the
//! moment a wake-up is delivered, before it even runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::Wake;
use std::thread::Thread;

use crate::scheduler::registry::Remote;

const RUNNING: u8 = 0;
const PARKED: u8 = 1;
const NOTIFIED: u8 = 2;
/// Parked, but still counted active: waiting on a link with an end outside
/// the system (a handle), which can always deliver.
const PARKED_COUNTED: u8 = 3;

pub(crate) struct Parker {
    state: AtomicU8,
    thread: Thread,
    remote: Arc<Remote>,
}

impl Parker {
    /// A parker for the calling thread, which `remote` counts as active.
    pub(crate) fn new(remote: Arc<Remote>) -> Self {
        Self {
            state: AtomicU8::new(RUNNING),
            thread: std::thread::current(),
            remote,
        }
    }

    /// Parks the calling (owning) thread until `unpark`; returns at once if a
    /// wake-up came since the last park. With `from_outside`, the thread
    /// waits on something outside the system and stays counted active.
    pub(crate) fn park(&self, from_outside: bool) {
        let parked = if from_outside { PARKED_COUNTED } else { PARKED };
        if self
            .state
            .compare_exchange(RUNNING, parked, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // NOTIFIED: the wake-up arrived before we got here.
            self.state.store(RUNNING, Ordering::Release);
            return;
        }
        if !from_outside {
            self.remote.thread_parked();
        }
        while self.state.load(Ordering::Acquire) == parked {
            std::thread::park();
        }
    }

    /// Wakes the owning thread (or makes its next `park` return at once).
    pub(crate) fn unpark(&self) {
        loop {
            match self.state.load(Ordering::Acquire) {
                RUNNING => {
                    if self
                        .state
                        .compare_exchange(RUNNING, NOTIFIED, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        break;
                    }
                }
                PARKED => {
                    if self
                        .state
                        .compare_exchange(PARKED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        // Counted active again before it runs, so the
                        // scheduler never sees a gap.
                        self.remote.thread_unparked();
                        break;
                    }
                }
                PARKED_COUNTED => {
                    if self
                        .state
                        .compare_exchange(
                            PARKED_COUNTED,
                            RUNNING,
                            Ordering::AcqRel,
                            Ordering::Acquire,
                        )
                        .is_ok()
                    {
                        break;
                    }
                }
                _ => break,
            }
        }
        self.thread.unpark();
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}
