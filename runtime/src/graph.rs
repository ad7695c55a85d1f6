//! Parts of a system: single components, and graphs of them.
//!
//! Kamaelia's `Pipeline` and `Graphline` are components that link their
//! children and wait for them to die. Here a graph is a value built by
//! `pipeline!`/`graphline!`: it holds its children and typed handles for its
//! own ports, which are passthroughs to its children's ports. Starting it
//! starts the children; only a graphline whose own `control` or `signal` is
//! used gets a small chassis task, which fans `control` out to its children
//! and sends `signal` when they have all ended.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::hash::BuildHasherDefault;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use crate::component::{Component, Ports};
use crate::context::Inboxes;
use crate::describe;
use crate::error::panic_message;
use crate::port::{
    AnyInbox, AnyOutbox, Inbox, InboxPort, LinkState, Outbox, OutboxPort, Readiness, link,
};
use crate::report::Outcome;
use crate::scheduler::WakeRef;
use crate::scheduler::current;
use crate::scheduler::local::Core;
use crate::scheduler::placement::{self, Hint};
use crate::scheduler::registry::OutsideEnd;
use crate::sync::lock_std as lock;
use crate::view::{Builder, Kind, Snapshot};
use crate::{Context, Control};

/// Something that can be started in a system: a component (wrapped in a
/// [`Node`]) or a [`Graph`]. The wiring macros use this; it is public so that
/// systems can also be built by hand, and so that code can be generic over
/// parts.
///
/// Every part has the built-in `control` inbox and `signal` outbox, whatever
/// its other ports: [`control_port`](Part::control_port) and
/// [`signal_port`](Part::signal_port) reach them in code generic over parts,
/// where the handles' type is not known (a generated handles struct has
/// `control` and `signal` fields too, but a type parameter has no fields).
/// A component becomes a part with [`IntoPart::into_part`]. In `graphline!`,
/// `child.control` and `child.signal` work for a child of any part type.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::Sender;
///
/// /// Starts `system` with a way to stop it from outside.
/// fn stoppable<P: IntoPart>(system: P) -> (myelin::Handle, Sender<Control>) {
///     let part = system.into_part();
///     let stop = Sender::new(&part.control_port()).expect("not started yet");
///     (myelin::spawn(part), stop)
/// }
///
/// /// Waits for a `Shutdown`.
/// #[component]
/// struct Idle {}
///
/// impl Component for Idle {
///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
///         while let Some(msg) = cx.control().recv().await {
///             if msg == Control::Shutdown {
///                 break;
///             }
///         }
///         Ok(())
///     }
/// }
///
/// let (handle, mut stop) = stoppable(Idle::new());
/// stop.send(Control::Shutdown).unwrap();
/// assert!(handle.join()?.is_success());
/// # Ok::<(), myelin::Error>(())
/// ```
pub trait Part: Send + 'static {
    /// Typed handles for the part's ports: a component's generated
    /// handles struct, a pipeline's `inbox` and `outbox`, a graphline's own
    /// boxes. For the built-in boxes in generic code, see
    /// [`control_port`](Part::control_port) and
    /// [`signal_port`](Part::signal_port).
    type Handles;

    /// The handles, for linking.
    fn handles(&self) -> Self::Handles;

    /// The part's built-in `control` inbox: a component's own, a
    /// pipeline's first stage's, a graphline's (its chassis, or the child
    /// it passes `control` through to).
    fn control_port(&self) -> InboxPort<Control>;

    /// The part's built-in `signal` outbox: a component's own, a
    /// pipeline's last stage's, a graphline's (its chassis, or the child
    /// it passes `signal` through from).
    fn signal_port(&self) -> OutboxPort<Control>;

    /// A name to use when the wiring gave none.
    fn default_name(&self) -> &'static str;

    #[doc(hidden)]
    fn start(self, path: String, spawner: &mut Spawner<'_>);

    /// Adds the part's components to a picture, under `path` as `start`
    /// would name them. A part written by hand that leaves it out is
    /// missing from pictures.
    #[doc(hidden)]
    fn describe(&self, path: &str, out: &mut Builder) {
        let _ = (path, out);
    }

    /// A picture of the part before it runs: every component (nested
    /// graphs as dotted paths, drawn as clusters), its ports with their
    /// message types and docs, and every link, with no states and no
    /// counts. Draw it with [`Snapshot::to_dot`] or
    /// [`Snapshot::to_mermaid`].
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::components::{Collect, Source};
    ///
    /// let system = pipeline![Source::new(0..3u32), Collect::<u32>::new()];
    /// let picture = system.snapshot();
    /// assert_eq!(picture.components.len(), 2);
    /// // The data link, and the pipeline's `signal` -> `control` link.
    /// assert_eq!(picture.links.iter().filter(|l| !l.lifecycle).count(), 1);
    /// assert!(picture.to_dot().contains("outbox → inbox"));
    /// ```
    fn snapshot(&self) -> Snapshot
    where
        Self: Sized,
    {
        let mut out = Builder::default();
        self.describe("", &mut out);
        out.finish()
    }

    /// Hands over the parts nested in this one (a graph's children), so
    /// that dropping a deep graph need not recurse.
    #[doc(hidden)]
    fn take_nested(&mut self) -> Nested {
        Nested(Vec::new())
    }
}

