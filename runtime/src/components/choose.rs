//! Choosing from a list on command ([`Chooser`]), and releasing queued
//! items one per request ([`Turnstile`]).

use super::{Next, next, send, stopped};
use crate::{Component, Context, Error, Inbox, Outbox, component};

/// A command to a [`Chooser`]: which item to emit next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Choose {
    /// The current item again (Kamaelia's `SAME`).
    Same,
    /// The item after the current one (`NEXT`).
    Next,
    /// The item before the current one (`PREV`).
    Prev,
    /// The first item (`FIRST`), even if it is the current one.
    First,
    /// The last item (`LAST`), even if it is the current one.
    Last,
    /// The item at this index, counting from 0.
    Goto(usize),
}

/// Steps through a list of items on command, emitting the item chosen
/// (Kamaelia's `Chooser`): a cursor over the list, driven by [`Choose`]
/// commands on its `inbox`.
///
/// - It emits the first item as soon as it starts, then one item per
///   command: [`Same`](Choose::Same) the current one again,
///   [`First`](Choose::First) and [`Last`](Choose::Last) the first and last
///   (always, even when already there), [`Goto(i)`](Choose::Goto) the item
///   at index `i`.
/// - At the ends it stops, as Kamaelia's does: [`Next`](Choose::Next) on
///   the last item and [`Prev`](Choose::Prev) on the first emit nothing and
///   leave the choice where it is. (Kamaelia documents this for both ends;
///   its code emits the first item again on `PREV` at the start, which this
///   one does not.) Made with [`looping`](Chooser::looping), it wraps
///   instead: `Next` on the last item emits the first, `Prev` on the first
///   emits the last.
/// - `Goto(i)` with `i` past the end emits nothing and leaves the choice
///   where it is. An empty list emits nothing at all.
///
/// A command that emits nothing is not an error: it is read, and the
/// component waits for the next one. It ends when its commands end, and
/// stops at once on `Shutdown`.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::{Choose, Chooser};
/// use myelin::prelude::*;
///
/// /// Sends a fixed list of commands.
/// #[component]
/// struct Remote {
///     outbox: Outbox<Choose>,
///     commands: Vec<Choose>,
/// }
///
/// impl Component for Remote {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for &c in &self.commands {
///             self.outbox.send(c).await?;
///         }
///         Ok(())
///     }
/// }
///
/// /// Keeps what it receives.
/// #[component]
/// struct Keep {
///     inbox: Inbox<&'static str>,
///     kept: Arc<Mutex<Vec<&'static str>>>,
/// }
///
/// impl Component for Keep {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         while let Some(x) = self.inbox.recv().await {
///             self.kept.lock().unwrap().push(x);
///         }
///         Ok(())
///     }
/// }
///
/// let kept = Arc::new(Mutex::new(Vec::new()));
/// myelin::run(pipeline![
///     Remote::new(vec![Choose::Next, Choose::Next, Choose::Next, Choose::Prev, Choose::First]),
///     Chooser::new(vec!["apple", "banana", "cherry"]),
///     Keep::new(kept.clone()),
/// ])?;
/// // The first item at start; the third `Next` is past the end: nothing.
/// assert_eq!(*kept.lock().unwrap(), ["apple", "banana", "cherry", "banana", "apple"]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Chooser<T: Clone + Send + 'static> {
    /// Commands: which item to emit next.
    inbox: Inbox<Choose>,
    /// The items chosen.
    outbox: Outbox<T>,
    /// The items to choose from.
    items: Vec<T>,
    /// Whether `Next` and `Prev` wrap around at the ends.
    #[state(default)]
    looping: bool,
    /// The index of the current item.
    #[state(default)]
    current: usize,
}

impl<T: Clone + Send + 'static> Chooser<T> {
    /// Makes `Next` on the last item choose the first, and `Prev` on the
    /// first choose the last (Kamaelia's `loop=True`).
    #[must_use]
    pub fn looping(mut self) -> Self {
        self.looping = true;
        self
    }

    /// Moves the choice as `command` says; the index of the new choice, or
    /// `None` if the command chooses nothing.
    fn choose(&mut self, command: Choose) -> Option<usize> {
        let len = self.items.len();
        let last = len.checked_sub(1)?;
        let chosen = match command {
            Choose::Same => self.current,
            Choose::First => 0,
            Choose::Last => last,
            Choose::Goto(i) if i < len => i,
            Choose::Goto(_) => return None,
            Choose::Next if self.current < last => self.current + 1,
            Choose::Prev if self.current > 0 => self.current - 1,
            Choose::Next if self.looping => 0,
            Choose::Prev if self.looping => last,
            Choose::Next | Choose::Prev => return None,
        };
        self.current = chosen;
        Some(chosen)
    }
}

