//! Marshalling: messages to JSON lines and back, with serde.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Next, next, send, stopped};
use crate::{Component, Context, Error, Inbox, Outbox, component};

/// Serialises each message as one line of JSON (Kamaelia's `Marshaller`,
/// with JSON as the format): a `String` without the line break, ready for a
/// [`WriteFile`](super::WriteFile) made with
/// [`lines`](super::WriteFile::lines), or for a
/// [`FromJsonLine`] at the other end.
///
/// JSON text never contains a raw line break (one inside a string is
/// written `\n`), so each message is exactly one line. A message serde
/// cannot write as JSON (a map whose keys are not strings, say) fails the
/// component with an error that says which message it was, counting from
/// 1. It ends when its input ends, and stops at once on `Shutdown`.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::ToJsonLine;
/// use myelin::prelude::*;
///
/// #[derive(serde::Serialize)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// #[component]
/// struct Points {
///     outbox: Outbox<Point>,
/// }
///
/// impl Component for Points {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         self.outbox.send(Point { x: 1, y: 2 }).await?;
///         self.outbox.send(Point { x: -3, y: 4 }).await?;
///         Ok(())
///     }
/// }
///
/// #[component]
/// struct Keep {
///     inbox: Inbox<String>,
///     kept: Arc<Mutex<Vec<String>>>,
/// }
///
/// impl Component for Keep {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         while let Some(line) = self.inbox.recv().await {
///             self.kept.lock().unwrap().push(line);
///         }
///         Ok(())
///     }
/// }
///
/// let kept = Arc::new(Mutex::new(Vec::new()));
/// myelin::run(pipeline![Points::new(), ToJsonLine::<Point>::new(), Keep::new(kept.clone())])?;
/// assert_eq!(*kept.lock().unwrap(), [r#"{"x":1,"y":2}"#, r#"{"x":-3,"y":4}"#]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct ToJsonLine<T: Serialize + Send + 'static> {
    /// The messages to serialise.
    inbox: Inbox<T>,
    /// Each message as one line of JSON, without the line break.
    outbox: Outbox<String>,
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + Send + 'static> Component for ToJsonLine<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut count: u64 = 0;
        loop {
            let msg = match next(&mut self.inbox, cx).await {
                Next::Message(msg) => msg,
                Next::End | Next::Shutdown => return Ok(()),
            };
            count += 1;
            let line = serde_json::to_string(&msg).map_err(|e| {
                Error::msg(format!("cannot serialise message {count} as JSON: {e}"))
            })?;
            if stopped(send(&mut self.outbox, line, cx).await)? {
                return Ok(());
            }
        }
    }
}

/// A line that [`FromJsonLine`] could not read as its message type: which
/// line, where in it, what serde said, and the text itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The line's number: the count of lines the component has received,
    /// from 1 (blank lines included), so the line number in the file when
    /// it reads a whole file through [`ReadLines`](super::ReadLines).
    pub line: u64,
    /// The column in the line where serde stopped, from 1.
    pub column: usize,
    /// What serde said was wrong, without its position.
    pub message: String,
    /// The line as received.
    pub text: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}: {}",
            self.line, self.column, self.message, self.text
        )
    }
}

impl std::error::Error for ParseError {}

/// Deserialises each line of JSON into a `T` (Kamaelia's `DeMarshaller`,
/// with JSON as the format), sending `Ok(value)`, or `Err(`[`ParseError`]`)`
/// for a line that is not a `T`: the error names the line number, the
/// column, serde's message and the text, and the component goes on with
/// the next line. Nothing is dropped, and a bad line does not stop the
/// stream.
///
/// Lines holding only whitespace are skipped (they still count in the line
/// numbers); a line break at the end of a line is ignored, so lines read
/// with their `\n` work too. It ends when its input ends, and stops at
/// once on `Shutdown`.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::{FromJsonLine, ParseError};
/// use myelin::prelude::*;
///
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// #[component]
/// struct Lines {
///     outbox: Outbox<String>,
/// }
///
/// impl Component for Lines {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for line in [r#"{"x":1,"y":2}"#, "not json", r#"{"x":5,"y":6}"#] {
///             self.outbox.send(line.to_owned()).await?;
///         }
///         Ok(())
///     }
/// }
///
/// #[component]
/// struct Keep {
///     inbox: Inbox<Result<Point, ParseError>>,
///     kept: Arc<Mutex<Vec<Result<Point, ParseError>>>>,
/// }
///
/// impl Component for Keep {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         while let Some(p) = self.inbox.recv().await {
///             self.kept.lock().unwrap().push(p);
///         }
///         Ok(())
///     }
/// }
///
/// let kept = Arc::new(Mutex::new(Vec::new()));
/// myelin::run(pipeline![Lines::new(), FromJsonLine::new(), Keep::new(kept.clone())])?;
/// let kept = kept.lock().unwrap();
/// assert_eq!(kept[0], Ok(Point { x: 1, y: 2 }));
/// let error = kept[1].as_ref().unwrap_err();
/// assert_eq!(error.line, 2);
/// assert_eq!(error.to_string(), "line 2, column 2: expected ident: not json");
/// assert_eq!(kept[2], Ok(Point { x: 5, y: 6 }));
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct FromJsonLine<T: DeserializeOwned + Send + 'static> {
    /// Lines of JSON, one message each.
    inbox: Inbox<String>,
    /// Each line's value, or why it is not a `T`.
    outbox: Outbox<Result<T, ParseError>>,
}

impl<T: DeserializeOwned + Send + 'static> FromJsonLine<T> {
    /// Reads one line, the `line`th.
    fn parse(line: u64, text: String) -> Result<T, ParseError> {
        serde_json::from_str(text.trim_end_matches(['\n', '\r'])).map_err(|e| {
            // serde_json ends its message with the position; it is kept
            // apart in `column` (the line is always 1: one line at a time).
            let full = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&position).unwrap_or(&full).to_owned();
            ParseError {
                line,
                column: e.column(),
                message,
                text,
            }
        })
    }
}

#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned + Send + 'static> Component for FromJsonLine<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut line: u64 = 0;
        loop {
            let text = match next(&mut self.inbox, cx).await {
                Next::Message(text) => text,
                Next::End | Next::Shutdown => return Ok(()),
            };
            line += 1;
            if text.trim().is_empty() {
                continue;
            }
            let value = Self::parse(line, text);
            if stopped(send(&mut self.outbox, value, cx).await)? {
                return Ok(());
            }
        }
    }
}
