//! Backplanes: named publish/subscribe places (Axon's `Backplane`,
//! `PublishTo` and `SubscribeTo`).
//!
//! Any number of [`Publisher`]s send into a backplane; every
//! [`Subscription`] gets each message published after it joined, in
//! publication order per publisher. Each subscription has a queue of its
//! own with a capacity and a [`Policy`] for when it is full: make the
//! publishers wait (backpressure), or drop the oldest or the newest message
//! and count it. A message is cloned once for each subscription but the
//! last, which gets the original; share a large message as an `Arc<T>` to
//! clone only the pointer.
//!
//! A subscription's stream ends once the backplane has had publishers and
//! every one has left, the way a channel's receivers end once every sender
//! is dropped; what was queued for it is still delivered first. A message
//! published while nobody subscribes is counted as discarded, and what a
//! subscription drops or leaves unread is counted too: the run's
//! [`Report`](crate::Report) shows every backplane's counts.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

// parking_lot's, not `crate::sync`'s: backplanes are not part of the wake
// protocol the loom models check.
use parking_lot::Mutex;

use super::{Key, Outside, TypeMismatch, Waiters};
use crate::error::TryRecvError;
use crate::report::{BackplaneReport, SubscriptionReport};

/// What a subscription does when its queue is full and another message is
/// published. Chosen per subscription; the number is the queue's capacity
/// (at least 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Publishers wait until the subscriber has taken a message
    /// (backpressure): nothing is lost, and one slow subscriber slows every
    /// publisher.
    Wait(usize),
    /// The oldest queued message is dropped to make room, and counted.
    DropOldest(usize),
    /// The new message is dropped for this subscription, and counted.
    DropNewest(usize),
}

impl Policy {
    fn capacity(self) -> usize {
        match self {
            Self::Wait(n) | Self::DropOldest(n) | Self::DropNewest(n) => n.max(1),
        }
    }

    /// How the report names the policy.
    fn name(self) -> &'static str {
        match self {
            Self::Wait(_) => "wait",
            Self::DropOldest(_) => "drop oldest",
            Self::DropNewest(_) => "drop newest",
        }
    }
}

impl Default for Policy {
    /// `Wait(1024)`: nothing lost, memory bounded.
    fn default() -> Self {
        Self::Wait(1024)
    }
}

/// One subscription's side of the backplane.
struct Sub<T> {
    id: u64,
    subscriber: String,
    policy: Policy,
    queue: VecDeque<T>,
    /// Messages the subscriber took from the queue (in batches).
    delivered: u64,
    dropped: u64,
    /// Every publisher has left since the subscription joined: once the
    /// queue is empty, the stream ends.
    ended: bool,
    waker: Option<Waker>,
}

struct State<T> {
    subs: Vec<Sub<T>>,
    next_id: u64,
    publishers: usize,
    published: u64,
    discarded: u64,
    /// Messages whose publisher gave up waiting for room (its publish
    /// future was dropped, or its component cancelled).
    unsent: u64,
    /// Subscriptions that have left, with what they dropped or left unread.
    departed: Vec<SubscriptionReport>,
    /// Publishers waiting for room in a subscription with [`Policy::Wait`].
    waiting: Vec<Waker>,
}

struct Shared<T> {
    name: Arc<str>,
    state: Mutex<State<T>>,
    waiters: Arc<Waiters>,
}

/// A named backplane carrying messages of type `T`: get one from
/// [`Places::backplane`](super::Places::backplane). Cheap to clone.
///
/// ```
/// use myelin::meeting::{Key, Places, Policy};
///
/// const NEWS: Key<String> = Key::new("news");
///
/// let places = Places::new();
/// let news = places.backplane(&NEWS)?;
/// let mut reader = news.subscribe("reader", Policy::Wait(16));
/// let mut press = news.publisher();
/// press.try_publish("extra!".to_owned())?;
/// drop(press); // the last publisher leaves: the stream ends
/// assert_eq!(reader.try_recv(), Ok("extra!".to_owned()));
/// assert!(reader.try_recv().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Backplane<T> {
    shared: Arc<Shared<T>>,
    /// Set when taken from places held outside the system.
    outside: Option<Arc<Outside>>,
}

