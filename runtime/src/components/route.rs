//! Routing: copying one stream to several destinations, and bringing
//! several together (Axon's `Fanout`, `TwoWaySplitter`, `LossyConnector`,
//! `Comparator` and `Sync`). Why there is one fan-out (and one zip) per
//! number of ports is in the module docs, under "A fixed number of ports".

use super::{Count, Flow, Input, Stop, Want, finish, recv, send, unsent, wait};
use crate::{Component, Context, Error, Inbox, Outbox, SendErrorKind, TryRecvError, component};

/// What a fan-out does with a copy whose destination is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait for room (backpressure): the slowest destination sets the pace
    /// for all of them.
    #[default]
    Wait,
    /// Drop the copy and add one to the destination's [`Count`] (Kamaelia's
    /// `LossyConnector`), so a slow destination never holds up the others.
    DropCounted,
}

/// One destination of a fan-out.
struct Dest<'a, T> {
    outbox: &'a mut Outbox<T>,
    when_full: WhenFull,
    dropped: &'a Count,
}

impl<T: Send + 'static> Dest<'_, T> {
    /// Sends `msg` here as the policy says. A destination that finished,
    /// or is not linked, fails the component whatever the policy: a lossy
    /// policy is for a destination too slow, not for one that is gone.
    async fn deliver(&mut self, msg: T, cx: &mut Context) -> Flow {
        match self.when_full {
            WhenFull::Wait => send(self.outbox, msg, cx).await,
            WhenFull::DropCounted => match self.outbox.try_send(msg) {
                Err(e) if e.kind() == SendErrorKind::Full => {
                    self.dropped.add(1);
                    Ok(())
                }
                sent => Ok(sent?),
            },
        }
    }
}

/// Sends a copy of every message to each of `dests`, in order, until the
/// input ends or a `Shutdown` arrives; at a `Shutdown` the copies not yet
/// sent count as unsent on their outboxes.
async fn fan_out<T: Clone + Send + 'static>(
    inbox: &mut Inbox<T>,
    dests: &mut [Dest<'_, T>],
    cx: &mut Context,
) -> Flow {
    let Some(last) = dests.len().checked_sub(1) else {
        return Ok(());
    };
    while let Some(msg) = recv(inbox, cx).await? {
        for i in 0..last {
            if let Err(stop) = dests[i].deliver(msg.clone(), cx).await {
                return Err(abandon(stop, &dests[i + 1..]));
            }
        }
        dests[last].deliver(msg, cx).await?;
    }
    Ok(())
}

/// Counts one copy unsent on each of `later` if `stop` is a `Shutdown`.
fn abandon<T: Send + 'static>(stop: Stop, later: &[Dest<'_, T>]) -> Stop {
    if let Stop::Shutdown = stop {
        for dest in later {
            unsent(dest.outbox.name(), 1);
        }
    }
    stop
}

