//! The ready components paced by the clock: `Ticker`, `RateLimit`,
//! `ByteRateLimit` and `TimedBatch`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::run_bounded;
use myelin::components::{ByteRateLimit, RateLimit, Ticker, TimedBatch};
use myelin::prelude::*;
use myelin::{Outcome, Undelivered, time};

type Arrivals<T> = Arc<Mutex<Vec<(T, Instant)>>>;

/// Keeps what arrives, with when.
#[component]
struct Keep<T: Send + 'static> {
    inbox: Inbox<T>,
    kept: Arrivals<T>,
}

impl<T: Send + 'static> Component for Keep<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(x) = self.inbox.recv().await {
            self.kept.lock().unwrap().push((x, Instant::now()));
        }
        Ok(())
    }
}

fn kept<T: Clone>(arrivals: &Arrivals<T>) -> Vec<T> {
    arrivals
        .lock()
        .unwrap()
        .iter()
        .map(|(x, _)| x.clone())
        .collect()
}

fn gaps<T>(arrivals: &Arrivals<T>) -> Vec<Duration> {
    let arrivals = arrivals.lock().unwrap();
    arrivals.windows(2).map(|w| w[1].1 - w[0].1).collect()
}

/// Sends its items, pausing `pause` before the item at index `at`.
#[component]
struct Feed<T: Clone + Send + 'static> {
    outbox: Outbox<T>,
    items: Vec<T>,
    at: usize,
    pause: Duration,
}

impl<T: Clone + Send + 'static> Component for Feed<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for (i, item) in self.items.clone().into_iter().enumerate() {
            if i == self.at {
                time::sleep(self.pause).await;
            }
            self.outbox.send(item).await?;
        }
        Ok(())
    }
}

/// Sends everything at once, then keeps its outbox open until anything
/// arrives on its `control`.
#[component]
struct FeedThenWait {
    outbox: Outbox<u32>,
    count: u32,
}

impl Component for FeedThenWait {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for n in 0..self.count {
            self.outbox.send(n).await?;
        }
        let _ = cx.control().recv().await;
        Ok(())
    }
}

/// Sends `Control::Shutdown` on both its outboxes after `after`, then ends.
#[component]
struct StopAfter {
    outbox: Outbox<Control>,
    feed: Outbox<Control>,
    after: Duration,
}

impl Component for StopAfter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        time::sleep(self.after).await;
        self.outbox.send(Control::Shutdown).await?;
        if self.feed.is_linked() {
            self.feed.send(Control::Shutdown).await?;
        }
        Ok(())
    }
}

#[test]
fn a_ticker_ticks_a_period_apart_and_stops_after_its_count() {
    let arrivals: Arrivals<u64> = Arc::default();
    let kept_here = arrivals.clone();
    let report = run_bounded("ticker", move || {
        pipeline![
            Ticker::every(Duration::from_millis(5)).take(5),
            Keep::new(kept_here)
        ]
    })
    .unwrap();
    assert!(report.is_success());
    assert_eq!(kept(&arrivals), [0, 1, 2, 3, 4]);
    // Scheduling jitter can pull one arrival towards the next, never the
    // ticks as a whole: four periods at least from first to last.
    let total: Duration = gaps(&arrivals).iter().sum();
    assert!(total >= Duration::from_millis(19), "{total:?}");
}

