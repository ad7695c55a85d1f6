//! The part a process component becomes in a system.

use std::sync::Arc;

use super::parent::{self, Session};
use super::wire::{StateWriter, wire};
use super::{ProcessPorts, Wires};
use crate::graph::{Node, Part, Spawner};
use crate::port::{InboxPort, OutboxPort};
use crate::{Component, Control};

/// A process component with its built-in `control` and `signal` boxes.
pub struct ProcessNode<C> {
    node: Node<C>,
}

impl<C: Component + ProcessPorts> ProcessNode<C> {
    /// Wraps `component`, giving it its `control` and `signal` boxes.
    pub fn new(component: C) -> Self {
        Self {
            node: Node::wrap(component),
        }
    }
}

#[diagnostic::do_not_recommend]
impl<C: Component + ProcessPorts> crate::IntoPart for ProcessNode<C> {
    type Part = Self;
    fn into_part(self) -> Self {
        self
    }
}

impl<C: Component + ProcessPorts> Part for ProcessNode<C> {
    type Handles = C::Handles;

    fn handles(&self) -> C::Handles {
        self.node.port_handles()
    }

    fn control_port(&self) -> InboxPort<Control> {
        self.node.control_port_any()
    }

    fn signal_port(&self) -> OutboxPort<Control> {
        self.node.signal_port_any()
    }

    fn default_name(&self) -> &'static str {
        C::INFO.name
    }

    fn describe(&self, path: &str, out: &mut crate::view::Builder) {
        self.node.describe_as(path, crate::view::Kind::Process, out);
    }

    fn start(self, path: String, spawner: &mut Spawner<'_>) {
        let (mut component, control, mut signal) = self.node.into_parts();
        let name: Arc<str> = if path.is_empty() {
            C::INFO.name.into()
        } else {
            path.into()
        };
        let seen = crate::describe::seen(
            spawner.core,
            &component,
            &control,
            &signal,
            &name,
            crate::view::Kind::Process,
        );
        // Every link this component touches has an end on a bridge thread.
        crate::thread::pin_links(&mut component, &control, &mut signal, spawner, &name);
        let mut writer = StateWriter::default();
        let state = component
            .encode_state(&mut writer)
            .map(|()| writer.bytes)
            .map_err(|e| format!("could not send its state to its child process: {e}"));
        let mut wires: Wires = component.take_wires();
        // What is left holds only the state, already encoded.
        drop(component);
        let mut control = control;
        wire::<Control>().take_inbox(&mut wires, &mut control);
        parent::start(
            Session {
                name,
                key: C::KEY,
                state,
                wires,
                signal,
            },
            spawner,
            seen,
        );
    }
}
