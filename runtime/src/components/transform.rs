//! Transformers: each message in gives zero, one or several out (Axon's
//! `PureTransformer`, `SequentialTransformer`, `Filter`,
//! `TagWithSequenceNumber` and `Chunkifier`).

use super::{Flow, Next, Stop, finish, next, recv, send, unsent};
use crate::{Component, Context, Error, Inbox, Outbox, component};

/// Sends `f(message)` for each message whose `f` gives `Some`, until the
/// input ends or a `Shutdown` arrives.
async fn each<T, U>(
    inbox: &mut Inbox<T>,
    outbox: &mut Outbox<U>,
    cx: &mut Context,
    mut f: impl FnMut(T) -> Option<U>,
) -> Flow
where
    T: Send + 'static,
    U: Send + 'static,
{
    while let Some(msg) = recv(inbox, cx).await? {
        if let Some(out) = f(msg) {
            send(outbox, out, cx).await?;
        }
    }
    Ok(())
}

/// Sends `f(message)` for each message (Axon's `PureTransformer`).
///
/// ```
/// use myelin::components::{Collect, Map, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<usize>::new();
/// let lengths = collect.collected();
/// myelin::run(pipeline![
///     Source::new(["one", "three"]),
///     Map::new(|word: &str| word.len()),
///     collect,
/// ])?;
/// assert_eq!(lengths.take(), [3, 5]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Map<T, U, F>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> U + Send + 'static,
{
    /// Messages to transform.
    inbox: Inbox<T>,
    /// `f(message)`, for each message in order.
    outbox: Outbox<U>,
    /// The function.
    f: F,
}

#[diagnostic::do_not_recommend]
impl<T, U, F> Component for Map<T, U, F>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> U + Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let f = &mut self.f;
        finish(each(&mut self.inbox, &mut self.outbox, cx, |msg| Some(f(msg))).await)
    }
}

/// Passes on the messages for which `keep` says `true`, and only those
/// (Axon's `Filter`).
///
/// ```
/// use myelin::components::{Collect, Filter, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<u32>::new();
/// let evens = collect.collected();
/// myelin::run(pipeline![
///     Source::new(1..=6),
///     Filter::new(|n: &u32| n % 2 == 0),
///     collect,
/// ])?;
/// assert_eq!(evens.take(), [2, 4, 6]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Filter<T, F>
where
    T: Send + 'static,
    F: FnMut(&T) -> bool + Send + 'static,
{
    /// Messages to sort out.
    inbox: Inbox<T>,
    /// The messages kept, in order.
    outbox: Outbox<T>,
    /// Whether to pass a message on.
    keep: F,
}

#[diagnostic::do_not_recommend]
impl<T, F> Component for Filter<T, F>
where
    T: Send + 'static,
    F: FnMut(&T) -> bool + Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let keep = &mut self.keep;
        finish(
            each(&mut self.inbox, &mut self.outbox, cx, |msg| {
                keep(&msg).then_some(msg)
            })
            .await,
        )
    }
}

/// Sends `f(message)` for each message where it is `Some`, and nothing
/// where it is `None` (Axon's `PureTransformer`, whose function drops a
/// message by returning `None`).
///
/// ```
/// use myelin::components::{Collect, FilterMap, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<u8>::new();
/// let numbers = collect.collected();
/// myelin::run(pipeline![
///     Source::new(["1", "two", "3"]),
///     FilterMap::new(|s: &str| s.parse::<u8>().ok()),
///     collect,
/// ])?;
/// assert_eq!(numbers.take(), [1, 3]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct FilterMap<T, U, F>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> Option<U> + Send + 'static,
{
    /// Messages to transform.
    inbox: Inbox<T>,
    /// The `Some` results, in order.
    outbox: Outbox<U>,
    /// The function.
    f: F,
}

#[diagnostic::do_not_recommend]
impl<T, U, F> Component for FilterMap<T, U, F>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> Option<U> + Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(each(&mut self.inbox, &mut self.outbox, cx, &mut self.f).await)
    }
}

/// One step of a [`Chain`].
type Step<T> = Box<dyn FnMut(T) -> T + Send>;

/// Applies a list of functions to each message, one after another, and
/// sends the result (Axon's `SequentialTransformer`).
///
/// Start with `Chain::new()`, which passes messages on unchanged, and add
/// steps with [`then`](Chain::then); or give the whole list at once with
/// [`of`](Chain::of). Each step takes and returns the same type; for a
/// step that changes it, use a [`Map`] (one stage per type change).
///
/// ```
/// use myelin::components::{Chain, Collect, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<String>::new();
/// let out = collect.collected();
/// let tidy = Chain::new()
///     .then(|s: String| s.trim().to_owned())
///     .then(|s| s.to_lowercase());
/// myelin::run(pipeline![Source::new(["  Hello ".to_owned()]), tidy, collect])?;
/// assert_eq!(out.take(), ["hello"]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Chain<T: Send + 'static> {
    /// Messages to transform.
    inbox: Inbox<T>,
    /// Each message after every step, in order.
    outbox: Outbox<T>,
    #[state(default)]
    steps: Vec<Step<T>>,
}

