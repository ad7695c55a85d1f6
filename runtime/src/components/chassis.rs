//! Chassis: components that hold other parts and change them while
//! running (Axon's `Carousel`).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use crate::graph::{IntoPart, Part};
use crate::wiring::Stage;
use crate::{Component, Context, Control, Error, Inbox, Outbox, component, link};

/// Holds one child at a time, built by `factory` from each message on its
/// `next` inbox, and passes its own `inbox` and `outbox` through to the
/// child's (Axon's `Carousel`).
///
/// - A message on `next` builds a child with `factory(message)` and starts
///   it. If a child is running, it is first sent
///   [`Control::Shutdown`], and the new one starts only once it has ended
///   (every message it sent is passed on first).
/// - While a child runs, what arrives on `inbox` goes to the child's
///   `inbox`, and what the child sends on its `outbox` leaves on the
///   carousel's `outbox`, in order. With no child, `inbox` keeps its
///   messages for the next one.
/// - Whenever a child ends, `()` goes out on `request_next`: link it to
///   whatever sends on `next` to ask for the next child. The child's own
///   `signal` is not passed on. With [`request_first`](Carousel::request_first)
///   it also asks once at start.
/// - On `control`, [`Control::Shutdown`] is passed to the running child,
///   queued `next` messages are dropped (and counted in the report), and
///   the carousel ends after the child, saying `Shutdown` on its `signal`.
///   [`Control::Finished`] lets the queued `next` messages run first. The
///   carousel also ends when `next` has ended and no child runs.
///
/// Where myelin differs from Axon: the child is any part whose ports
/// include an `inbox` and an `outbox` of the carousel's types (checked at
/// compile time), children are named `<carousel>.child<n>` in the report,
/// and a queued `next` dropped by a shutdown is counted, not lost silently.
///
/// ```
/// use myelin::components::{Carousel, Collect, Map, Source};
/// use myelin::prelude::*;
///
/// // Each child adds its own number to what it is given.
/// let carousel = Carousel::new(|n: u64| Map::new(move |x: u64| x + n));
/// let collect = Collect::<u64>::new();
/// let got = collect.collected();
/// myelin::run(graphline! {
///     components {
///         which: Source::new(vec![100u64]),
///         data: Source::new(vec![1u64, 2, 3]),
///         carousel: carousel,
///         out: collect,
///     }
///     links {
///         which.outbox -> carousel.next,
///         data.outbox -> carousel.inbox,
///         carousel.outbox -> out.inbox,
///     }
/// })?;
/// assert_eq!(got.take(), [101, 102, 103]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Carousel<M, In, Out, C, F>
where
    M: Send + 'static,
    In: Send + 'static,
    Out: Send + 'static,
    C: IntoPart + Send + 'static,
    C::Part: Stage<In, Out>,
    F: FnMut(M) -> C + Send + 'static,
{
    /// Each message builds the next child: `factory(message)`.
    next: Inbox<M>,
    /// Passed to the running child's `inbox`.
    inbox: Inbox<In>,
    /// What the running child sends on its `outbox`.
    outbox: Outbox<Out>,
    /// `()` each time a child ends: a request for the next one.
    request_next: Outbox<()>,
    /// Builds a child from a `next` message.
    factory: F,
    /// Whether to ask for a first child at start.
    #[state(default)]
    ask_first: bool,
    #[state(default)]
    _types: Types<In, Out, C>,
}

impl<M, In, Out, C, F> Carousel<M, In, Out, C, F>
where
    M: Send + 'static,
    In: Send + 'static,
    Out: Send + 'static,
    C: IntoPart + Send + 'static,
    C::Part: Stage<In, Out>,
    F: FnMut(M) -> C + Send + 'static,
{
    /// Sends one request on `request_next` at start, before any child has
    /// run (Axon's `make1stRequest`).
    #[must_use]
    pub fn request_first(mut self) -> Self {
        self.ask_first = true;
        self
    }
}

/// The carousel's message and child types, held by no value.
type Types<In, Out, C> = std::marker::PhantomData<fn() -> (In, Out, C)>;

