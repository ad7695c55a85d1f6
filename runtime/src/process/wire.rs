//! What crosses a process boundary, and the type-erased port ends that carry
//! it.
//!
//! A process component's ports are ordinary `Inbox<T>`/`Outbox<T>` fields.
//! On each side of the boundary a thread moves messages between those typed
//! ports and the socket, so it needs them erased: a [`WireSource`] is an
//! inbox it takes messages from and encodes, a [`WireSink`] an outbox it
//! decodes messages into. In the parent they are the component's own ports
//! (which its links already reach); in the child they are mirror ports
//! linked to the rebuilt component's.
//!
//! Messages and state are encoded with postcard: compact, with a documented
//! and stable wire format, and decoding untrusted bytes never allocates more
//! than the input can justify.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::Waker;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::port::{Chan, Inbox, Outbox, link};

/// A message type that can cross a process boundary: serialisable with
/// serde, and a message (`Send + 'static`).
///
/// Every port of a `#[component(process)]` must carry one; the macro makes
/// rustc check it at the port's type. What rustc cannot check: messages
/// cross as postcard, which is not self-describing, so a type whose serde
/// impls need `deserialize_any` (`#[serde(untagged)]`, internally tagged
/// enums, `serde_json::Value`) or maps of unknown length
/// (`#[serde(flatten)]`) compiles, then fails its component with an error
/// naming the port and the type when the first such message crosses (see
/// "Types postcard cannot carry" in the book's chapter on process
/// components).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross a process boundary: the messages of a process \
               component's ports must be serialisable",
    label = "this port's message type must implement `serde::Serialize` and \
             `serde::Deserialize`",
    note = "derive both for it (`#[derive(serde::Serialize, serde::Deserialize)]`): \
            messages travel to and from the child process as bytes"
)]
pub trait Wire: Serialize + DeserializeOwned + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Wire for T {}

/// A state field type that can be sent to a child process.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to a child process: the state fields of a process \
               component must be serialisable",
    label = "this state field's type must implement `serde::Serialize` and \
             `serde::Deserialize`",
    note = "the parent creates the component and sends its state to the child; derive \
            both traits for the type, or mark the field `#[state(default)]` so that the \
            child creates it with `Default::default()`"
)]
pub trait WireState: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> WireState for T {}

/// A message or state that could not be encoded or decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    what: String,
    reason: String,
    /// The type itself cannot be carried (see [`WireError::unsupported`]);
    /// otherwise the bytes or the value were at fault.
    unsupported: bool,
}

/// Where the book explains which types postcard cannot carry.
const UNSUPPORTED_SECTION: &str =
    "see \"Types postcard cannot carry\" in the myelin book's chapter on process components";

impl WireError {
    pub(crate) fn new(what: impl Into<String>, reason: impl fmt::Display) -> Self {
        Self {
            what: what.into(),
            reason: reason.to_string(),
            unsupported: false,
        }
    }

    /// A postcard error about `subject` (say, "a message on `inbox`" or
    /// "state field `limits`") of type `T`: a feature of the type that
    /// postcard cannot serve is said to be one, naming the type; anything
    /// else is reported as `what` failing.
    fn from_postcard<T: ?Sized>(subject: &str, what: &str, e: &postcard::Error) -> Self {
        if !is_unsupported(e) {
            return Self::new(what, e);
        }
        Self {
            what: format!(
                "{subject} is a `{}`, which cannot cross a process boundary",
                std::any::type_name::<T>()
            ),
            reason: format!(
                "postcard, the format messages and state cross in, is not self-describing: it \
                 can neither decode through `deserialize_any` (which `#[serde(untagged)]` and \
                 internally tagged enums, and self-describing types such as \
                 `serde_json::Value`, need) nor encode a map or sequence of unknown length \
                 (which `#[serde(flatten)]` needs); postcard says \"{e}\"; {UNSUPPORTED_SECTION}"
            ),
            unsupported: true,
        }
    }

    /// Whether the type cannot be carried at all, whatever its value: the
    /// error is the type's, not the bytes' (nothing on the other side did
    /// anything wrong).
    pub(crate) fn unsupported(&self) -> bool {
        self.unsupported
    }
}

/// Whether postcard refused a serde feature it never supports (as opposed
/// to bytes it could not make sense of, or a value's own `Serialize`
/// failing).
fn is_unsupported(e: &postcard::Error) -> bool {
    matches!(
        e,
        postcard::Error::WontImplement
            | postcard::Error::NotYetImplemented
            | postcard::Error::SerializeSeqLengthUnknown
    )
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.reason)
    }
}

impl std::error::Error for WireError {}

/// What [`WireSource::pull`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pulled {
    /// A message, now encoded at the end of the buffer.
    Message,
    /// Nothing yet; the waker is registered.
    Empty,
    /// End of stream.
    Closed,
}

