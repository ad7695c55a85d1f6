//! Parts with a placement: where their components run when a system has
//! several schedulers.

use crate::Control;
use crate::graph::{IntoPart, Nested, Part, Spawner};
use crate::port::{InboxPort, OutboxPort};
use crate::scheduler::placement::Want as Placement;

/// Placing any part (a component, a pipeline, a graphline) on schedulers:
/// implemented for everything that is [`IntoPart`], and in the prelude.
pub trait Place: IntoPart + Sized {
    /// Runs every generator component of this part on scheduler `index`
    /// (counted from 0, the scheduler of the thread that runs the system;
    /// taken modulo the number of schedulers the system has), instead of
    /// where the placement policy would put it (see [`Runtime`](crate::Runtime)
    /// and the book's chapter on scheduling).
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::components::{Collect, Source};
    ///
    /// let collect = Collect::<i32>::new();
    /// let got = collect.collected();
    /// // The source runs on the second scheduler, the sink on the first.
    /// let system = pipeline![Source::new(vec![1, 2, 3]).on_scheduler(1), collect];
    /// myelin::Runtime::new().schedulers(2).run(system)?;
    /// assert_eq!(got.take(), [1, 2, 3]);
    /// # Ok::<(), myelin::Error>(())
    /// ```
    fn on_scheduler(self, index: usize) -> crate::Placed<Self::Part> {
        Placed::new(self.into_part(), Placement::On(index))
    }

    /// Keeps every generator component of this part on one scheduler,
    /// whichever the placement policy picks: for a graph whose components
    /// talk so much that a hop between threads would cost more than running
    /// side by side gains.
    fn together(self) -> crate::Placed<Self::Part> {
        Placed::new(self.into_part(), Placement::Together)
    }
}

impl<P: IntoPart> Place for P {}

/// A part whose generator components run where it says, built by
/// [`Place::on_scheduler`] or [`Place::together`]. It links, nests
/// and runs exactly like the part it wraps.
pub struct Placed<P> {
    part: P,
    placement: Placement,
}

impl<P> Placed<P> {
    pub(crate) fn new(part: P, placement: Placement) -> Self {
        Self { part, placement }
    }
}

impl<P: Part> Part for Placed<P> {
    type Handles = P::Handles;

    fn handles(&self) -> P::Handles {
        self.part.handles()
    }

    fn control_port(&self) -> InboxPort<Control> {
        self.part.control_port()
    }

    fn signal_port(&self) -> OutboxPort<Control> {
        self.part.signal_port()
    }

    fn default_name(&self) -> &'static str {
        self.part.default_name()
    }

    fn start(self, path: String, spawner: &mut Spawner<'_>) {
        spawner.start_placed(path, self.part, self.placement);
    }

    fn describe(&self, path: &str, out: &mut crate::view::Builder) {
        self.part.describe(path, out);
    }

    fn take_nested(&mut self) -> Nested {
        self.part.take_nested()
    }
}

#[diagnostic::do_not_recommend]
impl<P: Part> IntoPart for Placed<P> {
    type Part = Self;
    fn into_part(self) -> Self {
        self
    }
}