/// The running child's ends, as the carousel holds them.
struct Child<In, Out> {
    to: Outbox<In>,
    from: Inbox<Out>,
    control: Outbox<Control>,
    /// It has been asked to stop: nothing more goes to it.
    stopping: bool,
}

/// What the carousel waits for.
enum Event<M, Out> {
    Control(Option<Control>),
    Next(Option<M>),
    Input,
    FromChild(Option<Out>),
}

#[diagnostic::do_not_recommend]
impl<M, In, Out, C, F> Component for Carousel<M, In, Out, C, F>
where
    M: Send + 'static,
    In: Send + 'static,
    Out: Send + 'static,
    C: IntoPart + Send + 'static,
    C::Part: Stage<In, Out>,
    F: FnMut(M) -> C + Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut child: Option<Child<In, Out>> = None;
        let mut queued: VecDeque<M> = VecDeque::new();
        // Input a child ended before it could take it, for the next child.
        let mut carry: VecDeque<In> = VecDeque::new();
        // The carousel's `inbox` has ended: so does every child's input,
        // once it has what is left.
        let mut input_ended = false;
        let mut next_open = true;
        let mut control_open = true;
        // `Some(Finished)`: end once the queue is done; `Some(Shutdown)`:
        // end once the child has.
        let mut ending: Option<Control> = None;
        if self.ask_first {
            self.request_next.send(()).await?;
        }
        loop {
            if child.is_none() {
                let stop_now = matches!(ending, Some(Control::Shutdown))
                    || (queued.is_empty() && (ending.is_some() || !next_open));
                if stop_now {
                    break;
                }
                if let Some(msg) = queued.pop_front() {
                    let mut started = self.start_child(cx, msg)?;
                    while let Some(msg) = carry.pop_front() {
                        if let Err(e) = started.to.send(msg).await {
                            carry.push_front(e.into_inner());
                            break;
                        }
                    }
                    if input_ended && carry.is_empty() {
                        started.to = Outbox::new("to_child");
                    }
                    child = Some(started);
                    if !queued.is_empty() {
                        stop_child(&mut child).await;
                    }
                    continue;
                }
            }
            let forwarding = !input_ended && child.as_ref().is_some_and(|c| !c.stopping);
            let taking_next = next_open && ending.is_none();
            let event = std::future::poll_fn(|task| {
                if control_open
                    && let Poll::Ready(msg) = Pin::new(&mut cx.control().recv()).poll(task)
                {
                    return Poll::Ready(Event::Control(msg));
                }
                if let Some(c) = child.as_mut()
                    && let Poll::Ready(out) = Pin::new(&mut c.from.recv()).poll(task)
                {
                    return Poll::Ready(Event::FromChild(out));
                }
                if taking_next && let Poll::Ready(msg) = Pin::new(&mut self.next.recv()).poll(task)
                {
                    return Poll::Ready(Event::Next(msg));
                }
                if forwarding && crate::Watch::ready_or_register(&self.inbox, task.waker()) {
                    return Poll::Ready(Event::Input);
                }
                Poll::Pending
            })
            .await;
            match event {
                Event::Control(None) => control_open = false,
                Event::Control(Some(Control::Shutdown)) => {
                    ending = Some(Control::Shutdown);
                    cx.end_with_shutdown();
                    // Dropped, so counted: nobody will build them now.
                    drop_queued(&mut queued);
                    stop_child(&mut child).await;
                }
                Event::Control(Some(_)) => {
                    // The `next`s already sent still run, in order.
                    while let Ok(msg) = self.next.try_recv() {
                        queued.push_back(msg);
                    }
                    if !queued.is_empty() {
                        stop_child(&mut child).await;
                    }
                    ending.get_or_insert(Control::Finished {
                        component: cx.name().to_owned(),
                    });
                }
                Event::Next(None) => next_open = false,
                Event::Next(Some(msg)) => {
                    queued.push_back(msg);
                    stop_child(&mut child).await;
                }
                Event::Input => {
                    forward_input(&mut self.inbox, &mut child, &mut carry, &mut input_ended).await;
                }
                Event::FromChild(Some(out)) => self.outbox.send(out).await?,
                Event::FromChild(None) => {
                    // The child has ended and all it sent is passed on.
                    child = None;
                    // Nobody listening for requests is not an error.
                    let _ = self.request_next.send(()).await;
                }
            }
        }
        if !carry.is_empty() {
            // No child is left to take them: counted, as unread input is.
            crate::scheduler::current::record_backlog("inbox", carry.len());
        }
        Ok(())
    }
}

