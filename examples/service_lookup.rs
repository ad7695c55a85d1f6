//! A component finds a "logger" service by name (Kamaelia's Coordinating
//! Assistant Tracker, typed): the logger offers its inbox under a typed
//! key, workers started with no link to it find it while running, link an
//! outbox of their own to it and log what they do. The program checks that
//! every worker's lines arrived, in order per worker.
//!
//! ```text
//! cargo run --release --example service_lookup
//! ```

use std::sync::{Arc, Mutex};

use myelin::meeting::Key;
use myelin::prelude::*;

/// The logger's name and message type, shared by everyone who uses it.
const LOGGER: Key<String> = Key::new("logger");

/// Offers its inbox as the `logger` service and keeps every line until
/// `expect` lines have arrived; then withdraws and ends.
#[component]
pub struct Logger {
    inbox: Inbox<String>,
    lines: Arc<Mutex<Vec<String>>>,
    expect: usize,
}

impl Component for Logger {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.offer(&LOGGER, &self.inbox)?;
        for _ in 0..self.expect {
            let Some(line) = self.inbox.recv().await else {
                break;
            };
            println!("{line}");
            self.lines.lock().unwrap().push(line);
        }
        cx.withdraw(&LOGGER);
        Ok(())
    }
}

/// Finds the logger by name and logs `steps` lines of its work.
#[component]
pub struct Worker {
    steps: u32,
}

impl Component for Worker {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut log: Outbox<String> = Outbox::new("log");
        // The logger may not have offered itself yet: look again later.
        while cx.link_to_service(&LOGGER, &log).is_err() {
            cx.yield_now().await;
        }
        for step in 1..=self.steps {
            log.send(format!("{}: step {step} of {}", cx.name(), self.steps))
                .await?;
            cx.yield_now().await;
        }
        Ok(())
    }
}

fn main() -> Result<(), myelin::Error> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let report = myelin::run(graphline! {
        components {
            logger: Logger::new(lines.clone(), 3 + 2 + 4),
            fetch: Worker::new(3),
            parse: Worker::new(2),
            store: Worker::new(4),
        }
        links {}
    })?;
    let lines = lines.lock().unwrap();
    for (worker, steps) in [("fetch", 3), ("parse", 2), ("store", 4)] {
        let mine: Vec<&String> = lines.iter().filter(|l| l.starts_with(worker)).collect();
        let want: Vec<String> = (1..=steps)
            .map(|s| format!("{worker}: step {s} of {steps}"))
            .collect();
        assert_eq!(
            mine,
            want.iter().collect::<Vec<_>>(),
            "{worker}'s lines, in order"
        );
    }
    println!(
        "\n{} components, {} lines logged",
        report.components().len(),
        lines.len()
    );
    Ok(())
}
