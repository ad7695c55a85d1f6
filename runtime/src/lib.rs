//! Typed components wired into pipelines and graphlines, checked at compile
//! time and run on a generator scheduler.
//!
//! myelin re-imagines Kamaelia's Axon for Rust. A **component** is a struct
//! marked [`#[component]`](macro@component) whose [`Inbox<T>`] and
//! [`Outbox<T>`] fields are its ports; its behaviour is an `async` body
//! ([`Component::main`]) that receives, sends and pauses. Components are
//! wired with [`pipeline!`] and [`graphline!`], and a link between an outbox
//! and an inbox of different message types does not compile: the error names
//! both ports and both types. [`run`] drives the system until every component
//! has ended and returns a [`Report`].
//!
//! ```
//! use myelin::prelude::*;
//!
//! /// Sends the numbers in a range.
//! #[component]
//! pub struct Numbers {
//!     /// The numbers, in order.
//!     outbox: Outbox<i64>,
//!     range: std::ops::RangeInclusive<i64>,
//! }
//!
//! impl Component for Numbers {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         for n in self.range.clone() {
//!             self.outbox.send(n).await?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! /// Doubles every number it receives.
//! #[component]
//! pub struct Double {
//!     /// Numbers to double.
//!     inbox: Inbox<i64>,
//!     /// The doubled numbers.
//!     outbox: Outbox<i64>,
//! }
//!
//! impl Component for Double {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         // Pauses until a message arrives; `None` once upstream has
//!         // finished and everything it sent has been read.
//!         while let Some(n) = self.inbox.recv().await {
//!             self.outbox.send(n * 2).await?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! /// Adds up what it receives and checks the total.
//! #[component]
//! pub struct Check {
//!     /// Numbers to add.
//!     inbox: Inbox<i64>,
//!     expected: i64,
//! }
//!
//! impl Component for Check {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         let mut total = 0;
//!         while let Some(n) = self.inbox.recv().await {
//!             total += n;
//!         }
//!         if total == self.expected {
//!             Ok(())
//!         } else {
//!             Err(Error::msg(format!("total {total}, expected {}", self.expected)))
//!         }
//!     }
//! }
//!
//! fn main() -> Result<(), myelin::Error> {
//!     let system = graphline! {
//!         components {
//!             numbers: Numbers::new(1..=10),
//!             double: Double::new(),
//!             check: Check::new(110),
//!         }
//!         links {
//!             numbers.outbox -> double.inbox,
//!             double.outbox -> check.inbox,
//!         }
//!     };
//!     let report = myelin::run(system)?;
//!     assert_eq!(report.components().len(), 3);
//!
//!     // The same chain, as a pipeline.
//!     myelin::run(pipeline![Numbers::new(1..=10), Double::new(), Check::new(110)])?;
//!     Ok(())
//! }
//! ```
//!
//! # Three kinds of component
//!
//! The same struct and the same links serve three ways of running:
//!
//! - `#[component]`: an `async` body, driven as a generator on the
//!   scheduler (the default; cheapest by far). One scheduler by default;
//!   [`Runtime`] spreads generators over one per core for heavy work.
//! - `#[component(thread)]`: a blocking body on its own OS thread
//!   ([`ThreadComponent`]), for blocking libraries and I/O.
//! - `#[component(process)]`: an `async` body in a child OS process
//!   ([`process`]), for CPU-heavy work on more cores and for isolation; its
//!   messages are serialised.
//!
//! # Why the body looks like this
//!
//! The body is an ordinary `async fn` that takes `&mut self` and a
//! [`Context`]. Ports stay fields of `self`, so a send reads
//! `self.outbox.send(x)` and the borrow checker sees which port is used; the
//! context carries only what every component has (its name, the built-in
//! `control` inbox and `signal` outbox, [`Context::pause`],
//! [`Context::yield_now`], [`Context::shutdown_system`]). `recv` and `send`
//! do not take the context: the scheduler reaches the running component
//! through a thread-local, which keeps bodies as short as the Axon original.
//!
//! # What the runtime guarantees
//!
//! - **No silent loss.** A send on an unlinked outbox, or to a component that
//!   has finished, is an `Err` carrying the message ([`SendError`]). Messages
//!   left unread when a component ends are counted in the [`Report`].
//! - **Backpressure.** Inboxes are unbounded unless given a capacity; a full
//!   bounded inbox makes [`Outbox::send`] wait and [`Outbox::try_send`] hand
//!   the message back.
//! - **Failures are isolated.** A body that returns `Err` or panics ends only
//!   that component: [`Control::Failed`] goes out on its `signal`, the rest
//!   keeps running, and `run` returns an [`Error`] carrying the report.
//! - **Nothing hangs silently.** If every remaining component waits for a
//!   message that nothing can send, `run` reports them as
//!   [`Outcome::Stalled`] instead of blocking forever, across threads and
//!   child processes alike, and at [`meeting`] places (with one exception,
//!   described under [`process`]; and while code outside the system holds
//!   its meeting places, a wait there counts as a wait on the outside).
//! - **Idle components cost nothing.** A paused component is not in the run
//!   queue; a delivery puts it back.
//!
//! See the book (`book/` in the repository) for a guided tour, and
//! `BENCHMARKS.md` for measured costs.