impl<T> Clone for Backplane<T> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            outside: self.outside.clone(),
        }
    }
}

impl<T> fmt::Debug for Backplane<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backplane")
            .field("name", &self.shared.name)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Backplane<T> {
    fn new(name: &str, waiters: Arc<Waiters>) -> Self {
        Self {
            outside: None,
            shared: Arc::new(Shared {
                waiters,
                name: name.into(),
                state: Mutex::new(State {
                    subs: Vec::new(),
                    next_id: 0,
                    publishers: 0,
                    published: 0,
                    discarded: 0,
                    unsent: 0,
                    departed: Vec::new(),
                    waiting: Vec::new(),
                }),
            }),
        }
    }

    /// The backplane's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    pub(crate) fn set_outside(&mut self, outside: Option<Arc<Outside>>) {
        self.outside = outside;
    }

    /// Joins as a publisher. The backplane counts it until it is dropped;
    /// when the last publisher leaves, every subscription's stream ends
    /// once it has taken what was queued for it.
    pub fn publisher(&self) -> Publisher<T> {
        self.shared.state.lock().publishers += 1;
        Publisher {
            shared: self.shared.clone(),
            _outside: self.outside.clone(),
        }
    }

    /// Joins as a subscriber named `subscriber` (the report uses the name),
    /// with `policy` for when its queue is full. It gets every message
    /// published from now on.
    pub fn subscribe(&self, subscriber: impl Into<String>, policy: Policy) -> Subscription<T> {
        let mut state = self.shared.state.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.subs.push(Sub {
            id,
            subscriber: subscriber.into(),
            policy,
            queue: VecDeque::new(),
            delivered: 0,
            dropped: 0,
            ended: false,
            waker: None,
        });
        Subscription {
            shared: self.shared.clone(),
            _outside: self.outside.clone(),
            id,
            batch: VecDeque::new(),
            done: false,
        }
    }

    /// How many publishers and subscribers are joined now.
    pub fn members(&self) -> (usize, usize) {
        let state = self.shared.state.lock();
        (state.publishers, state.subs.len())
    }

    /// The backplane's counts now.
    pub fn report(&self) -> BackplaneReport {
        self.shared.report()
    }
}

impl<T> Shared<T> {
    fn report(&self) -> BackplaneReport {
        let state = self.state.lock();
        let mut subscriptions = state.departed.clone();
        subscriptions.extend(state.subs.iter().map(|s| SubscriptionReport {
            subscriber: s.subscriber.clone(),
            policy: s.policy.name(),
            delivered: s.delivered,
            dropped: s.dropped,
            unread: s.queue.len() as u64,
        }));
        BackplaneReport {
            name: self.name.to_string(),
            message: std::any::type_name::<T>(),
            published: state.published,
            discarded: state.discarded,
            unsent: state.unsent,
            subscriptions,
        }
    }
}

/// Why a message could not be published now; carries it back.
#[derive(Clone, PartialEq, Eq)]
pub enum PublishError<T> {
    /// A subscription with [`Policy::Wait`] is full.
    Full(T),
}

impl<T> PublishError<T> {
    /// The message that was not published.
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(msg) => msg,
        }
    }
}

impl<T> fmt::Debug for PublishError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full(..)")
    }
}

impl<T> fmt::Display for PublishError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a subscription that makes publishers wait is full")
    }
}

impl<T> std::error::Error for PublishError<T> {}

/// A publisher's place on a backplane (see [`Backplane::publisher`]).
pub struct Publisher<T> {
    shared: Arc<Shared<T>>,
    _outside: Option<Arc<Outside>>,
}

