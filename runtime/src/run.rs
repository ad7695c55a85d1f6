//! Running a system to its end on the calling thread.

use std::sync::Arc;

use crate::graph::{IntoPart, Part, Spawner};
use crate::scheduler::local::{self, Core, IdleWatch};
use crate::scheduler::registry::Remote;
use crate::{Error, Report};

/// Starts `system` on the calling thread and runs it until every component
/// has ended.
///
/// Returns the [`Report`](crate::Report) when every component finished (or
/// was cancelled by a requested shutdown), and an [`Error`] carrying the
/// report when any failed or the system stalled (every remaining component
/// waiting for a message that nothing could send).
///
/// ```
/// use myelin::prelude::*;
///
/// #[component]
/// struct Count {
///     outbox: Outbox<u32>,
///     upto: u32,
/// }
///
/// impl Component for Count {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for i in 1..=self.upto {
///             self.outbox.send(i).await?;
///         }
///         Ok(())
///     }
/// }
///
/// #[component]
/// struct Sum {
///     inbox: Inbox<u32>,
///     #[state(default)]
///     total: u32,
/// }
///
/// impl Component for Sum {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         while let Some(n) = self.inbox.recv().await {
///             self.total += n;
///         }
///         assert_eq!(self.total, 55);
///         Ok(())
///     }
/// }
///
/// let report = myelin::run(pipeline![Count::new(10), Sum::new()])?;
/// assert_eq!(report.components().len(), 2);
/// # Ok::<(), myelin::Error>(())
/// ```
pub fn run(system: impl IntoPart) -> Result<Report, Error> {
    run_with(system, |_| {})
}

/// `run`, telling `started` how to reach the scheduler from other threads
/// once the system has started.
pub(crate) fn run_with(
    system: impl IntoPart,
    started: impl FnOnce(&Arc<Remote>),
) -> Result<Report, Error> {
    run_named(system, String::new(), None, started)
}

/// `run_with`, naming the system's root `path` (a process component's
/// child runs its component under the name it has in the parent), and
/// telling `idle` when the scheduler idles instead of ending the run as
/// stalled.
pub(crate) fn run_named(
    system: impl IntoPart,
    path: String,
    idle: Option<Arc<dyn IdleWatch>>,
    started: impl FnOnce(&Arc<Remote>),
) -> Result<Report, Error> {
    if local::is_inside() {
        return Err(Error::msg(
            "myelin::run was called from inside a running component; \
             add the components to the running system instead",
        ));
    }
    let core = Core::new();
    if let Some(watch) = idle {
        core.watch_idle(watch);
    }
    let part = system.into_part();
    let mut spawner = Spawner::new(&core);
    part.start(path, &mut spawner);
    spawner.finish();
    started(core.remote());
    let report = core.run();
    if report.is_success() {
        Ok(report)
    } else {
        Err(Error::run_failed(report))
    }
}
