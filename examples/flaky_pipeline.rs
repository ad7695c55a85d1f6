//! A flaky component, supervised, inside a pipeline that still delivers
//! every message in order.
//!
//! `Flaky` gives out (panics) after every `EVERY` messages it passes on.
//! Under a `Supervisor` each failure is answered by a fresh instance, and
//! what was waiting for the failed one (in its inbox, or sent while it was
//! being replaced) goes to the next: the collector at the end sees every
//! number, in order. The program checks that, and that the supervisor
//! restarted the component once per `EVERY` messages, and exits non-zero
//! otherwise.
//!
//! ```text
//! cargo run --release --example flaky_pipeline
//! ```

use std::time::Duration;

use myelin::components::{Child, Collect, Map, Source, Supervisor};
use myelin::prelude::*;

/// Messages through the pipeline.
const MESSAGES: u64 = 10_000;
/// A `Flaky` gives out after passing on this many.
const EVERY: u64 = 100;

/// Passes numbers on, and panics after every `EVERY`th: a component with a
/// leak it cannot recover from, only restart.
#[component]
pub struct Flaky {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    /// Messages this instance has passed on.
    #[state(default)]
    passed: u64,
}

impl Component for Flaky {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
            self.passed += 1;
            if self.passed == EVERY {
                panic!("flaky: gave out after {EVERY} messages");
            }
        }
        Ok(())
    }
}

fn main() -> Result<(), myelin::Error> {
    // The panics are expected: keep them off the terminal.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let expected = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m.starts_with("flaky:"));
        if !expected {
            default_hook(info);
        }
    }));

    let supervised =
        Supervisor::new(Child::new("flaky", Flaky::new)).intensity(1_000, Duration::from_secs(1));
    let collect = Collect::<u64>::new();
    let got = collect.collected();
    let report = myelin::run(pipeline![
        Source::new(0..MESSAGES),
        supervised,
        Map::new(|n: u64| n + 1),
        collect,
    ])?;

    let got = got.take();
    let expected: Vec<u64> = (1..=MESSAGES).collect();
    let restarts = report.restarts().len() as u64;
    println!(
        "{} messages delivered in order through {} restarts of the flaky stage",
        got.len(),
        restarts
    );
    if got != expected {
        eprintln!(
            "wrong result: {} messages, first difference at {:?}",
            got.len(),
            got.iter().zip(&expected).position(|(a, b)| a != b)
        );
        std::process::exit(1);
    }
    if restarts != MESSAGES / EVERY {
        eprintln!("expected {} restarts, saw {restarts}", MESSAGES / EVERY);
        std::process::exit(1);
    }
    if report.undelivered() != 0 {
        eprintln!("messages left undelivered:\n{report}");
        std::process::exit(1);
    }
    Ok(())
}
