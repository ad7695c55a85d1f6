//! `#[prefab]` functions, under strict lints: a graphline and a pipeline
//! made parts, a generic one, and their ports struct's fields.

#![deny(warnings, unused, nonstandard_style, rust_2018_idioms, future_incompatible)]
#![deny(
    missing_docs,
    unreachable_pub,
    unused_qualifications,
    unused_results,
    trivial_casts,
    single_use_lifetimes,
    unsafe_code
)]

use myelin::prelude::*;

/// Doubles numbers.
#[component]
pub struct Double {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Keeps what it receives.
#[component]
pub struct Keep<T: Send + 'static> {
    inbox: Inbox<T>,
}

impl<T: Send + 'static> Component for Keep<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Quadruples numbers.
#[prefab(
    /// Numbers to quadruple.
    inbox: Inbox<u64>,
    /// Each number, times four.
    outbox: Outbox<u64>,
)]
pub fn quadruple() -> Graph<QuadruplePorts> {
    graphline! {
        components { first: Double::new(), second: Double::new() }
        links {
            self.inbox -> first.inbox,
            first.outbox -> second.inbox,
            second.outbox -> self.outbox,
        }
    }
}

/// Octuples numbers.
#[prefab(inbox: Inbox<u64>, outbox: Outbox<u64>)]
pub fn octuple() -> Graph<OctuplePorts> {
    pipeline![quadruple(), Double::new()]
}

/// Keeps anything.
#[prefab(inbox: Inbox<T>)]
pub fn keeper<T>() -> Graph<KeeperPorts<T>>
where
    T: Send + 'static,
{
    pipeline![Keep::new()]
}

fn main() {
    let ports = Part::handles(&quadruple());
    let _: myelin::InboxPort<u64> = ports.inbox;
    let _: myelin::OutboxPort<u64> = ports.outbox;
    let _ = pipeline![octuple(), quadruple(), keeper()];
    let _ = graphline! {
        components { q: quadruple(), k: keeper() }
        links { q.outbox -> k.inbox }
    };
}
