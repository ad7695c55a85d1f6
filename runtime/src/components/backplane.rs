//! Publishing into a backplane and subscribing to one as ordinary
//! components (Axon's `PublishTo` and `SubscribeTo`).

use std::future::poll_fn;
use std::task::Poll;

use super::{Stop, finish, next, send};
use crate::meeting::{Key, Places, Policy, Publisher, Subscription, Took, TypeMismatch};
use crate::{Component, Context, Error, Inbox, Outbox, component};

/// Publishes every message it receives into the backplane `key` names
/// (Axon's `PublishTo`), waiting while a subscription that makes
/// publishers wait is full. It joins the backplane as the system starts,
/// and leaves when its input ends or a `Shutdown` arrives; when the last
/// publisher has left, every subscription's stream ends.
///
/// The backplane's message type is the key's, so linking an outbox of
/// another type to its `inbox` does not compile. A backplane of the same
/// name declared elsewhere with another type fails this component with an
/// error naming both types.
///
/// ```
/// use myelin::components::{Collect, PublishTo, Source, SubscribeTo};
/// use myelin::meeting::{Key, Policy};
/// use myelin::graphline;
///
/// const NEWS: Key<u32> = Key::new("news");
///
/// let collect = Collect::<u32>::new();
/// let got = collect.collected();
/// myelin::run(graphline! {
///     components {
///         source: Source::new(1..=3),
///         publish: PublishTo::new(NEWS),
///         subscribe: SubscribeTo::new(NEWS, Policy::Wait(16)),
///         collect: collect,
///     }
///     links {
///         source.outbox -> publish.inbox,
///         subscribe.outbox -> collect.inbox,
///     }
/// })?;
/// assert_eq!(got.take(), [1, 2, 3]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct PublishTo<T>
where
    T: Clone + Send + 'static,
{
    /// Messages to publish.
    inbox: Inbox<T>,
    key: Key<T>,
    #[state(default)]
    joined: Option<Result<Publisher<T>, TypeMismatch>>,
}

#[diagnostic::do_not_recommend]
impl<T> Component for PublishTo<T>
where
    T: Clone + Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut publisher = match self.joined.take() {
            Some(joined) => joined?,
            // Started without `meet` (driven by hand): join now.
            None => cx.places().backplane(&self.key)?.publisher(),
        };
        loop {
            match next(&mut self.inbox, cx).await.flow() {
                Ok(Some(msg)) => publisher.publish(msg).await,
                Ok(None) | Err(Stop::Shutdown) => return Ok(()),
                Err(Stop::Failed(e)) => return Err(e),
            }
        }
    }

    fn meet(&mut self, places: &Places, _path: &str) {
        self.joined = Some(places.backplane(&self.key).map(|b| b.publisher()));
    }
}

/// Sends on every message published into the backplane `key` names after
/// the system started (Axon's `SubscribeTo`), queued for it under `policy`
/// while it waits for room downstream. It ends when the backplane's
/// stream ends (every publisher has left, and it has passed on what was
/// queued for it) or when a `Shutdown` arrives on `control`.
///
/// The report names the subscription by the component's path. See
/// [`PublishTo`] for an example.
#[component]
pub struct SubscribeTo<T>
where
    T: Clone + Send + 'static,
{
    /// Every message published after the system started, in publication
    /// order per publisher.
    outbox: Outbox<T>,
    key: Key<T>,
    policy: Policy,
    #[state(default)]
    joined: Option<Result<Subscription<T>, TypeMismatch>>,
}

/// What a subscriber waiting for the next message found.
enum Heard<T> {
    Message(T),
    End,
    Shutdown,
}

#[diagnostic::do_not_recommend]
impl<T> Component for SubscribeTo<T>
where
    T: Clone + Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut subscription = match self.joined.take() {
            Some(joined) => joined?,
            None => cx
                .places()
                .backplane(&self.key)?
                .subscribe(cx.name(), self.policy),
        };
        loop {
            match heard(&mut subscription, cx).await {
                Heard::Message(msg) => {
                    if let Err(stop) = send(&mut self.outbox, msg, cx).await {
                        return finish(Err(stop));
                    }
                }
                Heard::End | Heard::Shutdown => return Ok(()),
            }
        }
    }

    fn meet(&mut self, places: &Places, path: &str) {
        self.joined = Some(
            places
                .backplane(&self.key)
                .map(|b| b.subscribe(path, self.policy)),
        );
    }
}

/// Waits for the next message on `subscription` or a `Shutdown` on
/// `control`; a `Shutdown` already waiting wins.
async fn heard<T>(subscription: &mut Subscription<T>, cx: &mut Context) -> Heard<T> {
    let control = cx.control();
    poll_fn(|task| {
        if !crate::scheduler::current::consume_budget() {
            task.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            if super::shutdown_requested(control) {
                return Poll::Ready(Heard::Shutdown);
            }
            match subscription.take(Some(task.waker())) {
                Took::Message(msg) => return Poll::Ready(Heard::Message(msg)),
                Took::Ended => return Poll::Ready(Heard::End),
                Took::Empty => {}
            }
            // Registered on the subscription; now on `control` too. A
            // message there since the look: look again.
            if !control.ready_or_register(task.waker()) {
                return Poll::Pending;
            }
        }
    })
    .await
}
