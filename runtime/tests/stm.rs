//! The store of transactional values (`myelin::meeting::Store`) used from
//! generator components, threaded components and a handle at once, on one
//! scheduler or several: no update is lost, reads inside a transaction
//! always belong together, and each system has a store of its own.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::within_hang;
use myelin::meeting::{Key, StmError};
use myelin::prelude::*;
use myelin::{Graph, Node, Runtime};
use proptest::prelude::*;

const COUNT: Key<u64> = Key::new("count");

/// Adds one to `COUNT`, `times` times, yielding between increments so the
/// others' transactions interleave with its own.
#[component]
struct Increment {
    times: u64,
}

impl Component for Increment {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let store = cx.places().store().clone();
        for _ in 0..self.times {
            store
                .atomically_async(|tx| {
                    let n = tx.read(&COUNT)?.unwrap_or(0);
                    tx.write(&COUNT, n + 1);
                    Ok(())
                })
                .await?;
            cx.yield_now().await;
        }
        Ok(())
    }
}

/// [`Increment`] on a thread of its own.
#[component(thread)]
struct ThreadIncrement {
    times: u64,
}

impl ThreadComponent for ThreadIncrement {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let store = cx.places().store().clone();
        for _ in 0..self.times {
            store.atomically(|tx| {
                let n = tx.read(&COUNT)?.unwrap_or(0);
                tx.write(&COUNT, n + 1);
                Ok(())
            })?;
        }
        Ok(())
    }
}

/// Accounts whose total never changes: every transfer moves an amount from
/// one to another in one transaction.
fn account(i: usize) -> Key<i64> {
    Key::named(format!("account.{i}"))
}

const TOTAL: i64 = 1_000;

/// Tracked once the accounts hold `TOTAL`: nobody moves or audits before.
const OPEN: Key<bool> = Key::new("open");

/// Moves amounts between accounts, `times` times.
#[component]
struct Transfers {
    accounts: usize,
    times: usize,
    seed: u64,
}

impl Component for Transfers {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let store = cx.places().store().clone();
        let keys: Vec<_> = (0..self.accounts).map(account).collect();
        cx.places().tracked().wait_for(&OPEN).await?;
        for i in 0..self.times {
            self.seed = self
                .seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let from = usize::try_from(self.seed >> 33).unwrap() % self.accounts;
            let to = (from + 1 + i % (self.accounts - 1)) % self.accounts;
            let amount = i64::try_from(self.seed % 50).unwrap();
            store
                .atomically_async(|tx| {
                    let a = tx.read(&keys[from])?.unwrap_or(0);
                    // A yield here would not help: the closure is not async.
                    // Interleaving comes from other schedulers and threads.
                    let b = tx.read(&keys[to])?.unwrap_or(0);
                    tx.write(&keys[from], a - amount);
                    tx.write(&keys[to], b + amount);
                    Ok(())
                })
                .await?;
            cx.yield_now().await;
        }
        Ok(())
    }
}

/// Reads every account in one transaction, `times` times, and counts the
/// attempts that saw a total other than `TOTAL`.
#[component(thread)]
struct Audit {
    accounts: usize,
    times: usize,
    wrong: Arc<AtomicUsize>,
}