/// An inbox whose messages a bridge thread encodes.
pub(crate) trait WireSource: Send {
    /// The port's name.
    fn name(&self) -> &'static str;

    /// Takes the next message and appends its encoding to `out`; registers
    /// `waker` when there is none.
    fn pull(&mut self, out: &mut Vec<u8>, waker: &Waker) -> Result<Pulled, WireError>;

    /// Whether the inbox has an end outside the system (a handle's).
    fn is_external(&self) -> bool;

    /// The inbox's capacity, if bounded.
    fn capacity(&self) -> Option<usize>;
}

/// What [`pump`] did with one message of a source.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pumped {
    /// A message went out as a frame.
    Message,
    /// The stream ended; an end frame went out.
    Ended,
    /// Nothing yet; the waker is registered.
    Empty,
    /// A message was taken, and `before_send` kept it back: it is the
    /// payload of the frame buffer, not written.
    Held,
}

/// Why [`pump`] stopped.
#[derive(Debug)]
pub(crate) enum PumpError {
    /// A message could not be encoded (`before_send` was not called for
    /// it): it is lost.
    Unencodable(WireError),
    /// A message encoded past the frame limit (`before_send` was called):
    /// it is lost.
    Oversized(String),
    /// The other side is gone.
    Gone,
}

/// Takes the next message of `source` (port `index`) and writes it to `out`
/// as a frame, or an end frame at the end of its stream. `before_send`
/// hears of each frame, with its payload, before it is written; returning
/// `false` for a message keeps it back ([`Pumped::Held`]).
pub(crate) fn pump(
    source: &mut dyn WireSource,
    index: u16,
    frame: &mut crate::process::frame::FrameBuf,
    out: &mut impl std::io::Write,
    waker: &Waker,
    before_send: impl FnOnce(crate::process::frame::Kind, &[u8]) -> bool,
) -> Result<Pumped, PumpError> {
    use crate::process::frame::Kind;
    match source.pull(frame.start(), waker) {
        Ok(Pulled::Message) => {
            if !before_send(Kind::Message, frame.payload()) {
                return Ok(Pumped::Held);
            }
            match frame.finish(Kind::Message, index, out) {
                Ok(()) => Ok(Pumped::Message),
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => Err(
                    PumpError::Oversized(format!("a message on `{}`: {e}", source.name())),
                ),
                Err(_) => Err(PumpError::Gone),
            }
        }
        Ok(Pulled::Empty) => Ok(Pumped::Empty),
        Ok(Pulled::Closed) => {
            // An end is always written.
            let _ = before_send(Kind::End, &[]);
            match frame.write(Kind::End, index, &[], out) {
                Ok(()) => Ok(Pumped::Ended),
                Err(_) => Err(PumpError::Gone),
            }
        }
        Err(e) => Err(PumpError::Unencodable(e)),
    }
}

/// An outbox a bridge thread decodes messages into.
pub(crate) trait WireSink: Send {
    /// The port's name.
    fn name(&self) -> &'static str;

    /// Decodes `bytes` into a message and sends it, blocking while the
    /// destination is full.
    fn deliver(&mut self, bytes: &[u8]) -> Result<(), Delivery>;
}

/// Why a message a bridge thread had could not be delivered.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// The bytes are not a message of the port's type.
    Malformed(WireError),
    /// The send was refused: the receiver has finished, or the system is
    /// stopping. The message is gone with the refusal (its sender is on
    /// the other side of the boundary); the caller counts it.
    Refused,
}

/// How a child sees its component consume from an inbox (for send credit).
pub(crate) trait TakeWatch: Send + Sync {
    /// See `Chan::watch_takes`.
    fn watch_takes(&self, waker: &Waker, target: u64) -> (u64, usize);
}

impl<T: Send + 'static> TakeWatch for Chan<T> {
    fn watch_takes(&self, waker: &Waker, target: u64) -> (u64, usize) {
        Chan::watch_takes(self, waker, target)
    }
}

impl<T: Wire> WireSource for Inbox<T> {
    fn name(&self) -> &'static str {
        Inbox::name(self)
    }

    fn pull(&mut self, out: &mut Vec<u8>, waker: &Waker) -> Result<Pulled, WireError> {
        use crate::port::chan::Take;
        match self.chan().take(Some(waker)) {
            Take::Message(msg) => match postcard::to_io(&msg, &mut *out) {
                Ok(_) => Ok(Pulled::Message),
                Err(e) => Err(WireError::from_postcard::<T>(
                    &format!("a message on `{}`", self.name()),
                    &format!("a message on `{}` could not be encoded", self.name()),
                    &e,
                )),
            },
            Take::Empty => Ok(Pulled::Empty),
            Take::Closed => Ok(Pulled::Closed),
        }
    }

    fn is_external(&self) -> bool {
        self.chan().is_external()
    }

    fn capacity(&self) -> Option<usize> {
        Inbox::capacity(self)
    }
}

