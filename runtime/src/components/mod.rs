//! Ready-made components: sources, transformers, routers and sinks to wire
//! into pipelines and graphlines as they are, like Kamaelia's `Util`
//! library.
//!
//! Each is a `#[component]` like one of your own, generic over the messages
//! it carries, and each follows the shutdown protocol: it ends when its
//! input ends (the runtime then sends `Finished` on its `signal`), and it
//! stops at once when a [`Control::Shutdown`](crate::Control::Shutdown)
//! arrives on its `control`.

mod timed;

pub use timed::{ByteRateLimit, RateLimit, Ticker, TimedBatch};

use crate::{Context, Control, Inbox, TryRecvError};

/// What a ready component waiting for input found.
#[derive(Debug)]
pub(crate) enum Next<T> {
    /// The next message.
    Message(T),
    /// The input has ended: every sender has finished and everything sent
    /// has been read.
    End,
    /// A `Shutdown` arrived on `control`: stop now.
    Shutdown,
}

/// Waits for the next message on `inbox`, or a `Shutdown` on the
/// component's `control`, whichever comes first (a `Shutdown` already
/// waiting wins over queued messages).
///
/// Other control messages are read and passed over: an upstream `Finished`
/// says what the end of the input will say, and an upstream `Failed` ends
/// the input too.
pub(crate) async fn next<T: Send + 'static>(inbox: &mut Inbox<T>, cx: &mut Context) -> Next<T> {
    loop {
        while let Ok(msg) = cx.control().try_recv() {
            if msg == Control::Shutdown {
                return Next::Shutdown;
            }
        }
        match inbox.try_recv() {
            Ok(msg) => return Next::Message(msg),
            Err(TryRecvError::Closed) => return Next::End,
            Err(TryRecvError::Empty) => cx.pause().await,
        }
    }
}
