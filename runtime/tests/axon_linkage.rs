//! Axon's linkage and postoffice scenarios (`TA/test_Component.py` 23,
//! `TA/test_Postoffice.py`, `TA/test_Linkage.py`; section 3 of the Axon
//! reference, scenarios 23 and 32-42) and the synchronous-links acceptance
//! test (scenario 77), ported to myelin's `link`, port handles and link
//! capacities.
//!
//! Many of these are about the ports themselves, so they use `Inbox`,
//! `Outbox` and `link` directly, outside a running system: a send is then
//! synchronous and observable at once, as in Axon.

mod common;

use myelin::prelude::*;
use myelin::{LinkError, Node, Part, SendErrorKind, TryRecvError, link};

use common::{Collect, Feed, Relay, Shared, push, shared, take};

/// A linked pair of ports, bounded to `capacity` when given.
fn linked<T: Send + 'static>(capacity: Option<usize>) -> (Outbox<T>, Inbox<T>) {
    let inbox = match capacity {
        Some(c) => Inbox::bounded("inbox", c),
        None => Inbox::new("inbox"),
    };
    let outbox = Outbox::new("outbox");
    link(&outbox.port(), &inbox.port(), None).unwrap();
    (outbox, inbox)
}

/// Axon scenario 23 (TA/test_Component.py): `link` records source, sink,
/// boxes and passthrough type.
///
/// In myelin `link` joins an outbox handle to an inbox handle of the same
/// message type (checked by the compiler); both handles keep their port's
/// name, the outbox reports it is linked, and a link capacity is recorded
/// on the inbox.
#[test]
fn a_link_joins_named_handles_and_records_its_capacity() {
    let inbox: Inbox<u32> = Inbox::new("numbers");
    let outbox: Outbox<u32> = Outbox::new("results");
    let (from, to) = (outbox.port(), inbox.port());
    assert!(!from.is_linked() && !outbox.is_linked());
    link(&from, &to, Some(7)).unwrap();
    assert!(from.is_linked() && outbox.is_linked());
    assert_eq!((from.name(), to.name()), ("results", "numbers"));
    assert_eq!((to.capacity(), inbox.capacity()), (Some(7), Some(7)));
}

/// Axon scenario 32 (TA/test_Postoffice.py): a new postoffice has no links.
///
/// myelin has no postoffice: a new outbox is not linked, and a new inbox
/// has no sender (it is at end of stream from the start).
#[test]
fn new_ports_have_no_links() {
    let outbox: Outbox<u8> = Outbox::new("outbox");
    let mut inbox: Inbox<u8> = Inbox::new("inbox");
    assert!(!outbox.is_linked());
    assert!(!outbox.port().is_linked());
    assert!(inbox.is_finished());
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Closed));
}

/// Axon scenario 33 (TA/test_Postoffice.py): `link` registers the source
/// with the sink box only; unlinking removes it symmetrically.
///
/// In myelin linking adds a sender to the inbox (it is no longer at end of
/// stream); dropping the outbox, as happens when its component ends,
/// removes it again.
#[test]
fn linking_adds_a_sender_to_the_inbox_and_dropping_the_outbox_removes_it() {
    let (outbox, mut inbox) = linked::<u8>(None);
    assert!(!inbox.is_finished());
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Empty));
    drop(outbox);
    assert!(inbox.is_finished());
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Closed));
}

/// Axon scenario 34 (TA/test_Postoffice.py): `unlink(thelinkage=L)` removes
/// only `L`.
///
/// In myelin, with two outboxes linked into one inbox, dropping one ends
/// only its link: the other still delivers, and the stream ends when both
/// are gone and everything is read.
#[test]
fn ending_one_of_two_links_into_an_inbox_leaves_the_other() {
    let mut inbox: Inbox<u8> = Inbox::new("inbox");
    let mut first = Outbox::new("first");
    let mut second = Outbox::new("second");
    link(&first.port(), &inbox.port(), None).unwrap();
    link(&second.port(), &inbox.port(), None).unwrap();
    first.try_send(1).unwrap();
    drop(first);
    assert!(!inbox.is_finished());
    second.try_send(2).unwrap();
    drop(second);
    assert_eq!(inbox.try_recv(), Ok(1));
    assert!(!inbox.is_finished(), "a message is still queued");
    assert_eq!(inbox.try_recv(), Ok(2));
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Closed));
}

