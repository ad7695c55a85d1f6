//! Many senders into one small bounded inbox: every message arrives once,
//! senders waiting for room get through in the order they started waiting,
//! and a waiting send that is dropped after its turn came does not strand
//! the senders behind it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use myelin::prelude::*;
use myelin::{Graph, Node, Part, Report, SendErrorKind};

/// How long a run may take before the test calls it a hang. The runs here
/// take well under a second in a debug build; before senders waited in line
/// (every take woke every waiting sender, each of which scanned the list of
/// waiting senders to re-register), the big one ran far past this bound.
const HANG: Duration = Duration::from_secs(30);

/// `myelin::run` on a helper thread, failing the test if it has not
/// returned after [`HANG`].
fn run_within_limit<P: myelin::IntoPart + Send + 'static>(system: P) -> Report {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("test scheduler".into())
        .spawn(move || {
            let _ = tx.send(myelin::run(system));
        })
        .expect("spawn the scheduler thread");
    match rx.recv_timeout(HANG) {
        Ok(Ok(report)) => report,
        Ok(Err(e)) => panic!("the run failed:\n{e}"),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("myelin::run did not return within {HANG:?}: the fan-in hangs or crawls")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("myelin::run panicked"),
    }
}

/// Where each message stood in the line of waiting senders: `0` for a
/// message that never waited, else its position (from 1) in the order in
/// which sends started waiting. Indexed by `sender * PER + seq`.
struct Lines {
    place: Vec<AtomicU64>,
    next: AtomicU64,
}

const PER: u32 = 10;

/// Sends `(id, 0..PER)`, noting for each send whether it had to wait and,
/// if so, when it started waiting.
#[component]
pub struct Numbered {
    /// `(sender, seq)` pairs.
    outbox: Outbox<(u32, u32)>,
    id: u32,
    lines: Arc<Lines>,
}

impl Component for Numbered {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for seq in 0..PER {
            let lines = self.lines.clone();
            let slot = (self.id * PER + seq) as usize;
            let mut send = self.outbox.send((self.id, seq));
            let mut first = true;
            std::future::poll_fn(|cx| {
                let polled = Pin::new(&mut send).poll(cx);
                // A send's first poll that does not complete found the inbox
                // full: the sender joins the line now (a component here
                // spends two port operations per resume, far below the
                // budget, so it is never a budget yield).
                if first && polled.is_pending() {
                    let place = lines.next.fetch_add(1, Ordering::SeqCst) + 1;
                    lines.place[slot].store(place, Ordering::SeqCst);
                }
                first = false;
                polled
            })
            .await?;
        }
        Ok(())
    }
}

/// Records every message in arrival order.
#[component]
pub struct Arrivals {
    /// Messages from every sender.
    inbox: Inbox<(u32, u32)>,
    seen: Arc<Mutex<Vec<(u32, u32)>>>,
}

impl Component for Arrivals {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.seen.lock().unwrap().push(m);
        }
        Ok(())
    }
}

