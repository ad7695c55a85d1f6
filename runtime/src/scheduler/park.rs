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
use std::task::Wake;

use super::registry::Remote;
use crate::sync::thread::{self, Thread};
use crate::sync::{AtomicU8, Ordering};

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
            thread: thread::current(),
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
            thread::park();
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

/// Exhaustive interleaving checks of parking, run with
/// `RUSTFLAGS="--cfg loom" cargo test -p myelin --lib --release loom`.
///
/// A thread waits for a flag through its `Parker` while another sets the
/// flag and unparks it. Loom fails a model in which the waiting thread
/// sleeps through the wake-up (every thread blocked); the assertions check
/// that the count of active threads is never short while a wake-up is
/// owed, and is exact once everyone is back.
#[cfg(all(test, loom))]
mod loom_tests {
    use std::sync::Arc;
    use std::sync::atomic::Ordering::SeqCst;

    use loom::sync::atomic::AtomicBool;
    use loom::thread;

    use super::Parker;
    use crate::scheduler::registry::{self, Active, Remote};

    fn active(remote: &Remote) -> usize {
        usize::try_from(remote.activity() & registry::ACTIVE_MASK).unwrap_or(usize::MAX)
    }

    /// The waiting thread, counted active, parks until `flag`; a second
    /// thread, active while it works, sets `flag` and unparks it; a third
    /// reads the count as the stall detector does. `from_outside`: the
    /// waiting thread parks still counted.
    fn model(from_outside: bool) {
        loom::model(move || {
            let remote = Arc::new(Remote::new(0));
            let waiting = Active::new(&remote);
            let parker = Arc::new(Parker::new(remote.clone()));
            let flag = Arc::new(AtomicBool::new(false));
            let waker = {
                let (parker, flag, remote) = (parker.clone(), flag.clone(), remote.clone());
                thread::spawn(move || {
                    let working = Active::new(&remote);
                    flag.store(true, SeqCst);
                    parker.unpark();
                    drop(working);
                })
            };
            let detector = {
                let (flag, remote) = (flag.clone(), remote.clone());
                thread::spawn(move || {
                    // Once the wake-up is sent, someone counts until the
                    // woken thread is back: the system is not stalled.
                    let sent = flag.load(SeqCst);
                    let count = active(&remote);
                    assert!(!sent || count >= 1, "counted out while a wake-up is owed");
                })
            };
            while !flag.load(SeqCst) {
                parker.park(from_outside);
            }
            waker.join().unwrap();
            detector.join().unwrap();
            assert_eq!(active(&remote), 1, "the woken thread, and only it, counts");
            drop(waiting);
            assert_eq!(active(&remote), 0);
        });
    }

    #[test]
    fn loom_park_races_unpark() {
        model(false);
    }

    #[test]
    fn loom_park_from_outside_races_unpark() {
        model(true);
    }
}
