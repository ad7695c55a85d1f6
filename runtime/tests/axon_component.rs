//! Axon's component scenarios (`TA/test_Component.py`; section 3 of the Axon
//! reference, scenarios 19-31), ported to myelin's `#[component]`, ports and
//! graphs.
//!
//! Axon's wake-up rules are observed by counting how often the future a body
//! waits on is polled ([`common::counted`]): one poll per resume.

mod common;

use myelin::prelude::*;
use myelin::{Graph, Node, Part, Ports, TryRecvError, link};

use common::{Collect, Counter, Feed, Shared, counted, push, shared, take};

/// The plainest component with data ports.
#[component]
struct Bare {
    inbox: Inbox<u8>,
    outbox: Outbox<u8>,
}

impl Component for Bare {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Axon scenario 19 (TA/test_Component.py): a bare component has inboxes
/// `inbox`/`control` and outboxes `outbox`/`signal`, all empty, and no
/// children.
///
/// In myelin the data ports are the ones the struct declares (here `inbox`
/// and `outbox`); `control` and `signal` are built into every component
/// and are not listed among its declared ports. All start empty and unlinked.
#[test]
fn a_component_has_its_declared_ports_plus_control_and_signal_all_empty() {
    let info = Bare::INFO;
    assert_eq!(info.name, "Bare");
    let inboxes: Vec<_> = info.inboxes.iter().map(|p| p.name).collect();
    let outboxes: Vec<_> = info.outboxes.iter().map(|p| p.name).collect();
    assert_eq!((inboxes, outboxes), (vec!["inbox"], vec!["outbox"]));

    let bare = Bare::new();
    assert!(bare.inbox.is_empty());
    assert!(!bare.outbox.is_linked());
    let node = Node::new(bare);
    let ports = node.handles();
    assert_eq!(ports.control.name(), "control");
    assert_eq!(ports.signal.name(), "signal");
    assert!(!ports.signal.is_linked());
    assert!(!ports.outbox.is_linked());
    assert_eq!(ports.inbox.capacity(), None);
}

/// Records its path.
#[component]
struct WhoAmI {
    names: Shared<String>,
}

impl Component for WhoAmI {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        push(&self.names, cx.name().to_owned());
        Ok(())
    }
}

/// Axon scenario 20 (TA/test_Component.py): `str(component)` contains
/// "component" and its name.
///
/// In myelin a running component's name is its path in the system, which
/// `cx.name()` gives and the report uses; ports print their name and
/// message type.
#[test]
fn a_components_name_is_its_path_and_ports_print_name_and_type() {
    let names = shared();
    let inner = graphline! {
        components { worker: WhoAmI::new(names.clone()) }
        links {}
    };
    let system = graphline! {
        components { inner: inner }
        links {}
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&names), ["inner.worker"]);
    assert_eq!(report.components()[0].name, "inner.worker");

    let inbox: Inbox<u8> = Inbox::new("numbers");
    let shown = format!("{inbox:?}");
    assert!(shown.contains("numbers") && shown.contains("u8"), "{shown}");
}

/// Axon scenario 21 (TA/test_Component.py): `addChildren(a, b)` lists both
/// exactly once, and `removeChild` forgets a child.
///
/// In myelin a graph's children are fixed when it is built: each child added
/// runs once and is listed once, in the order added; a repeated name is made
/// unique. (There is no `removeChild`: a graph owns its children and their
/// links for the whole run.)
#[test]
fn a_graph_runs_and_lists_each_child_once_in_the_order_added() {
    let names = shared();
    let graph = Graph::new("graph")
        .child(Some("a"), Node::new(WhoAmI::new(names.clone())))
        .child(Some("b"), Node::new(WhoAmI::new(names.clone())))
        .child(Some("a"), Node::new(WhoAmI::new(names.clone())))
        .child(None, Node::new(WhoAmI::new(names.clone())));
    let report = myelin::run(graph).unwrap();
    let listed: Vec<_> = report.components().iter().map(|c| &c.name).collect();
    assert_eq!(listed, ["a", "b", "a2", "WhoAmI"]);
    assert_eq!(take(&names), ["a", "b", "a2", "WhoAmI"]);
}

