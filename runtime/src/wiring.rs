//! Support for the code `pipeline!` and `graphline!` generate.
//!
//! A pipeline's own `inbox` is its first stage's `inbox`, if that stage has
//! one, and its `outbox` the last stage's `outbox`. The macro cannot see the
//! stages' types, so the choice is made by traits on the generated port-handle
//! structs: [`MaybeInbox`] and [`MaybeOutbox`] give the `inbox`/`outbox`
//! handle, or [`NoPort`] when there is none.

use crate::Control;
use crate::graph::{Graph, IntoPart, Part};
use crate::port::{InboxPort, OutboxPort};

/// The ports of a child just added to a graph: its typed handles and its
/// built-in `control` and `signal`.
#[derive(Debug)]
pub struct ChildPorts<H> {
    /// The child's port handles.
    pub handles: H,
    /// The child's `control` inbox.
    pub control: InboxPort<Control>,
    /// The child's `signal` outbox.
    pub signal: OutboxPort<Control>,
}

/// Adds `part` (a component or a graph) to `graph` as a child and returns
/// its ports, for linking.
///
/// One call rather than `into_part`, `Part::handles` and `Graph::child` in
/// the generated code: an expression that is not a part then fails one
/// bound, `P: IntoPart`, reported once at the expression, instead of again
/// wherever the part is used.
pub fn add_child<H, P: IntoPart>(
    graph: Graph<H>,
    name: Option<&'static str>,
    part: P,
) -> (Graph<H>, ChildPorts<<P::Part as Part>::Handles>) {
    let part = part.into_part();
    let ports = ChildPorts {
        handles: part.handles(),
        control: part.control_port(),
        signal: part.signal_port(),
    };
    (graph.child(name, part), ports)
}

/// Stands for a port a part does not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoPort;

/// Implemented by [`NoPort`] alone: a pipeline's data link between two
/// stages is left out when both ends are absent, and `Unit` is then the
/// message type of the link that is not made.
pub trait Absent {
    /// `()`.
    type Unit;
}

impl Absent for NoPort {
    type Unit = ();
}

/// The `inbox` of a port-handle struct, or [`NoPort`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `inbox` or `outbox` a pipeline can find",
    label = "a pipeline stage whose handles are `{Self}`",
    note = "a pipeline links the `inbox` and `outbox` of the handles that `#[component]`, \
            `#[prefab]`, `pipeline!` and `graphline!` generate; to give a function that \
            returns a graph such handles, mark it `#[prefab]`"
)]
pub trait MaybeInbox {
    /// `InboxPort<T>` or `NoPort`.
    type Port: Clone;
    /// The handle.
    fn inbox_port(&self) -> Self::Port;
}

/// The `outbox` of a port-handle struct, or [`NoPort`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `inbox` or `outbox` a pipeline can find",
    label = "a pipeline stage whose handles are `{Self}`",
    note = "a pipeline links the `inbox` and `outbox` of the handles that `#[component]`, \
            `#[prefab]`, `pipeline!` and `graphline!` generate; to give a function that \
            returns a graph such handles, mark it `#[prefab]`"
)]
pub trait MaybeOutbox {
    /// `OutboxPort<T>` or `NoPort`.
    type Port: Clone;
    /// The handle.
    fn outbox_port(&self) -> Self::Port;
}

/// The port handles of a `pipeline!`: its first stage's `inbox` and its last
/// stage's `outbox` (each [`NoPort`] when that stage has none), and the
/// built-in `control` and `signal`.
#[derive(Debug)]
pub struct PipelinePorts<I, O> {
    /// The first stage's `inbox`.
    pub inbox: I,
    /// The last stage's `outbox`.
    pub outbox: O,
    /// The first stage's `control`.
    pub control: InboxPort<Control>,
    /// The last stage's `signal`.
    pub signal: OutboxPort<Control>,
}

impl<I: Clone, O: Clone> Clone for PipelinePorts<I, O> {
    fn clone(&self) -> Self {
        Self {
            inbox: self.inbox.clone(),
            outbox: self.outbox.clone(),
            control: self.control.clone(),
            signal: self.signal.clone(),
        }
    }
}

impl<I: Clone, O> OwnPort<{ port_key("inbox") }> for PipelinePorts<I, O> {
    type Port = I;
    fn own_port(&self) -> I {
        self.inbox.clone()
    }
}

impl<I, O: Clone> OwnPort<{ port_key("outbox") }> for PipelinePorts<I, O> {
    type Port = O;
    fn own_port(&self) -> O {
        self.outbox.clone()
    }
}

impl<I: Clone, O> MaybeInbox for PipelinePorts<I, O> {
    type Port = I;
    fn inbox_port(&self) -> I {
        self.inbox.clone()
    }
}

impl<I, O: Clone> MaybeOutbox for PipelinePorts<I, O> {
    type Port = O;
    fn outbox_port(&self) -> O {
        self.outbox.clone()
    }
}

