//! Axon's `Introspector`: the system's own picture, sent as messages.

use std::time::{Duration, Instant};

use super::timed::shutdown_before;
use super::{send, stopped};
use crate::view::{Snapshot, State};
use crate::{Component, Context, Error, Outbox};

/// Sends a [`Snapshot`] of its own system every `period`, the first at
/// once, so that what the system is doing can itself be piped anywhere: to
/// a file, a socket, a viewer. Axon's `Introspector`, which sent a
/// scheduler's components and linkages as text.
///
/// It ends after `count` snapshots if [`take`](Introspector::take) set
/// one, on a `Shutdown` on its `control`, and once a snapshot shows every
/// component it watches ended (that last snapshot is sent first), so a
/// system it watches still ends on its own. It watches every component
/// but itself and those its snapshots flow to, which wait for it. The system must be started with
/// [`Runtime::introspect`](crate::Runtime::introspect); otherwise it fails
/// at once, saying so.
///
/// ```
/// use std::time::Duration;
///
/// use myelin::components::{Collect, Introspector, Source};
/// use myelin::prelude::*;
///
/// let snapshots = Collect::new();
/// let seen = snapshots.collected();
/// let system = graphline! {
///     components {
///         source: Source::new(0..3u32),
///         sink: Collect::<u32>::new(),
///         look: Introspector::every(Duration::from_millis(1)),
///         out: snapshots,
///     }
///     links {
///         source.outbox -> sink.inbox,
///         look.outbox -> out.inbox,
///     }
/// };
/// myelin::Runtime::new().introspect().run(system)?;
/// let last = seen.take().pop().expect("at least one snapshot");
/// let sink = last.component("sink").unwrap();
/// assert_eq!(sink.state, Some(myelin::view::State::Finished));
/// assert_eq!(sink.inboxes[0].counts.unwrap().taken, 3);
/// # Ok::<(), myelin::Error>(())
/// ```
#[crate::component]
pub struct Introspector {
    /// A snapshot of the whole system each period: every component with
    /// its state, every port and link, and what each inbox has seen.
    outbox: Outbox<Snapshot>,
    period: Duration,
    count: Option<u64>,
}

impl Introspector {
    /// A snapshot every `period`, until stopped or alone.
    ///
    /// # Panics
    /// If `period` is zero.
    pub fn every(period: Duration) -> Self {
        assert!(
            !period.is_zero(),
            "Introspector: the period must not be zero"
        );
        Self::new(period, None)
    }

    /// Stops after `count` snapshots.
    #[must_use]
    pub fn take(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }
}

#[diagnostic::do_not_recommend]
impl Component for Introspector {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut due = Instant::now();
        let mut n = 0;
        while self.count.is_none_or(|count| n < count) {
            if shutdown_before(cx, due).await {
                return Ok(());
            }
            let snapshot = cx.snapshot()?;
            let alone = watches_nothing(&snapshot, cx.name());
            if stopped(send(&mut self.outbox, snapshot, cx).await)? || alone {
                return Ok(());
            }
            n += 1;
            due += self.period;
            let now = Instant::now();
            if due <= now {
                due = now + self.period;
            }
        }
        Ok(())
    }
}

/// Whether every component of `snapshot` has ended, except the one at
/// `me` and those downstream of it (which wait for its snapshots), and
/// there was at least one such component to watch.
fn watches_nothing(snapshot: &Snapshot, me: &str) -> bool {
    let mut downstream = vec![me.to_owned()];
    let mut i = 0;
    while let Some(from) = downstream.get(i).cloned() {
        for link in &snapshot.links {
            if let Some(to) = &link.to
                && link.from.component == from
                && !downstream.contains(&to.component)
            {
                downstream.push(to.component.clone());
            }
        }
        i += 1;
    }
    let mut watched = snapshot
        .components
        .iter()
        .filter(|c| !downstream.contains(&c.path))
        .peekable();
    watched.peek().is_some()
        && watched.all(|c| {
            matches!(
                c.state,
                Some(State::Finished | State::Failed(_) | State::Cancelled)
            )
        })
}