impl<T: Clone + Send + 'static> Publisher<T> {
    /// Whether what this publisher waits for may come from outside the
    /// system (see `waiters.rs`).
    pub(crate) fn waits_on_outside(&self) -> bool {
        self.shared.waiters.outside()
    }

    /// Publishes `msg` now, or hands it back if a subscription that makes
    /// publishers wait is full. With nobody subscribed, the message is
    /// counted as discarded (it is not an error: nobody was listening).
    pub fn try_publish(&mut self, msg: T) -> Result<(), PublishError<T>> {
        self.shared.push(msg, None)
    }

    /// Publishes `msg`, waiting while a subscription with [`Policy::Wait`]
    /// is full: for generator components and other `async` code. Dropping
    /// the future before it completes counts the message as unsent.
    pub fn publish(&mut self, msg: T) -> Publish<'_, T> {
        Publish {
            publisher: self,
            msg: Some(msg),
        }
    }

    /// [`try_publish`](Publisher::try_publish), registering `waker` to be
    /// woken when room appears if it is refused (the same critical section,
    /// so room freed right after cannot be missed).
    pub(crate) fn poll_publish(&mut self, msg: T, waker: &Waker) -> Result<(), PublishError<T>> {
        self.shared.push(msg, Some(waker))
    }

    /// The backplane's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }
}

impl<T: Clone> Shared<T> {
    fn push(&self, msg: T, waker: Option<&Waker>) -> Result<(), PublishError<T>> {
        let mut state = self.state.lock();
        let state = &mut *state;
        if state.subs.is_empty() {
            state.discarded += 1;
            return Ok(());
        }
        // All or nothing: a message goes to every subscription or waits.
        let full = state
            .subs
            .iter()
            .any(|s| matches!(s.policy, Policy::Wait(_)) && s.queue.len() >= s.policy.capacity());
        if full {
            if let Some(waker) = waker
                && !state.waiting.iter().any(|w| self.waiters.same(w, waker))
            {
                state.waiting.push(self.waiters.keep(waker));
            }
            return Err(PublishError::Full(msg));
        }
        state.published += 1;
        let last = state.subs.len() - 1;
        let mut msg = Some(msg);
        for (i, sub) in state.subs.iter_mut().enumerate() {
            // Cloned for all but the last, which takes the original.
            let copy = if i == last {
                msg.take().expect("taken once, by the last")
            } else {
                msg.as_ref().expect("not taken yet").clone()
            };
            if sub.queue.len() >= sub.policy.capacity() {
                sub.dropped += 1;
                match sub.policy {
                    Policy::DropOldest(_) => {
                        sub.queue.pop_front();
                        sub.queue.push_back(copy);
                    }
                    // `Wait` cannot be full here.
                    Policy::DropNewest(_) | Policy::Wait(_) => drop(copy),
                }
            } else {
                sub.queue.push_back(copy);
            }
            if let Some(waker) = sub.waker.take() {
                waker.wake();
            }
        }
        Ok(())
    }
}

impl<T> Drop for Publisher<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.publishers -= 1;
        if state.publishers == 0 {
            for sub in &mut state.subs {
                sub.ended = true;
                if let Some(waker) = sub.waker.take() {
                    waker.wake();
                }
            }
        }
    }
}

impl<T> fmt::Debug for Publisher<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher")
            .field("backplane", &self.shared.name)
            .finish()
    }
}

/// The future returned by [`Publisher::publish`].
#[must_use = "futures do nothing unless awaited"]
pub struct Publish<'a, T> {
    publisher: &'a mut Publisher<T>,
    msg: Option<T>,
}

impl<T: Clone + Send + 'static> Future for Publish<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `Publish` is `Unpin`: it holds a reference and an `Option<T>`,
        // and `T` is only moved, never pinned.
        let this = Pin::into_inner(self);
        let Some(msg) = this.msg.take() else {
            return Poll::Ready(());
        };
        match this.publisher.poll_publish(msg, cx.waker()) {
            Ok(()) => Poll::Ready(()),
            Err(PublishError::Full(msg)) => {
                this.msg = Some(msg);
                Poll::Pending
            }
        }
    }
}

impl<T> Unpin for Publish<'_, T> {}

impl<T> Drop for Publish<'_, T> {
    fn drop(&mut self) {
        if self.msg.is_some() {
            self.publisher.shared.state.lock().unsent += 1;
        }
    }
}

/// A subscriber's place on a backplane (see [`Backplane::subscribe`]).
///
/// Dropping it leaves the backplane (the others are not disturbed); what
/// was still queued for it is counted unread in the report.
pub struct Subscription<T> {
    shared: Arc<Shared<T>>,
    _outside: Option<Arc<Outside>>,
    id: u64,
    /// Messages taken from the backplane in one batch, not yet handed out.
    batch: VecDeque<T>,
    /// The stream has ended and the subscription has left.
    done: bool,
}

