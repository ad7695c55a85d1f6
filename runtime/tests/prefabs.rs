//! `#[prefab]`: functions that return a graph, used in `pipeline!` and
//! `graphline!` exactly as components are (Kamaelia's
//! `def Reader(): return Graphline(...)`).

mod common;

use common::{Shared, run_bounded, shared, take};
use myelin::prelude::*;

/// Sends `1..=upto`.
#[component]
struct Numbers {
    outbox: Outbox<u64>,
    upto: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 1..=self.upto {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Multiplies what it receives by `by`.
#[component]
struct Times {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    by: u64,
}

impl Component for Times {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * self.by).await?;
        }
        Ok(())
    }
}

/// Shows what it receives as text.
#[component]
struct Show {
    inbox: Inbox<u64>,
    outbox: Outbox<String>,
}

impl Component for Show {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(format!("#{n}")).await?;
        }
        Ok(())
    }
}

/// Keeps what it receives.
#[component]
struct Keep<T: Send + 'static> {
    inbox: Inbox<T>,
    kept: Shared<T>,
}

impl<T: Send + 'static> Component for Keep<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.kept.lock().unwrap().push(m);
        }
        Ok(())
    }
}

/// The numbers `1..=upto`, squared-ish: a source built of two components.
#[prefab(
    /// The numbers, each times ten.
    outbox: Outbox<u64>,
)]
fn tens(upto: u64) -> Graph<TensPorts> {
    graphline! {
        components { numbers: Numbers::new(upto), times: Times::new(10) }
        links {
            numbers.outbox -> times.inbox,
            times.outbox -> self.outbox,
        }
    }
}

/// Numbers in, text out, by way of a multiplication.
#[prefab(inbox: Inbox<u64>, outbox: Outbox<String>)]
fn label(by: u64) -> Graph<LabelPorts> {
    pipeline![Times::new(by), Show::new()]
}

/// A prefab generic over what it keeps.
#[prefab(inbox: Inbox<T>)]
fn keep_all<T: Send + 'static>(kept: Shared<T>) -> Graph<KeepAllPorts<T>> {
    pipeline![Keep::new(kept)]
}

#[test]
fn a_prefab_is_a_pipeline_stage_like_a_component() {
    let kept = shared();
    let k = kept.clone();
    let report = run_bounded("prefabs in a pipeline", move || {
        pipeline![tens(3), label(2), Keep::new(k)]
    })
    .unwrap();
    assert_eq!(take(&kept), ["#20", "#40", "#60"]);
    assert!(report.is_success(), "{report:?}");
    // Each prefab's children are named under the prefab's name.
    let names: Vec<_> = report
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "tens.numbers",
            "tens.times",
            "label.Times",
            "label.Show",
            "Keep"
        ]
    );
}

#[test]
fn a_prefab_is_a_graphline_component_like_a_component() {
    let kept = shared();
    let k = kept.clone();
    let report = run_bounded("prefabs in a graphline", move || {
        graphline! {
            components { source: tens(2), text: label(1), sink: Keep::new(k) }
            links {
                source.outbox -> text.inbox,
                text.outbox -> sink.inbox,
            }
        }
    })
    .unwrap();
    assert_eq!(take(&kept), ["#10", "#20"]);
    assert!(report.is_success(), "{report:?}");
}

#[test]
fn a_generic_prefab_takes_its_type_from_the_link() {
    let kept = shared();
    let k = kept.clone();
    run_bounded("generic prefab", move || pipeline![tens(2), keep_all(k)]).unwrap();
    assert_eq!(take(&kept), [10, 20]);
}

#[test]
fn a_prefab_can_be_built_of_prefabs() {
    /// `tens` then `label`: a source of text.
    #[prefab(outbox: Outbox<String>)]
    fn labelled_tens(upto: u64) -> Graph<LabelledTensPorts> {
        pipeline![tens(upto), label(1)]
    }
    let kept = shared();
    let k = kept.clone();
    let report = run_bounded("nested prefabs", move || {
        pipeline![labelled_tens(1), Keep::new(k)]
    })
    .unwrap();
    assert_eq!(take(&kept), ["#10"]);
    assert_eq!(report.components()[0].name, "labelled_tens.tens.numbers");
}

/// Ends at once.
#[component]
struct Done {}

impl Component for Done {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Sends nothing until told on `control` to stop.
#[component]
struct Idle {
    outbox: Outbox<u64>,
}

impl Component for Idle {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.control().recv().await;
        Ok(())
    }
}

/// `Idle`, with the graph's `control` passed through to it.
#[prefab(outbox: Outbox<u64>)]
fn idle() -> Graph<IdleStagePorts> {
    graphline! {
        components { idle: Idle::new() }
        links { idle.outbox -> self.outbox, self.control -> idle.control }
    }
}

#[test]
fn a_prefabs_control_is_the_control_of_the_graph_it_returns() {
    // `Done` ends; its `signal` reaches `idle`'s `control` through the
    // prefab, and `idle` ends: without that, the run would not end.
    let report = run_bounded("prefab control", || pipeline![Done::new(), idle()]).unwrap();
    assert!(report.is_success(), "{report:?}");
    let names: Vec<_> = report
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Done", "idle.idle"]);
}
