//! Waiting for time to pass, in generator components.
//!
//! [`sleep`] and [`sleep_until`] pause a component until a moment comes;
//! [`timeout`] gives up on any future (a `recv`, a `send`, a `pause`) when
//! a moment comes first; [`interval`] ticks at a steady period. They cost
//! no thread and no polling: each waiting component is one entry in its
//! scheduler's timers, and the scheduler sleeps until the earliest is due,
//! then wakes exactly the components whose moment has come.
//!
//! A system whose components all wait on timers is not stalled: `run`
//! waits for them. A shutdown cancels sleeping components at once, like any
//! other waiting component.
//!
//! These futures belong to generator components: they must be polled by a
//! myelin scheduler. A threaded component blocks instead
//! ([`std::thread::sleep`], [`Inbox::recv_timeout`](crate::Inbox::recv_timeout),
//! [`ThreadContext::pause`](crate::ThreadContext::pause) with a timeout).
//!
//! ```
//! use std::time::Duration;
//!
//! use myelin::prelude::*;
//! use myelin::time;
//!
//! /// Reports every reading, and says so when none came for a while.
//! #[component]
//! struct Watch {
//!     inbox: Inbox<u32>,
//!     outbox: Outbox<String>,
//! }
//!
//! impl Component for Watch {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         loop {
//!             match time::timeout(Duration::from_millis(20), self.inbox.recv()).await {
//!                 Ok(Some(n)) => self.outbox.send(format!("reading {n}")).await?,
//!                 Ok(None) => return Ok(()),
//!                 Err(time::Elapsed) => self.outbox.send("quiet".to_owned()).await?,
//!             }
//!         }
//!     }
//! }
//!
//! /// Sends a reading, pauses, sends another.
//! #[component]
//! struct Sensor {
//!     outbox: Outbox<u32>,
//! }
//!
//! impl Component for Sensor {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         self.outbox.send(1).await?;
//!         time::sleep(Duration::from_millis(50)).await;
//!         self.outbox.send(2).await?;
//!         Ok(())
//!     }
//! }
//!
//! # #[component]
//! # struct Keep { inbox: Inbox<String>, kept: std::sync::Arc<std::sync::Mutex<Vec<String>>> }
//! # impl Component for Keep {
//! #     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//! #         while let Some(x) = self.inbox.recv().await { self.kept.lock().unwrap().push(x); }
//! #         Ok(())
//! #     }
//! # }
//! let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
//! myelin::run(pipeline![Sensor::new(), Watch::new(), Keep::new(kept.clone())])?;
//! let kept = kept.lock().unwrap();
//! assert_eq!(kept.first().map(String::as_str), Some("reading 1"));
//! assert_eq!(kept.last().map(String::as_str), Some("reading 2"));
//! assert!(kept.iter().any(|line| line == "quiet"), "50 ms passed without a reading");
//! # Ok::<(), myelin::Error>(())
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::scheduler::timer::TimerKey;
use crate::scheduler::{WakeRef, current};

/// Waits until `duration` has passed.
///
/// # Panics
/// When polled outside a myelin scheduler (see the [module docs](self)).
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(deadline_after(duration))
}

/// Waits until `deadline` (at once if it has passed).
///
/// # Panics
/// When polled outside a myelin scheduler (see the [module docs](self)).
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: None,
    }
}

/// `now + duration`, or the far future if that cannot be represented.
fn deadline_after(duration: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(duration)
        // About thirty years: never in the life of a system.
        .unwrap_or_else(|| now + Duration::from_secs(1 << 30))
}

/// The future [`sleep`] and [`sleep_until`] return.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    /// The scheduler and key of the timer, once registered.
    timer: Option<(u16, TimerKey)>,
}

impl Sleep {
    /// The moment it waits for.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Waits for `deadline` instead, keeping its place if it already waits.
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
    }

    fn cancel(&mut self) {
        if let Some((sched, key)) = self.timer.take() {
            current::cancel_timer(sched, key);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            self.cancel();
            return Poll::Ready(());
        }
        // A timer is woken only on its scheduler's thread, so a task key is
        // enough for our own wakers; a foreign waker is kept as it is.
        if let Some((sched, key)) = self.timer
            && current::rewake_timer(sched, key, WakeRef::new(cx.waker(), true))
        {
            return Poll::Pending;
        }
        match current::add_timer(self.deadline, WakeRef::new(cx.waker(), true)) {
            Some(timer) => self.timer = Some(timer),
            None => outside_scheduler(),
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cold]
#[track_caller]
fn outside_scheduler() -> ! {
    panic!(
        "myelin::time: a timer was polled outside a myelin scheduler; \
         `sleep`, `timeout` and `interval` are for generator components \
         (a threaded component blocks with `std::thread::sleep` or `recv_timeout`)"
    )
}

/// Gives up on `future` if it has not finished within `duration`.
///
/// The future is polled first, so one that is ready resolves `Ok` even if
/// the time is up. On `Err` the future is dropped: a `recv` loses nothing
/// (the message stays queued), and a `send` hands its message back only
/// through its own `Err`, so give up on a send with
/// [`Outbox::try_send`](crate::Outbox::try_send) and a [`sleep`] instead
/// if the message must be kept.
///
/// # Panics
/// When polled outside a myelin scheduler (see the [module docs](self)).
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    timeout_at(deadline_after(duration), future)
}

/// Gives up on `future` if it has not finished by `deadline`.
///
/// # Panics
/// When polled outside a myelin scheduler (see the [module docs](self)).
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep_until(deadline),
    }
}

/// The future [`timeout`] and [`timeout_at`] return.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Timeout<F> {
    future: F,
    sleep: Sleep,
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned (never moved out of the
        // pinned `Timeout`); `sleep` is `Unpin` and not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            this.sleep.cancel();
            return Poll::Ready(Ok(output));
        }
        match Pin::new(&mut this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The time given to [`timeout`] ran out first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed;

impl std::fmt::Display for Elapsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the time ran out")
    }
}

impl std::error::Error for Elapsed {}

/// Ticks every `period`, the first tick at once.
///
/// A component that falls behind (busy for longer than a period) gets one
/// tick at once and the next a whole period later: missed ticks are
/// skipped, never delivered in a burst.
///
/// # Panics
/// If `period` is zero. Its ticks panic when polled outside a myelin
/// scheduler (see the [module docs](self)).
pub fn interval(period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "myelin::time::interval: the period must not be zero"
    );
    Interval {
        period,
        next: Instant::now(),
        sleep: None,
    }
}

/// Steady ticks: see [`interval`].
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    next: Instant,
    sleep: Option<Sleep>,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled moment.
    pub async fn tick(&mut self) -> Instant {
        let sleep = self.sleep.get_or_insert_with(|| sleep_until(self.next));
        if sleep.deadline() != self.next {
            sleep.reset(self.next);
        }
        sleep.await;
        let due = self.next;
        let now = Instant::now();
        self.next = due + self.period;
        if self.next <= now {
            // Behind by a whole period or more: skip what was missed.
            self.next = now + self.period;
        }
        due
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }
}
