//! Behaviour of systems wired by `pipeline!` and `graphline!`: data through
//! links, passthroughs and nesting; link capacities; and the lifecycle
//! messages on `control` and `signal`.

use std::sync::{Arc, Mutex};

use myelin::prelude::*;

/// Results shared between a test and the components it runs.
type Shared<T> = Arc<Mutex<Vec<T>>>;

fn shared<T>() -> Shared<T> {
    Arc::new(Mutex::new(Vec::new()))
}

fn take<T: Clone>(s: &Shared<T>) -> Vec<T> {
    s.lock().unwrap().clone()
}

/// Sends `1..=upto`.
#[component]
struct Numbers {
    outbox: Outbox<u64>,
    upto: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 1..=self.upto {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Doubles what it receives.
#[component]
struct Double {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
        }
        Ok(())
    }
}

/// Adds what arrives on `inbox` and on `other`, in arrival order.
#[component]
struct Merge {
    inbox: Inbox<u64>,
    other: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Merge {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            let batch: Vec<u64> = self.inbox.drain().chain(self.other.drain()).collect();
            for n in batch {
                self.outbox.send(n).await?;
            }
            // Checked after draining and before pausing: a stream that has
            // already ended wakes no one.
            if self.inbox.is_finished() && self.other.is_finished() {
                return Ok(());
            }
            cx.pause().await;
        }
    }
}

/// Records what it receives.
#[component]
struct Collect {
    inbox: Inbox<u64>,
    seen: Shared<u64>,
}

impl Component for Collect {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.seen.lock().unwrap().push(n);
        }
        Ok(())
    }
}

/// Records its inbox's capacity, then drains it.
#[component]
struct Capacity {
    inbox: Inbox<u64>,
    seen: Shared<Option<usize>>,
}

impl Component for Capacity {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.seen.lock().unwrap().push(self.inbox.capacity());
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Drains its inbox, then records the first message on its `control`.
#[component]
struct Heed {
    inbox: Inbox<u64>,
    seen: Shared<Control>,
}

impl Component for Heed {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        if let Some(msg) = cx.control().recv().await {
            self.seen.lock().unwrap().push(msg);
        }
        Ok(())
    }
}

/// Waits for the first message on its `control` and records it.
#[component]
struct Wait {
    seen: Shared<Control>,
}

impl Component for Wait {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if let Some(msg) = cx.control().recv().await {
            self.seen.lock().unwrap().push(msg);
        }
        Ok(())
    }
}

/// Sends `Control::Shutdown` once.
#[component]
struct Stop {
    outbox: Outbox<Control>,
}

impl Component for Stop {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(Control::Shutdown).await?;
        Ok(())
    }
}

#[test]
fn pipeline_links_consecutive_stages() {
    let seen = shared();
    myelin::run(pipeline![
        Numbers::new(4),
        Double::new(),
        Collect::new(seen.clone())
    ])
    .unwrap();
    assert_eq!(take(&seen), [2, 4, 6, 8]);
}