impl<T: Wire> WireSink for Outbox<T> {
    fn name(&self) -> &'static str {
        Outbox::name(self)
    }

    fn deliver(&mut self, bytes: &[u8]) -> Result<(), Delivery> {
        let msg: T = postcard::from_bytes(bytes).map_err(|e| {
            Delivery::Malformed(WireError::from_postcard::<T>(
                &format!("a message for `{}`", self.name()),
                &format!(
                    "a message for `{}` is not a valid `{}`",
                    self.name(),
                    std::any::type_name::<T>()
                ),
                &e,
            ))
        })?;
        self.blocking_send(msg).map_err(|_| Delivery::Refused)
    }
}

/// The erased ends of a process component's ports, in declaration order
/// (inboxes for `sources` in the parent and `sinks` in the child, and the
/// other way round for outboxes), with `control` and `signal` last.
#[doc(hidden)]
#[derive(Default)]
pub struct Wires {
    pub(crate) sources: Vec<Box<dyn WireSource>>,
    pub(crate) sinks: Vec<Box<dyn WireSink>>,
    /// In the child: the component's inboxes, watched for credit.
    pub(crate) watches: Vec<Arc<dyn TakeWatch>>,
}

impl fmt::Debug for Wires {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wires")
            .field(
                "sources",
                &self.sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field(
                "sinks",
                &self.sinks.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Messages a child's component may send on one outbox before it waits
/// for the child's writer to take them.
const OUTBOX_WINDOW: usize = 64;

/// The process-boundary operations `#[component(process)]` needs for
/// message type `T`.
///
/// Only [`wire`] makes one, and it requires `T: Wire`; the methods have no
/// bounds, so a type that cannot cross is reported once, at the port's type.
#[doc(hidden)]
pub struct WireOps<T> {
    take_inbox: fn(&mut Wires, &mut Inbox<T>),
    take_outbox: fn(&mut Wires, &mut Outbox<T>),
    mirror_inbox: fn(&mut Wires, &Inbox<T>),
    mirror_outbox: fn(&mut Wires, &Outbox<T>),
}

/// The operations for `T`, checking that it can cross a process boundary.
#[doc(hidden)]
pub const fn wire<T: Wire>() -> WireOps<T> {
    WireOps {
        take_inbox: |wires, inbox| {
            let fresh = Inbox::new(inbox.name());
            wires
                .sources
                .push(Box::new(std::mem::replace(inbox, fresh)));
        },
        take_outbox: |wires, outbox| {
            let fresh = Outbox::new(outbox.name());
            wires.sinks.push(Box::new(std::mem::replace(outbox, fresh)));
        },
        mirror_inbox: |wires, inbox| {
            let mut mirror = Outbox::new(inbox.name());
            let port = inbox.port();
            port.chan.pin_shared();
            // Bounded by the parent's send credit instead: a full inbox
            // must never hold up the frames behind it.
            port.chan.set_capacity(None);
            link(&mirror.port(), &port, None).expect("a fresh outbox links to a fresh inbox");
            // Not marked as an end outside the system: the child's
            // scheduler then goes idle when its component waits only for
            // the parent, and says so (see `process/child.rs`).
            crate::port::AnyOutbox::seal(&mut mirror);
            wires.sinks.push(Box::new(mirror));
            wires.watches.push(port.chan.clone());
        },
        mirror_outbox: |wires, outbox| {
            // Bounded, so that a parent slow to take the child's messages
            // makes the component wait instead of the child's memory grow.
            let mirror = Inbox::bounded(outbox.name(), OUTBOX_WINDOW);
            let port = mirror.port();
            port.chan.pin_shared();
            link(&outbox.port(), &port, None).expect("a fresh outbox links to a fresh inbox");
            wires.sources.push(Box::new(mirror));
        },
    }
}

impl<T> WireOps<T> {
    /// Parent side: moves `inbox` out (leaving an unlinked one) to be read
    /// and sent to the child.
    pub fn take_inbox(self, wires: &mut Wires, inbox: &mut Inbox<T>) {
        (self.take_inbox)(wires, inbox);
    }

    /// Parent side: moves `outbox` out (leaving an unlinked one) to carry
    /// what the child sends.
    pub fn take_outbox(self, wires: &mut Wires, outbox: &mut Outbox<T>) {
        (self.take_outbox)(wires, outbox);
    }

    /// Child side: an outbox linked to `inbox`, fed from the parent.
    pub fn mirror_inbox(self, wires: &mut Wires, inbox: &Inbox<T>) {
        (self.mirror_inbox)(wires, inbox);
    }

    /// Child side: an inbox linked from `outbox`, read and sent to the
    /// parent.
    pub fn mirror_outbox(self, wires: &mut Wires, outbox: &Outbox<T>) {
        (self.mirror_outbox)(wires, outbox);
    }
}

/// A process component's state fields, encoded one after another.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct StateWriter {
    pub(crate) bytes: Vec<u8>,
}

/// Reads state fields in the order [`StateWriter`] wrote them.
#[doc(hidden)]
#[derive(Debug)]
pub struct StateReader<'a> {
    rest: &'a [u8],
}

impl<'a> StateReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Fails if bytes are left over: the two sides disagree on the fields.
    pub(crate) fn finish(self) -> Result<(), WireError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(WireError::new(
                "the component's state",
                format!("{} bytes left over after the last field", self.rest.len()),
            ))
        }
    }
}

