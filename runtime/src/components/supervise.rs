//! Supervision: a chassis that restarts its children when they end, as an
//! Erlang/OTP supervisor does.
//!
//! How a restarted child keeps its links: the supervisor stands between a
//! child's input and whoever sends to it. What arrives for a child waits
//! in a queue the supervisor owns (its own `inbox`, or the link between
//! two children), and the supervisor hands it on to the running instance.
//! The instance's own inbox is marked kept (`InboxPort::keep`): when the
//! instance ends, what it left there is not counted as lost but handed
//! back to the supervisor, which gives it to the next instance first. So
//! senders never see a restart: what they send meanwhile waits. A child's
//! output needs no such care: the instance sends straight to the next
//! child's queue, or past the supervisor to whatever its `outbox` is
//! linked to, and the supervisor's own end of that link keeps it open
//! across restarts.

use std::any::Any;
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::graph::{Group, IntoPart, Part};
use crate::report::{Restart, RestartCause};
use crate::scheduler::current;
use crate::time::Sleep;
use crate::wiring::Stage;
use crate::{
    Component, Context, Control, Error, Inbox, InboxPort, Outbox, TryRecvError, component, link,
};

/// When a [`Supervisor`] restarts a child that has ended (Erlang's restart
/// types).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartPolicy {
    /// Never: once it ends, however it ends, it stays ended (Erlang's
    /// `temporary`).
    Never,
    /// When it fails: its body returned `Err` or panicked (Erlang's
    /// `transient`).
    #[default]
    OnFailure,
    /// Whenever it ends, unless its input has ended and nothing waits for
    /// it: a new instance would have nothing to do (Erlang's `permanent`,
    /// which has no input to look at).
    Always,
}

/// Which children a [`Supervisor`] restarts when one of them is to be
/// restarted (Erlang's strategies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// Only that child.
    #[default]
    OneForOne,
    /// All of them: the others still running are stopped
    /// ([`Control::Shutdown`] on their `control`, and their input ended
    /// after what they already had), and once all have ended each is
    /// started again, unless its policy is [`RestartPolicy::Never`].
    AllForOne,
    /// That child and those after it in the chain (the ones its output
    /// reaches), as [`AllForOne`](Strategy::AllForOne) does for all.
    RestForOne,
}

/// What happens to the messages that were waiting for a child when it
/// ended: in its inbox, or in the supervisor's hands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backlog {
    /// They wait for the next instance, which takes them first, in order.
    #[default]
    Keep,
    /// They are dropped, and counted in the report as undelivered on the
    /// supervisor, under the child's name. Messages sent after the child
    /// ended still wait for the next instance.
    Drop,
}

/// What a [`Supervisor`] says on its `events` outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Supervision {
    /// A child was restarted (the same entry is in the report's
    /// [`restarts`](crate::Report::restarts)).
    Restarted(Restart),
    /// Restarts came too often: the supervisor stopped every child and
    /// fails, its reason saying the same.
    GaveUp {
        /// The supervisor's path.
        supervisor: String,
        /// The child whose end was one restart too many (its path).
        child: String,
        /// How it ended.
        cause: RestartCause,
    },
}

/// One child of a [`Supervisor`]: a factory that builds a fresh part each
/// time the child (re)starts, with its restart policy.
///
/// The part is a stage: its ports include an `inbox` of `In` and an
/// `outbox` of `Out` (checked at compile time). A component, a pipeline
/// or a graphline will do, and so will a threaded or process component.
pub struct Child<In, Out> {
    name: &'static str,
    policy: RestartPolicy,
    backlog: Backlog,
    build: Build<In, Out>,
}

/// Builds, links and starts one instance of a child: its name, where it
/// sends, and the capacity to give its inbox if it has none.
type Build<In, Out> = Box<
    dyn FnMut(
            &mut Context,
            &str,
            Option<&InboxPort<Out>>,
            Option<usize>,
        ) -> Result<Instance<In>, Error>
        + Send,
>;