/// The parts nested in a part, as [`Part::take_nested`] hands them over.
#[doc(hidden)]
pub struct Nested(Vec<Box<dyn ErasedPart>>);

/// A graph's children. Dropped without recursion: a graph nested ten
/// thousand deep must not overflow the stack of the thread that drops it.
#[derive(Default)]
struct Children(Vec<(Option<&'static str>, Box<dyn ErasedPart>)>);

impl Drop for Children {
    fn drop(&mut self) {
        let mut stack: Vec<Box<dyn ErasedPart>> = self.0.drain(..).map(|(_, part)| part).collect();
        while let Some(mut part) = stack.pop() {
            stack.extend(part.take_nested().0);
            // `part` now holds no nested parts: dropping it goes one level.
        }
    }
}

/// Turns a component or a graph into a [`Part`]. `#[component]` implements
/// it for each component struct: generators become a [`Node`], threaded
/// components a [`ThreadNode`](crate::ThreadNode).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a system",
    label = "expected a component or a pipeline/graphline",
    note = "a component is a struct marked `#[component]` with `impl Component`, or \
            `#[component(thread)]` with `impl ThreadComponent`"
)]
pub trait IntoPart {
    /// The part. It is an `IntoPart` too, so that code generic over
    /// `P: IntoPart` can convert first (to reach
    /// [`Part::control_port`], say) and still run or wire the result.
    type Part: Part + IntoPart;
    /// Converts.
    fn into_part(self) -> Self::Part;
}

// Hidden from "other types implement" hints: the error for a non-component
// should talk about components, not the runtime's wrapper types.
#[diagnostic::do_not_recommend]
impl<C: Component> IntoPart for Node<C> {
    type Part = Self;
    fn into_part(self) -> Self {
        self
    }
}

#[diagnostic::do_not_recommend]
impl<H: Clone + Send + 'static> IntoPart for Graph<H> {
    type Part = Self;
    fn into_part(self) -> Self {
        self
    }
}

/// One component together with its built-in `control` and `signal` boxes.
pub struct Node<C> {
    component: C,
    control: Inbox<Control>,
    signal: Outbox<Control>,
}

impl<C: Component> Node<C> {
    /// Wraps `component`, giving it its `control` and `signal` boxes.
    pub fn new(component: C) -> Self {
        Self::wrap(component)
    }
}

// What every kind of single-component part shares.
impl<C: Ports> Node<C> {
    pub(crate) fn wrap(component: C) -> Self {
        Self {
            component,
            control: Inbox::new("control"),
            signal: Outbox::new("signal"),
        }
    }

    pub(crate) fn port_handles(&self) -> C::Handles {
        self.component
            .handles(self.control.port(), self.signal.port())
    }

    pub(crate) fn control_port_any(&self) -> InboxPort<Control> {
        self.control.port()
    }

    pub(crate) fn signal_port_any(&self) -> OutboxPort<Control> {
        self.signal.port()
    }

    pub(crate) fn control(&self) -> &Inbox<Control> {
        &self.control
    }

    pub(crate) fn signal(&self) -> &Outbox<Control> {
        &self.signal
    }

    pub(crate) fn into_parts(self) -> (C, Inbox<Control>, Outbox<Control>) {
        (self.component, self.control, self.signal)
    }

    /// Adds the component to a picture, running as `kind`.
    pub(crate) fn describe_as(&self, path: &str, kind: Kind, out: &mut Builder) {
        let path: Arc<str> = if path.is_empty() {
            C::INFO.name.into()
        } else {
            path.into()
        };
        let start = describe::start_of(
            &self.component,
            Some(&self.control),
            &self.signal,
            path,
            kind,
        );
        out.push(describe::described(start));
    }
}

