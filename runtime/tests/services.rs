//! Services: inboxes offered under a typed name, found and linked while
//! the system runs.

mod common;

use std::sync::{Arc, Mutex};

use myelin::meeting::Key;
use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind, ServiceError};

use common::run_bounded;

const LOGGER: Key<String> = Key::new("logger");

type Lines = Arc<Mutex<Vec<String>>>;

/// Offers its inbox as `logger` and keeps what arrives, `keep` lines.
#[component]
struct Logger {
    inbox: Inbox<String>,
    lines: Lines,
    keep: usize,
}

impl Component for Logger {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.offer(&LOGGER, &self.inbox)?;
        while self.lines.lock().unwrap().len() < self.keep {
            let Some(line) = self.inbox.recv().await else {
                break;
            };
            self.lines.lock().unwrap().push(line);
        }
        assert!(cx.withdraw(&LOGGER));
        Ok(())
    }
}

/// Finds the logger (waiting for it to be offered) and logs its name.
#[component]
struct Worker {
    errors: Arc<Mutex<Vec<String>>>,
}

impl Component for Worker {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut log: Outbox<String> = Outbox::new("log");
        let mut tries = 0;
        loop {
            match cx.link_to_service(&LOGGER, &log) {
                Ok(()) => break,
                Err(e) => {
                    tries += 1;
                    if tries > 1000 {
                        self.errors.lock().unwrap().push(e.to_string());
                        return Err(e.into());
                    }
                    cx.yield_now().await;
                }
            }
        }
        log.send(format!("hello from {}", cx.name())).await?;
        Ok(())
    }
}

#[test]
fn a_component_finds_a_service_by_name_and_links_to_it() {
    let lines: Lines = Arc::default();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let (l, e) = (lines.clone(), errors.clone());
    let report = run_bounded("logger", move || {
        graphline! {
            components {
                logger: Logger::new(l, 2),
                a: Worker::new(e.clone()),
                b: Worker::new(e),
            }
            links {}
        }
    });
    assert!(
        errors.lock().unwrap().is_empty(),
        "{:?} {report:?}",
        errors.lock().unwrap()
    );
    let report = report.unwrap();
    assert!(report.is_success(), "{report}");
    let mut lines = lines.lock().unwrap().clone();
    lines.sort();
    assert_eq!(lines, ["hello from a", "hello from b"]);
}

/// Offers `logger`, then tries again and records the error, and checks the
/// errors of finding it with another type and finding a missing name.
#[component]
struct ErrorPaths {
    inbox: Inbox<String>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Component for ErrorPaths {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.offer(&LOGGER, &self.inbox)?;
        let mut seen = self.seen.lock().unwrap();
        seen.push(cx.offer(&LOGGER, &self.inbox).unwrap_err().to_string());
        let wrong: Key<u32> = Key::new("logger");
        let out: Outbox<u32> = Outbox::new("numbers");
        let err = cx.link_to_service(&wrong, &out).unwrap_err();
        assert!(matches!(err, ServiceError::TypeMismatch(_)));
        seen.push(err.to_string());
        let missing: Key<String> = Key::new("nobody");
        let out: Outbox<String> = Outbox::new("log");
        seen.push(cx.link_to_service(&missing, &out).unwrap_err().to_string());
        seen.push(cx.services().join(","));
        drop(seen);
        assert!(cx.withdraw(&LOGGER));
        assert!(!cx.withdraw(&LOGGER), "withdrawn once");
        Ok(())
    }
}

#[test]
fn offering_twice_finding_another_type_and_a_missing_name_are_clear_errors() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let report = run_bounded("errors", move || pipeline![ErrorPaths::new(s)]).unwrap();
    assert!(report.is_success(), "{report}");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "the service `logger` is already offered (carrying `alloc::string::String`) by a running component",
            "service `logger` holds `alloc::string::String`, but was used as `u32`",
            "no service `nobody` is offered",
            "logger",
        ]
    );
}

/// Links to the logger, sends once it has ended, and records what came
/// back; then checks the service is gone.
#[component]
struct Late {
    got_back: Arc<Mutex<Vec<String>>>,
    gone: Arc<Mutex<Option<String>>>,
}

impl Component for Late {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut log: Outbox<String> = Outbox::new("log");
        while cx.link_to_service(&LOGGER, &log).is_err() {
            cx.yield_now().await;
        }
        log.send("first".to_owned()).await?;
        // The logger takes one line and ends; wait for that.
        loop {
            match log.try_send("second".to_owned()) {
                Err(e) if e.kind() == SendErrorKind::Closed => {
                    self.got_back.lock().unwrap().push(e.into_inner());
                    break;
                }
                Err(e) => return Err(e.into()),
                // Queued before the logger ended: counted in its report.
                Ok(()) => cx.yield_now().await,
            }
        }
        let out: Outbox<String> = Outbox::new("log2");
        *self.gone.lock().unwrap() = cx
            .link_to_service(&LOGGER, &out)
            .err()
            .map(|e| e.to_string());
        Ok(())
    }
}

/// Offers `logger`, takes one line, and ends without withdrawing.
#[component]
struct OneLine {
    inbox: Inbox<String>,
}

impl Component for OneLine {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.offer(&LOGGER, &self.inbox)?;
        let _ = self.inbox.recv().await;
        Ok(())
    }
}

#[test]
fn when_the_provider_ends_its_service_is_gone_and_a_linked_client_gets_its_message_back() {
    let got_back = Arc::new(Mutex::new(Vec::new()));
    let gone = Arc::new(Mutex::new(None));
    let (g, d) = (got_back.clone(), gone.clone());
    let report = run_bounded("provider ends", move || {
        graphline! {
            components {
                logger: OneLine::new(),
                late: Late::new(g, d),
            }
            links {}
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report}");
    assert_eq!(*got_back.lock().unwrap(), ["second"]);
    assert_eq!(
        gone.lock().unwrap().as_deref(),
        Some("no service `logger` is offered")
    );
    assert_eq!(
        report.component("logger").unwrap().outcome,
        Outcome::Finished
    );
}

#[test]
fn two_systems_have_services_of_their_own() {
    // Each system's logger offers the same name; neither sees the other's.
    let (a, b): (Lines, Lines) = (Arc::default(), Arc::default());
    let errors = Arc::new(Mutex::new(Vec::new()));
    let runs: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .map(|lines| {
            let e = errors.clone();
            std::thread::spawn(move || {
                myelin::run(graphline! {
                    components {
                        logger: Logger::new(lines, 1),
                        worker: Worker::new(e),
                    }
                    links {}
                })
            })
        })
        .collect();
    for run in runs {
        assert!(run.join().unwrap().unwrap().is_success());
    }
    assert_eq!(a.lock().unwrap().len(), 1);
    assert_eq!(b.lock().unwrap().len(), 1);
}
