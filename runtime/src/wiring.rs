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
pub trait MaybeInbox {
    /// `InboxPort<T>` or `NoPort`.
    type Port: Clone;
    /// The handle.
    fn inbox_port(&self) -> Self::Port;
}

/// The `outbox` of a port-handle struct, or [`NoPort`].
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