/// What one look at a subscription found.
pub(crate) enum Took<T> {
    Message(T),
    Empty,
    Ended,
}

impl<T> Subscription<T> {
    /// Takes the next message, or registers `waker` (in the same critical
    /// section as the look) to be woken when one is published or the stream
    /// ends.
    pub(crate) fn take(&mut self, waker: Option<&Waker>) -> Took<T> {
        if let Some(msg) = self.batch.pop_front() {
            return Took::Message(msg);
        }
        if self.done {
            return Took::Ended;
        }
        let mut state = self.shared.state.lock();
        let state = &mut *state;
        let Some(at) = state.subs.iter().position(|s| s.id == self.id) else {
            self.done = true;
            return Took::Ended;
        };
        let sub = &mut state.subs[at];
        if !sub.queue.is_empty() {
            // The whole queue at once: one lock per batch, not per message.
            std::mem::swap(&mut self.batch, &mut sub.queue);
            sub.delivered += self.batch.len() as u64;
            if matches!(sub.policy, Policy::Wait(_)) {
                for w in state.waiting.drain(..) {
                    w.wake();
                }
            }
            return Took::Message(self.batch.pop_front().expect("swapped in non-empty"));
        }
        if sub.ended {
            let sub = state.subs.swap_remove(at);
            record_departure(state, &sub, 0);
            self.done = true;
            return Took::Ended;
        }
        if let Some(waker) = waker
            && !sub
                .waker
                .as_ref()
                .is_some_and(|w| self.shared.waiters.same(w, waker))
        {
            sub.waker = Some(self.shared.waiters.keep(waker));
        }
        Took::Empty
    }

    /// Whether what this subscription waits for may come from outside the
    /// system (see `waiters.rs`).
    pub(crate) fn waits_on_outside(&self) -> bool {
        self.shared.waiters.outside()
    }

    /// The next message if one is queued; [`TryRecvError::Closed`] once the
    /// stream has ended (every publisher has left and everything queued has
    /// been taken).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match self.take(None) {
            Took::Message(msg) => Ok(msg),
            Took::Empty => Err(TryRecvError::Empty),
            Took::Ended => Err(TryRecvError::Closed),
        }
    }

    /// Waits for the next message; `None` once the stream has ended: for
    /// generator components and other `async` code. Cancel-safe: a message
    /// is taken only when the future completes.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { subscription: self }
    }

    /// The backplane's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }
}

/// How many subscriptions that left the report names one by one; those
/// after them are added up in one entry, so a long-running system whose
/// subscribers come and go keeps every count in bounded memory.
const DEPARTED_KEPT: usize = 256;

/// The name of the entry that adds up the subscriptions that left beyond
/// [`DEPARTED_KEPT`].
const MORE_DEPARTED: &str = "(more subscriptions that left)";

/// Notes a subscription that left, with what it took, dropped and left
/// unread: the report shows it.
fn record_departure<T>(state: &mut State<T>, sub: &Sub<T>, unread: u64) {
    if state.departed.len() + 1 < DEPARTED_KEPT {
        state.departed.push(SubscriptionReport {
            subscriber: sub.subscriber.clone(),
            policy: sub.policy.name(),
            delivered: sub.delivered,
            dropped: sub.dropped,
            unread,
        });
        return;
    }
    if state.departed.len() + 1 == DEPARTED_KEPT {
        state.departed.push(SubscriptionReport {
            subscriber: MORE_DEPARTED.to_owned(),
            policy: "any",
            ..SubscriptionReport::default()
        });
    }
    let more = state
        .departed
        .last_mut()
        .expect("just pushed, or there already");
    more.delivered += sub.delivered;
    more.dropped += sub.dropped;
    more.unread += unread;
}

impl<T> Drop for Subscription<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        let state = &mut *state;
        let Some(at) = state.subs.iter().position(|s| s.id == self.id) else {
            return;
        };
        let mut sub = state.subs.swap_remove(at);
        let unread = (sub.queue.len() + self.batch.len()) as u64;
        // Taken out of `delivered`: they reached the batch, not the
        // subscriber.
        sub.delivered -= self.batch.len() as u64;
        record_departure(state, &sub, unread);
        if matches!(sub.policy, Policy::Wait(_)) {
            for w in state.waiting.drain(..) {
                w.wake();
            }
        }
    }
}

