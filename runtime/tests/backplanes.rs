//! Backplanes (`myelin::meeting::Backplane`, `components::PublishTo`,
//! `components::SubscribeTo`): every subscriber gets every message published
//! after it joined, in order per publisher; each system has its own
//! backplanes; types are checked, and where they can only be checked at run
//! time the error names both; slow subscribers follow their policy and the
//! report counts what was dropped, discarded or left unread.

mod common;

use std::sync::Arc;

use common::{run_bounded, within_hang};
use myelin::components::{Collect, PublishTo, Source, SubscribeTo};
use myelin::meeting::{Key, Policy};
use myelin::prelude::*;
use myelin::{Outcome, TryRecvError};

const NUMBERS: Key<u32> = Key::new("numbers");

/// Two publishers and two subscribers that never heard of each other: each
/// subscriber gets every message, each publisher's in its order, and the
/// run ends when both publishers have finished.
#[test]
fn every_subscriber_gets_every_message_in_order_per_publisher() {
    let (a, b) = (Collect::<u32>::new(), Collect::<u32>::new());
    let (got_a, got_b) = (a.collected(), b.collected());
    let report = run_bounded("two by two", move || {
        graphline! {
            components {
                low: Source::new(0..100),
                high: Source::new(1000..1100),
                publish_low: PublishTo::new(NUMBERS),
                publish_high: PublishTo::new(NUMBERS),
                sub_a: SubscribeTo::new(NUMBERS, Policy::Wait(8)),
                sub_b: SubscribeTo::new(NUMBERS, Policy::Wait(8)),
                a: a,
                b: b,
            }
            links {
                low.outbox -> publish_low.inbox,
                high.outbox -> publish_high.inbox,
                sub_a.outbox -> a.inbox,
                sub_b.outbox -> b.inbox,
            }
        }
    })
    .unwrap();
    for got in [got_a.take(), got_b.take()] {
        assert_eq!(got.len(), 200);
        let low: Vec<_> = got.iter().copied().filter(|&n| n < 1000).collect();
        let high: Vec<_> = got.iter().copied().filter(|&n| n >= 1000).collect();
        assert_eq!(low, (0..100).collect::<Vec<_>>());
        assert_eq!(high, (1000..1100).collect::<Vec<_>>());
    }
    let plane = report.backplane("numbers").expect("reported");
    assert_eq!((plane.published, plane.discarded), (200, 0));
    assert_eq!(plane.message, "u32");
    assert!(
        plane
            .subscriptions
            .iter()
            .all(|s| s.delivered == 200 && s.dropped == 0 && s.unread == 0),
        "{plane:?}"
    );
}

/// Two systems in one process, each with a backplane of the same name:
/// neither sees the other's messages.
#[test]
fn two_systems_never_see_each_others_backplanes() {
    let system = |from: u32| {
        let collect = Collect::<u32>::new();
        let got = collect.collected();
        let handle = myelin::spawn(graphline! {
            components {
                source: Source::new(from..from + 10),
                publish: PublishTo::new(NUMBERS),
                subscribe: SubscribeTo::new(NUMBERS, Policy::default()),
                collect: collect,
            }
            links {
                source.outbox -> publish.inbox,
                subscribe.outbox -> collect.inbox,
            }
        });
        (handle, got)
    };
    let (one, got_one) = system(0);
    let (two, got_two) = system(100);
    within_hang(move || {
        one.join().unwrap();
        two.join().unwrap();
    });
    assert_eq!(got_one.take(), (0..10).collect::<Vec<_>>());
    assert_eq!(got_two.take(), (100..110).collect::<Vec<_>>());
}