impl<C: Component> Part for Node<C> {
    type Handles = C::Handles;

    fn handles(&self) -> C::Handles {
        self.port_handles()
    }

    fn control_port(&self) -> InboxPort<Control> {
        self.control_port_any()
    }

    fn signal_port(&self) -> OutboxPort<Control> {
        self.signal_port_any()
    }

    fn default_name(&self) -> &'static str {
        C::INFO.name
    }

    fn describe(&self, path: &str, out: &mut Builder) {
        self.describe_as(path, Kind::Generator, out);
    }

    fn start(self, path: String, spawner: &mut Spawner<'_>) {
        let (mut component, control, mut signal) = self.into_parts();
        let path: Arc<str> = if path.is_empty() {
            C::INFO.name.into()
        } else {
            path.into()
        };
        // In an introspected system, what the component is made of, taken
        // before its ports are sealed and its `control` perhaps dropped.
        let seen = describe::seen(
            spawner.core,
            &component,
            &control,
            &signal,
            &path,
            Kind::Generator,
        );
        component.meet(&spawner.core.remote().places, &path);
        let item = spawner.items.len();
        let mut outputs = Vec::new();
        component.for_each_outbox(&mut |outbox| {
            outbox.seal();
            if let Some(link) = spawner.note_target(outbox, &path, Some(item)) {
                outputs.push(link);
            }
        });
        signal.seal();
        // Not an output for placement: a lifecycle link, not a chatty one.
        spawner.note_target(&signal, &path, Some(item));
        let mut inboxes: Vec<Arc<dyn Readiness>> = Vec::new();
        let mut inputs = Vec::new();
        component.for_each_inbox(&mut |inbox| {
            let state = inbox.link_state();
            inputs.push(link_id(&state));
            spawner.binds.push((Some(item), state.clone()));
            inboxes.push(state);
        });
        // A `control` nothing can ever send to is dropped now, and made
        // again only if the body asks for it (`Context::control`).
        let control = (!control.is_unreachable()).then(|| {
            spawner.binds.push((Some(item), control.link_state()));
            control
        });
        let name = path;
        let cx = Context::new(name.clone(), control, signal, Inboxes::new(inboxes));
        let guard = GroupGuard::new(spawner.groups.clone());
        spawner.prepare(
            placement::Item {
                hint: spawner.hint,
                inputs,
                outputs,
            },
            name,
            Box::new(move |core, seq, name| {
                let future = drive(component, cx, guard);
                match describe::register(seen, seq) {
                    Some(entry) => {
                        core.spawn_placed(seq, name, Box::pin(describe::Watched { entry, future }));
                    }
                    None => {
                        core.spawn_placed(seq, name, Box::pin(future));
                    }
                }
            }),
        );
    }
}

/// Runs a component's body to its end and reports how it ended.
///
/// A plain `fn` returning an `async move` block, not an `async fn`: the block
/// captures its three values once, where an `async fn` keeps the arguments and
/// their rebindings apart and nearly doubles every idle component's size.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn doubles the future's size; see above"
)]
fn drive<C: Component>(
    mut component: C,
    mut cx: Context,
    guard: GroupGuard,
) -> impl Future<Output = ()> {
    async move {
        // In a block: what it binds is dead before the await below, so the
        // future keeps no room for it while the body runs.
        let late = {
            let outcome = match CatchUnwind(component.main(&mut cx)).await {
                Ok(Ok(())) => Outcome::Finished,
                Ok(Err(e)) => Outcome::Failed(e.to_string()),
                Err(reason) => Outcome::Failed(reason),
            };
            let late = cx.finish(&outcome);
            guard.finished(&outcome, cx.name());
            current::record_outcome(outcome);
            cx.settle_control();
            // Dropping the component now closes its outboxes and accounts
            // for what is left in its inboxes, while the scheduler still
            // knows whose they are.
            drop(component);
            late
        };
        if let Some(msg) = late {
            // Boxed: rare, and kept out of every idle component's future.
            Box::pin(cx.announce_late(msg)).await;
        }
        drop(cx);
        drop(guard);
    }
}

/// Catches a panic in the wrapped future's `poll`.
struct CatchUnwind<F>(F);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of the only field; it is never moved out.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic_message(&*panic))),
        }
    }
}

/// The children still running under a graph with a chassis.
///
/// Behind a lock: children may run on other schedulers than the chassis.
#[derive(Default)]
pub(crate) struct Group(Mutex<GroupState>);