impl<In: Send + 'static, Out: Send + 'static> Child<In, Out> {
    /// A child called `name` (its instances are `<supervisor>.<name><n>`,
    /// `n` counting from 1), built by `factory`, restarted
    /// [on failure](RestartPolicy::OnFailure), keeping its backlog.
    pub fn new<C, F>(name: &'static str, mut factory: F) -> Self
    where
        F: FnMut() -> C + Send + 'static,
        C: IntoPart,
        C::Part: Stage<In, Out>,
    {
        let build = move |cx: &mut Context,
                          instance: &str,
                          out: Option<&InboxPort<Out>>,
                          window: Option<usize>| {
            let part = factory().into_part();
            let (inbox, outbox) = part.stage_ports();
            let feed = Outbox::new("feed");
            // Bounded as the queue that feeds it, unless it has a capacity
            // of its own: a bounded supervisor `inbox` then holds senders
            // back, instead of everything moving on into an unbounded
            // child.
            let capacity = if inbox.capacity().is_none() {
                window
            } else {
                None
            };
            link(&feed.port(), &inbox, capacity)?;
            inbox.keep();
            if let Some(out) = out {
                link(&outbox, out, None)?;
            }
            let control = Outbox::new("child_control");
            link(&control.port(), &part.control_port(), None)?;
            let path = format!("{}.{instance}", cx.name());
            let group = cx.start_watched(instance, part)?;
            Ok(Instance {
                path,
                feed: Some(feed),
                input: inbox,
                control,
                group,
            })
        };
        Self {
            name,
            policy: RestartPolicy::default(),
            backlog: Backlog::default(),
            build: Box::new(build),
        }
    }

    /// Sets when the child is restarted.
    #[must_use]
    pub fn restart(mut self, policy: RestartPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets what happens to the messages waiting for it when it ends.
    #[must_use]
    pub fn backlog(mut self, backlog: Backlog) -> Self {
        self.backlog = backlog;
        self
    }
}

impl<In, Out> std::fmt::Debug for Child<In, Out> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Child")
            .field("name", &self.name)
            .field("policy", &self.policy)
            .field("backlog", &self.backlog)
            .finish_non_exhaustive()
    }
}

/// A running instance of a child, as its supervisor holds it.
struct Instance<In> {
    path: String,
    /// Feeds its inbox; `None` once its input has ended (or it was asked
    /// to stop).
    feed: Option<Outbox<In>>,
    /// Its inbox, kept: what it leaves there comes back.
    input: InboxPort<In>,
    control: Outbox<Control>,
    /// Tells when it has ended, and how.
    group: Arc<Group>,
}

/// The children of a [`Supervisor`], in the order their messages flow:
/// the supervisor's `inbox` feeds the first, each feeds the next, and the
/// last sends on the supervisor's `outbox`.
pub struct Children<In, Out> {
    slots: Vec<Box<dyn AnySlot>>,
    _types: PhantomData<fn(In) -> Out>,
}

impl<In: Send + 'static, Out: Send + 'static> From<Child<In, Out>> for Children<In, Out> {
    fn from(child: Child<In, Out>) -> Self {
        Self {
            slots: vec![Box::new(Slot::new(child, None))],
            _types: PhantomData,
        }
    }
}

impl<In, Out> std::fmt::Debug for Children<In, Out> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.slots.iter().map(|s| s.name()))
            .finish()
    }
}

/// One child as its supervisor runs it: where its input waits, where its
/// instances send, and the instance running now.
struct Slot<In, Out> {
    child: Child<In, Out>,
    /// Where its input waits between instances: the supervisor's `inbox`
    /// (given at start) or the link from the child before it.
    source: Option<Inbox<In>>,
    /// Where its instances send: the next child's source, or the
    /// supervisor's `outbox`'s destination (given at start).
    out: Option<InboxPort<Out>>,
    /// Holds `out` open while instances come and go (for a next child's
    /// source; the supervisor's `outbox` does it for the last).
    hold: Option<Outbox<Out>>,
    /// Taken from `source`, or handed back by an ended instance, and not
    /// yet given to the running one: first in line.
    carry: VecDeque<In>,
    running: Option<Instance<In>>,
    /// Instances started so far.
    started: u32,
    /// The source has ended and is drained.
    source_ended: bool,
}

/// How many messages a supervisor hands on per child per resume, so that
/// one busy child cannot keep the others (and the scheduler) waiting.
const FORWARD_BATCH: usize = 64;