/// Axon scenario 35 (TA/test_Postoffice.py): a second link from an already
/// linked box raises `BoxAlreadyLinkedToDestination`; after unlinking the
/// first, it succeeds.
///
/// In myelin a second link is refused with `LinkError::AlreadyLinked` and
/// leaves the first intact (`graphline!` refuses it at compile time). There
/// is no unlinking: fan out with a component instead.
#[test]
fn a_second_link_from_one_outbox_is_refused_and_the_first_stays() {
    let (mut outbox, mut first) = linked::<u8>(None);
    let mut second: Inbox<u8> = Inbox::new("other");
    let err = link(&outbox.port(), &second.port(), None).unwrap_err();
    assert_eq!(err, LinkError::AlreadyLinked { outbox: "outbox" });
    assert!(err.to_string().contains("already linked"), "{err}");
    outbox.try_send(9).unwrap();
    assert_eq!(first.try_recv(), Ok(9));
    assert_eq!(second.try_recv(), Err(TryRecvError::Closed));
}

/// Axon scenario 36 (TA/test_Postoffice.py): data reaches the final inbox
/// whatever order the chain was built in (plain links and passthroughs,
/// before or after one another).
///
/// In `graphline!` the links and passthroughs may be listed in any order;
/// two graphlines that differ only in that order deliver the same.
#[test]
fn a_chain_delivers_whatever_order_its_links_are_listed_in() {
    let forward = shared::<u32>();
    let inner = graphline! {
        components { a: Relay::<u32>::new(), b: Relay::<u32>::new() }
        links {
            self.inbox -> a.inbox,
            a.outbox -> b.inbox,
            b.outbox -> self.outbox,
        }
    };
    myelin::run(pipeline![
        Feed::new(vec![1, 2, 3]),
        inner,
        Collect::new(forward.clone())
    ])
    .unwrap();

    let backward = shared::<u32>();
    let inner = graphline! {
        components { a: Relay::<u32>::new(), b: Relay::<u32>::new() }
        links {
            b.outbox -> self.outbox,
            a.outbox -> b.inbox,
            self.inbox -> a.inbox,
        }
    };
    let system = graphline! {
        components {
            sink: Collect::new(backward.clone()),
            inner: inner,
            feed: Feed::new(vec![1, 2, 3]),
        }
        links {
            inner.outbox -> sink.inbox,
            feed.outbox -> inner.inbox,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&forward), [1, 2, 3]);
    assert_eq!(take(&backward), [1, 2, 3]);
}

/// Axon scenario 38 (TA/test_Postoffice.py): capacity 5 -> five sends
/// succeed, the sixth raises `noSpaceInBox`; receiving 3 frees exactly 3
/// slots.
///
/// In myelin the refused send is `Err` with kind `Full` that hands the
/// message back, instead of an exception that loses it.
#[test]
fn a_capacity_5_inbox_takes_five_and_receiving_3_frees_exactly_3() {
    let (mut outbox, mut inbox) = linked::<u32>(Some(5));
    for n in 0..5 {
        outbox.try_send(n).unwrap();
    }
    let err = outbox.try_send(5).unwrap_err();
    assert_eq!(err.kind(), SendErrorKind::Full);
    assert_eq!(err.into_inner(), 5);
    for n in 0..3 {
        assert_eq!(inbox.try_recv(), Ok(n));
    }
    for n in 5..8 {
        outbox.try_send(n).unwrap();
    }
    assert_eq!(outbox.try_send(8).unwrap_err().kind(), SendErrorKind::Full);
    assert_eq!(inbox.len(), 5);
}

/// Fills its destination with `try_send` and records how many went in;
/// then waits for an acknowledgement and does so again.
#[component]
struct Filler {
    outbox: Outbox<u32>,
    acks: Inbox<()>,
    accepted: Shared<usize>,
}

impl Component for Filler {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut next = 0;
        for round in 0..2 {
            if round > 0 && self.acks.recv().await.is_none() {
                break;
            }
            let mut accepted = 0;
            loop {
                match self.outbox.try_send(next) {
                    Ok(()) => {
                        accepted += 1;
                        next += 1;
                    }
                    Err(e) if e.kind() == SendErrorKind::Full => break,
                    Err(e) => return Err(e.into()),
                }
            }
            push(&self.accepted, accepted);
        }
        Ok(())
    }
}

