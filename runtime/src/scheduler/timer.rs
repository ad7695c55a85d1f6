//! The scheduler's timers: who waits for which moment.
//!
//! One ordered map per scheduler, keyed by deadline and a sequence number:
//! registering, cancelling and taking the earliest are each a logarithmic
//! map operation, with no thread per timer and no polling. A due timer wakes
//! its task exactly as a delivery does, with the task key it registered.
//! Timers due at the same moment fire in the order they were registered.
//!
//! A system whose components wait only on timers is not stalled: the
//! scheduler sleeps until the earliest deadline instead.

use std::collections::BTreeMap;
use std::time::Instant;

use super::WakeRef;

/// A registered timer, as its owner cancels or re-registers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerKey {
    deadline: Instant,
    seq: u64,
}

/// Every timer of one scheduler.
#[derive(Default)]
pub(crate) struct Timers {
    waiting: BTreeMap<TimerKey, WakeRef>,
    next_seq: u64,
}

impl Timers {
    /// Wakes `waker` at `deadline`.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: WakeRef) -> TimerKey {
        let key = TimerKey {
            deadline,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.waiting.insert(key, waker);
        key
    }

    /// Replaces the waker of a timer still waiting; `false` if it has
    /// fired or was cancelled.
    pub(crate) fn rewake(&mut self, key: TimerKey, waker: WakeRef) -> bool {
        match self.waiting.get_mut(&key) {
            Some(slot) => {
                *slot = waker;
                true
            }
            None => false,
        }
    }

    /// Forgets a timer (nothing happens if it has fired already).
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        self.waiting.remove(&key);
    }

    /// The earliest deadline, if any timer waits.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.waiting.first_key_value().map(|(key, _)| key.deadline)
    }

    /// Whether no timer waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Takes the earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<WakeRef> {
        let entry = self.waiting.first_entry()?;
        (entry.key().deadline <= now).then(|| entry.remove())
    }

    /// Forgets every timer (the system is stopping).
    pub(crate) fn clear(&mut self) {
        self.waiting.clear();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scheduler::waker::TaskKey;

    fn task(index: u32) -> WakeRef {
        WakeRef::Task(TaskKey::new(0, 1, index))
    }

    fn index(w: WakeRef) -> u32 {
        match w {
            WakeRef::Task(key) => key.index(),
            WakeRef::Waker(_) => panic!("registered task keys only"),
        }
    }

    #[test]
    fn timers_fire_in_deadline_order_then_registration_order() {
        let now = Instant::now();
        let mut timers = Timers::default();
        timers.insert(now + Duration::from_millis(20), task(1));
        timers.insert(now + Duration::from_millis(10), task(2));
        timers.insert(now + Duration::from_millis(20), task(3));
        timers.insert(now + Duration::from_millis(10), task(4));
        assert_eq!(
            timers.next_deadline(),
            Some(now + Duration::from_millis(10))
        );
        assert!(timers.pop_due(now).is_none(), "nothing is due yet");
        let later = now + Duration::from_millis(20);
        let fired: Vec<u32> = std::iter::from_fn(|| timers.pop_due(later))
            .map(index)
            .collect();
        assert_eq!(fired, [2, 4, 1, 3]);
        assert!(timers.is_empty());
    }

    #[test]
    fn a_cancelled_timer_never_fires_and_cannot_be_rewoken() {
        let now = Instant::now();
        let mut timers = Timers::default();
        let gone = timers.insert(now, task(1));
        let kept = timers.insert(now, task(2));
        timers.cancel(gone);
        assert!(!timers.rewake(gone, task(3)));
        assert!(timers.rewake(kept, task(4)));
        assert_eq!(timers.pop_due(now).map(index), Some(4));
        assert!(timers.pop_due(now).is_none());
    }
}