/// The two ends of a link, before the link's type check: [`SameMessage`]
/// and [`OtherMessage`] let inference carry the message type from either
/// end to the other.
///
/// The type check itself (the macros' `__Link`) infers one way only: from
/// the destination to the source, since its message names the types of both
/// and must see the source's. So `Infer(&from, &to).infer()` comes first,
/// called as a method: rustc picks [`SameMessage`] when the two ends can
/// carry one type, making them carry it (a generic sink such as
/// `Collect::new()` then needs no turbofish), and falls back to
/// [`OtherMessage`], which does nothing, when they cannot; the type check
/// then reports the mismatch, once.
#[derive(Debug)]
pub struct Infer<'a, F, T>(pub &'a F, pub &'a T);

/// See [`Infer`]: an outbox and an inbox of one message type.
pub trait SameMessage {
    /// Does nothing; choosing this method is what unifies the types.
    fn infer(self);
}

impl<T> SameMessage for Infer<'_, OutboxPort<T>, InboxPort<T>> {
    fn infer(self) {}
}

/// See [`Infer`]: any other pair, left to the link's type check.
pub trait OtherMessage {
    /// Does nothing.
    fn infer(&self);
}

impl<F, T> OtherMessage for Infer<'_, F, T> {
    fn infer(&self) {}
}

/// A graph's own port named `NAME` (see [`port_key`]): how `#[prefab]`
/// finds, by name, the ports of the graph its function builds.
/// `graphline!` implements it for each port it passes through, and
/// [`PipelinePorts`] for `inbox` and `outbox`.
pub trait OwnPort<const NAME: u128> {
    /// `InboxPort<T>`, `OutboxPort<T>`, or [`NoPort`].
    type Port;
    /// The handle.
    fn own_port(&self) -> Self::Port;
}

/// A port name as a number, for [`OwnPort`] (FNV-1a, 128 bits: port names
/// are few and short, and a collision would still have to match in type).
pub const fn port_key(name: &str) -> u128 {
    let bytes = name.as_bytes();
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u128;
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        i += 1;
    }
    hash
}

/// Implemented by a `#[prefab]`'s ports struct for each port it declares.
pub trait Declares<const NAME: u128> {}

/// The graph handles `Self` have no own port that the prefab ports `P` do
/// not declare: `graphline!` implements it when `P` declares each of its
/// own ports, so that a prefab cannot hide one of them by mistake.
#[diagnostic::on_unimplemented(
    message = "`{P}` does not declare every port of the graph its prefab returns",
    note = "declare each port the graph passes through in `#[prefab(..)]`"
)]
pub trait DeclaredIn<P> {}

// A pipeline's ends may be absent (`NoPort`): a prefab declares those it
// offers.
impl<I, O, P> DeclaredIn<P> for PipelinePorts<I, O> {}

/// What a `#[prefab]` function returns: `graph`, named `name` unless the
/// wiring names it, with the handles `ports` makes from the graph's own
/// handles, `control` and `signal`.
pub fn prefab<H: DeclaredIn<P>, P>(
    graph: Graph<H>,
    name: &'static str,
    ports: impl FnOnce(&H, InboxPort<Control>, OutboxPort<Control>) -> P,
) -> Graph<P> {
    graph.into_prefab(name, ports)
}

/// A part with an `inbox` of `In` and an `outbox` of `Out`: what a
/// pipeline stage has, and what a chassis such as
/// [`Carousel`](crate::components::Carousel) takes as a child. Every
/// component, `#[prefab]`, pipeline and graphline whose handles have such
/// an `inbox` and `outbox` is one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stage taking `{In}` and sending `{Out}`",
    label = "needs an `inbox: Inbox<{In}>` and an `outbox: Outbox<{Out}>`",
    note = "a stage is a component (or prefab, pipeline, graphline) whose ports include an \
            `inbox` and an `outbox` of those message types"
)]
pub trait Stage<In, Out>: Part {
    /// The part's `inbox` and `outbox`, for linking.
    fn stage_ports(&self) -> (InboxPort<In>, OutboxPort<Out>);
}

impl<P, In, Out> Stage<In, Out> for P
where
    P: Part,
    P::Handles: MaybeInbox<Port = InboxPort<In>> + MaybeOutbox<Port = OutboxPort<Out>>,
{
    fn stage_ports(&self) -> (InboxPort<In>, OutboxPort<Out>) {
        let handles = self.handles();
        (handles.inbox_port(), handles.outbox_port())
    }
}

/// A part with an `outbox` of `Out` (and perhaps no inbox): what a
/// [`Par`](crate::components::Par) runs side by side.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `outbox` sending `{Out}`",
    label = "needs an `outbox: Outbox<{Out}>`",
    note = "a producer is a component (or prefab, pipeline, graphline) whose ports include an \
            `outbox` of that message type"
)]
pub trait Producer<Out>: Part {
    /// The part's `outbox`, for linking.
    fn producer_port(&self) -> OutboxPort<Out>;
}

impl<P, Out> Producer<Out> for P
where
    P: Part,
    P::Handles: MaybeOutbox<Port = OutboxPort<Out>>,
{
    fn producer_port(&self) -> OutboxPort<Out> {
        self.handles().outbox_port()
    }
}