impl<T> fmt::Debug for Subscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("backplane", &self.shared.name)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Subscription::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    subscription: &'a mut Subscription<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.subscription.take(Some(cx.waker())) {
            Took::Message(msg) => Poll::Ready(Some(msg)),
            Took::Ended => Poll::Ready(None),
            Took::Empty => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}

/// What the registry needs of a backplane whatever it carries.
trait Erased: Send + Sync {
    fn report(&self) -> BackplaneReport;
    fn as_any(&self) -> &dyn Any;
    fn message(&self) -> &'static str;
}

impl<T: Clone + Send + 'static> Erased for Backplane<T> {
    fn report(&self) -> BackplaneReport {
        self.shared.report()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn message(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

/// The backplanes of one system, by name.
#[derive(Default)]
pub(crate) struct Backplanes {
    by_name: Mutex<HashMap<String, Box<dyn Erased>>>,
}

impl Backplanes {
    /// The backplane `key` names, declared now if it does not exist.
    pub(crate) fn get_or_declare<T: Clone + Send + 'static>(
        &self,
        key: &Key<T>,
        waiters: &Arc<Waiters>,
    ) -> Result<Backplane<T>, TypeMismatch> {
        let mut by_name = self.by_name.lock();
        let entry = by_name
            .entry(key.name().to_owned())
            .or_insert_with(|| Box::new(Backplane::<T>::new(key.name(), waiters.clone())));
        entry
            .as_any()
            .downcast_ref::<Backplane<T>>()
            .cloned()
            .ok_or_else(|| TypeMismatch {
                place: "backplane",
                name: key.name().to_owned(),
                holds: entry.message(),
                requested: key.type_name(),
            })
    }

    /// Every backplane's counts, by name.
    pub(crate) fn reports(&self) -> Vec<BackplaneReport> {
        let mut reports: Vec<_> = self.by_name.lock().values().map(|b| b.report()).collect();
        reports.sort_by(|a, b| a.name.cmp(&b.name));
        reports
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane() -> Backplane<u32> {
        Backplane::new("test", Arc::default())
    }

    #[test]
    fn every_subscriber_gets_every_message_in_order() {
        let p = plane();
        let mut a = p.subscribe("a", Policy::Wait(8));
        let mut b = p.subscribe("b", Policy::Wait(8));
        let mut pubr = p.publisher();
        for n in 0..5 {
            pubr.try_publish(n).unwrap();
        }
        drop(pubr);
        for sub in [&mut a, &mut b] {
            let got: Vec<_> = std::iter::from_fn(|| sub.try_recv().ok()).collect();
            assert_eq!(got, [0, 1, 2, 3, 4]);
            assert_eq!(sub.try_recv(), Err(TryRecvError::Closed));
        }
    }

    #[test]
    fn with_nobody_subscribed_messages_are_counted_discarded() {
        let p = plane();
        let mut pubr = p.publisher();
        pubr.try_publish(1).unwrap();
        pubr.try_publish(2).unwrap();
        let report = p.report();
        assert_eq!((report.published, report.discarded), (0, 2));
    }

    #[test]
    fn a_full_waiting_subscription_refuses_and_hands_the_message_back() {
        let p = plane();
        let mut slow = p.subscribe("slow", Policy::Wait(2));
        let mut fast = p.subscribe("fast", Policy::DropNewest(100));
        let mut pubr = p.publisher();
        pubr.try_publish(1).unwrap();
        pubr.try_publish(2).unwrap();
        assert_eq!(pubr.try_publish(3), Err(PublishError::Full(3)));
        // Nobody got 3: all or nothing.
        assert_eq!(fast.try_recv(), Ok(1));
        assert_eq!(fast.try_recv(), Ok(2));
        assert_eq!(fast.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(slow.try_recv(), Ok(1));
        pubr.try_publish(3).unwrap();
    }

    #[test]
    fn drop_policies_drop_and_count() {
        let p = plane();
        let mut oldest = p.subscribe("oldest", Policy::DropOldest(2));
        let mut newest = p.subscribe("newest", Policy::DropNewest(2));
        let mut pubr = p.publisher();
        for n in 1..=5 {
            pubr.try_publish(n).unwrap();
        }
        drop(pubr);
        let report = p.report();
        let by = |name: &str| {
            report
                .subscriptions
                .iter()
                .find(|s| s.subscriber == name)
                .unwrap()
                .dropped
        };
        assert_eq!((by("oldest"), by("newest")), (3, 3));
        assert_eq!(oldest.try_recv(), Ok(4));
        assert_eq!(oldest.try_recv(), Ok(5));
        assert_eq!(newest.try_recv(), Ok(1));
        assert_eq!(newest.try_recv(), Ok(2));
    }

    #[test]
    fn a_subscriber_that_leaves_counts_its_unread_and_disturbs_nobody() {
        let p = plane();
        let leaver = p.subscribe("leaver", Policy::Wait(1));
        let mut stayer = p.subscribe("stayer", Policy::Wait(8));
        let mut pubr = p.publisher();
        pubr.try_publish(1).unwrap();
        // The leaver is full; leaving makes room for the publisher.
        assert!(pubr.try_publish(2).is_err());
        drop(leaver);
        pubr.try_publish(2).unwrap();
        assert_eq!(stayer.try_recv(), Ok(1));
        assert_eq!(stayer.try_recv(), Ok(2));
        let report = p.report();
        let left = &report.subscriptions[0];
        assert_eq!((left.subscriber.as_str(), left.unread), ("leaver", 1));
    }

    #[test]
    fn messages_are_cloned_once_per_subscriber_but_the_last() {
        #[derive(Debug)]
        struct Counted(Arc<std::sync::atomic::AtomicUsize>);
        impl Clone for Counted {
            fn clone(&self) -> Self {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Self(self.0.clone())
            }
        }
        let p = Backplane::<Counted>::new("clones", Arc::default());
        let subs: Vec<_> = (0..3)
            .map(|i| p.subscribe(format!("s{i}"), Policy::Wait(4)))
            .collect();
        let clones = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        p.publisher().try_publish(Counted(clones.clone())).unwrap();
        assert_eq!(clones.load(std::sync::atomic::Ordering::SeqCst), 2);
        drop(subs);
    }

    #[test]
    fn a_publish_given_up_while_waiting_is_counted_unsent() {
        let p = plane();
        let _full = p.subscribe("full", Policy::Wait(1));
        let mut pubr = p.publisher();
        pubr.try_publish(1).unwrap();
        let mut waiting = pubr.publish(2);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut waiting).poll(&mut cx).is_pending());
        drop(waiting);
        assert_eq!(p.report().unsent, 1);
    }

    #[test]
    fn subscribers_that_come_and_go_are_counted_in_bounded_memory() {
        let p = plane();
        let mut pubr = p.publisher();
        for _ in 0..1000 {
            let sub = p.subscribe("churn", Policy::Wait(4));
            pubr.try_publish(1).unwrap();
            drop(sub);
        }
        let report = p.report();
        assert_eq!(report.subscriptions.len(), DEPARTED_KEPT);
        let unread: u64 = report.subscriptions.iter().map(|s| s.unread).sum();
        assert_eq!(unread, 1000, "every unread message is still counted");
        assert_eq!(
            report.subscriptions.last().unwrap().subscriber,
            MORE_DEPARTED
        );
    }

    #[test]
    fn declaring_twice_gives_the_same_backplane_and_another_type_is_an_error() {
        let planes = Backplanes::default();
        let waiters = Arc::default();
        let first = planes
            .get_or_declare(&Key::<u32>::new("x"), &waiters)
            .unwrap();
        let again = planes
            .get_or_declare(&Key::<u32>::new("x"), &waiters)
            .unwrap();
        let mut sub = first.subscribe("s", Policy::default());
        again.publisher().try_publish(7).unwrap();
        assert_eq!(sub.try_recv(), Ok(7));
        let err = planes
            .get_or_declare(&Key::<String>::new("x"), &waiters)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "backplane `x` holds `u32`, but was used as `alloc::string::String`"
        );
    }
}
