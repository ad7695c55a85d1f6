//! The payloads of the frames that open and close a child's session.

use serde::{Deserialize, Serialize};

use crate::report::Outcome;

/// Bumped whenever the frames or these payloads change; a child built from
/// other sources refuses a parent that speaks another version.
pub(crate) const VERSION: u32 = 2;

/// About how many bytes of messages per inbox may be on their way to, or
/// waiting in, a child (a single larger message may still go alone). The
/// child hands credit back once a quarter of this has been taken.
pub(crate) const WINDOW_BYTES: u64 = 4 << 20;

/// The first frame, parent to child.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Hello {
    pub(crate) version: u32,
    /// `ProcessPorts::KEY` of the component to run.
    pub(crate) key: String,
    /// The component's path in the parent's system.
    pub(crate) name: String,
    /// Its encoded state fields.
    pub(crate) state: Vec<u8>,
    /// Send credit per inbox (`control` last): how many messages the parent
    /// may have in flight to each before the child hands credit back.
    pub(crate) windows: Vec<u32>,
}

/// The last frame, child to parent.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Done {
    pub(crate) outcome: WireOutcome,
    /// Per inbox (`control` last): how many messages reached the
    /// component's inbox. The parent knows which it sent after these (the
    /// ones that never arrived), and counts them unread unless they say
    /// nothing (an upstream's `Finished` on `control`).
    pub(crate) delivered: Vec<u64>,
    /// Per inbox: how many of those the component took (its unread ones
    /// already left out an upstream's `Finished`, as for any component).
    /// The parent counts the rest as unread.
    pub(crate) taken: Vec<u64>,
    /// Messages the component still held for an outbox when it was
    /// cancelled: `(outbox, count)`.
    pub(crate) unsent: Vec<(String, u64)>,
}

/// [`Outcome`] on the wire.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) enum WireOutcome {
    Finished,
    Failed(String),
    Cancelled,
    Stalled,
}

impl From<&Outcome> for WireOutcome {
    fn from(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Finished => Self::Finished,
            Outcome::Failed(reason) => Self::Failed(reason.clone()),
            Outcome::Cancelled => Self::Cancelled,
            Outcome::Stalled => Self::Stalled,
        }
    }
}

impl From<WireOutcome> for Outcome {
    fn from(outcome: WireOutcome) -> Self {
        match outcome {
            WireOutcome::Finished => Self::Finished,
            WireOutcome::Failed(reason) => Self::Failed(reason),
            WireOutcome::Cancelled => Self::Cancelled,
            WireOutcome::Stalled => Self::Stalled,
        }
    }
}