#[derive(Default)]
struct GroupState {
    remaining: usize,
    failure: Option<(String, String)>,
    /// The chassis, kept as a bare task key: it is woken only by the
    /// system's own components ending, so it must not count as a way in
    /// from outside, or a deadlock among the children could never be told
    /// from a wait.
    waker: Option<WakeRef>,
}

/// The groups a part belongs to, innermost first: a list that shares its
/// tail, so a part nested ten thousand deep costs one pointer, not a copy
/// of ten thousand.
pub(crate) type Groups = Option<Arc<GroupLink>>;

/// One group in a [`Groups`] list.
pub(crate) struct GroupLink {
    group: Arc<Group>,
    outer: Groups,
}

/// Every group in `groups`, innermost first.
fn each_group(groups: &Groups) -> impl Iterator<Item = &Arc<Group>> {
    std::iter::successors(groups.as_deref(), |link| link.outer.as_deref()).map(|link| &link.group)
}

impl Group {
    /// A group of its own for a part started while the system runs (see
    /// `Context::start_watched`): its members count themselves in as they
    /// start.
    pub(crate) fn watch() -> (Arc<Self>, Groups) {
        let group = Arc::new(Self::default());
        let link = Some(Arc::new(GroupLink {
            group: group.clone(),
            outer: None,
        }));
        (group, link)
    }

    /// `Ready` once every member has ended, with the first failure among
    /// them (its component's path and reason); otherwise registers `waker`
    /// (as a bare task key: members ending wake it, nothing outside).
    pub(crate) fn poll_ended(&self, waker: &std::task::Waker) -> Poll<Option<(String, String)>> {
        // Checked and registered under one lock: a member ending on another
        // scheduler cannot slip between the two.
        let mut state = lock(&self.0);
        if state.remaining == 0 {
            return Poll::Ready(state.failure.take());
        }
        state.waker = Some(WakeRef::new(waker, true));
        Poll::Pending
    }
}

/// Held by each component's driver; tells its groups when it ends, however
/// it ends.
pub(crate) struct GroupGuard {
    pub(crate) groups: Groups,
}

impl GroupGuard {
    /// Counts a starting member in with each of its groups.
    pub(crate) fn new(groups: Groups) -> Self {
        for group in each_group(&groups) {
            lock(&group.0).remaining += 1;
        }
        Self { groups }
    }