/// Axon scenario 22 (TA/test_Component.py): across a link, sends reach the
/// receiver immediately and in FIFO order, on `outbox`->`inbox` and on
/// `signal`->`control`; `dataReady` goes 0 -> n -> 0.
///
/// In myelin `dataReady` is `Inbox::len`; `Control` is an ordinary message
/// type, so a `signal`->`control` link behaves as any other.
#[test]
fn a_send_is_queued_at_the_receiver_at_once_and_in_order() {
    let inbox: Inbox<u32> = Inbox::new("inbox");
    let mut outbox = Outbox::new("outbox");
    link(&outbox.port(), &inbox.port(), None).unwrap();
    let mut inbox = inbox;
    assert_eq!(inbox.len(), 0);
    for n in [3, 1, 2] {
        outbox.try_send(n).unwrap();
    }
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox.drain().collect::<Vec<_>>(), [3, 1, 2]);
    assert_eq!(inbox.len(), 0);

    let mut control: Inbox<Control> = Inbox::new("control");
    let mut signal = Outbox::new("signal");
    link(&signal.port(), &control.port(), None).unwrap();
    signal.try_send(Control::Shutdown).unwrap();
    signal
        .try_send(Control::Finished {
            component: "x".into(),
        })
        .unwrap();
    assert_eq!(control.len(), 2);
    assert_eq!(control.try_recv(), Ok(Control::Shutdown));
    assert_eq!(
        control.try_recv(),
        Ok(Control::Finished {
            component: "x".into()
        })
    );
    assert_eq!(control.len(), 0);
}

/// Pauses first; on its first resume records how many messages are queued,
/// then reads them all.
#[component]
struct PeekAfterPause {
    inbox: Inbox<u32>,
    queued: Shared<usize>,
    got: Shared<u32>,
}

impl Component for PeekAfterPause {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.pause().await;
        push(&self.queued, self.inbox.len());
        while let Some(m) = self.inbox.recv().await {
            push(&self.got, m);
        }
        Ok(())
    }
}

/// Axon scenario 22 (TA/test_Component.py), in a running system: a
/// delivery is synchronous, so the sender's three sends in one step are all
/// queued when the receiver next runs.
#[test]
fn sends_in_one_step_are_all_queued_when_the_receiver_resumes() {
    let (queued, got) = (shared(), shared());
    let system = graphline! {
        components {
            rx: PeekAfterPause::new(queued.clone(), got.clone()),
            tx: Feed::new(vec![10, 20, 30]),
        }
        links {
            tx.outbox -> rx.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&queued), [3]);
    assert_eq!(take(&got), [10, 20, 30]);
}

/// Axon scenario 24 (TA/test_Component.py): `recv` on an empty inbox raises
/// `IndexError`.
///
/// In myelin `try_recv` on an empty inbox returns `Err(Empty)` while a
/// sender is linked, and `Err(Closed)` once none is left (or none ever
/// was); `recv().await` waits instead of failing.
#[test]
fn try_recv_on_an_empty_inbox_is_empty_or_closed_not_a_panic() {
    let mut never_linked: Inbox<u8> = Inbox::new("inbox");
    assert_eq!(never_linked.try_recv(), Err(TryRecvError::Closed));

    let mut inbox: Inbox<u8> = Inbox::new("inbox");
    let outbox = Outbox::new("outbox");
    link(&outbox.port(), &inbox.port(), None).unwrap();
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Empty));
    drop(outbox);
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Closed));
}

/// Waits for `control` to say its peer finished, then sends its items.
#[component]
struct After {
    outbox: Outbox<u32>,
    items: Vec<u32>,
}