/// Copies each message to two outboxes, `first` then `second`, each with
/// its own policy for when its destination is full (Kamaelia's `Fanout`
/// and `TwoWaySplitter`; with [`WhenFull::DropCounted`], its
/// `LossyConnector`).
///
/// Copies dropped by a [`WhenFull::DropCounted`] policy are counted per
/// destination in the [`Count`]s from [`dropped`](Fanout2::dropped). A
/// destination that has finished, or an outbox left unlinked, fails the
/// component (a copy is never dropped for that). For three destinations,
/// see [`Fanout3`]; for why there is one type per number, see
/// [a fixed number of ports](super#a-fixed-number-of-ports).
///
/// ```
/// use myelin::components::{Collect, Fanout2, Source, WhenFull};
/// use myelin::graphline;
///
/// let (log, show) = (Collect::<i32>::new(), Collect::<i32>::new());
/// let (logged, shown) = (log.collected(), show.collected());
/// let split = Fanout2::new(WhenFull::Wait, WhenFull::DropCounted);
/// let [_, skipped] = split.dropped();
/// myelin::run(graphline! {
///     components {
///         source: Source::new(1..=100),
///         split: split,
///         log: log,
///         show: show,
///     }
///     links {
///         source.outbox -> split.inbox,
///         split.first -> log.inbox,
///         // The display has room for one message at a time.
///         split.second -> show.inbox (capacity = 1),
///     }
/// })?;
/// assert_eq!(logged.take(), (1..=100).collect::<Vec<_>>());
/// // Every copy the display missed is counted.
/// assert!(skipped.get() > 0);
/// assert_eq!(shown.len() as u64 + skipped.get(), 100);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Fanout2<T: Clone + Send + 'static> {
    /// Messages to copy.
    inbox: Inbox<T>,
    /// A copy of each message.
    first: Outbox<T>,
    /// Another copy of each message.
    second: Outbox<T>,
    /// What to do when `first`'s destination is full.
    first_full: WhenFull,
    /// What to do when `second`'s destination is full.
    second_full: WhenFull,
    #[state(default)]
    dropped: [Count; 2],
}

impl<T: Clone + Send + 'static> Fanout2<T> {
    /// Handles on the numbers of copies dropped for `first` and `second`.
    pub fn dropped(&self) -> [Count; 2] {
        self.dropped.clone()
    }
}

#[diagnostic::do_not_recommend]
impl<T: Clone + Send + 'static> Component for Fanout2<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let [first, second] = &self.dropped;
        let mut dests = [
            Dest {
                outbox: &mut self.first,
                when_full: self.first_full,
                dropped: first,
            },
            Dest {
                outbox: &mut self.second,
                when_full: self.second_full,
                dropped: second,
            },
        ];
        finish(fan_out(&mut self.inbox, &mut dests, cx).await)
    }
}

/// Copies each message to three outboxes, `first`, `second` then `third`,
/// each with its own policy for when its destination is full; otherwise
/// the same as [`Fanout2`].
///
/// ```
/// use myelin::components::{Discard, Fanout3, Source, WhenFull};
/// use myelin::graphline;
///
/// let sinks = [(); 3].map(|()| Discard::<i32>::new());
/// let read = sinks.each_ref().map(Discard::discarded);
/// let [a, b, c] = sinks;
/// myelin::run(graphline! {
///     components {
///         source: Source::new(0..10),
///         split: Fanout3::new(WhenFull::Wait, WhenFull::Wait, WhenFull::Wait),
///         a: a,
///         b: b,
///         c: c,
///     }
///     links {
///         source.outbox -> split.inbox,
///         split.first -> a.inbox,
///         split.second -> b.inbox,
///         split.third -> c.inbox,
///     }
/// })?;
/// assert!(read.iter().all(|count| count.get() == 10));
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Fanout3<T: Clone + Send + 'static> {
    /// Messages to copy.
    inbox: Inbox<T>,
    /// A copy of each message.
    first: Outbox<T>,
    /// Another copy of each message.
    second: Outbox<T>,
    /// A third copy of each message.
    third: Outbox<T>,
    /// What to do when `first`'s destination is full.
    first_full: WhenFull,
    /// What to do when `second`'s destination is full.
    second_full: WhenFull,
    /// What to do when `third`'s destination is full.
    third_full: WhenFull,
    #[state(default)]
    dropped: [Count; 3],
}

impl<T: Clone + Send + 'static> Fanout3<T> {
    /// Handles on the numbers of copies dropped for `first`, `second` and
    /// `third`.
    pub fn dropped(&self) -> [Count; 3] {
        self.dropped.clone()
    }
}

#[diagnostic::do_not_recommend]
impl<T: Clone + Send + 'static> Component for Fanout3<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let [first, second, third] = &self.dropped;
        let mut dests = [
            Dest {
                outbox: &mut self.first,
                when_full: self.first_full,
                dropped: first,
            },
            Dest {
                outbox: &mut self.second,
                when_full: self.second_full,
                dropped: second,
            },
            Dest {
                outbox: &mut self.third,
                when_full: self.third_full,
                dropped: third,
            },
        ];
        finish(fan_out(&mut self.inbox, &mut dests, cx).await)
    }
}

