//! Files: reading lines or chunks, and writing, each on a thread of its own
//! (blocking I/O must not hold up the scheduler).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::Next;
use super::wait::{Sent, blocking_next, blocking_send, should_stop};
use crate::{Error, Inbox, Outbox, ThreadComponent, ThreadContext, component};

/// Numbered lines from a reader, for [`ReadLines`] and
/// [`ReadStdin`](super::ReadStdin).
pub(crate) struct Lines<R> {
    reader: R,
    /// How the errors name the input: "`/the/path`", "stdin".
    source: String,
    /// The number of the last line read, from 1.
    number: u64,
    /// Replace invalid UTF-8 instead of failing.
    lossy: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R, source: String, lossy: bool) -> Self {
        Self {
            reader,
            source,
            number: 0,
            lossy,
        }
    }

    /// The next line, without its `\n` or `\r\n`; `None` at the end of the
    /// input.
    pub(crate) fn next_line(&mut self) -> Result<Option<String>, Error> {
        let mut bytes = Vec::new();
        if let Err(e) = self.reader.read_until(b'\n', &mut bytes) {
            return Err(Error::msg(format!("cannot read {}: {e}", self.source)));
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        self.number += 1;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        match String::from_utf8(bytes) {
            Ok(line) => Ok(Some(line)),
            Err(e) if self.lossy => Ok(Some(String::from_utf8_lossy(e.as_bytes()).into_owned())),
            Err(e) => Err(Error::msg(format!(
                "cannot read {}: line {} is not valid UTF-8 ({})",
                self.source,
                self.number,
                e.utf8_error()
            ))),
        }
    }
}

/// Sends what `read` makes on `outbox` until it makes `None`, a `Shutdown`
/// arrives (looked for before each read, and while a send waits for room),
/// or the system stops.
fn pump<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    cx: &mut ThreadContext,
    mut read: impl FnMut() -> Result<Option<T>, Error>,
) -> Result<(), Error> {
    loop {
        if should_stop(cx) {
            return Ok(());
        }
        let Some(item) = read()? else {
            return Ok(());
        };
        if blocking_send(outbox, item, cx)? == Sent::Shutdown {
            return Ok(());
        }
    }
}

/// Opens `path` to read, with an error that names it.
fn open(path: &Path) -> Result<BufReader<File>, Error> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| Error::msg(format!("cannot open `{}`: {e}", path.display())))
}

/// Sends the lines of a text file, one `String` per line without its line
/// break (`\n` or `\r\n`); a last line without one is sent too. A threaded
/// component (the reads block), after Kamaelia's `ReadFileAdaptor` in line
/// mode.
///
/// Errors fail the component, with a message that names the file: "cannot
/// open `/x/y`: No such file or directory (os error 2)", "cannot read
/// `/x/y`: ...". A line that is not valid UTF-8 fails it too, naming the
/// line: "cannot read `/x/y`: line 3 is not valid UTF-8 (...)", after the
/// lines before it have been sent. Made with [`lossy`](ReadLines::lossy),
/// it replaces invalid sequences with `U+FFFD` instead; for bytes, use
/// [`ReadChunks`].
///
/// It ends at the end of the file, and stops at once on `Shutdown`: it
/// looks for one before each line and while it waits for room downstream.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::ReadLines;
/// use myelin::prelude::*;
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
/// let dir = std::env::temp_dir().join(format!("myelin-doc-read-lines-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("greeting.txt");
/// std::fs::write(&path, "hello\r\nworld\n\nlast")?;
///
/// let kept = Arc::new(Mutex::new(Vec::new()));
/// myelin::run(pipeline![ReadLines::new(path), Keep::new(kept.clone())])?;
/// assert_eq!(*kept.lock().unwrap(), ["hello", "world", "", "last"]);
///
/// // A file that is not there fails the component, naming the file.
/// let missing = dir.join("missing.txt");
/// let error = myelin::run(ReadLines::new(missing.clone())).unwrap_err();
/// let outcome = error.report().unwrap().component("ReadLines").unwrap().outcome.to_string();
/// assert!(outcome.contains(&format!("cannot open `{}`", missing.display())), "{outcome}");
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[component(thread)]
pub struct ReadLines {
    /// The file's lines, in order, without their line breaks.
    outbox: Outbox<String>,
    /// The file to read.
    path: PathBuf,
    /// Replace invalid UTF-8 instead of failing.
    #[state(default)]
    lossy: bool,
}

impl ReadLines {
    /// Replaces invalid UTF-8 with `U+FFFD` (`String::from_utf8_lossy`)
    /// instead of failing on it.
    #[must_use]
    pub fn lossy(mut self) -> Self {
        self.lossy = true;
        self
    }
}

#[diagnostic::do_not_recommend]
impl ThreadComponent for ReadLines {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let source = format!("`{}`", self.path.display());
        let mut lines = Lines::new(open(&self.path)?, source, self.lossy);
        pump(&mut self.outbox, cx, || lines.next_line())
    }
}

