//! Ends of a link held outside the system: a handle's `Sender` or
//! `Receiver`.
//!
//! Such an end follows one protocol, which [`External`] owns (as
//! crossbeam-channel's `counter.rs` owns its sender and receiver counts):
//!
//! - attaching: the link is pinned shared first (the end is used on
//!   another thread, so the link must never be bound to the scheduler's),
//!   then the end is linked, then counted as outside (`Chan::add_external`):
//!   from then on a component waiting on the link keeps a counted waker,
//!   and is not taken for stalled. A link that fails counts nothing.
//! - detaching: the end itself goes first (a `Sender`'s outbox ending the
//!   stream wakes the receiver while its waker still counts as a way in,
//!   so the scheduler never sees a moment with no way in and a wake-up
//!   still to come), then the count drops; at zero, the wakers registered
//!   on the link are cut down to task keys, so a deadlock inside the system
//!   is detected again. The owner gets this order by declaring its end
//!   before its `External`: fields drop in order.

use std::sync::Arc;

use super::chan::Chan;
use super::link::LinkError;

/// One end outside the system of the link behind `chan`, counted while it
/// lives.
pub(crate) struct External<T> {
    chan: Arc<Chan<T>>,
}

impl<T> External<T> {
    /// Attaches an end outside the system to the inbox `inbox` whose queue
    /// is `chan`: pins the link shared, runs `link` (which joins the end to
    /// it), and counts the end. Refused with [`LinkError::Running`] if the
    /// inbox's component has started or its link is bound to another
    /// thread's scheduler; nothing is counted if `link` fails.
    pub(crate) fn attach(
        chan: &Arc<Chan<T>>,
        inbox: &'static str,
        link: impl FnOnce() -> Result<(), LinkError>,
    ) -> Result<Self, LinkError> {
        if chan.is_started() || !chan.try_pin_shared() {
            return Err(LinkError::Running { inbox });
        }
        link()?;
        chan.add_external();
        Ok(Self { chan: chan.clone() })
    }

    /// Another end on the same link (a cloned `Sender`), joined by `link`:
    /// the link is pinned already, so this cannot fail.
    pub(crate) fn another(&self, link: impl FnOnce()) -> Self {
        link();
        self.chan.add_external();
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for External<T> {
    fn drop(&mut self) {
        self.chan.remove_external();
    }
}