/// The case: 10,000 generators each sending 10 messages into one
/// inbox of capacity 1 (before, 2,000 took 12.6 s in a release build and
/// 10,000 did not finish in minutes). Every message arrives exactly once,
/// and the senders that had to wait get through in the order they started
/// waiting.
#[test]
fn ten_thousand_senders_into_capacity_one_arrive_once_in_the_order_they_waited() {
    const SENDERS: u32 = 10_000;
    let lines = Arc::new(Lines {
        place: (0..SENDERS * PER).map(|_| AtomicU64::new(0)).collect(),
        next: AtomicU64::new(0),
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Node::new(Arrivals::new(seen.clone()));
    let inbox = sink.handles().inbox;
    let mut graph = Graph::new("fan-in");
    for id in 0..SENDERS {
        let sender = Node::new(Numbered::new(id, lines.clone()));
        myelin::link(&sender.handles().outbox, &inbox, Some(1)).unwrap();
        graph = graph.child(None, sender);
    }
    drop(inbox);
    graph = graph.child(Some("arrivals"), sink);

    let report = run_within_limit(graph);
    assert!(report.is_success(), "{report}");

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), (SENDERS * PER) as usize, "every message once");
    let mut count = vec![0u32; seen.len()];
    for &(id, seq) in seen.iter() {
        count[(id * PER + seq) as usize] += 1;
    }
    assert!(
        count.iter().all(|&c| c == 1),
        "a message arrived twice or not at all"
    );

    // The places in line, in arrival order: strictly increasing.
    let places: Vec<u64> = seen
        .iter()
        .map(|&(id, seq)| lines.place[(id * PER + seq) as usize].load(Ordering::SeqCst))
        .filter(|&place| place != 0)
        .collect();
    // Only the very first message found room without waiting.
    assert_eq!(places.len(), seen.len() - 1);
    if let Some(i) = places.windows(2).position(|w| w[0] >= w[1]) {
        panic!(
            "waiting senders got through out of order: place {} arrived before place {} \
             (arrivals {} and {})",
            places[i],
            places[i + 1],
            i,
            i + 1
        );
    }
}

/// A waker that records that it was woken.
struct Flag(AtomicBool);