impl Component for After {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let heard = cx.control().recv().await;
        assert!(matches!(heard, Some(Control::Finished { .. })), "{heard:?}");
        for n in std::mem::take(&mut self.items) {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Axon scenario 27 (TA/test_Component.py): when a component closes down,
/// the links it created vanish; links that others created to or from it
/// survive.
///
/// In myelin links belong to the graph, not to a component. When a sender
/// finishes, only its own link closes: another sender's link into the same
/// inbox stays open and keeps delivering, and the receiver sees end of
/// stream only when every sender has finished.
#[test]
fn a_finished_senders_link_closes_but_other_links_into_the_inbox_survive() {
    let got = shared::<u32>();
    let system = graphline! {
        components {
            early: Feed::new(vec![1, 2]),
            late: After::new(vec![3, 4]),
            sink: Collect::new(got.clone()),
        }
        links {
            early.outbox -> sink.inbox,
            late.outbox -> sink.inbox,
            early.signal -> late.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), [1, 2, 3, 4]);
}

/// Sends one message, then waits for a reply, counting its resumes while it
/// waits.
#[component]
struct Ask {
    outbox: Outbox<u32>,
    reply: Inbox<u32>,
    polls: Counter,
    got: Shared<u32>,
}

impl Component for Ask {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(1).await?;
        if let Some(m) = counted(self.reply.recv(), &self.polls).await {
            push(&self.got, m);
        }
        Ok(())
    }
}

/// Waits for a question (counting its resumes), yields `slow` times while
/// recording the asker's polls, then replies.
#[component]
struct Answer {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    slow: usize,
    polls: Counter,
    asker_polls: Counter,
    seen: Shared<usize>,
}

impl Component for Answer {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let Some(q) = counted(self.inbox.recv(), &self.polls).await else {
            return Ok(());
        };
        for _ in 0..self.slow {
            cx.yield_now().await;
            push(&self.seen, self.asker_polls.get());
        }
        self.outbox.send(q + 1).await?;
        Ok(())
    }
}

/// Axon scenario 28 (TA/test_Component.py), wake-ups on a simple link: a
/// paused component with no traffic stays paused; a delivery wakes the
/// consumer; sending does not wake the producer.
#[test]
fn a_delivery_wakes_the_consumer_and_sending_does_not_wake_the_producer() {
    let (ask_polls, answer_polls) = (Counter::default(), Counter::default());
    let (got, seen) = (shared(), shared());
    let system = graphline! {
        components {
            answer: Answer::new(5, answer_polls.clone(), ask_polls.clone(), seen.clone()),
            ask: Ask::new(ask_polls.clone(), got.clone()),
        }
        links {
            ask.outbox -> answer.inbox,
            answer.outbox -> ask.reply,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), [2]);
    // The consumer: polled when it started, then once for the delivery.
    assert_eq!(answer_polls.get(), 2);
    // The producer, waiting for the reply, is not resumed by its own send
    // nor while the consumer works...
    assert_eq!(take(&seen), [1; 5]);
    // ... only by the reply.
    assert_eq!(ask_polls.get(), 2);
}

/// Sends 1 into a capacity-1 inbox, then 2, counting its resumes while the
/// second send waits for room.
#[component]
struct FillTwo {
    outbox: Outbox<u32>,
    polls: Counter,
}

impl Component for FillTwo {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.outbox.send(1).await?;
        counted(self.outbox.send(2), &self.polls).await?;
        Ok(())
    }
}

/// Yields `slow` times (recording the producer's polls), then reads
/// everything.
#[component]
struct SlowReader {
    #[inbox(capacity = 1)]
    inbox: Inbox<u32>,
    slow: usize,
    producer_polls: Counter,
    seen: Shared<usize>,
    got: Shared<u32>,
}

impl Component for SlowReader {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..self.slow {
            cx.yield_now().await;
            push(&self.seen, self.producer_polls.get());
        }
        while let Some(m) = self.inbox.recv().await {
            push(&self.got, m);
        }
        Ok(())
    }
}

/// Axon scenario 28 (TA/test_Component.py), last part: the consumer's
/// `recv` wakes the producer.
///
/// In myelin a producer whose `send` waits on a full inbox stays paused while
/// the consumer does other work, and is resumed by the receive that makes
/// room.
#[test]
fn a_receive_wakes_the_producer_waiting_for_room() {
    let polls = Counter::default();
    let (seen, got) = (shared(), shared());
    let system = graphline! {
        components {
            tx: FillTwo::new(polls.clone()),
            rx: SlowReader::new(3, polls.clone(), seen.clone(), got.clone()),
        }
        links {
            tx.outbox -> rx.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&seen), [1, 1, 1]);
    assert_eq!(polls.get(), 2);
    assert_eq!(take(&got), [1, 2]);
}

