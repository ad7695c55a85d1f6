//! Kamaelia's chassis scenarios (`TC/test_Pipeline.py`,
//! `TC/test_Graphline.py`; section 3 of the Axon reference, scenarios
//! 62-69) and system shutdown (`EX/SystemShutdown.py`, scenario 78), ported
//! to `pipeline!`, `graphline!` and `Context::shutdown_system`.
//!
//! Kamaelia's Pipeline and Graphline are components that link their children
//! at activation and poll for their deaths. Here they are values built by the
//! macros: nothing runs until `run`, links are checked at compile time, and
//! a graphline gets a small chassis task only when its own `control` or
//! `signal` is used.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use myelin::prelude::*;
use myelin::{Outcome, Part, SendErrorKind};

use common::{Collect, Feed, Obey, Shared, Sleeper, Steps, StopSystem, Watch, push, shared, take};

/// Logs start and end, and passes on what it receives.
#[component]
struct LoggedRelay {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    log: Shared<String>,
}

impl Component for LoggedRelay {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        push(&self.log, format!("{} start", cx.name()));
        while let Some(m) = self.inbox.recv().await {
            self.outbox.send(m).await?;
        }
        push(&self.log, format!("{} end", cx.name()));
        Ok(())
    }
}

/// Logs everything it hears on `control`.
#[component]
struct LogControl {
    log: Shared<String>,
}

impl Component for LogControl {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = cx.control().recv().await {
            push(&self.log, format!("heard: {m}"));
        }
        Ok(())
    }
}

/// Axon scenario 62 (TC/test_Pipeline.py): a Pipeline's children are
/// activated only when the Pipeline is; the Pipeline stays alive until the
/// last child stops, and stops after it.
///
/// In myelin building `pipeline!` runs nothing; `run` starts every stage,
/// and the pipeline's `signal` (its last stage's) reports the end only after
/// every stage has ended.
#[test]
fn pipeline_stages_start_only_when_run_and_it_ends_after_the_last() {
    let log = shared();
    let got = shared::<u32>();
    let p = pipeline![
        Feed::new(vec![1, 2]),
        LoggedRelay::new(log.clone()),
        LoggedRelay::new(log.clone()),
        Collect::new(got.clone())
    ];
    assert!(take(&log).is_empty(), "a stage ran before `run`");
    let system = graphline! {
        components {
            p: p,
            watch: LogControl::new(log.clone()),
        }
        links {
            p.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), [1, 2]);
    let log = take(&log);
    assert_eq!(log.len(), 5, "{log:?}");
    for stage in ["p.LoggedRelay", "p.LoggedRelay2"] {
        assert!(log.contains(&format!("{stage} start")), "{log:?}");
        assert!(log.contains(&format!("{stage} end")), "{log:?}");
    }
    assert_eq!(log[4], "heard: p.Collect finished");
}

/// Doubles what it receives; when its input ends, records every message on
/// its `control`.
#[component]
struct Stage {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    heard: Shared<(String, Control)>,
}

impl Component for Stage {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
        }
        while let Some(m) = cx.control().recv().await {
            push(&self.heard, (cx.name().to_owned(), m));
        }
        Ok(())
    }
}

/// Axon scenario 63 (TC/test_Pipeline.py): consecutive children are linked
/// `outbox`->`inbox` and `signal`->`control`; the Pipeline's `inbox` and
/// `control` reach the first child; the last child's `outbox` and `signal`
/// leave the Pipeline.
#[test]
fn pipeline_links_outbox_to_inbox_and_signal_to_control_and_exposes_its_ends() {
    let (heard, got, watched) = (shared(), shared::<u32>(), shared());
    let system = graphline! {
        components {
            data: Feed::new(vec![1, 2, 3]),
            ctl: Feed::new(vec![Control::Shutdown]),
            p: pipeline![Stage::new(heard.clone()), Stage::new(heard.clone())],
            sink: Collect::new(got.clone()),
            watch: Watch::new(watched.clone()),
        }
        links {
            data.outbox -> p.inbox,
            ctl.outbox -> p.control,
            p.outbox -> sink.inbox,
            p.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), [4, 8, 12]);
    assert_eq!(
        take(&heard),
        [
            ("p.Stage".to_owned(), Control::Shutdown),
            (
                "p.Stage2".to_owned(),
                Control::Finished {
                    component: "p.Stage".into()
                }
            ),
        ]
    );
    assert_eq!(
        take(&watched),
        [Control::Finished {
            component: "p.Stage2".into()
        }]
    );
}