impl<In: Send + 'static, Out: Send + 'static> Slot<In, Out> {
    fn new(child: Child<In, Out>, source: Option<Inbox<In>>) -> Self {
        Self {
            child,
            source,
            out: None,
            hold: None,
            carry: VecDeque::new(),
            running: None,
            started: 0,
            source_ended: false,
        }
    }
}

/// A [`Slot`] with its message types erased, so a supervisor can hold a
/// chain of children of different types.
trait AnySlot: Send {
    fn name(&self) -> &'static str;
    fn policy(&self) -> RestartPolicy;
    /// Takes the source it is given: an `Option<Inbox<In>>`.
    fn give_source(&mut self, source: &mut dyn Any);
    /// Takes where to send: an `Option<InboxPort<Out>>`, and the end that
    /// holds it open, an `Option<Outbox<Out>>`.
    fn give_out(&mut self, out: &mut dyn Any, hold: &mut dyn Any);
    fn is_running(&self) -> bool;
    /// Starts a fresh instance; returns its path.
    fn start(&mut self, cx: &mut Context) -> Result<String, Error>;
    /// Hands on what waits for the running instance, as far as it has
    /// room; `true` if there is more to do at once (the batch ran out).
    fn forward(&mut self, waker: &Waker) -> bool;
    /// `Ready` once the running instance has ended: its path, and the
    /// path and reason of its failure.
    fn poll_ended(&mut self, waker: &Waker) -> Poll<(String, Option<(String, String)>)>;
    /// The running instance has ended: takes back what it left.
    fn ended(&mut self);
    /// Asks the running instance to stop.
    fn stop(&mut self);
    /// Whether nothing more can come for the child.
    fn input_done(&mut self) -> bool;
    /// Applies the child's `Backlog` policy to what waits for it now.
    fn apply_backlog(&mut self);
    /// The child will not run again: its output ends once the running
    /// instance (if any) has ended. What waits for it is counted, or with
    /// `give_back`, put back at the front of its source (the supervisor is
    /// giving up: its own supervisor, if it has one, keeps its `inbox`).
    fn retire(&mut self, give_back: bool);
}