impl<M, In, Out, C, F> Carousel<M, In, Out, C, F>
where
    M: Send + 'static,
    In: Send + 'static,
    Out: Send + 'static,
    C: IntoPart + Send + 'static,
    C::Part: Stage<In, Out>,
    F: FnMut(M) -> C + Send + 'static,
{
    fn start_child(&mut self, cx: &mut Context, msg: M) -> Result<Child<In, Out>, Error> {
        let part = (self.factory)(msg).into_part();
        let (inbox, outbox) = part.stage_ports();
        start_linked(cx, part, Some(inbox), outbox)
    }
}

/// Passes what is queued on a chassis's `inbox` to its running child: a
/// message the child ended before taking is kept in `carry` for the next
/// child, and the end of the input ends the child's input too.
async fn forward_input<In: Send + 'static, Out: Send + 'static>(
    inbox: &mut Inbox<In>,
    child: &mut Option<Child<In, Out>>,
    carry: &mut VecDeque<In>,
    input_ended: &mut bool,
) {
    match inbox.try_recv() {
        Ok(msg) => {
            if let Some(c) = child.as_mut()
                && let Err(e) = c.to.send(msg).await
            {
                carry.push_back(e.into_inner());
            }
        }
        Err(crate::TryRecvError::Closed) => {
            *input_ended = true;
            // Closing its feed: the child's input ends too.
            if let Some(c) = child.as_mut() {
                c.to = Outbox::new("to_child");
            }
        }
        Err(crate::TryRecvError::Empty) => {}
    }
}

/// Asks the running child to stop, once.
async fn stop_child<In: Send + 'static, Out: Send + 'static>(child: &mut Option<Child<In, Out>>) {
    if let Some(c) = child.as_mut()
        && !c.stopping
    {
        c.stopping = true;
        // A child that has already ended needs no telling.
        let _ = c.control.send(Control::Shutdown).await;
        // Nothing more goes to it: its input ends.
        c.to = Outbox::new("to_child");
    }
}

/// Drops the queued `next` messages, counting them in the report.
fn drop_queued<M>(queued: &mut VecDeque<M>) {
    if !queued.is_empty() {
        crate::scheduler::current::record_backlog("next", queued.len());
        queued.clear();
    }
}

/// Starts one child of a [`Seq`], linked to fresh ends the `Seq` keeps.
type SeqStart<In, Out> = Box<dyn FnOnce(&mut Context) -> Result<Child<In, Out>, Error> + Send>;

/// Runs its children one after another, each one's `inbox` and `outbox`
/// passed through to its own while it runs (Axon's `Seq`).
///
/// A child runs until it ends on its own (its `outbox` closes); the next
/// one then starts. Input is passed to the running child as it comes; a
/// child with no `inbox` leaves it for the next child, and so does a child
/// that ends before it could be handed a message. What a child leaves
/// unread in its own inbox when it ends is counted in the report under
/// that child (give input to a child that reads to the end of it, or to
/// none). When the `Seq`'s own `inbox` ends, so does the running child's. The
/// children's `signal`s are not passed on; the `Seq` says `Finished` on its
/// own when the last child has ended. Where myelin differs from Axon: a
/// [`Control::Shutdown`] on `control` reaches the running child and ends
/// the `Seq` after it (the children not started yet never run), and the
/// `Seq` then says `Shutdown`.
///
/// ```
/// use myelin::components::{Collect, Seq, Source};
/// use myelin::prelude::*;
///
/// let collect = Collect::<u32>::new();
/// let got = collect.collected();
/// // Children with no inbox: the `Seq` takes no input (`()`).
/// let seq = Seq::<(), u32>::new()
///     .then(Source::new(vec![1u32, 2]))
///     .then(Source::new(vec![3u32]));
/// myelin::run(pipeline![seq, collect])?;
/// assert_eq!(got.take(), [1, 2, 3]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Seq<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    /// Passed to the running child's `inbox`.
    inbox: Inbox<In>,
    /// What the running child sends on its `outbox`.
    outbox: Outbox<Out>,
    /// The children not started yet, in order.
    #[state(default)]
    children: VecDeque<SeqStart<In, Out>>,
}

