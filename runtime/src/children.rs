//! Starting parts from a running component.
//!
//! Kamaelia components create and activate children at run time (a server
//! one protocol handler per connection, a Carousel one child per request).
//! Here a component builds any part (a component, a pipeline, a
//! graphline), links it to ports it made for it (an [`Inboxes`] or
//! [`Outboxes`] group, or a plain [`Inbox`]/[`Outbox`]), and starts it in
//! the running system with [`Context::start`]. The links are checked when
//! they are made, with the same types as the macros check.
//!
//! [`Inboxes`]: crate::Inboxes
//! [`Outboxes`]: crate::Outboxes
//! [`Inbox`]: crate::Inbox
//! [`Outbox`]: crate::Outbox

use std::sync::Arc;

use crate::graph::{Group, GroupGuard, Groups, IntoPart, Part, Spawner};
use crate::scheduler::current;
use crate::{Context, Error};

impl Context {
    /// Starts `part` in the running system, on this component's scheduler,
    /// named under this component: `<this component>.<part's name><n>`,
    /// where `n` counts the parts this component has started.
    ///
    /// Link the part to this component's ports before starting it (its
    /// port handles come from [`Part::handles`]; links into a running
    /// system can be made only from inside it). It starts at the
    /// scheduler's next look outside, after the current resume; messages
    /// sent to it meanwhile wait in its inboxes. It is then a component
    /// of the system like any other: it shows in the report, a failure
    /// stays with it, and a shutdown cancels it. It does not end when this
    /// component ends (close the outboxes that feed it, or send it
    /// [`Control::Shutdown`](crate::Control::Shutdown)).
    ///
    /// ```
    /// use myelin::prelude::*;
    ///
    /// /// Doubles what it receives.
    /// #[component]
    /// struct Double {
    ///     inbox: Inbox<u64>,
    ///     outbox: Outbox<u64>,
    /// }
    ///
    /// impl Component for Double {
    ///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
    ///         while let Some(n) = self.inbox.recv().await {
    ///             self.outbox.send(n * 2).await?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// /// Starts a `Double`, feeds it, and checks what comes back.
    /// #[component]
    /// struct Boss {}
    ///
    /// impl Component for Boss {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         let helper = Double::new().into_part();
    ///         let ports = helper.handles();
    ///         let mut to_helper: Outbox<u64> = Outbox::new("to_helper");
    ///         let mut from_helper: Inbox<u64> = Inbox::new("from_helper");
    ///         myelin::link(&to_helper.port(), &ports.inbox, None)?;
    ///         myelin::link(&ports.outbox, &from_helper.port(), None)?;
    ///         cx.start(helper)?;
    ///         to_helper.send(21).await?;
    ///         drop(to_helper); // its end of stream ends the helper
    ///         assert_eq!(from_helper.recv().await, Some(42));
    ///         assert_eq!(from_helper.recv().await, None);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let report = myelin::run(pipeline![Boss::new()])?;
    /// assert!(report.component("Boss.Double1").is_some());
    /// # Ok::<(), myelin::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the system is stopping (or this is not called from a running
    /// component), the part is not started and the error says so.
    pub fn start(&mut self, part: impl IntoPart + Send + 'static) -> Result<(), Error> {
        self.started += 1;
        let part = part.into_part();
        let name = format!("{}.{}{}", self.name(), part.default_name(), self.started);
        start_here(name, part, None)
    }

    /// Starts `part` as [`start`](Context::start) does, named
    /// `<this component>.<name>`: give each part a name of its own.
    ///
    /// # Errors
    /// As [`start`](Context::start).
    pub fn start_named(
        &mut self,
        name: &str,
        part: impl IntoPart + Send + 'static,
    ) -> Result<(), Error> {
        self.started += 1;
        let name = format!("{}.{name}", self.name());
        start_here(name, part.into_part(), None)
    }

    /// Starts `part` as [`start_named`](Context::start_named) does, in a
    /// group of its own that tells when every component in it has ended
    /// (and dropped its ports), and how the first to fail failed: what a
    /// supervisor waits on.
    pub(crate) fn start_watched(
        &mut self,
        name: &str,
        part: impl Part,
    ) -> Result<Arc<Group>, Error> {
        self.started += 1;
        let name = format!("{}.{name}", self.name());
        let (group, groups) = Group::watch();
        start_here(name, part, groups)?;
        Ok(group)
    }
}

fn start_here(path: String, part: impl Part, groups: Groups) -> Result<(), Error> {
    // Holds the group open until the part's members have counted
    // themselves in; dropped with the command if it never runs.
    let starting = groups.clone().map(|g| GroupGuard::new(Some(g)));
    let accepted = current::submit_here(Box::new(move |core| {
        let mut spawner = Spawner::home_only(core);
        spawner.groups = groups;
        part.start(path, &mut spawner);
        spawner.finish();
        drop(starting);
    }));
    if accepted {
        Ok(())
    } else {
        Err(Error::msg(
            "cannot start a part: the system is stopping, or this is not a running component",
        ))
    }
}
