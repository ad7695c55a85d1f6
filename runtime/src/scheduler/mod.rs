//! Running components.
//!
//! Today every generator component of a system runs on the thread that called
//! [`run`](crate::run), on the cooperative scheduler in [`local`]. The pieces are
//! split so that more kinds fit beside it: wakers ([`waker`]) are plain task
//! addresses that any thread can use through the [`registry`], so a component
//! on another thread, an OS poller or another scheduler core wakes a generator
//! exactly as an inbox delivery does. What runs on the calling thread (a
//! scheduler's task, or a component's helper thread) is known to
//! [`current`], which every layer above may ask; helper threads park through
//! a [`park::Parker`] the stall detector can see.

pub(crate) mod current;
pub(crate) mod local;
pub(crate) mod park;
pub(crate) mod placement;
pub(crate) mod registry;
mod run_queue;
pub(crate) mod system;
pub(crate) mod timer;
pub(crate) mod waker;

pub(crate) use waker::WakeRef;