/// Axon scenario 64 (TC/test_Graphline.py): an empty `linkages` is allowed,
/// with or without children; a missing one is rejected.
///
/// In `graphline!` `links {}` may be empty; a missing `links` section or an
/// empty `components` is a compile error (see the UI tests).
#[test]
fn a_graphline_with_no_links_runs_its_children() {
    let log = shared();
    let system = graphline! {
        components {
            a: Steps::new(1, log.clone()),
            b: Steps::new(0, log.clone()),
        }
        links {}
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(report.components().len(), 2);
    let mut log = take(&log);
    log.sort();
    assert_eq!(log, ["a end", "a start", "b end", "b start"]);
}

/// Axon scenario 65 (TC/test_Graphline.py): a Graphline's children are
/// activated with it, linked or not, and it terminates only when all have
/// terminated.
///
/// In myelin nothing runs before `run`; then every child runs, and the
/// graphline's `signal` says it finished only after the last child ended.
#[test]
fn a_graphline_starts_every_child_and_signals_after_the_last_ends() {
    let log = shared();
    let inner = graphline! {
        components {
            slow: Steps::new(5, log.clone()),
            quick: Steps::new(0, log.clone()),
            mid: Steps::new(2, log.clone()),
        }
        links {}
    };
    assert!(take(&log).is_empty());
    let system = graphline! {
        components {
            inner: inner,
            watch: LogControl::new(log.clone()),
        }
        links {
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    let log = take(&log);
    assert_eq!(log.len(), 7, "{log:?}");
    for child in ["slow", "quick", "mid"] {
        assert!(log.contains(&format!("inner.{child} start")), "{log:?}");
    }
    assert_eq!(log[5], "inner.slow end");
    assert_eq!(log[6], "heard: inner finished");
}

/// Sends its number on `left`, `right` and `spare`, recording what became of
/// the one on `spare`.
#[component]
struct Three {
    left: Outbox<u32>,
    right: Outbox<u32>,
    spare: Outbox<u32>,
    spare_result: Shared<(SendErrorKind, u32)>,
}

impl Component for Three {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.left.send(1).await?;
        self.right.send(2).await?;
        if let Err(e) = self.spare.send(3).await {
            push(&self.spare_result, (e.kind(), e.into_inner()));
        }
        Ok(())
    }
}

/// Axon scenario 66 (TC/test_Graphline.py): only the specified links exist;
/// data does not leak anywhere else.
///
/// In myelin each outbox goes where its link says, and a send on an outbox
/// that no link names is an `Err` carrying the message back (Axon silently
/// discarded it).
#[test]
fn only_the_declared_links_carry_data() {
    let (left, right, spare) = (shared(), shared(), shared());
    let system = graphline! {
        components {
            three: Three::new(spare.clone()),
            l: Collect::new(left.clone()),
            r: Collect::new(right.clone()),
        }
        links {
            three.left -> l.inbox,
            three.right -> r.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!((take(&left), take(&right)), (vec![1], vec![2]));
    assert_eq!(take(&spare), [(SendErrorKind::Unlinked, 3)]);
}

/// Axon scenario 67 (TC/test_Graphline.py): a non-child name on the source
/// side of a link makes an inbox passthrough from the graphline, on the
/// destination side an outbox passthrough; new box names are created on the
/// graphline.
///
/// In `graphline!` the graphline itself is named `self` (a misspelt child
/// name is a compile error, not a new box); `self.<name>` creates a typed
/// port `<name>` on the graphline, which is the child's port itself.
#[test]
fn self_ports_become_the_graphlines_own_typed_ports() {
    let got = shared::<u32>();
    let wrapper = graphline! {
        components { double: Stage::new(shared()) }
        links {
            self.data -> double.inbox,
            double.outbox -> self.results,
        }
    };
    let ports = wrapper.handles();
    assert_eq!(
        (ports.data.name(), ports.results.name()),
        ("inbox", "outbox")
    );
    let system = graphline! {
        components {
            feed: Feed::new(vec![5, 6]),
            wrapper: wrapper,
            sink: Collect::new(got.clone()),
        }
        links {
            feed.outbox -> wrapper.data,
            wrapper.results -> sink.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), [10, 12]);
}

/// Axon scenario 68 (TC/test_Graphline.py): with its `signal` unwired, a
/// Graphline emits `producerFinished` after all its children end.
#[test]
fn a_graphline_signals_finished_after_its_children_end() {
    let (log, watched) = (shared(), shared());
    let inner = graphline! {
        components {
            a: Steps::new(3, log.clone()),
            b: Steps::new(1, log.clone()),
        }
        links {}
    };
    let system = graphline! {
        components {
            inner: inner,
            watch: Watch::new(watched.clone()),
        }
        links {
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&log).len(), 4);
    assert_eq!(
        take(&watched),
        [Control::Finished {
            component: "inner".into()
        }]
    );
}

/// Axon scenario 68 (TC/test_Graphline.py): a Graphline whose `control` was
/// not passed through, and which received `shutdownMicroprocess`, emits that
/// message on its `signal` when its children have ended.
#[test]
fn a_graphline_signals_the_shutdown_it_received() {
    let (heard, watched) = (shared(), shared());
    let inner = graphline! {
        components {
            a: Obey::new(heard.clone()),
            b: Obey::new(heard.clone()),
        }
        links {}
    };
    let system = graphline! {
        components {
            stop: Feed::new(vec![Control::Shutdown]),
            inner: inner,
            watch: Watch::new(watched.clone()),
        }
        links {
            stop.outbox -> inner.control,
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&heard).len(), 2);
    assert_eq!(take(&watched), [Control::Shutdown]);
}

/// Axon scenario 69 (TC/test_Graphline.py): with `control` unwired, each
/// control message is copied to every child whose `control` is not a link
/// target.
#[test]
fn graphline_control_is_copied_to_every_child_whose_control_is_free() {
    let heard = shared();
    let inner = graphline! {
        components {
            a: Obey::new(heard.clone()),
            b: Obey::new(heard.clone()),
            c: Obey::new(heard.clone()),
        }
        links {
            a.signal -> c.control,
        }
    };
    let system = graphline! {
        components {
            stop: Feed::new(vec![Control::Shutdown]),
            inner: inner,
        }
        links {
            stop.outbox -> inner.control,
        }
    };
    myelin::run(system).unwrap();
    let mut heard = take(&heard);
    heard.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        heard,
        [
            ("inner.a".to_owned(), Control::Shutdown),
            ("inner.b".to_owned(), Control::Shutdown),
            (
                "inner.c".to_owned(),
                Control::Finished {
                    component: "inner.a".into()
                }
            ),
        ]
    );
}

/// Axon scenario 69 (TC/test_Graphline.py): with `control` wired to a child,
/// control messages flow only along that link, and the final signal is a
/// new `producerFinished`, not the shutdown.
#[test]
fn wired_graphline_control_reaches_only_its_child_and_the_signal_is_finished() {
    let (heard, watched) = (shared(), shared());
    let inner = graphline! {
        components {
            worker: Obey::new(heard.clone()),
            idle: Obey::new(heard.clone()),
        }
        links {
            self.control -> worker.control,
        }
    };
    let system = graphline! {
        components {
            stop: Feed::new(vec![Control::Shutdown]),
            inner: inner,
            watch: Watch::new(watched.clone()),
        }
        links {
            stop.outbox -> inner.control,
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(
        take(&heard),
        [("inner.worker".to_owned(), Control::Shutdown)]
    );
    assert_eq!(
        take(&watched),
        [Control::Finished {
            component: "inner".into()
        }]
    );
}

/// Axon scenario 69 (TC/test_Graphline.py): with `signal` wired from a
/// child, the Graphline never emits its own.
#[test]
fn wired_graphline_signal_carries_only_the_childs_message() {
    let (log, watched) = (shared(), shared());
    let inner = graphline! {
        components {
            worker: Steps::new(0, log.clone()),
            other: Steps::new(3, log.clone()),
        }
        links {
            worker.signal -> self.signal,
        }
    };
    let system = graphline! {
        components {
            inner: inner,
            watch: Watch::new(watched.clone()),
        }
        links {
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&log).len(), 4);
    assert_eq!(
        take(&watched),
        [Control::Finished {
            component: "inner.worker".into()
        }]
    );
}

/// Pauses forever; its state records when it is dropped.
#[component]
struct Eternal {
    _dropped: DropFlag,
}

impl Component for Eternal {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            cx.pause().await;
        }
    }
}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Axon scenario 78 (EX/SystemShutdown.py): one component calls
/// `self.scheduler.stop()`; an eternally paused component has its `stop()`
/// called and the run ends.
///
/// In myelin `cx.shutdown_system()` ends the run: the paused component is
/// cancelled (its state dropped before `run` returns) and reported
/// `Cancelled`, and `run` returns `Ok` since a requested shutdown is not a
/// failure.
#[test]
fn shutdown_system_cancels_an_eternally_paused_component() {
    let dropped = Arc::new(AtomicBool::new(false));
    let system = graphline! {
        components {
            eternal: Eternal::new(DropFlag(dropped.clone())),
            sleeper: Sleeper::new(),
            stop: StopSystem::new(),
        }
        links {}
    };
    let report = myelin::run(system).unwrap();
    assert!(dropped.load(Ordering::SeqCst));
    for name in ["eternal", "sleeper"] {
        assert_eq!(
            report.component(name).unwrap().outcome,
            Outcome::Cancelled,
            "{report}"
        );
    }
}