/// A backplane named with two types: the component that meets it with the
/// other type fails, and the error names the backplane and both types.
#[test]
fn a_backplane_used_with_another_type_fails_naming_both_types() {
    const AS_TEXT: Key<String> = Key::new("numbers");
    let err = run_bounded("mismatch", || {
        graphline! {
            components {
                source: Source::new(0..3u32),
                publish: PublishTo::new(NUMBERS),
                subscribe: SubscribeTo::new(AS_TEXT, Policy::default()),
                collect: Collect::<String>::new(),
            }
            links {
                source.outbox -> publish.inbox,
                subscribe.outbox -> collect.inbox,
            }
        }
    })
    .unwrap_err();
    let report = err.report().expect("the report");
    let failures: Vec<_> = report.failures().collect();
    assert_eq!(
        failures,
        [(
            "subscribe",
            "backplane `numbers` holds `u32`, but was used as `alloc::string::String`"
        )]
    );
}

/// A backplane nobody subscribes to counts what it discards.
#[test]
fn messages_with_nobody_subscribed_are_counted_discarded() {
    let report = run_bounded("nobody listens", || {
        pipeline![Source::new(0..7u32), PublishTo::new(NUMBERS)]
    })
    .unwrap();
    let plane = report.backplane("numbers").expect("reported");
    assert_eq!((plane.published, plane.discarded), (0, 7));
    assert!(report.to_string().contains("7 discarded"), "{report}");
}

/// From handles: a publisher outside the system, subscribers inside as the
/// head of a pipeline. The subscribers wait for the publisher to join, and
/// their streams end when it leaves.
#[test]
fn a_handle_publishes_to_subscribers_in_a_pipeline() {
    let (a, b) = (Collect::<u32>::new(), Collect::<u32>::new());
    let (got_a, got_b) = (a.collected(), b.collected());
    let handle = myelin::spawn(graphline! {
        components {
            one: pipeline![SubscribeTo::new(NUMBERS, Policy::Wait(2)), a],
            two: pipeline![SubscribeTo::new(NUMBERS, Policy::Wait(2)), b],
        }
        links {}
    });
    let plane = handle.places().backplane(&NUMBERS).unwrap();
    let report = within_hang(move || {
        let mut publisher = plane.publisher();
        for n in 0..1000 {
            // Capacity 2: this waits for the subscribers again and again.
            publisher.blocking_publish(n).unwrap();
        }
        drop(publisher);
        handle.join().unwrap()
    });
    assert_eq!(got_a.take(), (0..1000).collect::<Vec<_>>());
    assert_eq!(got_b.take(), (0..1000).collect::<Vec<_>>());
    assert_eq!(report.backplane("numbers").unwrap().published, 1000);
}

/// A subscription of a handle's user that drops the oldest: a publisher
/// never waits for it, and the report counts what it dropped; what it
/// never read is counted unread.
#[test]
fn a_slow_subscriber_that_drops_is_counted_in_the_report() {
    const SLOW: Policy = Policy::DropOldest(4);
    // The handle's user subscribes once the system runs; the publisher
    // waits for this tracked value so that none of its messages precede
    // the subscription.
    const READY: Key<bool> = Key::new("ready");

    /// Publishes 0..100 once the subscriber is ready.
    #[component]
    struct Publisher {}

    impl Component for Publisher {
        async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
            let places = cx.places();
            places.tracked().wait_for(&READY).await?;
            let mut publisher = places.backplane(&NUMBERS)?.publisher();
            for n in 0..100 {
                publisher.publish(n).await;
            }
            Ok(())
        }
    }

    let handle = myelin::spawn(Publisher::new());
    let places = handle.places();
    let mut slow = places
        .backplane(&NUMBERS)
        .unwrap()
        .subscribe("slow reader", SLOW);
    places.tracked().track(&READY, true).unwrap();
    let report = within_hang(move || handle.join().unwrap());
    let plane = report.backplane("numbers").unwrap();
    let sub = &plane.subscriptions[0];
    assert_eq!(sub.subscriber, "slow reader");
    assert_eq!(sub.policy, "drop oldest");
    assert_eq!((sub.dropped, sub.unread), (96, 4));
    assert!(
        report
            .to_string()
            .contains("slow reader (drop oldest): 0 taken; 96 dropped; 4 unread"),
        "{report}"
    );
    // The newest four are still there, then the end.
    let rest: Vec<_> = std::iter::from_fn(|| slow.try_recv().ok()).collect();
    assert_eq!(rest, [96, 97, 98, 99]);
    assert_eq!(slow.try_recv(), Err(TryRecvError::Closed));
}