    /// Records a failure with every group before the guard drops.
    pub(crate) fn finished(&self, outcome: &Outcome, name: &str) {
        if let Outcome::Failed(reason) = outcome {
            for group in each_group(&self.groups) {
                lock(&group.0)
                    .failure
                    .get_or_insert_with(|| (name.to_owned(), reason.clone()));
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        for group in each_group(&self.groups) {
            let waker = {
                let mut state = lock(&group.0);
                state.remaining -= 1;
                if state.remaining == 0 {
                    state.waker.take()
                } else {
                    None
                }
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

/// Starts parts on a scheduler.
///
/// Starting never recurses: a graph leaves its children (and the steps that
/// follow them) on the spawner's own stack of work, which
/// [`Spawner::finish`] works through, so nesting depth is limited by memory,
/// not by the thread's stack.
///
/// Links are bound in a last step, once every part has started: only then
/// is it known which links a thread (or a handle) reaches, and those must
/// stay shared.
///
/// Generator components are not spawned as they start but prepared: once
/// every part has started, placement (`scheduler/placement.rs`) sees the
/// whole shape of the links and puts each on a scheduler, and only then
/// are links bound and the components spawned where they belong.
#[doc(hidden)]
pub struct Spawner<'a> {
    /// The home scheduler of the system.
    pub(crate) core: &'a Core,
    /// The groups a part started now belongs to.
    pub(crate) groups: Groups,
    /// Where the part started now was asked to run.
    hint: Hint,
    /// Inboxes to bind, with the prepared component that reads them (`None`:
    /// a task of the home scheduler).
    binds: Vec<(Option<usize>, Arc<dyn LinkState>)>,
    /// Work left by graphs, done last in, first out.
    pending: Vec<Step>,
    /// Where the started components' outboxes lead, from which component,
    /// and from which prepared component (`None`: the home scheduler's):
    /// see `finish`.
    targets: Vec<(Option<usize>, Arc<dyn LinkState>, OutsideEnd)>,
    /// Generator components waiting to be placed and spawned.
    items: Vec<placement::Item>,
    starts: Vec<Prepared>,
    /// Place everything on the home scheduler (parts added to a running
    /// system: they may link to running components there).
    home_only: bool,
    /// Leave every link shared, none bound to a scheduler's thread: the
    /// parts were linked from a threaded component, whose ends the spawner
    /// cannot see (`ThreadContext::start`).
    pub(crate) keep_shared: bool,
    /// Ids for `together` hints.
    next_together: u32,
}

/// A generator component ready to be spawned on whichever scheduler.
struct Prepared {
    seq: usize,
    name: Arc<str>,
    spawn: Spawn,
}

/// Spawns a prepared component on a scheduler, with its start-order number
/// and name.
type Spawn = Box<dyn FnOnce(&Core, usize, Arc<str>) + Send>;

/// Work a graph leaves on the spawner's stack.
enum Step {
    /// Start a child under the given groups and placement hint.
    Start {
        path: String,
        part: Box<dyn ErasedPart>,
        groups: Groups,
        hint: Hint,
    },
    /// What a graph does once all its children have started.
    Then(Box<dyn FnOnce(&mut Spawner<'_>)>),
}

/// A queue's identity, for placement.
fn link_id(state: &Arc<dyn LinkState>) -> usize {
    Arc::as_ptr(state).cast::<()>() as usize
}

impl<'a> Spawner<'a> {
    pub(crate) fn new(core: &'a Core) -> Self {
        Self {
            core,
            groups: None,
            hint: Hint::Auto,
            binds: Vec::new(),
            pending: Vec::new(),
            targets: Vec::new(),
            items: Vec::new(),
            starts: Vec::new(),
            home_only: false,
            keep_shared: false,
            next_together: 0,
        }
    }

    /// A spawner for parts added to a running system: they all start on
    /// `core`'s scheduler (the home one for `Handle::add`, a component's
    /// own for `Context::start`), where they may link to what runs there.
    pub(crate) fn home_only(core: &'a Core) -> Self {
        Self {
            home_only: true,
            ..Self::new(core)
        }
    }

    /// Notes where `outbox`, sealed, of the component at `path` leads;
    /// `item` is the prepared component it belongs to (`None`: a task of
    /// the home scheduler). Returns the queue's identity, if linked.
    pub(crate) fn note_target(
        &mut self,
        outbox: &dyn AnyOutbox,
        path: &Arc<str>,
        item: Option<usize>,
    ) -> Option<usize> {
        let link = outbox.target_state()?;
        let id = link_id(&link);
        self.targets.push((
            item,
            link.clone(),
            OutsideEnd {
                link,
                from: path.clone(),
                port: outbox.port_name(),
            },
        ));
        Some(id)
    }

    /// Notes an inbox read by a task of the home scheduler, to bind.
    pub(crate) fn bind_home(&mut self, state: Arc<dyn LinkState>) {
        self.binds.push((None, state));
    }

    /// Starts `part` with every component in it placed as `placement` says
    /// (a part placed inside another placed part follows the inner one).
    pub(crate) fn start_placed<P: Part>(
        &mut self,
        path: String,
        part: P,
        placement: placement::Want,
    ) {
        let hint = match placement {
            placement::Want::On(n) => Hint::On(n),
            placement::Want::Together => {
                self.next_together += 1;
                Hint::Together(self.next_together)
            }
        };
        self.pending.push(Step::Start {
            path,
            part: Box::new(part),
            groups: self.groups.clone(),
            hint,
        });
    }

    /// Queues a generator component to be placed and spawned by `finish`.
    fn prepare(&mut self, item: placement::Item, name: Arc<str>, spawn: Spawn) {
        self.items.push(item);
        self.starts.push(Prepared {
            seq: self.core.system().next_seq(),
            name,
            spawn,
        });
    }

    /// Starts every part still waiting, then binds every link the started
    /// generators receive on to this thread, except those pinned shared.
    /// Then every inbox an outbox leads to whose component has not started
    /// is outside the system (a handle's `Receiver`, an inbox on a plain
    /// thread): the system notes it, to count what it holds when it is
    /// dropped (`run::hand_out`).
    pub(crate) fn finish(mut self) {
        while let Some(step) = self.pending.pop() {
            match step {
                Step::Start {
                    path,
                    part,
                    groups,
                    hint,
                } => {
                    self.groups = groups;
                    self.hint = hint;
                    part.start_boxed(path, &mut self);
                }
                Step::Then(then) => then(&mut self),
            }
        }
        let system = self.core.system().clone();
        let schedulers = if self.home_only { 1 } else { system.schedulers };
        let mut places = placement::place(&self.items, schedulers);
        // Where each scheduler index runs; one that could not be started
        // hands its components to home.
        let home = crate::scheduler::system::Target {
            token: current::thread_token(),
            remote: None,
        };
        let mut targets: HashMap<usize, crate::scheduler::system::Target> = HashMap::new();
        for place in &mut places {
            if *place != 0 && !targets.contains_key(place) {
                match system.worker(*place) {
                    Some(target) => {
                        targets.insert(*place, target);
                    }
                    None => *place = 0,
                }
            }
            if !targets.contains_key(place) {
                *place = 0;
            }
        }
        let at = |item: Option<usize>| item.map_or(0, |i| places[i]);
        // A queue stays local only if every sender runs where its reader
        // does: `None` marks one fed from several schedulers.
        let mut fed_from: HashMap<usize, Option<usize>> = HashMap::new();
        for (item, link, _) in &self.targets {
            let from = at(*item);
            fed_from
                .entry(link_id(link))
                .and_modify(|s| {
                    if *s != Some(from) {
                        *s = None;
                    }
                })
                .or_insert(Some(from));
        }
        for (item, state) in self.binds {
            let place = at(item);
            state.mark_started();
            let local = fed_from
                .get(&link_id(&state))
                .is_none_or(|from| *from == Some(place));
            if local && !self.keep_shared {
                let target = targets.get(&place).unwrap_or(&home);
                state.bind_local(target.token);
            }
        }
        for (_, link, end) in self.targets {
            if !link.is_started() {
                system.home.add_outside(end);
            }
        }
        // The slot table grows once, to fit, not by doubling past it: a
        // million components starting at once would otherwise leave up to
        // as many slots again unused.
        self.core.reserve_tasks(
            places
                .iter()
                .filter(|place| targets.get(place).and_then(|t| t.remote.as_ref()).is_none())
                .count(),
        );
        for (prepared, place) in self.starts.into_iter().zip(places) {
            let Prepared { seq, name, spawn } = prepared;
            system.add_live();
            match targets.get(&place).and_then(|t| t.remote.as_ref()) {
                Some(remote) => {
                    let submitted =
                        remote.submit(Box::new(move |core: &Core| spawn(core, seq, name)));
                    // Workers take commands until the home scheduler stops
                    // them, which cannot happen before the system has run.
                    debug_assert!(submitted, "a new worker refused a component");
                }
                None => spawn(self.core, seq, name),
            }
        }
    }
}

/// A pipeline or graphline: children plus typed handles for its own ports.
///
/// Built by `pipeline!` and `graphline!`; it is itself a part, so graphs nest,
/// with link types checked end to end.
pub struct Graph<H> {
    children: Children,
    handles: H,
    control: Inbox<Control>,
    signal: Outbox<Control>,
    control_passthrough: Option<InboxPort<Control>>,
    signal_passthrough: Option<OutboxPort<Control>>,
    kind: &'static str,
}

impl Graph<()> {
    /// An empty graph; `kind` is its default name (`"pipeline"`, `"graphline"`).
    pub fn new(kind: &'static str) -> Self {
        Self {
            children: Children(Vec::new()),
            handles: (),
            control: Inbox::new("control"),
            signal: Outbox::new("signal"),
            control_passthrough: None,
            signal_passthrough: None,
            kind,
        }
    }
}

impl<H> Graph<H> {
    /// Adds a child part (a [`Node`] or another graph; wrap a component with
    /// [`Node::new`]). Children start in the order they were added; `None`
    /// names it after its type (or `pipeline`, `graphline`), numbered when
    /// that name is taken.
    #[must_use]
    pub fn child(mut self, name: Option<&'static str>, part: impl Part) -> Self {
        self.children.0.push((name, Box::new(part)));
        self
    }

    /// The graph's own `control` inbox, for use in its handles when no link
    /// passes `control` through to a child.
    pub fn own_control(&self) -> InboxPort<Control> {
        self.control.port()
    }

    /// The graph's own `signal` outbox, for use in its handles when no link
    /// passes `signal` through from a child.
    pub fn own_signal(&self) -> OutboxPort<Control> {
        self.signal.port()
    }

    /// Makes the graph's `control` the given child's `control`.
    #[must_use]
    pub fn control_passthrough(mut self, port: InboxPort<Control>) -> Self {
        self.control_passthrough = Some(port);
        self
    }

    /// Makes the graph's `signal` the given child's `signal`.
    #[must_use]
    pub fn signal_passthrough(mut self, port: OutboxPort<Control>) -> Self {
        self.signal_passthrough = Some(port);
        self
    }

    /// Sets the graph's typed handles.
    ///
    /// For a graph built by hand. A function that builds its graph with
    /// `pipeline!` or `graphline!` gets handles a pipeline can link, and
    /// docs, from [`#[prefab]`](crate::prefab) instead.
    pub fn with_handles<H2>(self, handles: H2) -> Graph<H2> {
        Graph {
            children: self.children,
            handles,
            control: self.control,
            signal: self.signal,
            control_passthrough: self.control_passthrough,
            signal_passthrough: self.signal_passthrough,
            kind: self.kind,
        }
    }
}

impl<H> Graph<H> {
    /// The graph under another default name, with the handles `ports`
    /// makes from its own: see `wiring::prefab`.
    pub(crate) fn into_prefab<P>(
        self,
        name: &'static str,
        ports: impl FnOnce(&H, InboxPort<Control>, OutboxPort<Control>) -> P,
    ) -> Graph<P> {
        let control = self
            .control_passthrough
            .clone()
            .unwrap_or_else(|| self.control.port());
        let signal = self
            .signal_passthrough
            .clone()
            .unwrap_or_else(|| self.signal.port());
        let handles = ports(&self.handles, control, signal);
        Graph {
            kind: name,
            ..self.with_handles(handles)
        }
    }
}

impl<H: Clone + Send + 'static> Part for Graph<H> {
    type Handles = H;

    fn handles(&self) -> H {
        self.handles.clone()
    }

    fn control_port(&self) -> InboxPort<Control> {
        self.control_passthrough
            .clone()
            .unwrap_or_else(|| self.control.port())
    }

    fn signal_port(&self) -> OutboxPort<Control> {
        self.signal_passthrough
            .clone()
            .unwrap_or_else(|| self.signal.port())
    }

    fn default_name(&self) -> &'static str {
        self.kind
    }

    fn describe(&self, path: &str, out: &mut Builder) {
        let mut names = UniqueNames::for_children(self.children.0.len());
        for (name, child) in &self.children.0 {
            let unique = names.claim(name.unwrap_or_else(|| child.default_name()));
            let child_path = if path.is_empty() {
                unique
            } else {
                format!("{path}.{unique}")
            };
            child.describe(&child_path, out);
        }
    }

    fn take_nested(&mut self) -> Nested {
        Nested(
            std::mem::take(&mut self.children.0)
                .into_iter()
                .map(|(_, part)| part)
                .collect(),
        )
    }

    fn start(self, path: String, spawner: &mut Spawner<'_>) {
        let Self {
            mut children,
            control,
            signal,
            ..
        } = self;
        let children = std::mem::take(&mut children.0);
        let control_used = control.has_senders();
        let signal_used = signal.is_linked();
        let group = (control_used || signal_used).then(|| Arc::new(Group::default()));

        // A control message sent to the graph goes to every child whose own
        // control nothing else feeds.
        let mut fan_out = Vec::new();
        if control_used {
            for (_, child) in &children {
                let port = child.control_port();
                if !port.has_senders() {
                    let out = Outbox::new("control");
                    // A fresh outbox cannot be linked already.
                    link(&out.port(), &port, None).expect("fresh outbox");
                    fan_out.push(out);
                }
            }
        }

        let outer = spawner.groups.clone();
        let inner = match &group {
            Some(g) => Some(Arc::new(GroupLink {
                group: g.clone(),
                outer: outer.clone(),
            })),
            None => outer.clone(),
        };
        let mut names = UniqueNames::for_children(children.len());
        let mut starts = Vec::with_capacity(children.len());
        for (name, child) in children {
            let unique = names.claim(name.unwrap_or_else(|| child.default_name()));
            let child_path = if path.is_empty() {
                unique
            } else {
                format!("{path}.{unique}")
            };
            starts.push(Step::Start {
                path: child_path,
                part: child,
                groups: inner.clone(),
                hint: spawner.hint,
            });
        }
        // Pushed first, so it runs once every child (and everything inside
        // them) has started.
        if let Some(g) = group {
            // Every child counted itself in as it started (`GroupGuard::new`).
            spawner.pending.push(Step::Then(Box::new(move |spawner| {
                let name = if path.is_empty() {
                    "graph".to_owned()
                } else {
                    path
                };
                spawner.bind_home(control.link_state());
                // Its destination is fixed now, as a component's is.
                let mut signal = signal;
                signal.seal();
                spawner.note_target(&signal, &Arc::from(name.as_str()), None);
                for out in &mut fan_out {
                    out.seal();
                    spawner.note_target(out, &Arc::from(name.as_str()), None);
                }
                let chassis = chassis(name.clone(), control, signal, fan_out, g);
                let guard = GroupGuard::new(outer);
                spawner.core.spawn_hidden(
                    format!("{name} (chassis)").into(),
                    Box::pin(async move {
                        chassis.await;
                        current::record_outcome(Outcome::Finished);
                        drop(guard);
                    }),
                );
            })));
        }
        // Children start in the order they were added.
        spawner.pending.extend(starts.into_iter().rev());
    }
}

/// Child names within one graph: the name asked for, or that name with the
/// lowest free number appended (`relay`, `relay2`, ...).
///
/// Hashed with a fast, non-keyed hash: the names come from the program
/// itself, not from outside, and a graph of a million children spends most
/// of its start hashing them otherwise.
#[derive(Default)]
struct UniqueNames {
    taken: HashSet<String, BuildHasherDefault<NameHasher>>,
    next_suffix: HashMap<&'static str, usize, BuildHasherDefault<NameHasher>>,
}

/// FNV-1a over the name's bytes.
struct NameHasher(u64);

impl Default for NameHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl UniqueNames {
    /// Room for `count` names, claimed without growing.
    fn for_children(count: usize) -> Self {
        Self {
            taken: HashSet::with_capacity_and_hasher(count, BuildHasherDefault::default()),
            next_suffix: HashMap::default(),
        }
    }

    fn claim(&mut self, base: &'static str) -> String {
        if !self.taken.contains(base) {
            self.taken.insert(base.to_owned());
            return base.to_owned();
        }
        let n = self.next_suffix.entry(base).or_insert(1);
        loop {
            *n += 1;
            // Not `format!`: its padding machinery, and growing the string
            // as it goes, were a quarter of starting a million components.
            let mut candidate = String::with_capacity(base.len() + 20);
            candidate.push_str(base);
            let _ = write!(candidate, "{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// A graphline's chassis: forwards control messages to the children, and
/// when all children have ended sends the graph's own signal.
async fn chassis(
    name: String,
    mut control: Inbox<Control>,
    mut signal: Outbox<Control>,
    mut fan_out: Vec<Outbox<Control>>,
    group: Arc<Group>,
) {
    let mut shutdown_seen = false;
    loop {
        while let Ok(msg) = control.try_recv() {
            shutdown_seen |= msg == Control::Shutdown;
            for out in &mut fan_out {
                // A child that already finished has nothing to stop.
                let _ = out.try_send(msg.clone());
            }
        }
        if lock(&group.0).remaining == 0 {
            break;
        }
        std::future::poll_fn(|cx| {
            {
                // Checked and registered under one lock: a child ending on
                // another scheduler cannot slip between the two.
                let mut state = lock(&group.0);
                if state.remaining == 0 {
                    return Poll::Ready(());
                }
                state.waker = Some(WakeRef::new(cx.waker(), true));
            }
            if control.ready_or_register(cx.waker()) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
    drop(fan_out);
    let failure = lock(&group.0).failure.take();
    let msg = match failure {
        Some((component, reason)) => Control::Failed { component, reason },
        None if shutdown_seen => Control::Shutdown,
        None => Control::Finished { component: name },
    };
    // Waits for room like any send: the listener hears the whole story.
    let _ = signal.send(msg).await;
}

/// A part with its type erased, so a graph can hold different kinds.
trait ErasedPart: Send {
    fn describe(&self, path: &str, out: &mut Builder);
    fn take_nested(&mut self) -> Nested;
    fn control_port(&self) -> InboxPort<Control>;
    fn default_name(&self) -> &'static str;
    fn start_boxed(self: Box<Self>, path: String, spawner: &mut Spawner<'_>);
}

impl<P: Part> ErasedPart for P {
    fn describe(&self, path: &str, out: &mut Builder) {
        Part::describe(self, path, out);
    }
    fn take_nested(&mut self) -> Nested {
        Part::take_nested(self)
    }
    fn control_port(&self) -> InboxPort<Control> {
        Part::control_port(self)
    }
    fn default_name(&self) -> &'static str {
        Part::default_name(self)
    }
    fn start_boxed(self: Box<Self>, path: String, spawner: &mut Spawner<'_>) {
        (*self).start(path, spawner);
    }
}