impl<In: Send + 'static, Out: Send + 'static> AnySlot for Slot<In, Out> {
    fn name(&self) -> &'static str {
        self.child.name
    }

    fn policy(&self) -> RestartPolicy {
        self.child.policy
    }

    fn give_source(&mut self, source: &mut dyn Any) {
        let source = source
            .downcast_mut::<Option<Inbox<In>>>()
            .expect("a supervisor's children are typed by its builder");
        self.source = source.take();
    }

    fn give_out(&mut self, out: &mut dyn Any, hold: &mut dyn Any) {
        self.out = out
            .downcast_mut::<Option<InboxPort<Out>>>()
            .expect("a supervisor's children are typed by its builder")
            .take();
        self.hold = hold
            .downcast_mut::<Option<Outbox<Out>>>()
            .expect("a supervisor's children are typed by its builder")
            .take();
    }

    fn is_running(&self) -> bool {
        self.running.is_some()
    }

    fn start(&mut self, cx: &mut Context) -> Result<String, Error> {
        self.started += 1;
        let instance = format!("{}{}", self.child.name, self.started);
        let window = self.source.as_ref().and_then(Inbox::capacity);
        let mut running = (self.child.build)(cx, &instance, self.out.as_ref(), window)?;
        if self.source_ended && self.carry.is_empty() {
            // Nothing more will come: its input ends at once.
            running.feed = None;
        }
        let path = running.path.clone();
        self.running = Some(running);
        Ok(path)
    }

    fn forward(&mut self, waker: &Waker) -> bool {
        let Some(running) = self.running.as_mut() else {
            return false;
        };
        let Some(feed) = running.feed.as_mut() else {
            return false;
        };
        for _ in 0..FORWARD_BATCH {
            let msg = match self.carry.pop_front() {
                Some(msg) => msg,
                None => {
                    let Some(source) = self.source.as_mut() else {
                        return false;
                    };
                    match source.try_recv() {
                        Ok(msg) => msg,
                        Err(TryRecvError::Empty) => {
                            if source.ready_or_register(waker) {
                                continue;
                            }
                            return false;
                        }
                        Err(TryRecvError::Closed) => {
                            self.source_ended = true;
                            // Its input ends: the instance sees the end
                            // of the stream after what it has.
                            running.feed = None;
                            return false;
                        }
                    }
                }
            };
            if let Err(refused) = feed.try_send(msg) {
                // Full: woken when it has room. Closed: it has ended, and
                // its group says so; the message waits for the next one.
                self.carry.push_front(refused.into_inner());
                return false;
            }
        }
        true
    }

    fn poll_ended(&mut self, waker: &Waker) -> Poll<(String, Option<(String, String)>)> {
        match self.running.as_ref() {
            Some(running) => running
                .group
                .poll_ended(waker)
                .map(|failure| (running.path.clone(), failure)),
            None => Poll::Pending,
        }
    }

    fn ended(&mut self) {
        if let Some(running) = self.running.take() {
            // Every component of the instance has dropped its ports: what
            // its inbox held is all there, and goes first.
            let left = running.input.take_kept();
            for msg in left.into_iter().rev() {
                self.carry.push_front(msg);
            }
        }
    }

    fn stop(&mut self) {
        if let Some(running) = self.running.as_mut() {
            // An instance that has ended already needs no telling.
            let _ = running.control.try_send(Control::Shutdown);
            running.feed = None;
        }
    }

    fn input_done(&mut self) -> bool {
        if !self.carry.is_empty() {
            return false;
        }
        if !self.source_ended
            && let Some(source) = self.source.as_ref()
            && source.is_finished()
        {
            self.source_ended = true;
        }
        self.source_ended
    }

    fn apply_backlog(&mut self) {
        if self.child.backlog == Backlog::Drop && !self.carry.is_empty() {
            current::record_backlog(self.child.name, self.carry.len());
            self.carry.clear();
        }
    }

    fn retire(&mut self, give_back: bool) {
        self.hold = None;
        if give_back && let Some(source) = self.source.as_ref() {
            // Counted as the source's own if nobody takes them.
            source.put_back(std::mem::take(&mut self.carry));
        }
        if !self.carry.is_empty() {
            // Nobody will take them now: counted, as unread input is.
            current::record_backlog(self.child.name, self.carry.len());
            self.carry.clear();
        }
    }
}

impl<In, Out> Drop for Slot<In, Out> {
    fn drop(&mut self) {
        // The supervisor was cancelled, or failed: what it still held for
        // this child is counted, never dropped silently.
        let mut left = self.carry.len();
        if let Some(running) = self.running.take() {
            // An instance still alive counts its own inbox as it drops.
            left += running.input.take_kept().len();
        }
        if left > 0 {
            current::record_backlog(self.child.name, left);
        }
    }
}

/// How often restarts may come before a supervisor gives up, and how long
/// it waits before each.
#[derive(Clone, Copy, Debug)]
struct Limits {
    strategy: Strategy,
    max_restarts: usize,
    within: Duration,
    backoff: Duration,
    backoff_max: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            strategy: Strategy::OneForOne,
            max_restarts: 3,
            within: Duration::from_secs(5),
            backoff: Duration::ZERO,
            backoff_max: Duration::ZERO,
        }
    }
}

