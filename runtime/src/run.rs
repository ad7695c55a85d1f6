//! Running a system to its end on the calling thread.

use std::sync::Arc;

use crate::graph::{IntoPart, Part, Spawner};
use crate::scheduler::current;
use crate::scheduler::local::{Core, IdleWatch};
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
    run_on(
        system,
        crate::scheduler::system::default_schedulers(),
        false,
    )
}

/// `run` on up to `schedulers` schedulers, introspected or not.
pub(crate) fn run_on(
    system: impl IntoPart,
    schedulers: usize,
    introspect: bool,
) -> Result<Report, Error> {
    let mut remote = None;
    let report = run_report(system, String::new(), None, (schedulers, introspect), |r| {
        remote = Some(r.clone());
    });
    hand_out(report, remote.as_deref())
}

/// Runs `system` as `run` does, telling `started` how to reach the
/// scheduler from other threads once the system has started, and returns
/// the report as it stands when the system has ended, not yet handed out
/// (`Ok` even for a failed run): `spawn`'s thread, whose report
/// `Handle::join` hands out with [`hand_out`].
pub(crate) fn run_with(
    system: impl IntoPart,
    schedulers: usize,
    introspect: bool,
    started: impl FnOnce(&Arc<Remote>),
) -> Result<Report, Error> {
    run_report(
        system,
        String::new(),
        None,
        (schedulers, introspect),
        started,
    )
}

/// `run`, naming the system's root `path` (a process component's child
/// runs its component under the name it has in the parent), telling `idle`
/// when the scheduler idles instead of ending the run as stalled, and
/// `started` how to reach the scheduler once the system has started. One
/// scheduler: only it can tell the watcher that it idles.
pub(crate) fn run_named(
    system: impl IntoPart,
    path: String,
    idle: Option<Arc<dyn IdleWatch>>,
    started: impl FnOnce(&Arc<Remote>),
) -> Result<Report, Error> {
    let mut remote = None;
    let report = run_report(system, path, idle, (1, false), |r| {
        remote = Some(r.clone());
        started(r);
    });
    hand_out(report, remote.as_deref())
}

fn run_report(
    system: impl IntoPart,
    path: String,
    idle: Option<Arc<dyn IdleWatch>>,
    (schedulers, introspect): (usize, bool),
    started: impl FnOnce(&Arc<Remote>),
) -> Result<Report, Error> {
    if current::is_inside() {
        return Err(Error::msg(
            "myelin::run was called from inside a running component; \
             add the components to the running system instead",
        ));
    }
    let core = Core::new(schedulers);
    if introspect {
        // Before any component starts: each registers as it does.
        let _ = core.remote().view.set(Arc::default());
    }
    if let Some(watch) = idle {
        core.watch_idle(watch);
    }
    let part = system.into_part();
    let mut spawner = Spawner::new(&core);
    part.start(path, &mut spawner);
    spawner.finish();
    started(core.remote());
    let mut report = core.run();
    report.set_backplanes(core.remote().places.backplane_reports());
    Ok(report)
}

/// Hands out the report of a run that has ended (`run` returning, or
/// `Handle::join`): first it counts what the inboxes outside the system
/// (a handle's `Receiver`, an inbox on a plain thread) left when they were
/// dropped, if they were dropped by now (later drops cannot change a
/// report already handed out); then it turns a failed run into an error.
pub(crate) fn hand_out(
    run: Result<Report, Error>,
    remote: Option<&Remote>,
) -> Result<Report, Error> {
    let mut report = run?;
    if let Some(remote) = remote {
        for end in remote.take_outside() {
            let count = end.link.take_abandoned();
            if count > 0 {
                report.add_outside(&end.from, end.port, count);
            }
        }
    }
    if report.is_success() {
        Ok(report)
    } else {
        Err(Error::run_failed(report))
    }
}
