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

/// Reads what is left on a finished component's `control`. An upstream
/// `Finished` left unread says nothing the end of the data stream did not;
/// anything else (a `Shutdown` nobody acted on) is reported as undelivered.
pub(crate) fn settle(control: &mut crate::Inbox<Control>) {
    let mut unread = 0;
    while let Ok(msg) = control.try_recv() {
        if !matches!(msg, Control::Finished { .. }) {
            unread += 1;
        }
    }
    if unread > 0 {
        crate::scheduler::local::record_backlog("control", unread);
    }
}

/// Sends how a component ended on its `signal`.
pub(crate) fn announce(signal: &mut crate::Outbox<Control>, name: &str, outcome: &crate::Outcome) {
    let msg = match outcome {
        crate::Outcome::Failed(reason) => Control::Failed {
            component: name.to_owned(),
            reason: reason.clone(),
        },
        _ => Control::Finished {
            component: name.to_owned(),
        },
    };
    // An unlinked or finished `signal` is normal; the report has the outcome.
    let _ = signal.try_send(msg);
}