impl ThreadComponent for Audit {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        let store = cx.places().store().clone();
        let keys: Vec<_> = (0..self.accounts).map(account).collect();
        cx.places().tracked().wait_timeout(&OPEN, common::HANG)?;
        for _ in 0..self.times {
            store.atomically(|tx| {
                let mut total = 0;
                for key in &keys {
                    total += tx.read(key)?.unwrap_or(0);
                    // A slow reader: others commit between its reads.
                    std::thread::yield_now();
                }
                // Checked inside the transaction, on every attempt: what a
                // transaction sees must belong together even if its
                // commit would fail.
                if total != TOTAL {
                    self.wrong.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Many components (generators and threads) and the handle's user
    /// increment one value through the retry helpers: the total is exact.
    #[test]
    fn concurrent_increments_never_lose_an_update(
        generators in 1usize..8,
        threads in 0usize..3,
        times in 1u64..60,
        schedulers in 1usize..4,
    ) {
        let total = within_hang(move || {
            let mut graph = Graph::new("increments");
            for _ in 0..generators {
                graph = graph.child(None, Node::new(Increment::new(times)));
            }
            for _ in 0..threads {
                graph = graph.child(None, ThreadIncrement::new(times).into_part());
            }
            let handle = Runtime::new().schedulers(schedulers).spawn(graph);
            let places = handle.places();
            for _ in 0..times {
                places.store().atomically(|tx| {
                    let n = tx.read(&COUNT)?.unwrap_or(0);
                    tx.write(&COUNT, n + 1);
                    Ok(())
                }).unwrap();
            }
            handle.join().unwrap();
            places.store().get(&COUNT).unwrap()
        });
        let expected = times * u64::try_from(generators + threads + 1).unwrap();
        prop_assert_eq!(total, Some(expected));
    }

    /// Transfers keep the total of the accounts constant; an audit reading
    /// every account in one transaction always sees that total, never a mix
    /// of values from before and after another transfer.
    #[test]
    fn a_transaction_reads_values_that_belong_together(
        accounts in 2usize..6,
        movers in 1usize..5,
        seed in any::<u64>(),
    ) {
        let wrong = Arc::new(AtomicUsize::new(0));
        let audit_wrong = wrong.clone();
        within_hang(move || {
            let mut graph = Graph::new("bank");
            for m in 0..movers {
                graph = graph.child(None, Node::new(Transfers::new(accounts, 200, seed ^ m as u64)));
            }
            graph = graph.child(None, Audit::new(accounts, 300, audit_wrong).into_part());
            let handle = Runtime::new().schedulers(3).spawn(graph);
            let places = handle.places();
            places.store().atomically(|tx| {
                tx.write(&account(0), TOTAL);
                Ok(())
            }).unwrap();
            places.tracked().track(&OPEN, true).unwrap();
            handle.join().unwrap();
            let mut sum = 0;
            for i in 0..accounts {
                sum += places.store().get(&account(i)).unwrap().unwrap_or(0);
            }
            assert_eq!(sum, TOTAL);
        });
        prop_assert_eq!(wrong.load(Ordering::SeqCst), 0);
    }
}

/// Two systems in one process each have a store of their own.
#[test]
fn each_system_has_its_own_store() {
    let a = myelin::spawn(Increment::new(3));
    let b = myelin::spawn(Increment::new(5));
    let (pa, pb) = (a.places(), b.places());
    a.join().unwrap();
    b.join().unwrap();
    assert_eq!(pa.store().get(&COUNT).unwrap(), Some(3));
    assert_eq!(pb.store().get(&COUNT).unwrap(), Some(5));
}

/// A value used with another type fails the component with an error that
/// names the value and both types.
#[test]
fn a_type_mismatch_fails_the_component_and_names_both_types() {
    /// Uses `count` as a string.
    #[component]
    struct Confused {}

    impl Component for Confused {
        async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
            let store = cx.places().store().clone();
            store
                .atomically_async(|tx| {
                    tx.write(&COUNT, 1);
                    Ok(())
                })
                .await?;
            let as_text: Key<String> = Key::new("count");
            store.atomically_async(|tx| tx.read(&as_text)).await?;
            Ok(())
        }
    }

    let err = common::run_bounded("confused", Confused::new).unwrap_err();
    let report = err.report().expect("a run error carries its report");
    let (_, reason) = report.failures().next().expect("Confused failed");
    assert_eq!(
        reason,
        "store value `count` holds `u64`, but was used as `alloc::string::String`"
    );
}

/// A conflict hands back what was attempted, so a caller that does not use
/// the helper can see what it tried to write.
#[test]
fn a_conflict_carries_the_attempted_writes() {
    let store = myelin::meeting::Store::new();
    let mut mine = store.begin();
    mine.read(&COUNT).unwrap();
    mine.write(&COUNT, 10);
    store
        .atomically(|tx| {
            tx.write(&COUNT, 1);
            Ok(())
        })
        .unwrap();
    match mine.commit() {
        Err(StmError::Conflict(c)) => {
            assert_eq!(c.stale(), "count");
            assert_eq!(c.attempted().written(&COUNT), Some(&10));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}