/// The state operations `#[component(process)]` needs for field type `T`.
#[doc(hidden)]
pub struct StateOps<T> {
    write: fn(&mut StateWriter, &'static str, &T) -> Result<(), WireError>,
    read: fn(&mut StateReader<'_>, &'static str) -> Result<T, WireError>,
    _type: PhantomData<fn() -> T>,
}

/// The operations for state of type `T`, checking that it is serialisable.
#[doc(hidden)]
pub const fn state<T: WireState>() -> StateOps<T> {
    StateOps {
        write: |writer, field, value| {
            postcard::to_io(value, &mut writer.bytes)
                .map(drop)
                .map_err(|e| {
                    let what = format!("state field `{field}`");
                    WireError::from_postcard::<T>(&what, &what, &e)
                })
        },
        read: |reader, field| {
            let (value, rest) = postcard::take_from_bytes(reader.rest).map_err(|e| {
                let what = format!("state field `{field}`");
                WireError::from_postcard::<T>(&what, &what, &e)
            })?;
            reader.rest = rest;
            Ok(value)
        },
        _type: PhantomData,
    }
}

impl<T> StateOps<T> {
    /// Appends `value`, the field `field`.
    pub fn write(
        self,
        writer: &mut StateWriter,
        field: &'static str,
        value: &T,
    ) -> Result<(), WireError> {
        (self.write)(writer, field, value)
    }

    /// Reads the field `field`.
    pub fn read(self, reader: &mut StateReader<'_>, field: &'static str) -> Result<T, WireError> {
        (self.read)(reader, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_field_by_field() {
        let mut writer = StateWriter::default();
        state::<String>()
            .write(&mut writer, "name", &"chunk".to_string())
            .unwrap();
        state::<Vec<u32>>()
            .write(&mut writer, "sizes", &vec![1, 2, 300])
            .unwrap();
        let mut reader = StateReader::new(&writer.bytes);
        assert_eq!(
            state::<String>().read(&mut reader, "name").unwrap(),
            "chunk"
        );
        assert_eq!(
            state::<Vec<u32>>().read(&mut reader, "sizes").unwrap(),
            vec![1, 2, 300]
        );
        reader.finish().unwrap();
    }

    #[test]
    fn truncated_state_names_the_field() {
        let mut writer = StateWriter::default();
        state::<String>()
            .write(&mut writer, "name", &"chunk".to_string())
            .unwrap();
        let cut = &writer.bytes[..3];
        let mut reader = StateReader::new(cut);
        let err = state::<String>().read(&mut reader, "name").unwrap_err();
        assert!(err.to_string().starts_with("state field `name`"), "{err}");
    }

    /// Untagged: decoding needs `deserialize_any`.
    #[derive(serde::Serialize, serde::Deserialize, Debug)]
    #[serde(untagged)]
    enum Loose {
        Number(u64),
    }

    #[test]
    fn a_type_postcard_cannot_decode_is_named_as_the_cause() {
        let mut writer = StateWriter::default();
        state::<Loose>()
            .write(&mut writer, "key", &Loose::Number(7))
            .unwrap();
        let mut reader = StateReader::new(&writer.bytes);
        let err = state::<Loose>().read(&mut reader, "key").unwrap_err();
        assert!(err.unsupported());
        let text = err.to_string();
        assert!(
            text.starts_with("state field `key` is a `")
                && text.contains("Loose`, which cannot cross a process boundary")
                && text.contains("deserialize_any")
                && text.contains("Types postcard cannot carry"),
            "{text}"
        );
    }

    #[test]
    fn bytes_that_do_not_decode_are_not_the_type_s_fault() {
        let mut reader = StateReader::new(&[0xff; 11]);
        let err = state::<u64>().read(&mut reader, "n").unwrap_err();
        assert!(!err.unsupported(), "{err}");
    }

    #[test]
    fn leftover_state_is_an_error() {
        let reader = StateReader::new(&[1, 2]);
        assert!(
            reader
                .finish()
                .unwrap_err()
                .to_string()
                .contains("2 bytes left over")
        );
    }
}
