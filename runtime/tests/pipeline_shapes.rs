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

/// A stage with no data boxes: waits until `control` says the stage
/// before it has ended (unless it is `first`), then notes its `step`.
#[component]
struct Step {
    step: u32,
    first: bool,
    log: Shared<u32>,
}

impl Component for Step {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if !self.first {
            match cx.control().recv().await {
                Some(Control::Finished { .. }) => {}
                other => return Err(Error::msg(format!("expected Finished, got {other:?}"))),
            }
        }
        push(&self.log, self.step);
        Ok(())
    }
}

/// Keeps what it receives, noting `0` in `log` when its input has ended.
#[component]
struct Keep {
    inbox: Inbox<u64>,
    kept: Shared<u64>,
    log: Shared<u32>,
}

impl Component for Keep {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            push(&self.kept, n);
        }
        push(&self.log, 0);
        Ok(())
    }
}

#[test]
fn stages_without_data_boxes_are_chained_by_signal_and_control() {
    let log = shared();
    let l = log.clone();
    let report = run_bounded("control-only stages", move || {
        pipeline![
            Step::new(1, true, l.clone()),
            Step::new(2, false, l.clone()),
            Step::new(3, false, l),
        ]
    })
    .unwrap();
    // Each step waited for the one before it to end.
    assert_eq!(take(&log), [1, 2, 3]);
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.undelivered(), 0, "{report:?}");
}

#[test]
fn a_control_only_stage_follows_the_end_of_a_data_chain() {
    let (log, kept) = (shared(), shared());
    let (l, k) = (log.clone(), kept.clone());
    let report = run_bounded("a step after a chain", move || {
        pipeline![
            One::new(7),
            Keep::new(k, l.clone()),
            Step::new(1, false, l.clone()),
        ]
    })
    .unwrap();
    assert_eq!(take(&kept), [7]);
    // `Keep` had its whole input before the step ran.
    assert_eq!(take(&log), [0, 1]);
    assert!(report.is_success(), "{report:?}");
}

#[test]
fn a_circle_of_control_only_stages_passes_the_end_round() {
    let log = shared();
    let l = log.clone();
    let report = run_bounded("control-only circle", move || {
        pipeline![
            circular;
            Step::new(1, true, l.clone()),
            Step::new(2, false, l),
        ]
    })
    .unwrap();
    assert_eq!(take(&log), [1, 2]);
    assert!(report.is_success(), "{report:?}");
}
