//! Components paced by the clock: a ticker, message and byte rate limits,
//! and batches closed by size or by time.
//!
//! Each waits on the scheduler's timers ([`crate::time`]): no thread, no
//! polling. Each stops at once on a `Shutdown` on its `control`, also
//! while it waits for its moment.

use std::time::{Duration, Instant};

use super::{Next, next, send, stopped, unsent};
use crate::time::{sleep_until, timeout_at};
use crate::{Component, Context, Control, Error, Inbox, Outbox};

/// Waits until `deadline`, or a `Shutdown` on `control`; returns whether
/// it was the shutdown.
pub(super) async fn shutdown_before(cx: &mut Context, deadline: Instant) -> bool {
    loop {
        let Some(control) = cx.linked_control() else {
            // Nothing can ever ask: only the time is left to wait for.
            sleep_until(deadline).await;
            return false;
        };
        match timeout_at(deadline, control.recv()).await {
            Ok(Some(Control::Shutdown)) => return true,
            // Another control message: keep waiting.
            Ok(Some(_)) => {}
            // Nobody can ask any more: only the time is left to wait for.
            Ok(None) => {
                sleep_until(deadline).await;
                return false;
            }
            Err(_) => return false,
        }
    }
}

/// Sends a tick number (0, 1, 2, ...) every `period`, the first at once,
/// `count` ticks in all (`None`: until stopped). Kamaelia's
/// `CheapAndCheerfulClock`.
///
/// A ticker that falls behind (its receiver slow to take a tick) skips the
/// ticks it missed rather than sending them in a burst.
///
/// ```
/// use std::time::Duration;
///
/// use myelin::components::{Collect, Ticker};
/// use myelin::prelude::*;
///
/// let collect = Collect::<u64>::new();
/// let ticks = collect.collected();
/// myelin::run(pipeline![Ticker::every(Duration::from_millis(2)).take(5), collect])?;
/// assert_eq!(ticks.take(), [0, 1, 2, 3, 4]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[crate::component]
pub struct Ticker {
    /// The tick numbers, from 0.
    outbox: Outbox<u64>,
    period: Duration,
    count: Option<u64>,
}

impl Ticker {
    /// Ticks every `period`, until stopped.
    ///
    /// # Panics
    /// If `period` is zero.
    pub fn every(period: Duration) -> Self {
        assert!(!period.is_zero(), "Ticker: the period must not be zero");
        Self::new(period, None)
    }

    /// Stops after `count` ticks.
    #[must_use]
    pub fn take(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }
}

#[diagnostic::do_not_recommend]
impl Component for Ticker {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut due = Instant::now();
        let mut n = 0;
        while self.count.is_none_or(|count| n < count) {
            if shutdown_before(cx, due).await {
                return Ok(());
            }
            if stopped(send(&mut self.outbox, n, cx).await)? {
                return Ok(());
            }
            n += 1;
            due += self.period;
            let now = Instant::now();
            if due <= now {
                due = now + self.period;
            }
        }
        Ok(())
    }
}

/// Passes messages on at most `per_second` a second, evenly spaced (the
/// first at once). Messages wait in its inbox, not in the component: bound
/// the inbox to make a fast sender wait, and a shutdown leaves what was not
/// passed on counted in the report.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// use myelin::components::{Collect, RateLimit, Source};
/// use myelin::prelude::*;
///
/// let collect = Collect::<u32>::new();
/// let got = collect.collected();
/// let started = Instant::now();
/// myelin::run(pipeline![Source::new(0..5), RateLimit::per_second(200.0), collect])?;
/// assert_eq!(got.take(), [0, 1, 2, 3, 4]);
/// assert!(started.elapsed() >= Duration::from_millis(20)); // 4 gaps of 5 ms
/// # Ok::<(), myelin::Error>(())
/// ```
#[crate::component]
pub struct RateLimit<T: Send + 'static> {
    /// Messages to pass on.
    inbox: Inbox<T>,
    /// The same messages, paced.
    outbox: Outbox<T>,
    gap: Duration,
}

impl<T: Send + 'static> RateLimit<T> {
    /// At most `rate` messages a second.
    ///
    /// # Panics
    /// If `rate` is not a positive, finite number.
    pub fn per_second(rate: f64) -> Self {
        Self::new(gap_for(rate, "RateLimit"))
    }
}

/// The time one unit takes at `rate` units a second.
fn gap_for(rate: f64, what: &str) -> Duration {
    assert!(
        rate.is_finite() && rate > 0.0,
        "{what}: the rate must be a positive number, not {rate}"
    );
    Duration::from_secs_f64(1.0 / rate)
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for RateLimit<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut allowed = Instant::now();
        loop {
            if shutdown_before(cx, allowed).await {
                return Ok(());
            }
            match next(&mut self.inbox, cx).await {
                Next::Message(msg) => {
                    if stopped(send(&mut self.outbox, msg, cx).await)? {
                        return Ok(());
                    }
                }
                Next::End | Next::Shutdown => return Ok(()),
            }
            // Evenly spaced from the moment it may send, not in bursts after
            // a quiet spell.
            allowed = Instant::now().max(allowed) + self.gap;
        }
    }
}