/// Runs its children and restarts them when they end, by a policy chosen
/// per child, as an Erlang/OTP supervisor does.
///
/// - Children are given as [`Child`] factories, so each restart builds a
///   fresh value. They form a chain: the supervisor's `inbox` feeds the
///   first ([`Supervisor::new`]), each feeds the next
///   ([`then`](Supervisor::then)), and the last sends on the supervisor's
///   `outbox`. One child is the common case.
/// - A child ends; its [`RestartPolicy`] says whether it is restarted.
///   The [`Strategy`] says whether its siblings restart with it (one for
///   one, all for one, or rest for one).
/// - At most [`intensity`](Supervisor::intensity) restarts (default 3)
///   within a time window (default 5 s): one more, and the supervisor
///   gives up: it stops every child and fails, saying why on its `signal`
///   (`Control::Failed`) and its `events`.
/// - Before the `n`th restart of a child within the window it waits its
///   [`backoff`](Supervisor::backoff), doubling from the first delay up to
///   a cap (none by default), on the scheduler's timers.
/// - **A restarted child keeps its links.** What was waiting in its inbox
///   when it ended waits for the next instance, which takes it first, and
///   what is sent to it during the restart waits too: senders never see
///   the restart. (A [`Backlog::Drop`] child drops what was waiting when it
///   ended instead, counted in the report.) The message a child was
///   handling when it failed was its own, and is not given again. A
///   bounded `inbox` still holds senders back: each instance's inbox gets
///   its capacity, unless it declares one of its own.
/// - Each restart is in the report ([`Report::restarts`](crate::Report::restarts)),
///   with its cause, and goes out on `events` as
///   [`Supervision::Restarted`]. A failure answered by a restart does not
///   fail the run.
/// - [`Control::Shutdown`] on `control` stops the children (each gets it
///   on its `control`, and its input ends) and ends the supervisor after
///   them, saying `Shutdown`. The supervisor also ends when every child
///   has ended for good.
///
/// Children may be generator, threaded or process components, or
/// pipelines and graphlines of them: a restart builds the whole part
/// again.
///
/// ```
/// use myelin::components::{Child, Collect, Source, Supervisor};
/// use myelin::prelude::*;
///
/// /// Doubles numbers, and fails on 3, once.
/// #[component]
/// struct Touchy {
///     inbox: Inbox<u32>,
///     outbox: Outbox<u32>,
///     failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
/// }
///
/// impl Component for Touchy {
///     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
///         use std::sync::atomic::Ordering;
///         while let Some(n) = self.inbox.recv().await {
///             if n == 3 && !self.failed.swap(true, Ordering::Relaxed) {
///                 return Err(Error::msg("3 is unlucky"));
///             }
///             self.outbox.send(n * 2).await?;
///         }
///         Ok(())
///     }
/// }
///
/// let failed = std::sync::Arc::default();
/// let supervisor = Supervisor::new(Child::new("touchy", move || Touchy::new(std::sync::Arc::clone(&failed))));
/// let collect = Collect::<u32>::new();
/// let got = collect.collected();
/// let report = myelin::run(pipeline![Source::new(vec![1u32, 2, 3, 4]), supervisor, collect])?;
/// // 3 was being handled when the child failed: it is lost with it.
/// assert_eq!(got.take(), [2, 4, 8]);
/// assert_eq!(report.restarts().len(), 1);
/// assert_eq!(report.restarts()[0].started, "Supervisor.touchy2");
/// # Ok::<(), myelin::Error>(())
/// ```
#[component]
pub struct Supervisor<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    /// Feeds the first child.
    inbox: Inbox<In>,
    /// What the last child sends.
    outbox: Outbox<Out>,
    /// Each restart, and the giving up.
    events: Outbox<Supervision>,
    /// The children, in the order their messages flow.
    #[state(into)]
    children: Children<In, Out>,
    #[state(default)]
    limits: Limits,
}

impl<In, Out> Supervisor<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    /// Adds a child after the last: it takes what the last sends, and
    /// sends on the supervisor's `outbox` in its place.
    #[must_use]
    pub fn then<Next: Send + 'static>(self, child: Child<Out, Next>) -> Supervisor<In, Next> {
        let limits = self.limits;
        let mut slots = std::mem::take(&mut self.into_children().slots);
        let between: Inbox<Out> = Inbox::new("between");
        let hold = Outbox::new("hold");
        link(&hold.port(), &between.port(), None).expect("fresh ports link");
        let last = slots.last_mut().expect("a supervisor has a child");
        last.give_out(&mut Some(between.port()), &mut Some(hold));
        slots.push(Box::new(Slot::new(child, Some(between))));
        let mut next = Supervisor::new(Children {
            slots,
            _types: PhantomData,
        });
        next.limits = limits;
        next
    }

    /// Sets the strategy: which children restart when one does.
    #[must_use]
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.limits.strategy = strategy;
        self
    }

    /// Allows at most `max_restarts` restarts within any `within`; one more
    /// and the supervisor gives up.
    #[must_use]
    pub fn intensity(mut self, max_restarts: usize, within: Duration) -> Self {
        self.limits.max_restarts = max_restarts;
        self.limits.within = within;
        self
    }

    /// Waits `first` before restarting a child, doubling for each restart
    /// of the same child within the intensity window, up to `max`.
    #[must_use]
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.limits.backoff = first;
        self.limits.backoff_max = max.max(first);
        self
    }
}