#[test]
fn graphline_links_named_ports() {
    let seen = shared();
    let system = graphline! {
        components {
            left: Numbers::new(3),
            right: Numbers::new(2),
            merge: Merge::new(),
            sink: Collect::new(seen.clone()),
        }
        links {
            left.outbox -> merge.inbox,
            right.outbox -> merge.other,
            merge.outbox -> sink.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    let mut got = take(&seen);
    got.sort_unstable();
    assert_eq!(got, [1, 1, 2, 2, 3]);
    let names: Vec<_> = report
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["left", "right", "merge", "sink"]);
}

#[test]
fn graphline_passthroughs_nest_in_a_pipeline() {
    let seen = shared();
    let quadruple = graphline! {
        components {
            first: Double::new(),
            second: Double::new(),
        }
        links {
            self.inbox -> first.inbox,
            first.outbox -> second.inbox,
            second.outbox -> self.outbox,
        }
    };
    myelin::run(pipeline![
        Numbers::new(3),
        quadruple,
        Collect::new(seen.clone())
    ])
    .unwrap();
    assert_eq!(take(&seen), [4, 8, 12]);
}

#[test]
fn pipeline_nests_in_a_graphline() {
    let seen = shared();
    let system = graphline! {
        components {
            source: Numbers::new(3),
            work: pipeline![Double::new(), Double::new(), Double::new()],
            sink: Collect::new(seen.clone()),
        }
        links {
            source.outbox -> work.inbox,
            work.outbox -> sink.inbox,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&seen), [8, 16, 24]);
    // Pipeline stages are named after their type, made unique.
    assert!(report.component("work.Double2").is_some(), "{report:?}");
}

#[test]
fn passthroughs_nest_two_levels_deep() {
    let seen = shared();
    let inner = graphline! {
        components { double: Double::new() }
        links {
            self.inbox -> double.inbox,
            double.outbox -> self.outbox,
        }
    };
    let middle = graphline! {
        components { inner: inner, again: Double::new() }
        links {
            self.data -> inner.inbox,
            inner.outbox -> again.inbox,
            again.outbox -> self.results,
        }
    };
    let system = graphline! {
        components {
            source: Numbers::new(2),
            middle: middle,
            sink: Collect::new(seen.clone()),
        }
        links {
            source.outbox -> middle.data,
            middle.results -> sink.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&seen), [4, 8]);
}

#[test]
fn capacity_option_bounds_the_destination() {
    let seen = shared();
    let system = graphline! {
        components {
            source: Numbers::new(10),
            sink: Capacity::new(seen.clone()),
        }
        links {
            source.outbox -> sink.inbox (capacity = 4),
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&seen), [Some(4)]);
}

#[test]
fn pipeline_stage_hears_that_the_previous_one_finished() {
    let seen = shared();
    myelin::run(pipeline![Numbers::new(2), Heed::new(seen.clone())]).unwrap();
    assert_eq!(
        take(&seen),
        [Control::Finished {
            component: "Numbers".into()
        }]
    );
}

#[test]
fn graphline_signals_finished_when_its_children_have() {
    let seen = shared();
    let sink = shared();
    let inner = graphline! {
        components {
            source: Numbers::new(3),
            sink: Collect::new(sink.clone()),
        }
        links {
            source.outbox -> sink.inbox,
        }
    };
    let system = graphline! {
        components {
            inner: inner,
            watch: Wait::new(seen.clone()),
        }
        links {
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&sink), [1, 2, 3]);
    assert_eq!(
        take(&seen),
        [Control::Finished {
            component: "inner".into()
        }]
    );
}

#[test]
fn shutdown_on_a_graphline_control_reaches_every_child() {
    let seen = shared();
    let inner = graphline! {
        components {
            a: Wait::new(seen.clone()),
            b: Wait::new(seen.clone()),
        }
        links {}
    };
    let system = graphline! {
        components {
            stop: Stop::new(),
            inner: inner,
        }
        links {
            stop.outbox -> inner.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&seen), [Control::Shutdown, Control::Shutdown]);
}

#[test]
fn control_and_signal_pass_through_to_a_child() {
    let seen = shared();
    let heard = shared();
    let inner = graphline! {
        components {
            worker: Wait::new(heard.clone()),
            // Nothing feeds its `control`, so it ends at once, hearing nothing.
            idle: Wait::new(heard.clone()),
        }
        links {
            self.control -> worker.control,
            worker.signal -> self.signal,
        }
    };
    let system = graphline! {
        components {
            stop: Stop::new(),
            inner: inner,
            watch: Wait::new(seen.clone()),
        }
        links {
            stop.outbox -> inner.control,
            inner.signal -> watch.control,
        }
    };
    myelin::run(system).unwrap();
    // The graphline's `control` is the worker's alone: no fan-out to `idle`.
    assert_eq!(take(&heard), [Control::Shutdown]);
    // The graphline's `signal` is the worker's.
    assert_eq!(
        take(&seen),
        [Control::Finished {
            component: "inner.worker".into()
        }]
    );
}

#[test]
fn a_generic_sink_takes_its_message_type_from_the_stage_before() {
    // No turbofish: the link carries `u64` from `Numbers` to `Collect`.
    let collect = myelin::components::Collect::new();
    let got = collect.collected();
    myelin::run(pipeline![Numbers::new(3), Double::new(), collect]).unwrap();
    assert_eq!(got.take(), [2, 4, 6]);
}

#[test]
fn a_generic_sink_takes_its_message_type_from_a_graphline_link() {
    let collect = myelin::components::Collect::new();
    let got = collect.collected();
    let system = graphline! {
        components { numbers: Numbers::new(2), keep: collect }
        links { numbers.outbox -> keep.inbox }
    };
    myelin::run(system).unwrap();
    assert_eq!(got.take(), [1, 2]);
}

#[test]
fn a_generic_source_takes_its_message_type_from_the_stage_after() {
    let kept = shared();
    myelin::run(pipeline![
        myelin::components::Source::new(vec![5, 6]),
        Collect::new(kept.clone()),
    ])
    .unwrap();
    assert_eq!(take(&kept), [5, 6]);
}
