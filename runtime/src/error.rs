//! Errors: the one a component body returns, and the ones a port gives back.
//!
//! A send that cannot be delivered never loses its message: [`SendError`]
//! carries it back to the caller.

use std::any::Any;
use std::fmt;

use crate::report::Report;

/// The error type of component bodies and of [`run`](crate::run).
///
/// Any `std::error::Error + Send + Sync` converts into it with `?`, so a body can
/// use I/O, parsing and port operations alike. Like `anyhow::Error`, it does
/// not itself implement `std::error::Error` (that would conflict with the
/// blanket conversion); it converts into `Box<dyn std::error::Error + Send + Sync>`.
pub struct Error {
    kind: ErrorKind,
}

enum ErrorKind {
    Message(String),
    Source(Box<dyn std::error::Error + Send + Sync>),
    Run(Box<Report>),
}

impl Error {
    /// An error with just a message.
    ///
    /// ```
    /// let e = myelin::Error::msg("bad input on line 3");
    /// assert_eq!(e.to_string(), "bad input on line 3");
    /// ```
    pub fn msg(message: impl fmt::Display) -> Self {
        Self {
            kind: ErrorKind::Message(message.to_string()),
        }
    }

    pub(crate) fn run_failed(report: Report) -> Self {
        Self {
            kind: ErrorKind::Run(Box::new(report)),
        }
    }

    /// For the error returned by [`run`](crate::run): the full report of the
    /// run that failed.
    pub fn report(&self) -> Option<&Report> {
        match &self.kind {
            ErrorKind::Run(report) => Some(report),
            _ => None,
        }
    }

    /// The underlying error, when this one was converted from another.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match &self.kind {
            ErrorKind::Source(e) => Some(&**e),
            _ => None,
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(e: E) -> Self {
        Self {
            kind: ErrorKind::Source(Box::new(e)),
        }
    }
}

impl From<Error> for Box<dyn std::error::Error + Send + Sync> {
    fn from(e: Error) -> Self {
        match e.kind {
            ErrorKind::Source(source) => source,
            kind => Box::new(Standalone(Error { kind }.to_string())),
        }
    }
}

#[derive(Debug)]
struct Standalone(String);

impl fmt::Display for Standalone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Standalone {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Message(m) => f.write_str(m),
            ErrorKind::Source(e) => {
                write!(f, "{e}")?;
                let mut source = e.source();
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                Ok(())
            }
            ErrorKind::Run(report) => {
                let failed: Vec<_> = report
                    .components()
                    .iter()
                    .filter(|c| {
                        !matches!(
                            c.outcome,
                            crate::Outcome::Finished | crate::Outcome::Cancelled
                        )
                    })
                    .collect();
                write!(
                    f,
                    "{} of {} components did not finish",
                    failed.len(),
                    report.components().len()
                )?;
                for c in failed {
                    write!(f, "\n  {}: {}", c.name, c.outcome)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `fn main() -> Result<(), Error>` prints this: make it the readable form.
        fmt::Display::fmt(self, f)
    }
}

/// Why a message could not be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendErrorKind {
    /// The outbox is not linked to any inbox.
    Unlinked,
    /// The receiving component has finished; nothing will read the message.
    Closed,
    /// The receiving inbox is bounded and full (only from `try_send`).
    Full,
    /// The system is shutting down under the threaded component that was
    /// sending: from `blocking_send` where it would block, and from
    /// `try_send` where it would answer [`Full`](Self::Full) (room may
    /// never come: the receiver is being cancelled too).
    Cancelled,
    /// The outbox belongs to a generator component and was moved to another
    /// thread: its link is bound to that component's scheduler. Move the
    /// component, not its ports (or use a threaded component or a handle).
    /// Returned by `try_send` and `blocking_send`; an `async` send from the
    /// wrong thread panics instead, to keep the send path to one compare.
    Misplaced,
    /// A port group ([`Outboxes`](crate::Outboxes)) has no outbox under the
    /// key the message was sent to.
    NoSuchKey,
}

/// A message that could not be sent, handed back to the sender.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::SendErrorKind;
///
/// let mut out: Outbox<u32> = Outbox::new("outbox");
/// let err = out.try_send(7).unwrap_err();
/// assert_eq!(err.kind(), SendErrorKind::Unlinked);
/// assert_eq!(err.into_inner(), 7); // nothing is lost
/// ```
pub struct SendError<T> {
    message: T,
    kind: SendErrorKind,
    port: &'static str,
}

impl<T> SendError<T> {
    pub(crate) fn new(message: T, kind: SendErrorKind, port: &'static str) -> Self {
        Self {
            message,
            kind,
            port,
        }
    }

    /// Why the send failed.
    pub fn kind(&self) -> SendErrorKind {
        self.kind
    }

    /// The outbox the send was attempted on.
    pub fn port(&self) -> &'static str {
        self.port
    }

    /// Takes the message back.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// The message, to inspect or change before retrying.
    pub fn message_mut(&mut self) -> &mut T {
        &mut self.message
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.kind {
            SendErrorKind::Unlinked => "it is not linked to any inbox",
            SendErrorKind::Closed => "the receiving component has finished",
            SendErrorKind::Full => "the receiving inbox is full",
            SendErrorKind::Cancelled => "the system is shutting down",
            SendErrorKind::Misplaced => {
                "it belongs to a generator component on another thread's scheduler"
            }
            SendErrorKind::NoSuchKey => "the port group has no port under that key",
        };
        write!(f, "cannot send on `{}`: {why}", self.port)
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("port", &self.port)
            .field("kind", &self.kind)
            .field("message", &std::any::type_name::<T>())
            .finish()
    }
}

impl<T> std::error::Error for SendError<T> {}

// SAFETY: a `&SendError<T>` gives no access to the message (only `into_inner`
// and `message_mut` reach it, and they need ownership or `&mut`), so sharing
// references across threads cannot share a `T`. This lets a `SendError` of a
// non-`Sync` message still convert into `Error` with `?`.
unsafe impl<T: Send> Sync for SendError<T> {}

/// Why [`Inbox::try_recv`](crate::Inbox::try_recv) returned no message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing is queued now; more may come.
    Empty,
    /// Nothing is queued and every linked sender has finished: end of stream.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("inbox is empty"),
            Self::Closed => f.write_str("inbox is closed: every sender has finished"),
        }
    }
}

impl std::error::Error for TryRecvError {}

/// Why [`Inbox::recv_timeout`](crate::Inbox::recv_timeout) returned no
/// message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvTimeoutError {
    /// Nothing arrived in time; more may come.
    Timeout,
    /// The stream has ended (or the system is shutting down).
    Closed,
}

impl fmt::Display for RecvTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("no message arrived in time"),
            Self::Closed => f.write_str("inbox is closed: every sender has finished"),
        }
    }
}

impl std::error::Error for RecvTimeoutError {}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked with a non-string payload".to_owned()
    }
}
