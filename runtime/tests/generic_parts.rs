//! Code generic over parts reaches every part's built-in `control` and
//! `signal`: in `graphline!`, and by hand through `Part`.

mod common;

use common::{HANG, Shared, push, run_bounded, shared, take};
use myelin::prelude::*;
use myelin::{Receiver, Sender};

/// Asks whatever its `signal` is linked to to stop.
#[component]
struct Stop {}

impl Component for Stop {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.signal().send(Control::Shutdown).await?;
        Ok(())
    }
}

/// Runs until a `Shutdown` comes, then notes it and ends (closing its
/// outbox, so the stages after it end too).
#[component]
struct Idle {
    outbox: Outbox<u32>,
    seen: Shared<&'static str>,
}

impl Component for Idle {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(msg) = cx.control().recv().await {
            if msg == Control::Shutdown {
                push(&self.seen, "stopped");
                return Ok(());
            }
        }
        Err(Error::msg("control ended without a Shutdown"))
    }
}

/// [`Idle`] on a thread of its own.
#[component(thread)]
struct IdleThread {
    seen: Shared<&'static str>,
}

impl ThreadComponent for IdleThread {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        while let Some(msg) = cx.control().blocking_recv() {
            if msg == Control::Shutdown {
                push(&self.seen, "stopped");
                return Ok(());
            }
        }
        Err(Error::msg("control ended without a Shutdown"))
    }
}

/// Reads and drops what it receives.
#[component]
struct Drop {
    inbox: Inbox<u32>,
}

impl Component for Drop {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Any part, stopped by a `Stop`: its `control` and `signal` are linked
/// without knowing its type.
fn with_stop<P: IntoPart>(inner: P) -> impl IntoPart {
    graphline! {
        components {
            inner: inner,
            stop: Stop::new(),
        }
        links {
            stop.signal -> inner.control,
            inner.signal -> self.signal,
        }
    }
}

#[test]
fn a_generic_graphline_links_the_control_and_signal_of_any_part() {
    let seen = shared();
    let s = seen.clone();
    let report = run_bounded("generic graphline", move || {
        graphline! {
            components {
                component: with_stop(Idle::new(s.clone())),
                pipeline: with_stop(pipeline![Idle::new(s.clone()), Drop::new()]),
                thread: with_stop(IdleThread::new(s.clone())),
                nested: with_stop(with_stop(Idle::new(s))),
            }
            links {}
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    // Each was stopped by its `Shutdown` (the nested one by the inner
    // `Stop`; the outer one's `Shutdown` then finds it ended).
    assert_eq!(take(&seen), ["stopped"; 4]);
}

/// A stop handle and an end watch on any part, through `Part`.
fn stoppable<P: IntoPart>(system: P) -> (myelin::Handle, Sender<Control>, Receiver<Control>) {
    let part = system.into_part();
    let stop = Sender::new(&part.control_port()).unwrap();
    let end = Receiver::new(&part.signal_port()).unwrap();
    (myelin::spawn(part), stop, end)
}

#[test]
fn part_reaches_the_built_in_boxes_of_any_part() {
    let seen = shared();
    let systems: Vec<(&str, Box<dyn FnOnce() -> _>)> = vec![
        ("component", Box::new(|| stoppable(Idle::new(seen.clone())))),
        (
            "pipeline",
            Box::new(|| stoppable(pipeline![Idle::new(seen.clone()), Drop::new()])),
        ),
    ];
    for (what, start) in systems {
        let (handle, mut stop, mut end) = start();
        stop.send(Control::Shutdown).unwrap();
        match end.recv_timeout(HANG) {
            Ok(Control::Finished { .. }) => {}
            other => panic!("{what}: signal said {other:?}"),
        }
        assert!(handle.join().unwrap().is_success(), "{what}");
    }
    assert_eq!(take(&seen), ["stopped"; 2]);
}