/// A subscriber that leaves half way (its component ends) does not disturb
/// the others, even with a policy that makes publishers wait.
#[test]
fn a_subscriber_that_leaves_does_not_disturb_the_others() {
    /// Takes three messages straight from the backplane, then ends.
    #[component]
    struct Quitter {
        #[state(default)]
        sub: Option<myelin::meeting::Subscription<u32>>,
    }

    impl Component for Quitter {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            let mut sub = self.sub.take().expect("joined in `meet`");
            for _ in 0..3 {
                sub.recv().await;
            }
            Ok(())
        }

        // Joined as the system starts: joining in the body could come after
        // the publisher has already finished, on another scheduler.
        fn meet(&mut self, places: &myelin::meeting::Places, path: &str) {
            let plane = places.backplane(&NUMBERS).expect("one type");
            self.sub = Some(plane.subscribe(path, Policy::Wait(1)));
        }
    }

    let stayer = Collect::<u32>::new();
    let got = stayer.collected();
    let report = run_bounded("quitter", move || {
        graphline! {
            components {
                source: Source::new(0..50u32),
                publish: PublishTo::new(NUMBERS),
                stay: SubscribeTo::new(NUMBERS, Policy::Wait(1)),
                stayer: stayer,
                quitter: Quitter::new(),
            }
            links {
                source.outbox -> publish.inbox,
                stay.outbox -> stayer.inbox,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report}");
    let got = got.take();
    assert_eq!(
        got,
        (0..50).collect::<Vec<_>>(),
        "the stayer got everything"
    );
}

/// Large messages shared as `Arc`: every subscriber gets the same
/// allocation, never a copy of the data.
#[test]
fn arc_messages_are_shared_not_copied() {
    const BLOBS: Key<Arc<Vec<u8>>> = Key::new("blobs");
    let places = myelin::meeting::Places::new();
    let plane = places.backplane(&BLOBS).unwrap();
    let mut subs: Vec<_> = (0..3)
        .map(|i| plane.subscribe(format!("s{i}"), Policy::default()))
        .collect();
    let blob = Arc::new(vec![7u8; 1 << 20]);
    plane.publisher().try_publish(blob.clone()).unwrap();
    for sub in &mut subs {
        assert!(Arc::ptr_eq(&sub.try_recv().unwrap(), &blob));
    }
}

/// A threaded subscriber blocks until a generator publishes, and its
/// stream ends when the publisher leaves.
#[test]
fn threaded_components_publish_and_subscribe_blocking() {
    /// Sums what it hears on the backplane.
    #[component(thread)]
    struct Sum {
        total: Arc<std::sync::atomic::AtomicU32>,
    }

    impl ThreadComponent for Sum {
        fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
            // Joined before the publisher's first message: it waits for
            // this subscriber's tracked value.
            let mut sub = cx
                .places()
                .backplane(&NUMBERS)?
                .subscribe("sum", Policy::Wait(2));
            cx.places()
                .tracked()
                .track(&Key::<bool>::new("sum ready"), true)?;
            while let Some(n) = sub.blocking_recv() {
                self.total.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(())
        }
    }

    /// Publishes 1..=100 once the sum listens.
    #[component]
    struct Numbers {}

    impl Component for Numbers {
        async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
            let places = cx.places();
            let mut publisher = places.backplane(&NUMBERS)?.publisher();
            places
                .tracked()
                .wait_for(&Key::<bool>::new("sum ready"))
                .await?;
            for n in 1..=100 {
                publisher.publish(n).await;
            }
            Ok(())
        }
    }

    let total = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let sum = total.clone();
    let report = run_bounded("threaded", move || {
        graphline! {
            components { sum: Sum::new(sum), numbers: Numbers::new() }
            links {}
        }
    })
    .unwrap();
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished),
        "{report}"
    );
    assert_eq!(total.load(std::sync::atomic::Ordering::SeqCst), 5050);
}

