//! Frames on the socket between a parent and its child.
//!
//! Every frame is an eight-byte header, then a payload:
//!
//! ```text
//! payload length: u32 LE | kind: u8 | 0: u8 | port: u16 LE | payload
//! ```
//!
//! The length is checked against [`MAX_FRAME`] before anything is allocated
//! for the payload, so a corrupt or hostile length costs nothing.

use std::fmt;
use std::io::{self, Read, Write};

/// The largest payload a frame may carry: 64 MiB. A message whose encoding
/// is larger fails its process component with an error naming the port; a
/// frame that claims more is refused before anything is allocated for it.
pub const MAX_FRAME: usize = 64 << 20;

const HEADER: usize = 8;

/// What a frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Kind {
    /// Parent to child, first: which component, its name and state.
    Hello = 1,
    /// Child to parent: the component is built and its ports are ready.
    Ready = 2,
    /// A message for port `port`.
    Message = 3,
    /// Port `port`'s stream has ended.
    End = 4,
    /// Child to parent: the component took this many messages (`u32` LE)
    /// from inbox `port`; the parent may send that many more.
    Credit = 5,
    /// Parent to child: the system is shutting down.
    Cancel = 6,
    /// Child to parent, last: how the component ended.
    Done = 7,
    /// Child to parent: its scheduler is idle, having taken in this many
    /// message and end frames (`u64` LE).
    Idle = 8,
    /// Child to parent: its component asked the whole system to shut down.
    Shutdown = 9,
}

impl Kind {
    fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => Self::Hello,
            2 => Self::Ready,
            3 => Self::Message,
            4 => Self::End,
            5 => Self::Credit,
            6 => Self::Cancel,
            7 => Self::Done,
            8 => Self::Idle,
            9 => Self::Shutdown,
            _ => return None,
        })
    }
}

/// A frame as read: its kind, its port, and its payload.
pub(crate) type Frame<'a> = (Kind, u16, &'a [u8]);

/// Why a frame could not be read.
#[derive(Debug)]
pub(crate) enum FrameError {
    /// The socket failed.
    Io(io::Error),
    /// The stream ended inside a frame.
    Truncated,
    /// The header claims a payload over the limit.
    Oversized { len: usize },
    /// The header is not one this version writes.
    BadHeader { kind: u8, reserved: u8 },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "the link to the child process failed: {e}"),
            Self::Truncated => f.write_str("the stream ended in the middle of a frame"),
            Self::Oversized { len } => write!(
                f,
                "a frame claims {len} bytes, over the limit of {MAX_FRAME} bytes"
            ),
            Self::BadHeader { kind, reserved } => write!(
                f,
                "malformed frame header (kind {kind}, reserved byte {reserved})"
            ),
        }
    }
}

/// Reads frames, reusing one buffer for their payloads.
pub(crate) struct FrameReader<R> {
    inner: R,
    payload: Vec<u8>,
}

impl<R: Read> FrameReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            payload: Vec::new(),
        }
    }

    /// The next frame: `Ok(None)` when the stream ends cleanly between
    /// frames.
    pub(crate) fn read(&mut self) -> Result<Option<Frame<'_>>, FrameError> {
        let mut header = [0u8; HEADER];
        match read_full(&mut self.inner, &mut header) {
            Ok(0) => return Ok(None),
            Ok(HEADER) => {}
            Ok(_) => return Err(FrameError::Truncated),
            Err(e) => return Err(FrameError::Io(e)),
        }
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let (kind, reserved) = (header[4], header[5]);
        let port = u16::from_le_bytes([header[6], header[7]]);
        let kind = match Kind::from_byte(kind) {
            Some(kind) if reserved == 0 => kind,
            _ => return Err(FrameError::BadHeader { kind, reserved }),
        };
        if len > MAX_FRAME {
            return Err(FrameError::Oversized { len });
        }
        self.payload.clear();
        self.payload.resize(len, 0);
        match read_full(&mut self.inner, &mut self.payload) {
            Ok(n) if n == len => Ok(Some((kind, port, &self.payload))),
            Ok(_) => Err(FrameError::Truncated),
            Err(e) => Err(FrameError::Io(e)),
        }
    }
}

/// Reads until `buf` is full or the stream ends; returns how much was read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Builds frames in one buffer, with room for the header reserved in front
/// of the payload, so a message is encoded straight into place.
pub(crate) struct FrameBuf {
    bytes: Vec<u8>,
}

impl FrameBuf {
    pub(crate) fn new() -> Self {
        Self {
            bytes: Vec::with_capacity(256),
        }
    }

