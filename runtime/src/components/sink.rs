//! Sinks: components that end a stream (Axon's `Collate` and `NullSink`).

use std::sync::Arc;

// User-facing state, never part of a loom model: the plain mutex, not the
// runtime's switchable one.
use parking_lot::Mutex;

use super::{Count, finish, recv};
use crate::{Component, Context, Error, Inbox, component};

/// What a [`Collect`] has received, shared between it and you.
///
/// The component adds each message as it arrives, so nothing is lost even
/// if the system is shut down before the input ends; [`take`] after the
/// run gives you everything. A clone shares the same list.
///
/// [`take`]: Collected::take
#[derive(Debug)]
pub struct Collected<T>(Arc<Mutex<Vec<T>>>);

impl<T> Collected<T> {
    /// Takes everything received so far, in order, leaving the list empty.
    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.0.lock())
    }

    /// Everything received, in order: the same as [`take`](Self::take), by
    /// value.
    pub fn into_inner(self) -> Vec<T> {
        self.take()
    }

    /// How many messages it holds now.
    pub fn len(&self) -> usize {
        self.0.lock().len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&self, msg: T) {
        self.0.lock().push(msg);
    }
}

impl<T> Clone for Collected<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Default for Collected<T> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Vec::new())))
    }
}

/// Keeps every message it receives, in order, for you to take when the run
/// is over (Axon's `Collate`, which sends its list when shut down; this one
/// hands it to you).
///
/// Get the list's handle with [`collected`](Collect::collected) before the
/// component goes into the system. The component finishes when its input
/// ends, or at once on `Shutdown`; what it received until then is in the
/// list either way.
///
/// ```
/// use myelin::components::{Collect, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<i32>::new();
/// let got = collect.collected();
/// myelin::run(pipeline![Source::new(vec![3, 1, 2]), collect])?;
/// assert_eq!(got.take(), [3, 1, 2]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Collect<T: Send + 'static> {
    /// Messages to keep.
    inbox: Inbox<T>,
    #[state(default)]
    kept: Collected<T>,
}

impl<T: Send + 'static> Collect<T> {
    /// A handle on the list this component fills.
    pub fn collected(&self) -> Collected<T> {
        self.kept.clone()
    }
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for Collect<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            async {
                while let Some(msg) = recv(&mut self.inbox, cx).await? {
                    self.kept.push(msg);
                }
                Ok(())
            }
            .await,
        )
    }
}

/// Reads every message and keeps none, counting them (Axon's `NullSink`).
///
/// Get the count's handle with [`discarded`](Discard::discarded) before
/// the component goes into the system.
///
/// ```
/// use myelin::components::{Discard, Source};
/// use myelin::pipeline;
///
/// let sink = Discard::<&str>::new();
/// let read = sink.discarded();
/// myelin::run(pipeline![Source::new(["a", "b", "c"]), sink])?;
/// assert_eq!(read.get(), 3);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Discard<T: Send + 'static> {
    /// Messages to drop.
    inbox: Inbox<T>,
    #[state(default)]
    count: Count,
}

impl<T: Send + 'static> Discard<T> {
    /// A handle on the number of messages it has read and dropped.
    pub fn discarded(&self) -> Count {
        self.count.clone()
    }
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for Discard<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            async {
                while recv(&mut self.inbox, cx).await?.is_some() {
                    self.count.add(1);
                }
                Ok(())
            }
            .await,
        )
    }
}