#[diagnostic::do_not_recommend]
impl<T: Clone + Send + 'static> Component for Chooser<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut chosen = self.choose(Choose::First);
        loop {
            if let Some(i) = chosen {
                let item = self.items[i].clone();
                if stopped(send(&mut self.outbox, item, cx).await)? {
                    return Ok(());
                }
            }
            match next(&mut self.inbox, cx).await {
                Next::Message(command) => chosen = self.choose(command),
                Next::End | Next::Shutdown => return Ok(()),
            }
        }
    }
}

/// Holds the items that arrive on `inbox` and lets one through to `outbox`
/// for each request on `next` (Kamaelia's `PromptedTurnstile`).
///
/// Items wait in the `inbox` itself until a request comes, so the inbox's
/// capacity bounds them and backpressure reaches the sender. A request that
/// comes before any item is remembered: the next item to arrive goes
/// straight through. The requests can be of any type `R`, only their number
/// counts: `Turnstile::<T>::new()` takes `()`, `Turnstile::<T, R>::new()`
/// any other (name `R`: the link into `next` does not infer it).
///
/// It ends when a request finds the items ended, or when the requests end:
/// then nothing more could be let through, and the items still waiting are
/// counted in the report as unread in `inbox`, as for any component that
/// ends before reading everything (so are requests left unanswered when it
/// ends). Like Kamaelia's, it notices that the items have ended only when
/// the next request comes. It stops at once on `Shutdown`, also while it
/// waits for room downstream.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// use myelin::components::Turnstile;
/// use myelin::prelude::*;
///
/// /// Sends its items, then finishes.
/// #[component]
/// struct Queue {
///     outbox: Outbox<u32>,
///     items: Vec<u32>,
/// }
///
/// impl Component for Queue {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for &n in &self.items {
///             self.outbox.send(n).await?;
///         }
///         Ok(())
///     }
/// }
///
/// /// Asks for `count` items, one at a time, waiting for each.
/// #[component]
/// struct Ask {
///     request: Outbox<()>,
///     answer: Inbox<u32>,
///     count: usize,
///     got: Arc<Mutex<Vec<u32>>>,
/// }
///
/// impl Component for Ask {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         for _ in 0..self.count {
///             self.request.send(()).await?;
///             let Some(n) = self.answer.recv().await else { break };
///             self.got.lock().unwrap().push(n);
///         }
///         Ok(())
///     }
/// }
///
/// let got = Arc::new(Mutex::new(Vec::new()));
/// let report = myelin::run(graphline! {
///     components {
///         queue: Queue::new(vec![1, 2, 3, 4, 5]),
///         gate: Turnstile::<u32>::new(),
///         ask: Ask::new(3, got.clone()),
///     }
///     links {
///         queue.outbox -> gate.inbox,
///         ask.request -> gate.next,
///         gate.outbox -> ask.answer,
///     }
/// })?;
/// assert_eq!(*got.lock().unwrap(), [1, 2, 3]);
/// // Nobody asked for 4 and 5: they are reported, not lost.
/// assert_eq!(report.undelivered(), 2);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Turnstile<T: Send + 'static, R: Send + 'static = ()> {
    /// The items, held here until requested.
    inbox: Inbox<T>,
    /// Requests: each lets one item through.
    next: Inbox<R>,
    /// The items let through, one per request.
    outbox: Outbox<T>,
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static, R: Send + 'static> Component for Turnstile<T, R> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            // The request first, so that an item leaves the inbox only to
            // be sent. Waiting on `next` alone: items queued meanwhile must
            // not wake it.
            match next(&mut self.next, cx).await {
                Next::Message(_) => {}
                Next::End | Next::Shutdown => return Ok(()),
            }
            let item = match next(&mut self.inbox, cx).await {
                Next::Message(item) => item,
                Next::End | Next::Shutdown => return Ok(()),
            };
            if stopped(send(&mut self.outbox, item, cx).await)? {
                return Ok(());
            }
        }
    }
}