/// Passes messages on, dropping (and counting) each one that finds its
/// destination full instead of waiting (Kamaelia's `LossyConnector`).
///
/// Put it in front of a slow consumer with a bounded inbox, so that what
/// feeds it never waits. The count of dropped messages is in the [`Count`]
/// from [`dropped`](Lossy::dropped). A destination that has finished, or
/// an unlinked outbox, fails the component.
///
/// ```
/// use myelin::components::{Discard, Lossy, Source};
/// use myelin::graphline;
///
/// let lossy = Lossy::new();
/// let dropped = lossy.dropped();
/// let sink = Discard::<i32>::new();
/// let read = sink.discarded();
/// myelin::run(graphline! {
///     components {
///         source: Source::new(0..1000),
///         lossy: lossy,
///         sink: sink,
///     }
///     links {
///         source.outbox -> lossy.inbox,
///         // Room for 4: the sink falls behind, and the rest is dropped.
///         lossy.outbox -> sink.inbox (capacity = 4),
///     }
/// })?;
/// assert!(dropped.get() > 0);
/// // Each message was either read or counted as dropped.
/// assert_eq!(read.get() + dropped.get(), 1000);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Lossy<T: Send + 'static> {
    /// Messages to pass on.
    inbox: Inbox<T>,
    /// The messages that found room.
    outbox: Outbox<T>,
    #[state(default)]
    dropped: Count,
}

impl<T: Send + 'static> Lossy<T> {
    /// A handle on the number of messages dropped.
    pub fn dropped(&self) -> Count {
        self.dropped.clone()
    }
}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Component for Lossy<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut dest = Dest {
            outbox: &mut self.outbox,
            when_full: WhenFull::DropCounted,
            dropped: &self.dropped,
        };
        finish(
            async {
                while let Some(msg) = recv(&mut self.inbox, cx).await? {
                    dest.deliver(msg, cx).await?;
                }
                Ok(())
            }
            .await,
        )
    }
}

/// Sends `pair(a, b)` for each message `a` of `first` and the message `b`
/// of `second` in the same position, until one of them ends.
///
/// It waits until both inputs have a message before taking either, so it
/// never holds one while it waits: at a `Shutdown`, or when one input
/// ends, whatever the other still has stays in its inbox, and the run's
/// report counts it there as unread.
async fn pairs<A, B, O>(
    first: &mut Inbox<A>,
    second: &mut Inbox<B>,
    outbox: &mut Outbox<O>,
    cx: &mut Context,
    mut pair: impl FnMut(A, B) -> O,
) -> Flow
where
    A: Send + 'static,
    B: Send + 'static,
    O: Send + 'static,
{
    while wait(cx, &[&*first, &*second], Want::All)
        .await
        .flow()?
        .is_some()
    {
        let (Ok(a), Ok(b)) = (first.try_recv(), second.try_recv()) else {
            unreachable!("both inboxes had a message, and only this component takes from them")
        };
        send(outbox, pair(a, b), cx).await?;
    }
    Ok(())
}