    /// Starts a frame; write its payload into the returned vector.
    pub(crate) fn start(&mut self) -> &mut Vec<u8> {
        self.bytes.clear();
        self.bytes.extend_from_slice(&[0; HEADER]);
        &mut self.bytes
    }

    /// The payload of the frame started last, as written so far.
    pub(crate) fn payload(&self) -> &[u8] {
        &self.bytes[HEADER..]
    }

    /// Completes the frame started last and writes it. Fails, writing
    /// nothing, when the payload is over [`MAX_FRAME`].
    pub(crate) fn finish(&mut self, kind: Kind, port: u16, out: &mut impl Write) -> io::Result<()> {
        let len = self.bytes.len() - HEADER;
        if len > MAX_FRAME {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the message encodes to {len} bytes, over the frame limit of {MAX_FRAME}"),
            ));
        }
        let len = u32::try_from(len).expect("MAX_FRAME fits in a u32");
        self.bytes[..4].copy_from_slice(&len.to_le_bytes());
        self.bytes[4] = kind as u8;
        self.bytes[5] = 0;
        self.bytes[6..8].copy_from_slice(&port.to_le_bytes());
        out.write_all(&self.bytes)
    }

    /// Writes a frame with the given payload.
    pub(crate) fn write(
        &mut self,
        kind: Kind,
        port: u16,
        payload: &[u8],
        out: &mut impl Write,
    ) -> io::Result<()> {
        self.start().extend_from_slice(payload);
        self.finish(kind, port, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, port: u16, len: u32, payload: &[u8]) -> Vec<u8> {
        let mut bytes = len.to_le_bytes().to_vec();
        bytes.push(kind);
        bytes.push(0);
        bytes.extend_from_slice(&port.to_le_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn frames_round_trip() {
        let mut out = Vec::new();
        let mut buf = FrameBuf::new();
        buf.write(Kind::Message, 3, b"hello", &mut out).unwrap();
        buf.write(Kind::End, 3, b"", &mut out).unwrap();
        buf.write(Kind::Credit, 0, &7u32.to_le_bytes(), &mut out)
            .unwrap();
        let mut reader = FrameReader::new(&out[..]);
        let (kind, port, payload) = reader.read().unwrap().unwrap();
        assert_eq!((kind, port, payload), (Kind::Message, 3, &b"hello"[..]));
        let (kind, port, payload) = reader.read().unwrap().unwrap();
        assert_eq!((kind, port, payload.len()), (Kind::End, 3, 0));
        let (kind, _, payload) = reader.read().unwrap().unwrap();
        assert_eq!((kind, payload), (Kind::Credit, &7u32.to_le_bytes()[..]));
        assert!(reader.read().unwrap().is_none());
    }

    #[test]
    fn an_oversized_length_is_refused_before_allocating() {
        // Claims 4 GiB - 1 and carries nothing: refused from the header alone.
        let bytes = frame(3, 0, u32::MAX, b"");
        let mut reader = FrameReader::new(&bytes[..]);
        let err = reader.read().unwrap_err();
        assert!(matches!(err, FrameError::Oversized { len } if len == u32::MAX as usize));
        assert!(err.to_string().contains("over the limit"), "{err}");
        assert_eq!(reader.payload.capacity(), 0);
    }

    #[test]
    fn truncated_frames_and_headers_are_errors() {
        let bytes = frame(3, 0, 10, b"abc");
        assert!(matches!(
            FrameReader::new(&bytes[..]).read(),
            Err(FrameError::Truncated)
        ));
        let bytes = frame(3, 0, 10, b"");
        assert!(matches!(
            FrameReader::new(&bytes[..5]).read(),
            Err(FrameError::Truncated)
        ));
    }

    #[test]
    fn unknown_kinds_and_reserved_bits_are_errors() {
        let bytes = frame(99, 0, 0, b"");
        let err = FrameReader::new(&bytes[..]).read().unwrap_err();
        assert!(err.to_string().contains("kind 99"), "{err}");
        let mut bytes = frame(3, 0, 0, b"");
        bytes[5] = 1;
        assert!(matches!(
            FrameReader::new(&bytes[..]).read(),
            Err(FrameError::BadHeader { reserved: 1, .. })
        ));
    }

    #[test]
    fn an_oversized_payload_is_not_written() {
        let mut buf = FrameBuf::new();
        buf.start().resize(HEADER + MAX_FRAME + 1, 0);
        let mut out = Vec::new();
        let err = buf.finish(Kind::Message, 0, &mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(out.is_empty());
    }
}
