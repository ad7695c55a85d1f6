//! Snapshots of a running system: through the handle, from inside a
//! component, and from the `Introspector` component; states, kinds, ports,
//! links and per-inbox counts.

mod common;

use std::time::{Duration, Instant};

use common::HANG;
use myelin::components::{Collect, Discard, Introspector, Source};
use myelin::prelude::*;
use myelin::view::{InboxCounts, Kind, Snapshot, State};
use myelin::{Handle, Runtime, Sender, ThreadComponent, ThreadContext};

/// Holds everything sent to `inbox` until a message on `gate` lets it
/// read, then reads to the end.
#[component]
struct Gated {
    /// Numbers, held until the gate opens.
    #[inbox(capacity = 4)]
    inbox: Inbox<u32>,
    /// One message opens the gate.
    gate: Inbox<()>,
    /// The numbers, passed on.
    outbox: Outbox<u32>,
}

impl Component for Gated {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.gate.recv().await;
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Polls `handle` for snapshots until `done` holds of one; panics after
/// [`HANG`].
fn until(handle: &Handle, done: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let deadline = Instant::now() + HANG;
    loop {
        let seen = handle.snapshot().expect("introspected");
        if done(&seen) {
            return seen;
        }
        assert!(Instant::now() < deadline, "never seen: {seen:#?}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn counts(seen: &Snapshot, path: &str, inbox: &str) -> Option<InboxCounts> {
    seen.component(path)?
        .inboxes
        .iter()
        .find(|i| i.port.name == inbox)?
        .counts
}

#[test]
fn the_handle_sees_states_ports_links_and_what_each_inbox_holds() {
    let system = graphline! {
        components {
            gated: Gated::new(),
            sink: Discard::<u32>::new(),
        }
        links {
            self.inbox -> gated.inbox,
            self.gate -> gated.gate,
            gated.outbox -> sink.inbox,
        }
    };
    let ports = myelin::Part::handles(&system);
    let mut input = Sender::new(&ports.inbox).unwrap();
    let mut gate = Sender::new(&ports.gate).unwrap();
    let handle = Runtime::new().introspect().spawn(system);
    for n in 0..4 {
        input.send(n).unwrap();
    }
    // Full: handed back, and counted.
    assert!(input.try_send(99).is_err());

    let seen = until(&handle, |s| {
        s.component("gated")
            .is_some_and(|c| c.state == Some(State::Paused))
    });
    let gated = seen.component("gated").unwrap();
    assert_eq!((gated.type_name, gated.kind), ("Gated", Kind::Generator));
    assert!(gated.doc.contains("Holds everything"), "{}", gated.doc);
    let names: Vec<_> = gated.inboxes.iter().map(|i| i.port.name).collect();
    assert_eq!(names, ["inbox", "gate"]);
    let inbox = &gated.inboxes[0];
    assert_eq!(
        (inbox.port.message, inbox.port.doc.trim(), inbox.capacity),
        ("u32", "Numbers, held until the gate opens.", Some(4))
    );
    assert_eq!(
        inbox.counts,
        Some(InboxCounts {
            delivered: 4,
            taken: 0,
            queued: 4,
            returned: 1,
        })
    );
    assert!(gated.busy.is_some());
    let outboxes: Vec<_> = gated.outboxes.iter().map(|o| (o.name, o.message)).collect();
    assert_eq!(outboxes, [("outbox", "u32")]);
    let link = seen
        .links
        .iter()
        .find(|l| l.from.component == "gated" && l.from.port == "outbox")
        .expect("the link to the sink");
    let to = link.to.as_ref().expect("inside the system");
    assert_eq!(
        (to.component.as_str(), to.port, link.message),
        ("sink", "inbox", "u32")
    );

    gate.send(()).unwrap();
    drop(input);
    let seen = until(&handle, |s| {
        s.component("sink")
            .is_some_and(|c| c.state == Some(State::Finished))
    });
    assert_eq!(
        counts(&seen, "gated", "inbox").map(|c| (c.delivered, c.taken, c.queued)),
        Some((4, 4, 0))
    );
    assert_eq!(
        counts(&seen, "sink", "inbox").map(|c| (c.delivered, c.taken)),
        Some((4, 4)),
        "{seen:#?}"
    );
    assert_eq!(
        seen.component("gated").unwrap().state,
        Some(State::Finished)
    );
    drop(gate);
    assert!(handle.join().unwrap().is_success());
}

#[test]
fn a_snapshot_of_a_system_not_introspected_is_an_error_that_says_how() {
    let system = Gated::new().into_part();
    let ports = system.handles();
    let gate = Sender::new(&ports.gate).unwrap();
    let handle = myelin::spawn(system);
    let error = handle.snapshot().unwrap_err().to_string();
    assert!(error.contains("introspect()"), "{error}");
    drop(gate);
    handle.shutdown();
    let _ = handle.join();
}

/// Looks at its own system from inside, once, and keeps what it saw.
#[component]
struct Look {
    seen: common::Shared<Snapshot>,
}

impl Component for Look {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        common::push(&self.seen, cx.snapshot()?);
        Ok(())
    }
}

/// Fails with a reason.
#[component]
struct Fail {}

impl Component for Fail {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Err(Error::msg("no disk"))
    }
}

/// Waits on its thread until its input ends.
#[component(thread)]
struct Blocking {
    /// Numbers.
    inbox: Inbox<u32>,
}

impl ThreadComponent for Blocking {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        while self.inbox.blocking_recv().is_some() {}
        Ok(())
    }
}

