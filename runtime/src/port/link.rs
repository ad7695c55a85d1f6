//! Port handles and linking.

use std::fmt;
use std::sync::Arc;

use super::chan::Chan;
use crate::scheduler::current;
use crate::sync::{Mutex, lock};

/// Where an outbox points. Shared between the outbox and its port handles so
/// that a link made through a handle (or through a graphline's passthrough)
/// reaches the outbox wherever it has moved.
pub(crate) enum Target<T> {
    Unlinked,
    Linked(Arc<Chan<T>>),
    /// The outbox took its destination when its component started.
    Taken,
}

pub(crate) type Slot<T> = Arc<Mutex<Target<T>>>;

/// A handle on an inbox, used to link outboxes to it before the system
/// starts. Generated port structs (`DoublePorts`, ...) hold one per inbox.
pub struct InboxPort<T> {
    pub(crate) chan: Arc<Chan<T>>,
    name: &'static str,
}

impl<T> InboxPort<T> {
    pub(crate) fn new(chan: Arc<Chan<T>>, name: &'static str) -> Self {
        Self { chan, name }
    }

    /// The inbox's declared name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn has_senders(&self) -> bool {
        self.chan.has_senders()
    }

    /// Its capacity, `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.chan.capacity()
    }

    /// Keeps what the inbox holds when its component ends, for
    /// [`take_kept`](InboxPort::take_kept) (a supervisor's hold on a
    /// child's queue).
    pub(crate) fn keep(&self) {
        self.chan.keep();
    }

    /// Ends [`keep`](InboxPort::keep): what the ended component left, in
    /// order; nothing while it still runs (its drop will count them).
    pub(crate) fn take_kept(&self) -> std::collections::VecDeque<T> {
        self.chan.take_kept()
    }
}

impl<T> Clone for InboxPort<T> {
    fn clone(&self) -> Self {
        Self {
            chan: self.chan.clone(),
            name: self.name,
        }
    }
}

impl<T> fmt::Debug for InboxPort<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "InboxPort<{}>({})",
            std::any::type_name::<T>(),
            self.name
        )
    }
}

/// A handle on an outbox, used to link it to an inbox before the system
/// starts.
pub struct OutboxPort<T> {
    pub(crate) slot: Slot<T>,
    name: &'static str,
}

impl<T> OutboxPort<T> {
    pub(crate) fn new(slot: Slot<T>, name: &'static str) -> Self {
        Self { slot, name }
    }

    /// The outbox's declared name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether it has been linked.
    pub fn is_linked(&self) -> bool {
        !matches!(*lock(&self.slot), Target::Unlinked)
    }
}

impl<T> Clone for OutboxPort<T> {
    fn clone(&self) -> Self {
        Self {
            slot: self.slot.clone(),
            name: self.name,
        }
    }
}

impl<T> fmt::Debug for OutboxPort<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OutboxPort<{}>({})",
            std::any::type_name::<T>(),
            self.name
        )
    }
}

/// Why a link could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkError {
    /// The outbox already has a destination: one outbox feeds one inbox.
    /// Fan out with a component instead, so each message keeps one owner.
    AlreadyLinked {
        /// The outbox.
        outbox: &'static str,
    },
    /// The outbox's component is already running.
    Started {
        /// The outbox.
        outbox: &'static str,
    },
    /// The inbox belongs to a system that is already running on another
    /// thread: link (or create handles) before starting it, or add the new
    /// parts with [`Handle::add`](crate::Handle::add), which links on the
    /// system's own thread.
    Running {
        /// The inbox.
        inbox: &'static str,
    },
    /// A capacity of zero was asked for.
    ZeroCapacity {
        /// The inbox.
        inbox: &'static str,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyLinked { outbox } => write!(
                f,
                "outbox `{outbox}` is already linked; an outbox has one destination"
            ),
            Self::Started { outbox } => {
                write!(f, "outbox `{outbox}` belongs to a running component")
            }
            Self::Running { inbox } => write!(
                f,
                "inbox `{inbox}` belongs to a system running on another thread; \
                 link before starting it, or inside `Handle::add`"
            ),
            Self::ZeroCapacity { inbox } => {
                write!(f, "inbox `{inbox}`: a link capacity must be at least 1")
            }
        }
    }
}

impl std::error::Error for LinkError {}

/// Links `from` to `to`; with `capacity`, also bounds `to` to that many
/// queued messages (replacing the capacity it was declared with).
///
/// The wiring macros call this once per link, after checking at compile time
/// that both ends carry the same type, so their links cannot fail; code that
/// wires by hand gets the error.
///
/// ```
/// use myelin::{Inbox, Outbox, link};
///
/// let inbox: Inbox<u8> = Inbox::new("inbox");
/// let outbox: Outbox<u8> = Outbox::new("outbox");
/// link(&outbox.port(), &inbox.port(), Some(4)).unwrap();
/// assert_eq!(inbox.capacity(), Some(4));
/// assert!(link(&outbox.port(), &inbox.port(), None).is_err()); // no fan-out
/// ```
pub fn link<T>(
    from: &OutboxPort<T>,
    to: &InboxPort<T>,
    capacity: Option<usize>,
) -> Result<(), LinkError> {
    if capacity == Some(0) {
        return Err(LinkError::ZeroCapacity { inbox: to.name });
    }
    let mut target = lock(&from.slot);
    match *target {
        Target::Unlinked => {}
        Target::Linked(_) => return Err(LinkError::AlreadyLinked { outbox: from.name }),
        Target::Taken => return Err(LinkError::Started { outbox: from.name }),
    }
    // Into a running system only from its own thread (`Handle::add`, or a
    // component): from outside it would attach an end the system cannot see.
    if !to.chan.accessible_here() || (to.chan.is_started() && !current::is_inside()) {
        return Err(LinkError::Running { inbox: to.name });
    }
    if capacity.is_some() {
        to.chan.set_capacity(capacity);
    }
    to.chan.add_sender();
    *target = Target::Linked(to.chan.clone());
    Ok(())
}

/// Links a fresh, unlinked outbox to an inbox that already has an end
/// outside the system (cloning a handle's sender): allowed while the system
/// runs, since the inbox's stream is already held open from outside.
pub(crate) fn link_another_handle<T>(from: &OutboxPort<T>, to: &InboxPort<T>) {
    let mut target = lock(&from.slot);
    debug_assert!(matches!(*target, Target::Unlinked));
    to.chan.add_sender();
    *target = Target::Linked(to.chan.clone());
}