/// A system shut down while a publisher waits for room: the message it
/// held is counted unsent, and what the subscription held unread; nothing
/// disappears unseen.
#[test]
fn a_shutdown_while_publishing_counts_what_was_held() {
    /// Publishes 0.. until it is stopped.
    #[component]
    struct Endless {}

    impl Component for Endless {
        async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
            let places = cx.places();
            let mut publisher = places.backplane(&NUMBERS)?.publisher();
            places
                .tracked()
                .wait_for(&Key::<bool>::new("subscribed"))
                .await?;
            let mut n = 0;
            loop {
                publisher.publish(n).await;
                n += 1;
                if n == 2 {
                    // The queue of two is full: the next publish waits,
                    // in this same resume, before any shutdown can act.
                    places.tracked().track(&Key::<bool>::new("full"), true)?;
                }
            }
        }
    }

    let handle = myelin::spawn(Endless::new());
    let places = handle.places();
    let sub = places
        .backplane(&NUMBERS)
        .unwrap()
        .subscribe("never reads", Policy::Wait(2));
    places
        .tracked()
        .track(&Key::<bool>::new("subscribed"), true)
        .unwrap();
    places
        .tracked()
        .wait_timeout(&Key::<bool>::new("full"), common::HANG)
        .unwrap();
    handle.shutdown();
    let report = within_hang(move || handle.join().unwrap());
    drop(sub);
    let plane = report.backplane("numbers").unwrap();
    // Two wait in the subscription's queue and one in the publisher's
    // hand.
    assert_eq!((plane.published, plane.discarded), (2, 0), "{report}");
    assert_eq!(plane.unsent, 1, "{report}");
    assert_eq!(plane.subscriptions[0].unread, 2, "{report}");
}

/// Two components each waiting for the other's backplane before publishing
/// on their own: a deadlock, reported as a stall, since nothing outside the
/// system holds its places. A wait for a tracked value nobody sets is one
/// too.
#[test]
fn a_deadlock_at_meeting_places_is_reported_as_a_stall() {
    const PING: Key<u32> = Key::new("ping");
    const PONG: Key<u32> = Key::new("pong");

    /// Waits to hear on `hear`, then would say on `say`.
    #[component]
    struct Polite {
        hear: Key<u32>,
        say: Key<u32>,
        #[state(default)]
        joined: Option<(
            myelin::meeting::Subscription<u32>,
            myelin::meeting::Publisher<u32>,
        )>,
    }

    impl Component for Polite {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            let (mut hear, mut say) = self.joined.take().expect("joined in `meet`");
            while let Some(n) = hear.recv().await {
                say.publish(n + 1).await;
            }
            Ok(())
        }

        fn meet(&mut self, places: &myelin::meeting::Places, path: &str) {
            let hear = places
                .backplane(&self.hear)
                .unwrap()
                .subscribe(path, Policy::Wait(1));
            let say = places.backplane(&self.say).unwrap().publisher();
            self.joined = Some((hear, say));
        }
    }

    /// Waits for a tracked value nobody sets.
    #[component]
    struct Hopeful {}

    impl Component for Hopeful {
        async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
            cx.places()
                .tracked()
                .wait_for(&Key::<u8>::new("never"))
                .await?;
            Ok(())
        }
    }

    let err = run_bounded("polite deadlock", || {
        graphline! {
            components {
                a: Polite::new(PING, PONG),
                b: Polite::new(PONG, PING),
                hopeful: Hopeful::new(),
            }
            links {}
        }
    })
    .unwrap_err();
    let report = err.report().expect("the report");
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Stalled),
        "{report}"
    );
}
