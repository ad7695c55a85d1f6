//! The clock a generator's busy time is read from, twice per resume of an
//! introspected system: the time-stamp counter on x86_64 (about 10 ns a
//! read where `Instant::now` took 24, on the machine of `BENCHMARKS.md`),
//! nanoseconds from `Instant` elsewhere. Ticks become time by the rate
//! measured between the registry's start and the snapshot.

use std::time::{Duration, Instant};

/// Where a registry's ticks start.
pub(crate) struct Clock {
    origin: Instant,
    origin_ticks: u64,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            origin: Instant::now(),
            origin_ticks: ticks(),
        }
    }

    /// `ticks` as time, at the rate measured since the clock started.
    pub(crate) fn duration(&self, ticks_counted: u64) -> Duration {
        let elapsed = self.origin.elapsed();
        let ticked = ticks().saturating_sub(self.origin_ticks);
        if ticked == 0 {
            return Duration::ZERO;
        }
        let nanos = u128::from(ticks_counted) * elapsed.as_nanos() / u128::from(ticked);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

/// Now, in ticks.
#[inline(always)]
pub(crate) fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `rdtsc` reads a counter; it has no preconditions and exists
    // on every x86_64 processor.
    return unsafe { std::arch::x86_64::_rdtsc() };
    #[cfg(not(target_arch = "x86_64"))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<Instant> = OnceLock::new();
        u64::try_from(START.get_or_init(Instant::now).elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}
