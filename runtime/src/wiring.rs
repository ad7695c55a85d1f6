//! Support for the code `pipeline!` and `graphline!` generate.
//!
//! A pipeline's own `inbox` is its first stage's `inbox`, if that stage has
//! one, and its `outbox` the last stage's `outbox`. The macro cannot see the
//! stages' types, so the choice is made by traits on the generated port-handle
//! structs: [`MaybeInbox`] and [`MaybeOutbox`] give the `inbox`/`outbox`
//! handle, or [`NoPort`] when there is none.

use crate::Control;
use crate::port::{InboxPort, OutboxPort};

/// Stands for a port a part does not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoPort;

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