/// Waits for one message on each input, then sends the two together, in
/// order: the n-th message of `first` with the n-th of `second` (Kamaelia's
/// `Sync`, which waits for one message per input before going on).
///
/// It finishes when either input has ended and every message from it has
/// been paired. Messages left over on the other input are not lost
/// silently: they stay in its inbox, and the run's report counts them as
/// undelivered there (`Undelivered { port: "second", .. }`, say); a sender
/// still sending to it gets its messages back, as the inbox has closed.
///
/// ```
/// use myelin::components::{Collect, Source, Zip};
/// use myelin::graphline;
///
/// let collect = Collect::<(&str, i32)>::new();
/// let pairs = collect.collected();
/// let report = myelin::run(graphline! {
///     components {
///         names: Source::new(["ada", "alan", "grace"]),
///         years: Source::new([1815, 1912]),
///         zip: Zip::new(),
///         out: collect,
///     }
///     links {
///         names.outbox -> zip.first,
///         years.outbox -> zip.second,
///         zip.outbox -> out.inbox,
///     }
/// })?;
/// assert_eq!(pairs.take(), [("ada", 1815), ("alan", 1912)]);
/// // "grace" had no partner: counted, not lost.
/// let zip = report.component("zip").unwrap();
/// assert_eq!((zip.undelivered[0].port, zip.undelivered[0].count), ("first", 1));
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Zip<A: Send + 'static, B: Send + 'static> {
    /// The first of each pair.
    first: Inbox<A>,
    /// The second of each pair.
    second: Inbox<B>,
    /// The pairs, in order.
    outbox: Outbox<(A, B)>,
}

#[diagnostic::do_not_recommend]
impl<A: Send + 'static, B: Send + 'static> Component for Zip<A, B> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            pairs(
                &mut self.first,
                &mut self.second,
                &mut self.outbox,
                cx,
                |a, b| (a, b),
            )
            .await,
        )
    }
}

/// Says whether the two messages of each pair are equal: `true` or `false`
/// on `outbox` for the n-th message of `left` and the n-th of `right`
/// (Kamaelia's `Comparator`, with `inA` and `inB`).
///
/// Messages may arrive on one side long before the other; they are paired
/// in order. It ends as [`Zip`] does: when one input ends, leftovers on the
/// other are counted as undelivered in the report.
///
/// ```
/// use myelin::components::{Collect, Compare, Source};
/// use myelin::graphline;
///
/// let collect = Collect::<bool>::new();
/// let same = collect.collected();
/// myelin::run(graphline! {
///     components {
///         expected: Source::new(["a", "b", "c"]),
///         actual: Source::new(["a", "x", "c"]),
///         compare: Compare::<&str>::new(),
///         out: collect,
///     }
///     links {
///         expected.outbox -> compare.left,
///         actual.outbox -> compare.right,
///         compare.outbox -> out.inbox,
///     }
/// })?;
/// assert_eq!(same.take(), [true, false, true]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Compare<T: PartialEq + Send + 'static> {
    /// One side of each comparison.
    left: Inbox<T>,
    /// The other side.
    right: Inbox<T>,
    /// Whether each pair is equal.
    outbox: Outbox<bool>,
}

#[diagnostic::do_not_recommend]
impl<T: PartialEq + Send + 'static> Component for Compare<T> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            pairs(
                &mut self.left,
                &mut self.right,
                &mut self.outbox,
                cx,
                |a, b| a == b,
            )
            .await,
        )
    }
}

/// [`Zip`] for three inputs: waits for one message on each of `first`,
/// `second` and `third`, then sends the three together, in order.
///
/// It finishes when any input has ended and every message from it has been
/// used; leftovers on the others stay in their inboxes and are counted as
/// undelivered in the run's report.
///
/// ```
/// use myelin::components::{Collect, Source, Zip3};
/// use myelin::graphline;
///
/// let collect = Collect::<(i32, &str, bool)>::new();
/// let rows = collect.collected();
/// myelin::run(graphline! {
///     components {
///         ids: Source::new([1, 2]),
///         names: Source::new(["one", "two"]),
///         flags: Source::new([true, false]),
///         zip: Zip3::new(),
///         out: collect,
///     }
///     links {
///         ids.outbox -> zip.first,
///         names.outbox -> zip.second,
///         flags.outbox -> zip.third,
///         zip.outbox -> out.inbox,
///     }
/// })?;
/// assert_eq!(rows.take(), [(1, "one", true), (2, "two", false)]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Zip3<A: Send + 'static, B: Send + 'static, C: Send + 'static> {
    /// The first of each triple.
    first: Inbox<A>,
    /// The second of each triple.
    second: Inbox<B>,
    /// The third of each triple.
    third: Inbox<C>,
    /// The triples, in order.
    outbox: Outbox<(A, B, C)>,
}