impl<In, Out> Supervisor<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    fn into_children(mut self) -> Children<In, Out> {
        std::mem::replace(
            &mut self.children,
            Children {
                slots: Vec::new(),
                _types: PhantomData,
            },
        )
    }
}

/// What the supervisor waits for.
enum Event {
    Control(Option<Control>),
    /// Child `i`'s instance has ended: its path, and its failure.
    Ended(usize, String, Option<(String, String)>),
    /// The earliest pending restart is due.
    Due,
}

/// A restart waiting for its time.
struct Pending {
    slot: usize,
    at: Instant,
    ended: String,
    cause: RestartCause,
    delay: Duration,
}

#[diagnostic::do_not_recommend]
impl<In, Out> Component for Supervisor<In, Out>
where
    In: Send + 'static,
    Out: Send + 'static,
{
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let slots = &mut self.children.slots;
        if slots.is_empty() {
            return Ok(());
        }
        // The first child's input waits in the supervisor's own `inbox`; the
        // last sends past the supervisor, to where its `outbox` leads (kept
        // open by the `outbox` itself across restarts).
        let mut source = Some(std::mem::replace(&mut self.inbox, Inbox::new("inbox")));
        slots[0].give_source(&mut source);
        let last = slots.len() - 1;
        slots[last].give_out(&mut self.outbox.target_port(), &mut None::<Outbox<Out>>);
        for slot in slots.iter_mut() {
            slot.start(cx)?;
        }
        let limits = self.limits;
        let mut recent: VecDeque<(Instant, usize)> = VecDeque::new();
        let mut pending: Vec<Pending> = Vec::new();
        let mut timer: Option<Pin<Box<Sleep>>> = None;
        let mut control_open = true;
        let mut stopping = false;
        let mut gave_up: Option<String> = None;
        // All-for-one and rest-for-one: the child whose end stopped others,
        // and the children stopped to restart with it.
        let mut regroup: Option<(String, Vec<usize>)> = None;
        loop {
            let busy = slots.iter().any(|s| s.is_running());
            if !busy && pending.is_empty() {
                break;
            }
            let event = std::future::poll_fn(|task| {
                if control_open
                    && let Poll::Ready(msg) = Pin::new(&mut cx.control().recv()).poll(task)
                {
                    return Poll::Ready(Event::Control(msg));
                }
                let mut more = false;
                for (i, slot) in slots.iter_mut().enumerate() {
                    if let Poll::Ready((path, failure)) = slot.poll_ended(task.waker()) {
                        return Poll::Ready(Event::Ended(i, path, failure));
                    }
                    more |= slot.forward(task.waker());
                }
                if let Some(t) = timer.as_mut()
                    && t.as_mut().poll(task).is_ready()
                {
                    return Poll::Ready(Event::Due);
                }
                if more {
                    // Yield, then hand on the rest.
                    task.waker().wake_by_ref();
                }
                Poll::Pending
            })
            .await;
            let mut due_now = false;
            match event {
                Event::Control(None) => control_open = false,
                Event::Control(Some(Control::Shutdown)) => {
                    stopping = true;
                    cx.end_with_shutdown();
                    pending.clear();
                    for slot in slots.iter_mut() {
                        slot.stop();
                    }
                }
                Event::Control(Some(_)) => {}
                Event::Due => due_now = true,
                Event::Ended(i, path, failure) => {
                    let slot = &mut slots[i];
                    slot.ended();
                    let (ended, cause) = match failure {
                        Some((component, reason)) => (component, RestartCause::Failed(reason)),
                        None => (path, RestartCause::Finished),
                    };
                    let stopped_for = regroup
                        .as_ref()
                        .filter(|(_, stopped)| stopped.contains(&i))
                        .map(|(sibling, _)| sibling.clone());
                    let failed = matches!(cause, RestartCause::Failed(_));
                    let again = !stopping
                        && match slot.policy() {
                            RestartPolicy::Never => false,
                            RestartPolicy::OnFailure => failed || stopped_for.is_some(),
                            RestartPolicy::Always => {
                                failed || stopped_for.is_some() || !slot.input_done()
                            }
                        };
                    if !again {
                        slot.retire(gave_up.is_some());
                    } else if let Some(sibling) = stopped_for {
                        // Stopped for a sibling's restart: not counted
                        // against the intensity.
                        slot.apply_backlog();
                        let cause = match cause {
                            RestartCause::Failed(reason) => RestartCause::Failed(reason),
                            _ => RestartCause::WithSibling(sibling),
                        };
                        let at = pending.first().map_or_else(Instant::now, |p| p.at);
                        let delay = pending.first().map_or(Duration::ZERO, |p| p.delay);
                        pending.push(Pending {
                            slot: i,
                            at,
                            ended,
                            cause,
                            delay,
                        });
                    } else {
                        let now = Instant::now();
                        while recent
                            .front()
                            .is_some_and(|(t, _)| now.duration_since(*t) > limits.within)
                        {
                            recent.pop_front();
                        }
                        if recent.len() >= limits.max_restarts {
                            let why = format!(
                                "gave up: {ended} {cause}, after {} restarts within {:?}",
                                recent.len(),
                                limits.within
                            );
                            let _ = self
                                .events
                                .send(Supervision::GaveUp {
                                    supervisor: cx.name().to_owned(),
                                    child: ended,
                                    cause,
                                })
                                .await;
                            gave_up = Some(why);
                            stopping = true;
                            pending.clear();
                            for slot in slots.iter_mut() {
                                slot.stop();
                                slot.retire(true);
                            }
                            continue;
                        }
                        let earlier = recent.iter().filter(|(_, s)| *s == i).count();
                        recent.push_back((now, i));
                        let delay = backoff(&limits, earlier);
                        slot.apply_backlog();
                        pending.push(Pending {
                            slot: i,
                            at: now + delay,
                            ended: ended.clone(),
                            cause,
                            delay,
                        });
                        let others: Vec<usize> = match limits.strategy {
                            Strategy::OneForOne => Vec::new(),
                            Strategy::AllForOne => (0..slots.len()).filter(|j| *j != i).collect(),
                            Strategy::RestForOne => (i + 1..slots.len()).collect(),
                        };
                        let others: Vec<usize> = others
                            .into_iter()
                            .filter(|j| slots[*j].is_running())
                            .collect();
                        for j in &others {
                            slots[*j].stop();
                        }
                        if !others.is_empty() {
                            let (_, stopped) = regroup.get_or_insert_with(|| (ended, Vec::new()));
                            stopped.extend(others);
                        }
                    }
                    // A child that ended for good no longer feeds the
                    // next: its link ends once the next has read it.
                }
            }
            // Restarts that are due, once every child that restarts with
            // them has ended.
            if let Some((_, stopped)) = &regroup
                && stopped.iter().all(|j| !slots[*j].is_running())
            {
                regroup = None;
            }
            if regroup.is_none() && !pending.is_empty() {
                let now = Instant::now();
                if due_now || pending.iter().any(|p| p.at <= now) {
                    timer = None;
                }
                pending.sort_by_key(|p| (p.at, p.slot));
                while let Some(p) = pending.first()
                    && p.at <= now
                {
                    let p = pending.remove(0);
                    let started = slots[p.slot].start(cx)?;
                    let restart = Restart {
                        supervisor: cx.name().to_owned(),
                        ended: p.ended,
                        cause: p.cause,
                        started,
                        delay: p.delay,
                    };
                    current::record_restart(restart.clone());
                    // Nobody listening is not an error.
                    let _ = self.events.send(Supervision::Restarted(restart)).await;
                }
                if let Some(p) = pending.first() {
                    timer = Some(Box::pin(crate::time::sleep_until(p.at)));
                }
            } else {
                timer = None;
            }
        }
        match gave_up {
            Some(why) => Err(Error::msg(why)),
            None => Ok(()),
        }
    }
}

/// The wait before a child's restart, `earlier` restarts of it having
/// come within the window: the first delay, doubled each time, capped.
fn backoff(limits: &Limits, earlier: usize) -> Duration {
    if limits.backoff.is_zero() {
        return Duration::ZERO;
    }
    let factor = 1u32 << earlier.min(20);
    limits
        .backoff
        .saturating_mul(factor)
        .min(limits.backoff_max)
}
