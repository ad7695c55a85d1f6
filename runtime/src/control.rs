//! The messages of the built-in `control` inbox and `signal` outbox.
//!
//! Axon has three overlapping shutdown messages (`producerFinished`,
//! `shutdownMicroprocess` and a legacy `shutdown`) and lets each component
//! pick which it honours. myelin has one typed enum, and the runtime emits it
//! itself: `Finished` or `Failed` goes out on a component's `signal` when its
//! body ends, whatever the body did.

use std::fmt;

/// A lifecycle message, carried by every component's `control` inbox and
/// `signal` outbox.
// Serialisable so that `control` and `signal` cross to process components.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Control {
    /// The named component finished normally: it will send nothing more.
    /// (Axon's `producerFinished`.)
    Finished {
        /// The sender's path in the system.
        component: String,
    },
    /// A request to stop now. (Axon's `shutdownMicroprocess`.)
    Shutdown,
    /// The named component failed.
    Failed {
        /// The failed component's path in the system.
        component: String,
        /// Its error or panic message.
        reason: String,
    },
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finished { component } => write!(f, "{component} finished"),
            Self::Shutdown => f.write_str("shutdown requested"),
            Self::Failed { component, reason } => write!(f, "{component} failed: {reason}"),
        }
    }
}