impl<T: Send + 'static> Chain<T> {
    /// The chain with `step` added after the steps it has.
    #[must_use]
    pub fn then(mut self, step: impl FnMut(T) -> T + Send + 'static) -> Self {
        self.steps.push(Box::new(step));
        self
    }

    /// A chain of `steps`, applied in order.
    ///
    /// ```
    /// use myelin::components::Chain;
    ///
    /// let _chain = Chain::of(vec![Box::new(|n: u64| n + 1), Box::new(|n| n * 2)]);
    /// ```
    #[must_use]
    pub fn of(steps: Vec<Box<dyn FnMut(T) -> T + Send>>) -> Self {
        let mut chain = Self::new();
        chain.steps = steps;
        chain
    }
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for Chain<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let steps = &mut self.steps;
        finish(
            each(&mut self.inbox, &mut self.outbox, cx, |msg| {
                Some(steps.iter_mut().fold(msg, |msg, step| step(msg)))
            })
            .await,
        )
    }
}

/// Tags each message with its sequence number, from 0 (Axon's
/// `TagWithSequenceNumber`).
///
/// ```
/// use myelin::components::{Collect, Enumerate, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<(u64, char)>::new();
/// let tagged = collect.collected();
/// myelin::run(pipeline![Source::new(['a', 'b']), Enumerate::new(), collect])?;
/// assert_eq!(tagged.take(), [(0, 'a'), (1, 'b')]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Enumerate<T: Send + 'static> {
    /// Messages to tag.
    inbox: Inbox<T>,
    /// Each message with its number.
    outbox: Outbox<(u64, T)>,
    #[state(default)]
    count: u64,
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for Enumerate<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let count = &mut self.count;
        finish(
            each(&mut self.inbox, &mut self.outbox, cx, |msg| {
                let n = *count;
                *count += 1;
                Some((n, msg))
            })
            .await,
        )
    }
}

/// Gathers messages into `Vec`s of `size`, in order (Axon's
/// `Chunkifier`); [`Flatten`] undoes it.
///
/// When the input ends, the messages of an unfinished chunk go out as a
/// last, shorter chunk: none is lost. When a `Shutdown` stops it, that
/// unfinished chunk is not sent, and the report counts it as one message
/// unsent on `outbox`. A size of 0 is an error, reported as the
/// component's failure when it starts.
///
/// ```
/// use myelin::components::{Chunk, Collect, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<Vec<i32>>::new();
/// let chunks = collect.collected();
/// myelin::run(pipeline![Source::new(1..=5), Chunk::new(2), collect])?;
/// assert_eq!(chunks.take(), [vec![1, 2], vec![3, 4], vec![5]]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Chunk<T: Send + 'static> {
    /// Messages to gather.
    inbox: Inbox<T>,
    /// Chunks of `size` messages; the last may be shorter.
    outbox: Outbox<Vec<T>>,
    /// How many messages make a chunk (at least 1).
    size: usize,
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for Chunk<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let size = self.size;
        if size == 0 {
            return Err(Error::msg(
                "Chunk::new(0): a chunk needs a size of at least 1 message",
            ));
        }
        let mut chunk = Vec::with_capacity(size);
        finish(
            async {
                loop {
                    match next(&mut self.inbox, cx).await {
                        Next::Message(msg) => {
                            chunk.push(msg);
                            if chunk.len() == size {
                                let full = std::mem::replace(&mut chunk, Vec::with_capacity(size));
                                send(&mut self.outbox, full, cx).await?;
                            }
                        }
                        Next::End if chunk.is_empty() => return Ok(()),
                        Next::End => return send(&mut self.outbox, chunk, cx).await,
                        Next::Shutdown => {
                            unsent(self.outbox.name(), usize::from(!chunk.is_empty()));
                            return Err(Stop::Shutdown);
                        }
                    }
                }
            }
            .await,
        )
    }
}

/// Sends each item of each collection it receives, in order: a `Vec`, an
/// array, an `Option`, anything `IntoIterator`. The inverse of [`Chunk`].
///
/// When a `Shutdown` stops it halfway through a collection, the items of
/// that collection not yet sent are counted in the report as unsent on
/// `outbox`.
///
/// ```
/// use myelin::components::{Collect, Flatten, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<i32>::new();
/// let items = collect.collected();
/// myelin::run(pipeline![
///     Source::new([vec![1, 2], vec![], vec![3]]),
///     Flatten::<Vec<i32>>::new(),
///     collect,
/// ])?;
/// assert_eq!(items.take(), [1, 2, 3]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Flatten<C>
where
    C: IntoIterator + Send + 'static,
    C::Item: Send + 'static,
{
    /// Collections to take apart.
    inbox: Inbox<C>,
    /// Their items, in order.
    outbox: Outbox<C::Item>,
}

#[diagnostic::do_not_recommend]
impl<C> Component for Flatten<C>
where
    C: IntoIterator + Send + 'static,
    C::Item: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            async {
                while let Some(collection) = recv(&mut self.inbox, cx).await? {
                    let mut items = collection.into_iter();
                    while let Some(item) = items.next() {
                        let sent = send(&mut self.outbox, item, cx).await;
                        if let Err(Stop::Shutdown) = sent {
                            // `send` counted the item in hand.
                            unsent(self.outbox.name(), items.by_ref().count());
                        }
                        sent?;
                    }
                }
                Ok(())
            }
            .await,
        )
    }
}