/// Receives three messages, acknowledges, waits for the producer to end,
/// then reads the rest.
#[component]
struct TakeThree {
    inbox: Inbox<u32>,
    ack: Outbox<()>,
    got: Shared<u32>,
}

impl Component for TakeThree {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for _ in 0..3 {
            if let Some(m) = self.inbox.recv().await {
                push(&self.got, m);
            }
        }
        self.ack.send(()).await?;
        // Leave the inbox alone until the producer has refilled it and ended.
        let _ = cx.control().recv().await;
        while let Some(m) = self.inbox.recv().await {
            push(&self.got, m);
        }
        Ok(())
    }
}

/// Axon scenario 38 (TA/test_Postoffice.py), in a running system with the
/// capacity given on the link: the producer's `try_send` is refused exactly
/// when five are queued, and after the consumer takes three exactly three
/// more go in. Nothing is lost.
#[test]
fn a_capacity_5_link_refuses_the_sixth_and_frees_what_is_received() {
    let (accepted, got) = (shared(), shared());
    let system = graphline! {
        components {
            tx: Filler::new(accepted.clone()),
            rx: TakeThree::new(got.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 5),
            rx.ack -> tx.acks,
            tx.signal -> rx.control,
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&accepted), [5, 3]);
    assert_eq!(take(&got), (0..8).collect::<Vec<_>>());
}

/// Records its inbox's capacity, then reads everything.
#[component]
struct Bounded {
    #[inbox(capacity = 8)]
    inbox: Inbox<u32>,
    capacity: Shared<Option<usize>>,
    got: Shared<u32>,
}

impl Component for Bounded {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        push(&self.capacity, self.inbox.capacity());
        while let Some(m) = self.inbox.recv().await {
            push(&self.got, m);
        }
        Ok(())
    }
}

/// Axon scenario 39 (TA/test_Postoffice.py): a size limit on an
/// intermediate passthrough inbox is ignored; only the final destination's
/// limit applies.
///
/// In myelin a graphline's inbox is not a queue and cannot be given a
/// capacity (`graphline!` rejects `capacity` on a passthrough), so a link
/// capacity given to a graphline's inbox bounds the final inbox behind it,
/// replacing the capacity that inbox was declared with.
#[test]
fn a_link_capacity_through_a_passthrough_bounds_the_final_inbox() {
    let (capacity, got) = (shared(), shared());
    let wrapper = graphline! {
        components { leaf: Bounded::new(capacity.clone(), got.clone()) }
        links { self.inbox -> leaf.inbox }
    };
    let system = graphline! {
        components {
            feed: Feed::new((0..20).collect()),
            wrapper: wrapper,
        }
        links {
            feed.outbox -> wrapper.inbox (capacity = 2),
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&capacity), [Some(2)]);
    assert_eq!(take(&got), (0..20).collect::<Vec<_>>());

    // Without a link capacity the declared one stays.
    let node = Node::new(Bounded::new(shared(), shared()));
    let outbox: Outbox<u32> = Outbox::new("outbox");
    link(&outbox.port(), &node.handles().inbox, None).unwrap();
    assert_eq!(node.handles().inbox.capacity(), Some(8));
}

/// Axon scenario 40 (TA/test_Postoffice.py): `setSize(None)` is unlimited
/// (9999 messages).
///
/// myelin inboxes are unbounded unless given a capacity.
#[test]
fn an_unbounded_inbox_takes_9999_messages() {
    let (mut outbox, mut inbox) = linked::<u32>(None);
    assert_eq!(inbox.capacity(), None);
    for n in 0..9999 {
        outbox.try_send(n).unwrap();
    }
    assert_eq!(inbox.len(), 9999);
    assert!(inbox.drain().eq(0..9999));
}