/// Axon scenario 29 (TA/test_Component.py): in a chain out->in->in->in a
/// send wakes only the final inbox's owner; owners of intermediate inboxes
/// are never woken.
///
/// In myelin a graphline's inbox is a passthrough, not a queue: the message
/// goes straight into the innermost component's inbox, and the graphlines
/// on the way are not even tasks (the report lists only components). The
/// innermost component is resumed once, with all three messages queued.
#[test]
fn a_passthrough_chain_delivers_straight_to_the_innermost_inbox() {
    let (queued, got) = (shared(), shared());
    let inner = graphline! {
        components { leaf: PeekAfterPause::new(queued.clone(), got.clone()) }
        links { self.inbox -> leaf.inbox }
    };
    let middle = graphline! {
        components { inner: inner }
        links { self.data -> inner.inbox }
    };
    let system = graphline! {
        components {
            middle: middle,
            feed: Feed::new(vec![1, 2, 3]),
        }
        links {
            feed.outbox -> middle.data,
        }
    };
    let report = myelin::run(system).unwrap();
    assert_eq!(take(&queued), [3]);
    assert_eq!(take(&got), [1, 2, 3]);
    let names: Vec<_> = report.components().iter().map(|c| &c.name).collect();
    assert_eq!(names, ["middle.inner.leaf", "feed"]);
}

/// Axon scenario 30 (TA/test_Component.py): in a chain out->out->out->in,
/// the outbox owners are woken when the message is collected.
///
/// In myelin a producer behind two levels of outbox passthroughs, sending
/// into a capacity-1 inbox, is woken by each receive: everything arrives in
/// order (a missed wake-up would stall the run).
#[test]
fn a_producer_behind_outbox_passthroughs_is_woken_by_each_receive() {
    let got = shared::<u32>();
    let inner = graphline! {
        components { feed: Feed::new((1..=5).collect()) }
        links { feed.outbox -> self.outbox }
    };
    let middle = graphline! {
        components { inner: inner }
        links { inner.outbox -> self.results }
    };
    let system = graphline! {
        components {
            middle: middle,
            sink: Collect::new(got.clone()),
        }
        links {
            middle.results -> sink.inbox (capacity = 1),
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), [1, 2, 3, 4, 5]);
}

/// Holds another component's outbox handle and tries to link it while that
/// component is running.
#[component]
struct Relinker {
    from: myelin::OutboxPort<u32>,
    to: myelin::InboxPort<u32>,
    result: Shared<Result<(), myelin::LinkError>>,
}

impl Component for Relinker {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        push(&self.result, link(&self.from, &self.to, None));
        Ok(())
    }
}

/// Has an unlinked outbox `extra`; sends on it once it hears anything on
/// `control`, recording the outcome.
#[component]
struct Spare {
    extra: Outbox<u32>,
    sent: Shared<bool>,
}

impl Component for Spare {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let _ = cx.control().recv().await;
        push(&self.sent, self.extra.send(5).await.is_ok());
        Ok(())
    }
}

/// Axon scenario 31 (TA/test_Component.py): links can be broken and made
/// while the system runs, and wake-ups follow the links as they are then.
///
/// myelin fixes the wiring before the system starts: linking an outbox of a
/// component that is already running is refused with
/// `LinkError::Started`, so the links a running component sees never
/// change under it.
#[test]
fn linking_an_outbox_of_a_running_component_is_refused() {
    let (result, sent, got) = (shared(), shared(), shared::<u32>());
    let spare = Node::new(Spare::new(sent.clone()));
    let sink = Node::new(Collect::new(got.clone()));
    let relinker = Relinker::new(spare.handles().extra, sink.handles().inbox, result.clone());
    let system = graphline! {
        components {
            spare: spare,
            relinker: relinker,
            sink: sink,
        }
        links {
            relinker.signal -> spare.control,
        }
    };
    let _ = myelin::run(system);
    assert_eq!(
        take(&result),
        [Err(myelin::LinkError::Started { outbox: "extra" })]
    );
    assert_eq!(take(&sent), [false]);
    assert!(take(&got).is_empty());
}
