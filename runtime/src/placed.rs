//! Parts with a placement: where their components run when a system has
//! several schedulers.

use crate::Control;
use crate::graph::{IntoPart, Nested, Part, Spawner};
use crate::port::{InboxPort, OutboxPort};

/// Where a [`Placed`] part's components run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// On the scheduler with this index.
    On(usize),
    /// All on one scheduler, chosen by the placement policy.
    Together,
}

/// A part whose generator components run where it says, built by
/// [`IntoPart::on_scheduler`] or [`IntoPart::together`]. It links, nests
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