#[test]
fn a_ticker_stops_at_once_on_shutdown() {
    let arrivals: Arrivals<u64> = Arc::default();
    let kept_here = arrivals.clone();
    let started = Instant::now();
    let report = run_bounded("ticker shutdown", move || {
        graphline! {
            components {
                stop: StopAfter::new(Duration::from_millis(30)),
                tick: Ticker::every(Duration::from_secs(3600)),
                keep: Keep::new(kept_here),
            }
            links {
                stop.outbox -> tick.control,
                tick.outbox -> keep.inbox,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(kept(&arrivals), [0], "the first tick is at once");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_rate_limit_spaces_messages_evenly_and_keeps_their_order() {
    let arrivals: Arrivals<u32> = Arc::default();
    let kept_here = arrivals.clone();
    let report = run_bounded("rate limit", move || {
        pipeline![
            Feed::new((0..6).collect(), usize::MAX, Duration::ZERO),
            RateLimit::per_second(200.0),
            Keep::new(kept_here)
        ]
    })
    .unwrap();
    assert!(report.is_success());
    assert_eq!(kept(&arrivals), [0, 1, 2, 3, 4, 5]);
    let total: Duration = gaps(&arrivals).iter().sum();
    assert!(
        total >= Duration::from_millis(24),
        "5 gaps of 5 ms: {total:?}"
    );
}

#[test]
fn a_rate_limit_stops_on_shutdown_and_leaves_the_rest_counted() {
    let arrivals: Arrivals<u32> = Arc::default();
    let kept_here = arrivals.clone();
    let report = run_bounded("rate limit shutdown", move || {
        graphline! {
            components {
                feed: FeedThenWait::new(10),
                stop: StopAfter::new(Duration::from_millis(30)),
                limit: RateLimit::per_second(1.0),
                keep: Keep::new(kept_here),
            }
            links {
                feed.outbox -> limit.inbox,
                stop.outbox -> limit.control,
                stop.feed -> feed.control,
                limit.outbox -> keep.inbox,
            }
        }
    })
    .unwrap();
    let limit = report.component("limit").unwrap();
    assert_eq!(limit.outcome, Outcome::Finished);
    assert_eq!(
        limit.undelivered,
        [Undelivered {
            port: "inbox",
            count: 9,
            unsent: false
        }],
        "one passed at once, nine left queued and counted"
    );
    assert_eq!(kept(&arrivals), [0]);
}

#[test]
fn a_byte_rate_limit_waits_as_long_as_the_bytes_take() {
    let arrivals: Arrivals<Vec<u8>> = Arc::default();
    let kept_here = arrivals.clone();
    let report = run_bounded("byte rate limit", move || {
        pipeline![
            Feed::new(vec![vec![0u8; 500]; 4], usize::MAX, Duration::ZERO),
            ByteRateLimit::per_second(50_000.0),
            Keep::new(kept_here)
        ]
    })
    .unwrap();
    assert!(report.is_success());
    assert_eq!(kept(&arrivals).len(), 4);
    let total: Duration = gaps(&arrivals).iter().sum();
    assert!(
        total >= Duration::from_millis(29),
        "3 gaps of 10 ms: {total:?}"
    );
}

#[test]
fn a_timed_batch_closes_on_size_on_time_and_at_the_end() {
    let arrivals: Arrivals<Vec<u32>> = Arc::default();
    let kept_here = arrivals.clone();
    let report = run_bounded("timed batch", move || {
        pipeline![
            // 0..5 at once, then a pause far past the batch's wait, then 5..7.
            Feed::new((0..7).collect(), 5, Duration::from_millis(200)),
            TimedBatch::new(3, Duration::from_millis(20)),
            Keep::new(kept_here)
        ]
    })
    .unwrap();
    assert!(report.is_success());
    assert_eq!(
        kept(&arrivals),
        [vec![0, 1, 2], vec![3, 4], vec![5, 6]],
        "size, then time, then the end of the input"
    );
}

#[test]
fn a_timed_batch_sends_its_partial_batch_on_shutdown() {
    let arrivals: Arrivals<Vec<u32>> = Arc::default();
    let kept_here = arrivals.clone();
    let result = run_bounded("timed batch shutdown", move || {
        graphline! {
            components {
                feed: FeedThenWait::new(2),
                stop: StopAfter::new(Duration::from_millis(30)),
                batch: TimedBatch::new(10, Duration::from_secs(3600)),
                keep: Keep::new(kept_here),
            }
            links {
                feed.outbox -> batch.inbox,
                stop.outbox -> batch.control,
                stop.feed -> feed.control,
                batch.outbox -> keep.inbox,
            }
        }
    });
    let report = result.unwrap();
    assert_eq!(
        report.component("batch").map(|c| &c.outcome),
        Some(&Outcome::Finished)
    );
    assert_eq!(kept(&arrivals), [vec![0, 1]]);
}

#[test]
fn a_timed_batch_of_size_zero_fails_clearly() {
    let err = run_bounded("timed batch of zero", || {
        pipeline![
            Feed::new(vec![1u32], usize::MAX, Duration::ZERO),
            TimedBatch::<u32>::new(0, Duration::from_millis(1)),
        ]
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("batch size must be at least 1"),
        "{err}"
    );
}

/// Holds its one-message inbox full for a while without reading it.
#[component]
struct Hold {
    #[inbox(capacity = 1)]
    inbox: Inbox<Vec<u32>>,
}

impl Component for Hold {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        time::sleep(Duration::from_millis(200)).await;
        Ok(())
    }
}

/// On a `Shutdown`, a batch with nowhere to go is counted, not waited on:
/// the component stops at once.
#[test]
fn a_timed_batch_stops_at_once_on_shutdown_even_when_downstream_is_full() {
    let report = run_bounded("timed batch shutdown, full downstream", || {
        graphline! {
            components {
                feed: FeedThenWait::new(3),
                stop: StopAfter::new(Duration::from_millis(30)),
                batch: TimedBatch::new(2, Duration::from_secs(3600)),
                hold: Hold::new(),
            }
            links {
                feed.outbox -> batch.inbox,
                stop.outbox -> batch.control,
                stop.feed -> feed.control,
                batch.outbox -> hold.inbox,
            }
        }
    })
    .unwrap();
    let batch = report.component("batch").unwrap();
    assert_eq!(batch.outcome, Outcome::Finished);
    assert_eq!(
        batch.undelivered,
        [Undelivered {
            port: "outbox",
            count: 1,
            unsent: true
        }],
        "the unfinished batch [3] is counted"
    );
    assert_eq!(
        report.component("hold").unwrap().undelivered,
        [Undelivered {
            port: "inbox",
            count: 1,
            unsent: false
        }]
    );
}
