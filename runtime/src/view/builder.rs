//! Putting a snapshot together: components as they describe themselves,
//! then links found by matching each outbox's target queue to the inbox
//! that owns it.

use std::collections::HashMap;
use std::sync::Arc;

use super::{ComponentView, End, LinkView, PortView, Snapshot};

/// A queue's identity: the address of its shared allocation, the same
/// whether reached from the inbox or from an outbox linked to it.
pub(crate) fn chan_id<T: ?Sized>(chan: &Arc<T>) -> usize {
    Arc::as_ptr(chan).cast::<()>() as usize
}

/// One component as it describes itself, with the queues its ports use.
pub(crate) struct Described {
    pub(crate) view: ComponentView,
    /// Each inbox's queue, in the order of `view.inboxes`.
    pub(crate) inbox_ids: Vec<usize>,
    /// Each outbox's target queue, in the order of `view.outboxes`.
    pub(crate) outbox_targets: Vec<Option<usize>>,
}

/// Collects components, then resolves their links (see
/// [`Part::snapshot`](crate::Part::snapshot)).
#[doc(hidden)]
#[derive(Default)]
pub struct Builder {
    components: Vec<Described>,
}

impl Builder {
    pub(crate) fn push(&mut self, described: Described) {
        self.components.push(described);
    }

    pub(crate) fn finish(self) -> Snapshot {
        let mut owners: HashMap<usize, (usize, usize)> = HashMap::new();
        for (c, d) in self.components.iter().enumerate() {
            for (i, id) in d.inbox_ids.iter().enumerate() {
                owners.insert(*id, (c, i));
            }
        }
        let mut links = Vec::new();
        for d in &self.components {
            for (port, target) in d.view.outboxes.iter().zip(&d.outbox_targets) {
                let Some(target) = target else { continue };
                let lifecycle = port.name == SIGNAL.name;
                if lifecycle && !owners.contains_key(target) {
                    continue;
                }
                let to = owners.get(target).map(|&(c, i)| {
                    let owner = &self.components[c].view;
                    End {
                        component: owner.path.clone(),
                        port: owner.inboxes[i].port.name,
                    }
                });
                links.push(LinkView {
                    from: End {
                        component: d.view.path.clone(),
                        port: port.name,
                    },
                    to,
                    message: port.message,
                    lifecycle,
                });
            }
        }
        Snapshot {
            components: self.components.into_iter().map(|d| d.view).collect(),
            links,
        }
    }
}

/// The built-in `control` inbox, as a port.
pub(crate) const CONTROL: PortView = PortView {
    name: "control",
    message: "Control",
    doc: "Lifecycle messages to the component (`Shutdown`, an upstream's `Finished`).",
};

/// The built-in `signal` outbox, as a port.
pub(crate) const SIGNAL: PortView = PortView {
    name: "signal",
    message: "Control",
    doc: "How the component ended (`Finished`, `Failed`, `Shutdown`).",
};
