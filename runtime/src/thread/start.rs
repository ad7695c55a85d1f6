//! Starting parts from a running threaded component: the counterpart of
//! [`Context::start`](crate::Context::start) for a body on a thread of its
//! own.

use crate::graph::{IntoPart, Part, Spawner};
use crate::{Error, ThreadContext};

impl ThreadContext {
    /// Starts `part` in the running system, named under this component:
    /// `<this component>.<part's name><n>`, where `n` counts the parts this
    /// component has started.
    ///
    /// As with [`Context::start`](crate::Context::start), link the part to
    /// ports this component made for it first (its port handles come from
    /// [`Part::handles`]). It starts on the scheduler this component's
    /// proxy runs on, at its next look outside; messages sent to it
    /// meanwhile wait in its inboxes. Its links all stay shared (behind a
    /// lock), since this thread may be at either end of any of them: a
    /// part with busy links inside it is faster started from a generator
    /// component.
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
    /// /// Starts a `Double` from its thread, feeds it, checks what comes back.
    /// #[component(thread)]
    /// struct Boss {}
    ///
    /// impl ThreadComponent for Boss {
    ///     fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
    ///         let helper = Double::new().into_part();
    ///         let ports = helper.handles();
    ///         let mut to_helper: Outbox<u64> = Outbox::new("to_helper");
    ///         let mut from_helper: Inbox<u64> = Inbox::new("from_helper");
    ///         myelin::link(&to_helper.port(), &ports.inbox, None)?;
    ///         myelin::link(&ports.outbox, &from_helper.port(), None)?;
    ///         cx.start(helper)?;
    ///         for n in 1..=3 {
    ///             to_helper.blocking_send(n)?;
    ///             assert_eq!(from_helper.blocking_recv(), Some(2 * n));
    ///         }
    ///         drop(to_helper); // its end of stream ends the helper
    ///         assert_eq!(from_helper.blocking_recv(), None);
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
    /// If the system is stopping, the part is not started and the error
    /// says so.
    pub fn start(&mut self, part: impl IntoPart + Send + 'static) -> Result<(), Error> {
        self.started += 1;
        let part = part.into_part();
        let path = format!("{}.{}{}", self.name(), part.default_name(), self.started);
        let accepted = self.shared.remote.submit(Box::new(move |core| {
            let mut spawner = Spawner::home_only(core);
            spawner.keep_shared = true;
            part.start(path, &mut spawner);
            spawner.finish();
        }));
        if accepted {
            Ok(())
        } else {
            Err(Error::msg("cannot start a part: the system is stopping"))
        }
    }
}