#[test]
fn a_component_sees_itself_running_a_thread_running_and_a_failure_with_its_reason() {
    let seen2 = common::shared();
    let look = Look::new(seen2.clone());
    let blocking = Blocking::new().into_part();
    // Held until `look` has looked: `blocking` waits on its thread till then.
    let input = Sender::new(&blocking.handles().inbox).unwrap();
    let handle = Runtime::new().introspect().spawn(graphline! {
        components {
            fail: Fail::new(),
            blocking: blocking,
            look: look,
        }
        links {}
    });
    let deadline = Instant::now() + HANG;
    while common::take(&seen2).is_empty() {
        assert!(Instant::now() < deadline, "`look` never looked");
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(input);
    let report = common::within_hang(move || handle.join());
    assert!(report.is_err(), "`fail` fails the run");
    let seen = common::take(&seen2).pop().expect("`look` took a snapshot");
    let look = seen.component("look").unwrap();
    assert_eq!(look.state, Some(State::Running));
    assert_eq!(
        seen.component("fail").unwrap().state,
        Some(State::Failed("no disk".to_owned()))
    );
    let blocking = seen.component("blocking").unwrap();
    assert_eq!((blocking.kind, blocking.busy), (Kind::Thread, None));
    assert_eq!(blocking.state, Some(State::Running));
}

#[test]
fn the_introspector_sends_snapshots_and_ends_with_what_it_watches() {
    for _ in 0..20 {
        let snapshots = Collect::new();
        let got = snapshots.collected();
        let sink = Collect::<u32>::new();
        let kept = sink.collected();
        let report = common::within_hang(move || {
            Runtime::new().introspect().run(graphline! {
                components {
                    source: Source::new(0..100u32),
                    sink: sink,
                    look: Introspector::every(Duration::from_micros(200)),
                    out: snapshots,
                }
                links {
                    source.outbox -> sink.inbox,
                    look.outbox -> out.inbox,
                }
            })
        })
        .unwrap();
        assert!(report.is_success());
        assert_eq!(kept.take().len(), 100);
        let snapshots = got.take();
        let last = snapshots.last().expect("one snapshot at least");
        let sink = last.component("sink").unwrap();
        assert_eq!(sink.state, Some(State::Finished));
        assert_eq!(sink.inboxes[0].counts.map(|c| c.delivered), Some(100));
        assert!(last.component("look").is_some());
        // It saw itself, and the collector it feeds, which waits for it.
        assert_eq!(last.component("out").unwrap().state, Some(State::Paused));
    }
}

#[test]
fn the_introspector_stops_after_its_count() {
    let snapshots = Collect::new();
    let got = snapshots.collected();
    let report = common::within_hang(move || {
        Runtime::new().introspect().run(pipeline![
            Introspector::every(Duration::from_micros(100)).take(3),
            snapshots
        ])
    })
    .unwrap();
    assert!(report.is_success());
    assert_eq!(got.take().len(), 3);
}

#[test]
fn an_introspector_in_a_system_not_introspected_fails_saying_why() {
    let report = common::within_hang(|| {
        myelin::run(pipeline![
            Introspector::every(Duration::from_millis(1)),
            Discard::<Snapshot>::new()
        ])
    });
    let error = report.unwrap_err().to_string();
    assert!(error.contains("introspect()"), "{error}");
}

#[test]
fn the_handle_reads_the_inboxes_of_every_scheduler() {
    for _ in 0..20 {
        // Two independent chains: placement deals them to two schedulers.
        let a = Gated::new().into_part();
        let b = Gated::new().into_part();
        let (pa, pb) = (a.handles(), b.handles());
        let mut inputs = [
            Sender::new(&pa.inbox).unwrap(),
            Sender::new(&pb.inbox).unwrap(),
        ];
        let gates = [
            Sender::new(&pa.gate).unwrap(),
            Sender::new(&pb.gate).unwrap(),
        ];
        let system = graphline! {
            components {
                a: a,
                b: b,
                sa: Discard::<u32>::new(),
                sb: Discard::<u32>::new(),
            }
            links {
                a.outbox -> sa.inbox,
                b.outbox -> sb.inbox,
            }
        };
        let handle = Runtime::new().schedulers(2).introspect().spawn(system);
        for input in &mut inputs {
            input.send(1).unwrap();
            input.send(2).unwrap();
        }
        let seen = until(&handle, |s| {
            ["a", "b"].iter().all(|p| {
                s.component(p)
                    .is_some_and(|c| c.state == Some(State::Paused))
            })
        });
        for path in ["a", "b", "sa", "sb"] {
            let inbox = &seen.component(path).unwrap().inboxes[0];
            assert!(inbox.counts.is_some(), "{path}: no counts in {seen:#?}");
        }
        assert_eq!(counts(&seen, "a", "inbox").map(|c| c.queued), Some(2));
        assert_eq!(counts(&seen, "b", "inbox").map(|c| c.queued), Some(2));
        drop(inputs);
        drop(gates);
        handle.shutdown();
        let _ = handle.join();
    }
}
