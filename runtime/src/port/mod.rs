//! Inboxes, outboxes and the links between them.
//!
//! In Axon a box is a named slot in a dict, checked when the line runs. Here an
//! inbox is an [`Inbox<T>`] field and an outbox an [`Outbox<T>`] field: a
//! message of the wrong type does not compile, and neither does a link between
//! boxes of different types (the wiring macros check every link).
//!
//! Wiring happens before a system starts, through the port handles
//! ([`InboxPort`], [`OutboxPort`]) that `#[component]` generates for each
//! component. Each inbox owns its queue; linking points an outbox at it.
//! Fan-in (several outboxes to one inbox) is allowed; fan-out is not: one
//! outbox has one destination, so every message has one owner.

mod blocking;
pub(crate) mod chan;
mod external;
mod group;
mod inbox;
mod link;
mod outbox;
mod ready;

pub(crate) use chan::Chan;
pub(crate) use external::External;
pub use group::{DuplicateKey, GroupPort, Inboxes, Outboxes, RecvAny};
pub use inbox::{Inbox, RecvFuture};
pub(crate) use link::link_another_handle;
pub use link::{InboxPort, LinkError, OutboxPort, link};
pub use outbox::{Outbox, SendFuture};
pub use ready::{
    FirstReady, TakeReady, Watch, blocking_first_ready, first_ready, take_ready, watch,
};

use crate::scheduler::current;
use crate::scheduler::registry::Abandoned;
use crate::view::registry::InboxStats;

/// Marks a queue made for a component already running (its `control`,
/// made when first asked for) started, and binds it to the scheduler on
/// this thread, as starting the component would have.
pub(crate) fn started_here<T: Send + 'static>(chan: &Chan<T>) {
    chan.mark_started();
    if let Some(token) = current::scheduler_token() {
        chan.bind_local(token);
    }
}

/// The type-erased view of an inbox the runtime needs: binding it to its
/// scheduler, and asking whether it has a message.
#[doc(hidden)]
pub trait AnyInbox {
    /// The inbox's queue, as the runtime sees it.
    fn link_state(&self) -> std::sync::Arc<dyn LinkState>;
}

/// What the runtime does with a link's queue while starting a system.
#[doc(hidden)]
pub trait LinkState: Readiness + Abandoned + InboxStats {
    /// Binds it to the thread with `token` (see
    /// `scheduler::current::thread_token`), where its scheduler runs
    /// (unless it is pinned shared).
    fn bind_local(&self, token: usize);
    /// Keeps it shared: one end is on another thread.
    fn pin_shared(&self);
    /// Records that its receiving component has started.
    fn mark_started(&self);
    /// Whether its receiving component has started (`true` also when it
    /// is bound to another thread's scheduler).
    fn is_started(&self) -> bool;
}

/// The type-erased view of an outbox the runtime needs.
#[doc(hidden)]
pub trait AnyOutbox {
    /// Fixes the outbox's destination as its component starts: takes the
    /// linked inbox (if any) from the shared slot and closes the slot, so the
    /// links a running component sees never change under it.
    fn seal(&mut self);

    /// The queue it sends into, once sealed and if linked.
    fn target_state(&self) -> Option<std::sync::Arc<dyn LinkState>>;

    /// Its declared name.
    fn port_name(&self) -> &'static str;

    /// The queue it leads to, sealed or not (a system not yet running is
    /// pictured from its links as made).
    fn peek_target(&self) -> Option<std::sync::Arc<dyn LinkState>>;
}

/// Whether an inbox has a message, registering a waker when it has none.
#[doc(hidden)]
pub trait Readiness: Send + Sync {
    /// `true` if a message is queued; otherwise registers `waker`.
    fn ready_or_register(&self, waker: &std::task::Waker) -> bool;
    /// Whether one end of the link is outside the system (a handle's).
    fn is_external(&self) -> bool;
}

impl<T: Send + 'static> Readiness for Chan<T> {
    fn ready_or_register(&self, waker: &std::task::Waker) -> bool {
        Chan::ready_or_register(self, waker)
    }
    fn is_external(&self) -> bool {
        Chan::is_external(self)
    }
}

impl<T: Send + 'static> LinkState for Chan<T> {
    fn bind_local(&self, token: usize) {
        Chan::bind_local(self, token);
    }
    fn pin_shared(&self) {
        Chan::pin_shared(self);
    }
    fn mark_started(&self) {
        Chan::mark_started(self);
    }
    fn is_started(&self) -> bool {
        Chan::is_started(self)
    }
}

impl<T: Send + 'static> InboxStats for Chan<T> {
    fn read_counts(&self) -> Option<crate::view::InboxCounts> {
        Chan::read_counts(self)
    }
    fn read_capacity(&self) -> Option<usize> {
        self.try_capacity().flatten()
    }
    fn message_type(&self) -> &'static str {
        crate::view::short_type_name::<T>()
    }
}

impl<T: Send + 'static> Abandoned for Chan<T> {
    fn take_abandoned(&self) -> usize {
        Chan::take_abandoned(self)
    }
}