/// Sends the bytes of a file in chunks of `size` bytes (the last one may be
/// shorter; an empty file sends nothing). A threaded component (the reads
/// block), after Kamaelia's `ReadFileAdaptor` in byte mode.
///
/// Errors fail the component, with a message that names the file ("cannot
/// open `/x/y`: ...", "cannot read `/x/y`: ..."); so does a `size` of 0.
/// It ends at the end of the file, and stops at once on `Shutdown`: it
/// looks for one before each chunk and while it waits for room downstream.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::ReadChunks;
/// use myelin::prelude::*;
///
/// #[component]
/// struct Keep {
///     inbox: Inbox<Vec<u8>>,
///     kept: Arc<Mutex<Vec<Vec<u8>>>>,
/// }
///
/// impl Component for Keep {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         while let Some(chunk) = self.inbox.recv().await {
///             self.kept.lock().unwrap().push(chunk);
///         }
///         Ok(())
///     }
/// }
///
/// let dir = std::env::temp_dir().join(format!("myelin-doc-read-chunks-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("data.bin");
/// std::fs::write(&path, b"abcdefgh\xff\x00")?;
///
/// let kept = Arc::new(Mutex::new(Vec::new()));
/// myelin::run(pipeline![ReadChunks::new(path, 4), Keep::new(kept.clone())])?;
/// assert_eq!(*kept.lock().unwrap(), [&b"abcd"[..], b"efgh", b"\xff\x00"]);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[component(thread)]
pub struct ReadChunks {
    /// The file's bytes, `size` at a time.
    outbox: Outbox<Vec<u8>>,
    /// The file to read.
    path: PathBuf,
    /// How many bytes in each chunk (at least 1).
    size: usize,
}

#[diagnostic::do_not_recommend]
impl ThreadComponent for ReadChunks {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        if self.size == 0 {
            return Err(Error::msg(format!(
                "cannot read `{}` in chunks of 0 bytes",
                self.path.display()
            )));
        }
        let mut file = open(&self.path)?;
        let (path, size) = (&self.path, self.size);
        pump(&mut self.outbox, cx, || {
            // Room for a whole chunk, up to a bound: a size far beyond
            // the file's must not allocate that much up front.
            let mut chunk = Vec::with_capacity(size.min(1 << 16));
            // `take` stops at `size`; `read_to_end` reads until then or the
            // end of the file, retrying interrupted reads.
            (&mut file)
                .take(size as u64)
                .read_to_end(&mut chunk)
                .map_err(|e| Error::msg(format!("cannot read `{}`: {e}", path.display())))?;
            Ok((!chunk.is_empty()).then_some(chunk))
        })
    }
}

/// Writes what it receives to a file, creating it or replacing what it
/// held: the bytes of each message (`Vec<u8>`, `String`, `&'static str`,
/// anything `AsRef<[u8]>`), as they are or, made with
/// [`lines`](WriteFile::lines), each followed by `\n`. A threaded component
/// (the writes block), after Kamaelia's `SimpleFileWriter`.
///
/// Writes are buffered, and the buffer is flushed whenever the inbox is
/// empty (so the file is up to date while the component waits) and when
/// it ends. Errors fail the component, with a message that names the file:
/// "cannot create `/x/y`: ...", "cannot write `/x/y`: ...".
///
/// It ends when its input ends, and stops at once on `Shutdown` (what it
/// has received is written; what is still queued is counted in the report
/// as unread).
///
/// ```
/// use myelin::components::WriteFile;
/// use myelin::prelude::*;
///
/// #[component]
/// struct Words {
///     outbox: Outbox<String>,
/// }
///
/// impl Component for Words {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for word in ["alpha", "beta", "gamma"] {
///             self.outbox.send(word.to_owned()).await?;
///         }
///         Ok(())
///     }
/// }
///
/// let dir = std::env::temp_dir().join(format!("myelin-doc-write-file-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("words.txt");
///
/// myelin::run(pipeline![Words::new(), WriteFile::<String>::new(path.clone()).lines()])?;
/// assert_eq!(std::fs::read_to_string(&path)?, "alpha\nbeta\ngamma\n");
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[component(thread)]
pub struct WriteFile<T: AsRef<[u8]> + Send + 'static> {
    /// What to write.
    inbox: Inbox<T>,
    /// The file to write.
    path: PathBuf,
    /// Write `\n` after each message.
    #[state(default)]
    lines: bool,
}

impl<T: AsRef<[u8]> + Send + 'static> WriteFile<T> {
    /// Writes `\n` after each message, for one line per message.
    #[must_use]
    pub fn lines(mut self) -> Self {
        self.lines = true;
        self
    }
}

#[diagnostic::do_not_recommend]
impl<T: AsRef<[u8]> + Send + 'static> ThreadComponent for WriteFile<T> {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let path = &self.path;
        let failed = |what: &str, e: io::Error| {
            Error::msg(format!("cannot {what} `{}`: {e}", path.display()))
        };
        let file = File::create(path).map_err(|e| failed("create", e))?;
        let mut out = BufWriter::new(file);
        loop {
            if self.inbox.is_empty() {
                out.flush().map_err(|e| failed("write", e))?;
            }
            let Next::Message(msg) = blocking_next(&mut self.inbox, cx) else {
                break;
            };
            out.write_all(msg.as_ref())
                .and_then(|()| {
                    if self.lines {
                        out.write_all(b"\n")
                    } else {
                        Ok(())
                    }
                })
                .map_err(|e| failed("write", e))?;
        }
        out.flush().map_err(|e| failed("write", e))
    }
}