impl<In, Out> Seq<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    /// Adds `part` to run after the children added before it.
    #[must_use]
    pub fn then<C>(mut self, part: C) -> Self
    where
        C: IntoPart + Send + 'static,
        C::Part: crate::Producer<Out>,
        <C::Part as Part>::Handles: crate::wiring::MaybeInbox,
        <<C::Part as Part>::Handles as crate::wiring::MaybeInbox>::Port: MaybeInboxOf<In>,
    {
        self.children.push_back(Box::new(move |cx: &mut Context| {
            let part = part.into_part();
            let inbox = crate::wiring::MaybeInbox::inbox_port(&part.handles()).inbox_of();
            let outbox = crate::Producer::producer_port(&part);
            start_linked(cx, part, inbox, outbox)
        }));
        self
    }
}

/// A child's `inbox` of `In`, or none: what a [`Seq`] child may have.
#[doc(hidden)]
pub trait MaybeInboxOf<In> {
    /// The port, if the child has one.
    fn inbox_of(self) -> Option<crate::InboxPort<In>>;
}

impl<In> MaybeInboxOf<In> for crate::InboxPort<In> {
    fn inbox_of(self) -> Option<crate::InboxPort<In>> {
        Some(self)
    }
}

impl<In> MaybeInboxOf<In> for crate::wiring::NoPort {
    fn inbox_of(self) -> Option<crate::InboxPort<In>> {
        None
    }
}

/// Links fresh ends to a child's `inbox` (if it has one), `outbox` and
/// `control`, and starts it as `<cx>.child<n>`.
fn start_linked<In, Out, P>(
    cx: &mut Context,
    part: P,
    inbox: Option<crate::InboxPort<In>>,
    outbox: crate::OutboxPort<Out>,
) -> Result<Child<In, Out>, Error>
where
    In: Send + 'static,
    Out: Send + 'static,
    P: Part + IntoPart,
{
    let to = Outbox::new("to_child");
    let from = Inbox::new("from_child");
    let control = Outbox::new("child_control");
    if let Some(inbox) = inbox {
        link(&to.port(), &inbox, None)?;
    }
    link(&outbox, &from.port(), None)?;
    link(&control.port(), &part.control_port(), None)?;
    cx.start_named(&format!("child{}", cx.started + 1), part)?;
    Ok(Child {
        to,
        from,
        control,
        stopping: false,
    })
}

#[diagnostic::do_not_recommend]
impl<In, Out> Component for Seq<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut carry: VecDeque<In> = VecDeque::new();
        let mut input_ended = false;
        let mut control_open = true;
        let mut shutdown = false;
        while let Some(start) = self.children.pop_front() {
            if shutdown {
                break;
            }
            let mut child = Some(start(cx)?);
            if let Some(c) = child.as_mut() {
                while let Some(msg) = carry.pop_front() {
                    if let Err(e) = c.to.send(msg).await {
                        carry.push_front(e.into_inner());
                        break;
                    }
                }
                if input_ended && carry.is_empty() {
                    c.to = Outbox::new("to_child");
                }
            }
            loop {
                let forwarding = !input_ended && child.as_ref().is_some_and(|c| !c.stopping);
                let event = std::future::poll_fn(|task| {
                    if control_open
                        && let Poll::Ready(msg) = Pin::new(&mut cx.control().recv()).poll(task)
                    {
                        return Poll::Ready(Event::<(), Out>::Control(msg));
                    }
                    if let Some(c) = child.as_mut()
                        && let Poll::Ready(out) = Pin::new(&mut c.from.recv()).poll(task)
                    {
                        return Poll::Ready(Event::FromChild(out));
                    }
                    if forwarding && crate::Watch::ready_or_register(&self.inbox, task.waker()) {
                        return Poll::Ready(Event::Input);
                    }
                    Poll::Pending
                })
                .await;
                match event {
                    Event::Control(None) => control_open = false,
                    Event::Control(Some(Control::Shutdown)) => {
                        shutdown = true;
                        cx.end_with_shutdown();
                        stop_child(&mut child).await;
                    }
                    Event::Control(Some(_)) | Event::Next(_) => {}
                    Event::Input => {
                        forward_input(&mut self.inbox, &mut child, &mut carry, &mut input_ended)
                            .await;
                    }
                    Event::FromChild(Some(out)) => self.outbox.send(out).await?,
                    Event::FromChild(None) => break,
                }
            }
        }
        if !carry.is_empty() {
            crate::scheduler::current::record_backlog("inbox", carry.len());
        }
        Ok(())
    }
}

