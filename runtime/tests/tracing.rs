//! Events for the `tracing` crate (feature `tracing`): lifecycle events
//! for every component, failures with their reason, and per-message
//! events under their own target, caught by a small subscriber that keeps
//! every event it is shown.
//!
//! `cargo test -p myelin --features tracing --test tracing`

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use myelin::components::{Collect, Source};
use myelin::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One event: its target, level and fields, as `name=value` text.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    level: Level,
    fields: String,
}

/// Keeps every event of the targets it is interested in.
struct Keep {
    events: Arc<Mutex<Vec<Seen>>>,
    /// Whether `myelin::message` events are wanted.
    messages: bool,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "{}={} ", field.name(), value);
    }
}

impl Subscriber for Keep {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() != "myelin::message" || self.messages
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = String::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(Seen {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Fails on its first message.
#[component]
struct Picky {
    inbox: Inbox<u32>,
}

impl Component for Picky {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let n = self.inbox.recv().await;
        Err(Error::msg(format!("did not like {n:?}")))
    }
}

/// Runs `build()`'s system on this thread under a subscriber that keeps
/// events; returns them.
fn traced<P: IntoPart>(messages: bool, build: impl FnOnce() -> P) -> Vec<Seen> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let keep = Keep {
        events: events.clone(),
        messages,
    };
    tracing::subscriber::with_default(keep, || {
        let _ = myelin::run(build());
    });
    events.lock().unwrap().clone()
}

fn lifecycle(events: &[Seen]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.target == "myelin::lifecycle")
        .map(|e| format!("{} {}", e.level, e.fields.trim()))
        .collect()
}

#[test]
fn every_component_is_traced_as_it_starts_and_ends_and_a_failure_with_its_reason() {
    let events = traced(false, || pipeline![Source::new(vec![7u32]), Picky::new()]);
    assert_eq!(
        lifecycle(&events),
        [
            "INFO message=component started component=Source",
            "INFO message=component started component=Picky",
            "INFO message=component ended component=Source outcome=finished",
            "ERROR message=component failed component=Picky reason=did not like Some(7)",
        ]
    );
    assert!(events.iter().all(|e| e.target != "myelin::message"));
}

#[test]
fn messages_are_traced_only_when_their_target_is_enabled() {
    let events = traced(true, || {
        pipeline![Source::new(0..3u32), Collect::<u32>::new()]
    });
    let sent: Vec<_> = events
        .iter()
        .filter(|e| e.target == "myelin::message")
        .map(|e| (e.level, e.fields.trim().to_owned()))
        .collect();
    assert!(sent.iter().all(|(level, _)| *level == Level::TRACE));
    let sent: Vec<_> = sent.into_iter().map(|(_, fields)| fields).collect();
    let number = "message=message sent component=Source outbox=outbox message=u32";
    // Three numbers, then its end, announced on `signal` to the next stage.
    assert_eq!(
        sent,
        [
            number,
            number,
            number,
            "message=message sent component=Source outbox=signal message=myelin::control::Control",
        ]
    );
}