#![doc(test(attr(deny(warnings))))]

// The ready-made components in `components` are `#[component]`s, whose
// generated code names this crate `::myelin`.
extern crate self as myelin;

mod children;
mod component;
pub mod components;
mod context;
mod control;
mod describe;
mod error;
mod graph;
mod handle;
mod lifecycle;
pub mod meeting;
mod placed;
mod port;
#[cfg(unix)]
pub mod process;
mod report;
mod run;
mod runtime;
mod scheduler;
mod services;
mod sync;
mod thread;
pub mod time;
mod trace;
pub mod view;
mod wiring;

pub use component::{Component, ComponentInfo, PortInfo, Ports};
pub use context::{Context, Pause, YieldNow};
pub use control::Control;
pub use error::{Error, RecvTimeoutError, SendError, SendErrorKind, TryRecvError};
pub use graph::{Graph, IntoPart, Node, Part};
pub use handle::{Handle, JoinFuture, Receiver, Sender, spawn};
#[doc = include_str!("../../macros/doc/component.md")]
pub use myelin_macros::component;
#[doc = include_str!("../../macros/doc/graphline.md")]
pub use myelin_macros::graphline;
#[doc = include_str!("../../macros/doc/pipeline.md")]
pub use myelin_macros::pipeline;
#[doc = include_str!("../../macros/doc/prefab.md")]
pub use myelin_macros::prefab;
pub use placed::{Place, Placed};
pub use port::{
    DuplicateKey, FirstReady, GroupPort, Inbox, InboxPort, Inboxes, LinkError, Outbox, OutboxPort,
    Outboxes, RecvAny, RecvFuture, SendFuture, Watch, blocking_first_ready, first_ready, link,
};
pub use report::{
    BackplaneReport, ComponentReport, Outcome, Report, Restart, RestartCause, SubscriptionReport,
    Undelivered,
};
pub use run::run;
pub use runtime::{Runtime, SCHEDULERS_ENV};
pub use services::ServiceError;
pub use thread::{ThreadComponent, ThreadContext, ThreadNode};
pub use wiring::{Producer, Stage};

/// The names a component file needs, and code generic over parts
/// ([`Part`], [`IntoPart`]): `use myelin::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Component, Context, Control, Error, Graph, Inbox, IntoPart, Outbox, Part, Place,
        ThreadComponent, ThreadContext, component, graphline, pipeline, prefab, run, select,
    };
}

/// What the macros' generated code refers to. Not a public API: it may change
/// in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::component::{Component, ComponentInfo, PortInfo, Ports};
    pub use crate::graph::{Graph, IntoPart, Node, Part, Spawner};
    pub use crate::port::{
        AnyInbox, AnyOutbox, InboxPort, OutboxPort, TakeReady, take_ready, watch,
    };
    #[cfg(unix)]
    pub use crate::process::{
        ProcessEntry, ProcessNode, ProcessPorts, StateOps, StateReader, StateWriter, Wire,
        WireError, WireOps, WireState, Wires, state, wire,
    };
    pub use crate::thread::ThreadComponent;
    pub use crate::thread::ThreadNode;
    pub use crate::wiring::{
        Absent, ChildPorts, DeclaredIn, Declares, Infer, MaybeInbox, MaybeOutbox, NoPort,
        OtherMessage, OwnPort, PipelinePorts, SameMessage, add_child, port_key, prefab,
    };
    pub use crate::{Control, Inbox, Outbox};
    pub use core::option::Option::{self, None, Some};
    pub use core::result::Result;
    pub use inventory;
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
        any_outbox: for<'a> fn(&'a mut Outbox<T>) -> &'a mut dyn AnyOutbox,
        any_outbox_ref: for<'a> fn(&'a Outbox<T>) -> &'a dyn AnyOutbox,
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
            any_outbox: |outbox| outbox,
            any_outbox_ref: |outbox| outbox,
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

        /// The outbox as the runtime's type-erased view.
        pub fn any_outbox(self, outbox: &mut Outbox<T>) -> &mut dyn AnyOutbox {
            (self.any_outbox)(outbox)
        }

        /// The outbox as the runtime's type-erased view, to read.
        pub fn any_outbox_ref(self, outbox: &Outbox<T>) -> &dyn AnyOutbox {
            (self.any_outbox_ref)(outbox)
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

    /// Links two consecutive pipeline stages' data ports, if both have
    /// them: stages with neither are linked by `signal` and `control` alone.
    pub fn link_stages<T>(from: Option<&OutboxPort<T>>, to: Option<&InboxPort<T>>) {
        if let (Some(from), Some(to)) = (from, to) {
            link(from, to, None);
        }
    }
}
