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
    pub use crate::wiring::{
        ChildPorts, MaybeInbox, MaybeOutbox, NoPort, PipelinePorts, add_child,
    };
    pub use crate::{Control, Inbox, Outbox};
    pub use core::option::Option::{self, None, Some};
    pub use core::result::Result;
    pub use std::string::String;

    /// What a port can carry: any `Send + 'static` type. The trait exists for
    /// its message, which `#[component]` makes rustc show at the field's type.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be a message: port messages must be `Send + 'static`",
        label = "not `Send + 'static`",
        note = "a message can cross threads and outlive its sender: use `Arc` rather than \
                `Rc`, and owned data rather than borrows"
    )]
    pub trait Message: Send + 'static {}

    impl<T: Send + 'static> Message for T {}

    /// The port operations `#[component]` needs for message type `T`.
    ///
    /// Only [`message`] makes one, and it requires `T: Message`; the methods
    /// themselves have no bounds. So a message type that is not
    /// `Send + 'static` fails that one bound, reported once at the field's
    /// type, instead of failing every `Inbox`/`Outbox` method call.
    pub struct MessageOps<T> {
        inbox: fn(&'static str, Option<usize>) -> Inbox<T>,
        outbox: fn(&'static str) -> Outbox<T>,
        inbox_port: fn(&Inbox<T>) -> InboxPort<T>,
        outbox_port: fn(&Outbox<T>) -> OutboxPort<T>,
        any_inbox: for<'a> fn(&'a Inbox<T>) -> &'a dyn AnyInbox,
    }

    /// The port operations for `T`, checking that `T` can be a message.
    pub const fn message<T: Message>() -> MessageOps<T> {
        MessageOps {
            inbox: |name, capacity| match capacity {
                Some(capacity) => Inbox::bounded(name, capacity),
                None => Inbox::new(name),
            },
            outbox: Outbox::new,
            inbox_port: Inbox::port,
            outbox_port: Outbox::port,
            any_inbox: |inbox| inbox,
        }
    }

    impl<T> MessageOps<T> {
        /// A new inbox; bounded when `capacity` is given.
        pub fn inbox(self, name: &'static str, capacity: Option<usize>) -> Inbox<T> {
            (self.inbox)(name, capacity)
        }
        /// A new outbox.
        pub fn outbox(self, name: &'static str) -> Outbox<T> {
            (self.outbox)(name)
        }
        /// [`Inbox::port`].
        pub fn inbox_port(self, inbox: &Inbox<T>) -> InboxPort<T> {
            (self.inbox_port)(inbox)
        }
        /// [`Outbox::port`].
        pub fn outbox_port(self, outbox: &Outbox<T>) -> OutboxPort<T> {
            (self.outbox_port)(outbox)
        }
        /// The inbox as the runtime's type-erased view.
        pub fn any_inbox(self, inbox: &Inbox<T>) -> &dyn AnyInbox {
            (self.any_inbox)(inbox)
        }
    }

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