/// Passes byte messages on at most `per_second` bytes a second: after each
/// message it waits as long as that many bytes take at the rate. Kamaelia's
/// `ByteRate_RequestControl`, as one component. Messages wait in its inbox,
/// as with [`RateLimit`].
///
/// ```
/// use std::time::{Duration, Instant};
///
/// use myelin::components::{ByteRateLimit, Collect, Source};
/// use myelin::prelude::*;
///
/// let chunks = vec![vec![0u8; 1000]; 3];
/// let collect = Collect::<Vec<u8>>::new();
/// let got = collect.collected();
/// let started = Instant::now();
/// myelin::run(pipeline![Source::new(chunks), ByteRateLimit::per_second(100_000.0), collect])?;
/// assert_eq!(got.take().len(), 3);
/// assert!(started.elapsed() >= Duration::from_millis(20)); // 2 gaps of 10 ms
/// # Ok::<(), myelin::Error>(())
/// ```
#[crate::component]
pub struct ByteRateLimit<T: AsRef<[u8]> + Send + 'static> {
    /// Byte messages to pass on.
    inbox: Inbox<T>,
    /// The same messages, paced.
    outbox: Outbox<T>,
    per_byte: Duration,
}

impl<T: AsRef<[u8]> + Send + 'static> ByteRateLimit<T> {
    /// At most `rate` bytes a second.
    ///
    /// # Panics
    /// If `rate` is not a positive, finite number.
    pub fn per_second(rate: f64) -> Self {
        Self::new(gap_for(rate, "ByteRateLimit"))
    }
}

#[diagnostic::do_not_recommend]
impl<T: AsRef<[u8]> + Send + 'static> Component for ByteRateLimit<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut allowed = Instant::now();
        loop {
            if shutdown_before(cx, allowed).await {
                return Ok(());
            }
            let msg = match next(&mut self.inbox, cx).await {
                Next::Message(msg) => msg,
                Next::End | Next::Shutdown => return Ok(()),
            };
            let bytes = u32::try_from(msg.as_ref().len()).unwrap_or(u32::MAX);
            if stopped(send(&mut self.outbox, msg, cx).await)? {
                return Ok(());
            }
            allowed = Instant::now().max(allowed) + self.per_byte * bytes;
        }
    }
}

/// Gathers messages into batches of up to `size`, closing a batch early
/// once `wait` has passed since its first message: Kamaelia's
/// `Chunkifier` with a time limit. The last partial batch is sent when the
/// input ends; on a `Shutdown` it stops at once, sending the partial batch
/// if there is room for it then and counting it in the report as unsent on
/// `outbox` if not, so nothing it took is lost silently. A `size` of zero
/// fails the component with an error saying so.
///
/// ```
/// use std::time::Duration;
///
/// use myelin::components::{Collect, TimedBatch, Source};
/// use myelin::prelude::*;
///
/// let collect = Collect::<Vec<u32>>::new();
/// let batches = collect.collected();
/// myelin::run(pipeline![
///     Source::new(1..=7),
///     TimedBatch::new(3, Duration::from_secs(60)),
///     collect,
/// ])?;
/// assert_eq!(batches.take(), [vec![1, 2, 3], vec![4, 5, 6], vec![7]]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[crate::component]
pub struct TimedBatch<T: Send + 'static> {
    /// Messages to gather.
    inbox: Inbox<T>,
    /// Their batches, in order.
    outbox: Outbox<Vec<T>>,
    size: usize,
    wait: Duration,
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for TimedBatch<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if self.size == 0 {
            return Err(Error::msg("TimedBatch: the batch size must be at least 1"));
        }
        let mut batch = Vec::with_capacity(self.size);
        let mut deadline = None;
        loop {
            let found = match deadline {
                None => next(&mut self.inbox, cx).await,
                Some(due) => match timeout_at(due, next(&mut self.inbox, cx)).await {
                    Ok(found) => found,
                    Err(_) => {
                        if stopped(send(&mut self.outbox, std::mem::take(&mut batch), cx).await)? {
                            return Ok(());
                        }
                        deadline = None;
                        continue;
                    }
                },
            };
            match found {
                Next::Message(msg) => {
                    if batch.is_empty() {
                        deadline = Some(Instant::now() + self.wait);
                    }
                    batch.push(msg);
                    if batch.len() == self.size {
                        if stopped(send(&mut self.outbox, std::mem::take(&mut batch), cx).await)? {
                            return Ok(());
                        }
                        deadline = None;
                    }
                }
                Next::End => {
                    if !batch.is_empty() {
                        // Whether a later Shutdown cut it short or not, the
                        // component ends here.
                        stopped(send(&mut self.outbox, batch, cx).await)?;
                    }
                    return Ok(());
                }
                Next::Shutdown => {
                    // Stop at once: the unfinished batch goes out only if
                    // there is room now, and is counted unsent otherwise.
                    if !batch.is_empty() && self.outbox.try_send(batch).is_err() {
                        unsent(self.outbox.name(), 1);
                    }
                    return Ok(());
                }
            }
        }
    }
}