impl Flag {
    fn new() -> (Arc<Self>, Waker) {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        (flag.clone(), Waker::from(flag))
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A send waits for room; the take that makes room wakes it; then its
/// future is dropped without being polled again (the other branch of a
/// `select!` won, a timeout fired). The sender queued behind it must not be
/// left waiting while there is room: when the receiver finds the inbox
/// empty and waits, the next sender is woken and gets in.
#[test]
fn a_send_dropped_after_its_turn_came_does_not_strand_the_next() {
    let mut inbox = Inbox::<u32>::bounded("inbox", 1);
    let mut filler = Outbox::new("filler");
    let mut first = Outbox::new("first");
    let mut second = Outbox::new("second");
    for outbox in [&filler, &first, &second] {
        myelin::link(&outbox.port(), &inbox.port(), None).unwrap();
    }
    filler.try_send(0).unwrap();

    let (first_woken, first_waker) = Flag::new();
    let (second_woken, second_waker) = Flag::new();
    let (receiver_woken, receiver_waker) = Flag::new();

    let mut first_send = first.send(1);
    let mut cx = TaskContext::from_waker(&first_waker);
    assert!(Pin::new(&mut first_send).poll(&mut cx).is_pending());
    let mut second_send = second.send(2);
    let mut cx = TaskContext::from_waker(&second_waker);
    assert!(Pin::new(&mut second_send).poll(&mut cx).is_pending());

    // Room appears: the first in line is told.
    assert_eq!(inbox.try_recv(), Ok(0));
    assert!(first_woken.take(), "the sender first in line was not woken");

    // Its send is given up without being polled again.
    drop(first_send);

    // The receiver waits for the next message: the second sender's turn.
    let mut recv = inbox.recv();
    let mut cx = TaskContext::from_waker(&receiver_waker);
    assert!(Pin::new(&mut recv).poll(&mut cx).is_pending());
    assert!(
        second_woken.take(),
        "the sender behind a dropped send was left waiting while the inbox had room"
    );
    let mut cx = TaskContext::from_waker(&second_waker);
    assert!(matches!(
        Pin::new(&mut second_send).poll(&mut cx),
        Poll::Ready(Ok(()))
    ));
    assert!(
        receiver_woken.take(),
        "the receiver was not told of the message"
    );
    assert_eq!(Pin::new(&mut recv).poll(&mut cx), Poll::Ready(Some(2)));
}

/// Sends `0..count` with `try_send`, keeping a refused message and pausing
/// until room appears.
#[component]
pub struct Patient {
    /// The numbers.
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for Patient {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut next = 0;
        while next < self.count {
            match self.outbox.try_send(next) {
                Ok(()) => next += 1,
                Err(e) if e.kind() == SendErrorKind::Full => cx.pause().await,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Tries once; when the inbox is full it gives the message up and waits on
/// its own inbox until the system stops, never trying again.
#[component]
pub struct Quitter {
    /// Where it tried to send.
    outbox: Outbox<u64>,
    /// Never sent to: it waits here for good.
    idle: Inbox<()>,
    gave_up: Arc<AtomicBool>,
}

impl Component for Quitter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        loop {
            match self.outbox.try_send(u64::MAX) {
                Ok(()) => {}
                Err(e) if e.kind() == SendErrorKind::Full => break,
                Err(e) => return Err(e.into()),
            }
        }
        self.gave_up.store(true, Ordering::SeqCst);
        while self.idle.recv().await.is_some() {}
        Ok(())
    }
}

/// Counts what arrives; stops the system once `expect` real messages came.
#[component]
pub struct Counting {
    /// Numbers from everyone.
    inbox: Inbox<u64>,
    expect: usize,
    got: Arc<Mutex<Vec<u64>>>,
}

impl Component for Counting {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut real = 0;
        while let Some(x) = self.inbox.recv().await {
            self.got.lock().unwrap().push(x);
            if x != u64::MAX {
                real += 1;
                if real == self.expect {
                    cx.shutdown_system();
                }
            }
        }
        Ok(())
    }
}

/// Components waiting for room with `try_send` and `pause` (not in line:
/// they have no future to keep a place in) beside senders waiting with
/// `send().await`, and components that were refused once and gave up: every
/// message from those that keep trying arrives, and the ones that gave up
/// strand nobody.
#[test]
fn try_send_and_pause_beside_send_await_and_quitters_all_get_through() {
    const PATIENT: u64 = 200;
    const EAGER: u64 = 200;
    const EACH: u64 = 10;
    let got = Arc::new(Mutex::new(Vec::new()));
    let gave_up = Arc::new(AtomicBool::new(false));
    let sink = Node::new(Counting::new(
        ((PATIENT + EAGER) * EACH) as usize,
        got.clone(),
    ));
    let inbox = sink.handles().inbox;
    let mut graph = Graph::new("mixed");
    for i in 0..PATIENT + EAGER {
        // Quitters first and among the others, so they are registered ahead
        // of senders that keep trying.
        if i % 50 == 0 {
            let quitter = Node::new(Quitter::new(gave_up.clone()));
            myelin::link(&quitter.handles().outbox, &inbox, Some(1)).unwrap();
            graph = graph.child(None, quitter);
        }
        if i < PATIENT {
            let patient = Node::new(Patient::new(EACH));
            myelin::link(&patient.handles().outbox, &inbox, Some(1)).unwrap();
            graph = graph.child(None, patient);
        } else {
            let eager = Node::new(Numbers::new(EACH));
            myelin::link(&eager.handles().outbox, &inbox, Some(1)).unwrap();
            graph = graph.child(None, eager);
        }
    }
    drop(inbox);
    graph = graph.child(Some("counting"), sink);

    // The quitters never end on their own: the sink stops the system once
    // everything else arrived, and the quitters are reported cancelled.
    let report = run_within_limit(graph);
    assert!(
        gave_up.load(Ordering::SeqCst),
        "no quitter found the inbox full"
    );
    let got = got.lock().unwrap();
    let real: Vec<u64> = got.iter().copied().filter(|&x| x != u64::MAX).collect();
    assert_eq!(real.len() as u64, (PATIENT + EAGER) * EACH, "{report}");
    let mut per_value = [0u64; EACH as usize];
    for x in real {
        per_value[x as usize] += 1;
    }
    assert!(per_value.iter().all(|&n| n == PATIENT + EAGER));
}

/// Sends `0..count` with `send().await`.
#[component]
pub struct Numbers {
    /// The numbers.
    outbox: Outbox<u64>,
    count: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 0..self.count {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}
