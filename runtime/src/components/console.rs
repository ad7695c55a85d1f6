//! The console: printing messages ([`Print`]) and reading lines
//! ([`ReadStdin`]).

use std::fmt::Display;
use std::io::{self, BufRead, Write};
use std::sync::mpsc;
use std::task::Waker;

use super::file::Lines;
use super::wait::{Sent, blocking_send, should_stop};
use super::{Next, next};
use crate::{Component, Context, Error, Inbox, Outbox, ThreadComponent, ThreadContext, component};

/// Where a [`Print`] writes: stdout unless given a writer.
struct Output {
    writer: Box<dyn Write + Send>,
    /// How its errors name it.
    name: &'static str,
}

impl Default for Output {
    fn default() -> Self {
        Self {
            writer: Box::new(io::stdout()),
            name: "stdout",
        }
    }
}

/// Writes each message it receives as a line of text, with its `Display`
/// form, to stdout or to a writer of your choice (Kamaelia's
/// `ConsoleEchoer`).
///
/// Each line is flushed as it is written. A write that fails (a closed
/// pipe, say) fails the component: "cannot write to stdout: ...". It ends
/// when its input ends, and stops at once on `Shutdown` (Kamaelia's stopped
/// on any control message; an upstream `Finished` here only says that the
/// input is about to end).
///
/// ```
/// use std::io::Write;
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::Print;
/// use myelin::prelude::*;
///
/// #[component]
/// struct Numbers {
///     outbox: Outbox<u32>,
/// }
///
/// impl Component for Numbers {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for n in 1..=3 {
///             self.outbox.send(n).await?;
///         }
///         Ok(())
///     }
/// }
///
/// // To the console:
/// myelin::run(pipeline![Numbers::new(), Print::<u32>::new()])?;
///
/// // To anything that implements `Write + Send + 'static`, here a buffer the
/// // test can read afterwards:
/// #[derive(Clone, Default)]
/// struct Shared(Arc<Mutex<Vec<u8>>>);
///
/// impl Write for Shared {
///     fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
///         self.0.lock().unwrap().write(buf)
///     }
///     fn flush(&mut self) -> std::io::Result<()> {
///         Ok(())
///     }
/// }
///
/// let out = Shared::default();
/// myelin::run(pipeline![Numbers::new(), Print::<u32>::new().output(out.clone())])?;
/// assert_eq!(*out.0.lock().unwrap(), b"1\n2\n3\n");
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Print<T: Display + Send + 'static> {
    /// What to print, one line each.
    inbox: Inbox<T>,
    #[state(default)]
    out: Output,
}

impl<T: Display + Send + 'static> Print<T> {
    /// Writes to `writer` instead of stdout.
    #[must_use]
    pub fn output<W: Write + Send + 'static>(mut self, writer: W) -> Self {
        self.out = Output {
            writer: Box::new(writer),
            name: "its output",
        };
        self
    }
}

#[diagnostic::do_not_recommend]
impl<T: Display + Send + 'static> Component for Print<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Next::Message(msg) = next(&mut self.inbox, cx).await {
            let Output { writer, name } = &mut self.out;
            writeln!(writer, "{msg}")
                .and_then(|()| writer.flush())
                .map_err(|e| Error::msg(format!("cannot write to {name}: {e}")))?;
        }
        Ok(())
    }
}

/// Sends each line typed on the console (stdin), or read from any
/// `BufRead + Send + 'static` given with [`input`](ReadStdin::input), as a
/// `String` without its line break (Kamaelia's `ConsoleReader`, without the
/// prompt). A threaded component.
///
/// The blocking reads happen on a helper thread of its own, one line ahead,
/// so the component itself stays responsive: it stops at once on `Shutdown`
/// (or when the system stops) even while no line comes, where Kamaelia's
/// looked at `control` only after each line. The helper finishes the read
/// it is in the middle of and then ends; that line, if one comes, is
/// dropped unread. Waiting for input is not a stall: input comes from
/// outside the system.
///
/// It ends at the end of the input (Ctrl-D on a terminal). A read error, or
/// a line that is not valid UTF-8, fails the component: "cannot read stdin:
/// line 2 is not valid UTF-8 (...)".
///
/// ```
/// use std::io::Cursor;
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::ReadStdin;
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
/// // `ReadStdin::new()` reads the console; here, a given text instead.
/// let typed = Cursor::new("first\nsecond\n");
/// let kept = Arc::new(Mutex::new(Vec::new()));
/// myelin::run(pipeline![ReadStdin::new().input(typed), Keep::new(kept.clone())])?;
/// assert_eq!(*kept.lock().unwrap(), ["first", "second"]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component(thread)]
pub struct ReadStdin {
    /// The lines read, without their line breaks.
    outbox: Outbox<String>,
    /// What to read instead of stdin.
    #[state(default)]
    input: Option<Box<dyn BufRead + Send>>,
}

impl ReadStdin {
    /// Reads lines from `reader` instead of stdin.
    #[must_use]
    pub fn input<R: BufRead + Send + 'static>(mut self, reader: R) -> Self {
        self.input = Some(Box::new(reader));
        self
    }
}

/// A line read on the helper thread, or why there is none.
type LineRead = Result<String, Error>;

#[diagnostic::do_not_recommend]
impl ThreadComponent for ReadStdin {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        // One line in the channel, one in the helper's hands: the most it
        // reads ahead.
        let (lines, read) = mpsc::sync_channel::<LineRead>(1);
        let waker = crate::scheduler::current::thread_waker();
        let input = self.input.take();
        std::thread::Builder::new()
            .name(format!("{} input", cx.name()))
            .spawn(move || match input {
                Some(reader) => read_lines(Lines::new(reader, "stdin".into(), false), lines, waker),
                None => read_lines(
                    Lines::new(io::stdin().lock(), "stdin".into(), false),
                    lines,
                    waker,
                ),
            })
            .map_err(|e| Error::msg(format!("cannot start the thread that reads stdin: {e}")))?;
        loop {
            if should_stop(cx) {
                return Ok(());
            }
            match read.try_recv() {
                Ok(Ok(line)) => {
                    if blocking_send(&mut self.outbox, line, cx)? == Sent::Shutdown {
                        return Ok(());
                    }
                }
                Ok(Err(e)) => return Err(e),
                Err(mpsc::TryRecvError::Disconnected) => return Ok(()),
                Err(mpsc::TryRecvError::Empty) => {
                    // Woken by the helper, by `control`, or by the system
                    // stopping. The line comes from outside the system, so
                    // this wait is not a stall.
                    crate::scheduler::current::note_waits_outside();
                    cx.pause(None);
                }
            }
        }
    }
}

/// On the helper thread: reads lines into `lines` until the input ends, a
/// read fails, or the component stops taking them, waking the component
/// after each and at the end.
fn read_lines<R: BufRead>(mut input: Lines<R>, lines: mpsc::SyncSender<LineRead>, waker: Waker) {
    while let Some(line) = input.next_line().transpose() {
        let failed = line.is_err();
        if lines.send(line).is_err() {
            // The component has stopped.
            return;
        }
        waker.wake_by_ref();
        if failed {
            break;
        }
    }
    // Disconnect first, then wake: the component finds the end.
    drop(lines);
    waker.wake();
}
