//! myelin: typed, compile-time-checked components wired into pipelines and
//! graphlines, run on a generator scheduler.
//!
//! TODO(crate docs) — filled in below.

#![doc(test(attr(deny(warnings))))]

mod component;
mod context;
mod control;
mod error;
mod graph;
mod port;
mod report;
mod scheduler;
mod sync;
mod wiring;

pub use component::{Component, ComponentInfo, PortInfo, Ports};
pub use context::{Context, Pause, YieldNow};
pub use control::Control;
pub use error::{Error, SendError, SendErrorKind, TryRecvError};
pub use graph::{Graph, IntoPart, Node, Part, run};
pub use myelin_macros::{component, graphline, pipeline};
pub use port::{Inbox, InboxPort, LinkError, Outbox, OutboxPort, RecvFuture, SendFuture, link};
pub use report::{ComponentReport, Outcome, Report, Undelivered};

/// The names a component file needs: `use myelin::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Component, Context, Control, Error, Inbox, Outbox, component, graphline, pipeline, run,
    };
}

/// What the macros' generated code refers to. Not a public API: it may change
/// in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::component::{ComponentInfo, PortInfo, Ports};
    pub use crate::graph::{Graph, IntoPart, Part, Spawner};
    pub use crate::port::{AnyInbox, InboxPort, OutboxPort};
    pub use crate::wiring::{MaybeInbox, MaybeOutbox, NoPort, PipelinePorts};
    pub use crate::{Control, Inbox, Outbox};
    pub use core::option::Option::{self, None, Some};
    pub use core::result::Result;
    pub use std::string::String;

    /// Converts a component or graph into a part.
    pub fn part<P: IntoPart>(p: P) -> P::Part {
        p.into_part()
    }

    /// Links two ports whose types the macro has already checked.
    pub fn link<T>(from: &OutboxPort<T>, to: &InboxPort<T>, capacity: Option<usize>) {
        if let Err(e) = crate::port::link(from, to, capacity) {
            // The macros reject duplicate links at compile time; this is reached
            // only when a nested graph's passthrough was already linked.
            panic!("myelin: {e}");
        }
    }
}
