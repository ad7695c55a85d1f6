//! Sources: components that start a stream (Axon's `DataSource`,
//! `OneShot` and `TriggeredSource`).

use super::{Flow, finish, recv, send};
use crate::{Component, Context, Error, Inbox, Outbox, component};

/// Sends `items` on `outbox`, in order; a `Shutdown` stops it between two.
async fn emit<T: Send + 'static>(
    items: impl IntoIterator<Item = T>,
    outbox: &mut Outbox<T>,
    cx: &mut Context,
) -> Flow {
    for item in items {
        send(outbox, item, cx).await?;
    }
    Ok(())
}

/// Sends each item of a collection, range or iterator, in order, then
/// finishes (Axon's `DataSource`).
///
/// `new` takes anything iterable: a `Vec`, an array, a range, or any
/// iterator, however long. A `Shutdown` stops it between two items; items
/// it has not taken from the iterator yet are not messages, and are not
/// counted anywhere.
///
/// ```
/// use myelin::components::{Collect, Source};
/// use myelin::pipeline;
///
/// let collect = Collect::<&str>::new();
/// let words = collect.collected();
/// myelin::run(pipeline![Source::new(["to", "be"]), collect])?;
/// assert_eq!(words.take(), ["to", "be"]);
///
/// // Any iterator, here an endless one cut short.
/// let collect = Collect::<u64>::new();
/// let evens = collect.collected();
/// myelin::run(pipeline![Source::new((0..).step_by(2).take(3)), collect])?;
/// assert_eq!(evens.take(), [0, 2, 4]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Source<I>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    /// The items, in order.
    outbox: Outbox<I::Item>,
    /// What to send: a collection, a range or any iterator (taken from
    /// this field when the component starts).
    #[state(into)]
    items: Option<I>,
}

#[diagnostic::do_not_recommend]
impl<I> Component for Source<I>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            emit(
                self.items.take().into_iter().flatten(),
                &mut self.outbox,
                cx,
            )
            .await,
        )
    }
}

/// Sends one message, then finishes (Axon's `OneShot`).
///
/// ```
/// use myelin::components::{Collect, OneShot};
/// use myelin::pipeline;
///
/// let collect = Collect::<String>::new();
/// let got = collect.collected();
/// myelin::run(pipeline![OneShot::new("ready".to_owned()), collect])?;
/// assert_eq!(got.take(), ["ready"]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct OneShot<T: Send + 'static> {
    /// The message.
    outbox: Outbox<T>,
    /// The message to send (`None` sends nothing).
    #[state(into)]
    message: Option<T>,
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for OneShot<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(emit(self.message.take(), &mut self.outbox, cx).await)
    }
}

/// Sends its next item each time a message arrives on `trigger`
/// (Kamaelia's `TriggeredSource`); [`Triggered::repeat`] sends the same
/// message every time.
///
/// It finishes when its items run out (after sending the last one, without
/// waiting for another trigger) or when `trigger` ends. Triggers still
/// queued when it finishes are counted as unread in the run's report, like
/// any unread message. What a trigger message says is not looked at; its
/// type is whatever the component linked to `trigger` sends.
///
/// ```
/// use myelin::components::{Collect, Source, Triggered};
/// use myelin::graphline;
///
/// let collect = Collect::<&str>::new();
/// let got = collect.collected();
/// let system = graphline! {
///     components {
///         clicks: Source::new(["click"; 2]),
///         pages: Triggered::<_, &str>::new(["page 1", "page 2", "page 3"]),
///         show: collect,
///     }
///     links {
///         clicks.outbox -> pages.trigger,
///         pages.outbox -> show.inbox,
///     }
/// };
/// myelin::run(system)?;
/// // Two clicks, two pages: the third is never sent.
/// assert_eq!(got.take(), ["page 1", "page 2"]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Triggered<I, G>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
    G: Send + 'static,
{
    /// Each message here releases the next item.
    trigger: Inbox<G>,
    /// One item per trigger.
    outbox: Outbox<I::Item>,
    /// What to send, an item per trigger: a collection, a range or any
    /// iterator (taken from this field when the component starts).
    #[state(into)]
    items: Option<I>,
}

impl<T, G> Triggered<std::iter::Repeat<T>, G>
where
    T: Clone + Send + 'static,
    G: Send + 'static,
{
    /// A triggered source that sends a copy of `message` for every trigger,
    /// until `trigger` ends (Axon's `TriggeredSource(msg)`).
    ///
    /// ```
    /// use myelin::components::{Collect, Source, Triggered};
    /// use myelin::graphline;
    ///
    /// let collect = Collect::<&str>::new();
    /// let got = collect.collected();
    /// myelin::run(graphline! {
    ///     components {
    ///         ticks: Source::new(0..3),
    ///         bell: Triggered::<_, i32>::repeat("ding"),
    ///         show: collect,
    ///     }
    ///     links {
    ///         ticks.outbox -> bell.trigger,
    ///         bell.outbox -> show.inbox,
    ///     }
    /// })?;
    /// assert_eq!(got.take(), ["ding"; 3]);
    /// # Ok::<(), myelin::Error>(())
    /// ```
    #[must_use]
    pub fn repeat(message: T) -> Self {
        Self::new(std::iter::repeat(message))
    }
}

#[diagnostic::do_not_recommend]
impl<I, G> Component for Triggered<I, G>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
    G: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut items = self.items.take().into_iter().flatten().peekable();
        finish(
            async {
                while items.peek().is_some() && recv(&mut self.trigger, cx).await?.is_some() {
                    if let Some(item) = items.next() {
                        send(&mut self.outbox, item, cx).await?;
                    }
                }
                Ok(())
            }
            .await,
        )
    }
}