#[diagnostic::do_not_recommend]
impl<A, B, C> Component for Zip3<A, B, C>
where
    A: Send + 'static,
    B: Send + 'static,
    C: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            async {
                while wait(cx, &[&self.first, &self.second, &self.third], Want::All)
                    .await
                    .flow()?
                    .is_some()
                {
                    let (Ok(a), Ok(b), Ok(c)) = (
                        self.first.try_recv(),
                        self.second.try_recv(),
                        self.third.try_recv(),
                    ) else {
                        unreachable!("every inbox had a message, and only this component takes")
                    };
                    send(&mut self.outbox, (a, b, c), cx).await?;
                }
                Ok(())
            }
            .await,
        )
    }
}

/// A message from one of two inputs, as [`Merge`] sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Either<A, B> {
    /// From `left`.
    Left(A),
    /// From `right`.
    Right(B),
}

/// Sends the messages of both its inputs as they come, each wrapped to say
/// where it came from: [`Either::Left`] for `left`, [`Either::Right`] for
/// `right`.
///
/// The messages of each input stay in their order; between the two, when
/// both have messages waiting, it takes one from each in turn, so neither
/// can hold up the other. It finishes when both inputs have ended.
///
/// ```
/// use myelin::components::{Collect, Either, Merge, Source};
/// use myelin::graphline;
///
/// let collect = Collect::<Either<&str, i32>>::new();
/// let merged = collect.collected();
/// myelin::run(graphline! {
///     components {
///         words: Source::new(["a", "b"]),
///         numbers: Source::new([1]),
///         merge: Merge::new(),
///         out: collect,
///     }
///     links {
///         words.outbox -> merge.left,
///         numbers.outbox -> merge.right,
///         merge.outbox -> out.inbox,
///     }
/// })?;
/// let merged = merged.take();
/// assert_eq!(merged.len(), 3);
/// let words: Vec<_> = merged.iter().filter_map(|m| match m {
///     Either::Left(word) => Some(*word),
///     Either::Right(_) => None,
/// }).collect();
/// assert_eq!(words, ["a", "b"]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Merge<A: Send + 'static, B: Send + 'static> {
    /// One input.
    left: Inbox<A>,
    /// The other input.
    right: Inbox<B>,
    /// Both inputs' messages, tagged with where they came from.
    outbox: Outbox<Either<A, B>>,
}

#[diagnostic::do_not_recommend]
impl<A: Send + 'static, B: Send + 'static> Component for Merge<A, B> {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        finish(
            async {
                let (mut left, mut right) = (true, true);
                while left || right {
                    let mut took = false;
                    if left {
                        match self.left.try_recv() {
                            Ok(a) => {
                                send(&mut self.outbox, Either::Left(a), cx).await?;
                                took = true;
                            }
                            Err(TryRecvError::Closed) => left = false,
                            Err(TryRecvError::Empty) => {}
                        }
                    }
                    if right {
                        match self.right.try_recv() {
                            Ok(b) => {
                                send(&mut self.outbox, Either::Right(b), cx).await?;
                                took = true;
                            }
                            Err(TryRecvError::Closed) => right = false,
                            Err(TryRecvError::Empty) => {}
                        }
                    }
                    if !took && (left || right) {
                        // Only the inputs still open: an ended one would
                        // end every wait at once.
                        let mut open: Vec<&dyn Input> = Vec::with_capacity(2);
                        if left {
                            open.push(&self.left);
                        }
                        if right {
                            open.push(&self.right);
                        }
                        wait(cx, &open, Want::Any).await.flow()?;
                    }
                }
                Ok(())
            }
            .await,
        )
    }
}