/// Axon scenario 41 (TA/test_Postoffice.py): every producer feeding one
/// destination, directly or through passthroughs, sees `noSpaceInBox`
/// exactly when that destination is full.
///
/// In myelin each outbox linked into a full inbox gets `Full` with its
/// message back, and each can send again once there is room.
#[test]
fn every_producer_into_a_full_inbox_is_refused_until_there_is_room() {
    let mut inbox: Inbox<&str> = Inbox::bounded("inbox", 3);
    let mut a = Outbox::new("a");
    let mut b = Outbox::new("b");
    link(&a.port(), &inbox.port(), None).unwrap();
    link(&b.port(), &inbox.port(), None).unwrap();
    a.try_send("a1").unwrap();
    b.try_send("b1").unwrap();
    a.try_send("a2").unwrap();
    let err = b.try_send("b2").unwrap_err();
    assert_eq!((err.kind(), err.port()), (SendErrorKind::Full, "b"));
    assert_eq!(err.into_inner(), "b2");
    let err = a.try_send("a3").unwrap_err();
    assert_eq!((err.kind(), err.into_inner()), (SendErrorKind::Full, "a3"));
    assert_eq!(inbox.try_recv(), Ok("a1"));
    b.try_send("b2").unwrap();
    assert_eq!(a.try_send("a3").unwrap_err().kind(), SendErrorKind::Full);
    assert_eq!(inbox.drain().collect::<Vec<_>>(), ["b1", "a2", "b2"]);
}

/// Axon scenario 42 (TA/test_Linkage.py): a linkage needs a source and a
/// sink; the defaults are `outbox`->`inbox`; `str()` names both ends.
///
/// In myelin `link` takes two typed handles (a missing or mistyped end does
/// not compile); handles print their port's name and message type, and a
/// link of capacity 0 is refused.
#[test]
fn port_handles_print_name_and_type_and_a_zero_capacity_link_is_refused() {
    let inbox: Inbox<u8> = Inbox::new("inbox");
    let outbox: Outbox<u8> = Outbox::new("outbox");
    assert_eq!(format!("{:?}", outbox.port()), "OutboxPort<u8>(outbox)");
    assert_eq!(format!("{:?}", inbox.port()), "InboxPort<u8>(inbox)");
    assert_eq!(
        link(&outbox.port(), &inbox.port(), Some(0)),
        Err(LinkError::ZeroCapacity { inbox: "inbox" })
    );
    assert!(!outbox.is_linked());
}

/// Sends `0..n` through `try_send`; on `Full`, pauses and retries (Axon's
/// `noSpaceInBox` handling in the synchronous-links example).
#[component]
struct RetryProducer {
    outbox: Outbox<u32>,
    n: u32,
}

impl Component for RetryProducer {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.n {
            let mut msg = i;
            loop {
                match self.outbox.try_send(msg) {
                    Ok(()) => break,
                    Err(e) if e.kind() == SendErrorKind::Full => {
                        msg = e.into_inner();
                        cx.pause().await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}

/// Sends `0..n` with `send().await`, which waits for room.
#[component]
struct Producer {
    outbox: Outbox<u32>,
    n: u32,
}

impl Component for Producer {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Takes a message, then dawdles for `slow` steps before the next.
#[component]
struct SlowConsumer {
    inbox: Inbox<u32>,
    slow: usize,
    got: Shared<u32>,
}

impl Component for SlowConsumer {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            push(&self.got, m);
            for _ in 0..self.slow {
                cx.yield_now().await;
            }
        }
        Ok(())
    }
}

/// Axon scenario 77 (EX/SynchronousLinks/basic_syncLinksAcceptanceTest.py):
/// a producer sends through a capacity-1 link to a slow consumer; all 10
/// messages arrive in order.
///
/// In myelin the producer simply awaits `send`, which waits while the link
/// is full; no exception handling or retry loop is needed.
#[test]
fn a_capacity_1_link_to_a_slow_consumer_delivers_all_ten_in_order() {
    let got = shared();
    let system = graphline! {
        components {
            tx: Producer::new(10),
            rx: SlowConsumer::new(3, got.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 1),
        }
    };
    myelin::run(system).unwrap();
    assert_eq!(take(&got), (0..10).collect::<Vec<_>>());
}

/// Axon scenario 77, written as the Axon example is: the producer uses
/// `try_send`, and on `Full` pauses and retries.
///
/// `Context::pause` is documented to return when the component "is woken
/// for another reason (room appearing downstream)", so the consumer's
/// receive must resume the paused producer and all ten arrive in order.
#[test]
fn try_send_pause_and_retry_over_a_capacity_1_link_delivers_all_ten() {
    let got = shared();
    let system = graphline! {
        components {
            tx: RetryProducer::new(10),
            rx: SlowConsumer::new(3, got.clone()),
        }
        links {
            tx.outbox -> rx.inbox (capacity = 1),
        }
    };
    let result = myelin::run(system);
    let got = take(&got);
    assert!(
        result.is_ok() && got == (0..10).collect::<Vec<_>>(),
        "received {got:?}; run: {:?}",
        result.err()
    );
}
