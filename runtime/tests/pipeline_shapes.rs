//! Pipelines that are not a plain chain: circular ones
//! (`pipeline![circular; ..]`, Axon's `Pipeline(circular=True)`) and chains
//! of stages with no data boxes, linked by `signal` and `control` alone.

mod common;

use common::{Shared, push, run_bounded, shared, take};
use myelin::prelude::*;

/// Starts the circle with `0`, then passes on what comes round, plus one,
/// until it has come round `laps` times; then ends, and the circle with it.
#[component]
struct Starter {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    laps: u64,
    seen: Shared<u64>,
}

impl Component for Starter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(0).await?;
        for lap in 1..=self.laps {
            let Some(n) = self.inbox.recv().await else {
                return Err(Error::msg("the circle broke"));
            };
            push(&self.seen, n);
            if lap == self.laps {
                break;
            }
            self.outbox.send(n + 1).await?;
        }
        Ok(())
    }
}

/// Passes on what it receives, plus one, while it is below `limit`; ends at
/// the end of its input or on reaching `limit`.
#[component]
struct Relay {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    limit: u64,
    seen: Shared<u64>,
}

impl Component for Relay {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            push(&self.seen, n);
            if n >= self.limit {
                break;
            }
            self.outbox.send(n + 1).await?;
        }
        Ok(())
    }
}

/// Sends `first`, once.
#[component]
struct One {
    outbox: Outbox<u64>,
    first: u64,
}

impl Component for One {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(self.first).await?;
        Ok(())
    }
}

#[test]
fn a_message_goes_round_a_circular_pipeline() {
    let seen = shared();
    let s = seen.clone();
    let report = run_bounded("circle", move || {
        pipeline![
            circular;
            Starter::new(3, s.clone()),
            Relay::new(u64::MAX, s.clone()),
            Relay::new(u64::MAX, s),
        ]
    })
    .unwrap();
    // Each stage in turn, three times round: the last stage fed the first.
    assert_eq!(take(&seen), (0..9).collect::<Vec<_>>());
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.undelivered(), 0, "{report:?}");
    let names: Vec<_> = report
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Starter", "Relay", "Relay2"]);
}

#[test]
fn a_circle_takes_messages_from_outside_on_its_first_stages_inbox() {
    let seen = shared();
    let s = seen.clone();
    let report = run_bounded("circle fed from outside", move || {
        // The circle has no `outbox`, so it ends a chain; `One` feeds its
        // first stage alongside its last.
        pipeline![
            One::new(1),
            pipeline![circular; Relay::new(6, s.clone()), Relay::new(6, s)],
        ]
    })
    .unwrap();
    assert_eq!(take(&seen), [1, 2, 3, 4, 5, 6]);
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.undelivered(), 0, "{report:?}");
}

#[test]
fn a_circle_of_one_feeds_itself() {
    let seen = shared();
    let s = seen.clone();
    let report = run_bounded("circle of one", move || {
        pipeline![One::new(0), pipeline![circular; Relay::new(4, s)]]
    })
    .unwrap();
    assert_eq!(take(&seen), [0, 1, 2, 3, 4]);
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.undelivered(), 0, "{report:?}");
}