/// Starts one child of a [`Par`], its `outbox` linked to the given port
/// of the `Par`'s group; returns the end that reaches its `control`.
type ParStart<Out> =
    Box<dyn FnOnce(&mut Context, crate::InboxPort<Out>) -> Result<Outbox<Control>, Error> + Send>;

/// Runs its children side by side, their `outbox`es merged into its own
/// (Axon's `PAR`), and ends when they all have.
///
/// Every control message on its `control` is copied to every child;
/// after a [`Control::Shutdown`] the `Par` says `Shutdown` on its `signal`
/// when the children have ended, and `Finished` otherwise. The children's
/// `signal`s are not passed on. A child needs an `outbox` of the `Par`'s
/// type (the [`Producer`](crate::Producer) trait) and may have no inbox:
/// like Axon's, a `Par` takes no input.
///
/// ```
/// use myelin::components::{Collect, Par, Source};
/// use myelin::prelude::*;
///
/// let collect = Collect::<u32>::new();
/// let got = collect.collected();
/// let par = Par::new()
///     .with(Source::new(vec![1u32, 2]))
///     .with(Source::new(vec![10u32, 20]));
/// myelin::run(pipeline![par, collect])?;
/// let mut got = got.take();
/// got.sort_unstable();
/// assert_eq!(got, [1, 2, 10, 20]);
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Par<Out>
where
    Out: Send + 'static,
{
    /// What the children send, merged.
    outbox: Outbox<Out>,
    /// The children, started together.
    #[state(default)]
    children: Vec<ParStart<Out>>,
}

impl<Out> Par<Out>
where
    Out: Send + 'static,
{
    /// Adds `part` to run beside the others.
    #[must_use]
    pub fn with<C>(mut self, part: C) -> Self
    where
        C: IntoPart + Send + 'static,
        C::Part: crate::Producer<Out>,
    {
        self.children.push(Box::new(move |cx: &mut Context, into| {
            let part = part.into_part();
            link(&crate::Producer::producer_port(&part), &into, None)?;
            let control = Outbox::new("child_control");
            link(&control.port(), &part.control_port(), None)?;
            cx.start_named(&format!("child{}", cx.started + 1), part)?;
            Ok(control)
        }));
        self
    }
}

#[diagnostic::do_not_recommend]
impl<Out> Component for Par<Out>
where
    Out: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut outputs: crate::Inboxes<usize, Out> = crate::Inboxes::new("children");
        let mut controls: Vec<Outbox<Control>> = Vec::new();
        for (i, start) in std::mem::take(&mut self.children).into_iter().enumerate() {
            let into = outputs.add(i)?;
            controls.push(start(cx, into)?);
        }
        let mut control_open = true;
        loop {
            let event = std::future::poll_fn(|task| {
                if control_open
                    && let Poll::Ready(msg) = Pin::new(&mut cx.control().recv()).poll(task)
                {
                    return Poll::Ready(Err(msg));
                }
                Pin::new(&mut outputs.recv()).poll(task).map(Ok)
            })
            .await;
            match event {
                Err(None) => control_open = false,
                Err(Some(msg)) => {
                    if msg == Control::Shutdown {
                        cx.end_with_shutdown();
                    }
                    for c in &mut controls {
                        // A child that has ended needs no telling.
                        let _ = c.send(msg.clone()).await;
                    }
                }
                Ok(Some((_, Some(out)))) => self.outbox.send(out).await?,
                Ok(Some((i, None))) => drop(outputs.remove(&i)),
                Ok(None) => break,
            }
        }
        Ok(())
    }
}
