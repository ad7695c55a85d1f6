//! Software transactional memory: named, versioned values that several
//! components change all or nothing (Axon's `STM`).
//!
//! A [`Transaction`] checks out copies of values, changes them, and commits
//! every change at once, or none if another commit changed one of the values
//! it read in the meantime ([`ConcurrentUpdate`]). The store's lock is only
//! ever *tried*, held for a few hash lookups, and never while user code or a
//! user type's `clone` runs: a generator component never blocks its
//! scheduler's thread in the store. If the lock stays taken for a short
//! spin, the operation fails with [`StmError::Busy`] (Axon's `BusyRetry`),
//! which the retry helpers treat like a conflict.
//!
//! Reads are consistent: each read checks that every value the transaction
//! read before is still current, so a transaction never sees one value from
//! before another component's commit and another from after it (it fails
//! with a conflict instead, and the helper runs it again).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{Key, TypeMismatch};
// parking_lot's, not `crate::sync`'s: the store is not part of the wake
// protocol the loom models check, and it needs `try_lock`.
use parking_lot::{Mutex, MutexGuard};

type Value = Arc<dyn Any + Send + Sync>;

/// One named value: its version (0 while never committed) and, once
/// committed, the value and its type.
struct Slot {
    version: u64,
    value: Option<(Value, &'static str)>,
}

/// A store of named, versioned values, changed by [`Transaction`]s.
///
/// Cheap to clone; clones share the values. A running system has one
/// ([`Places::store`](super::Places::store)); [`Store::new`] makes a
/// separate one.
///
/// ```
/// use myelin::meeting::{Key, Store};
///
/// const A: Key<i64> = Key::new("account.a");
/// const B: Key<i64> = Key::new("account.b");
///
/// let store = Store::new();
/// store.atomically(|tx| {
///     tx.write(&A, 100);
///     tx.write(&B, 0);
///     Ok(())
/// })?;
/// // Move 30 from A to B: both change, or neither.
/// store.atomically(|tx| {
///     let a = tx.read(&A)?.unwrap_or(0);
///     let b = tx.read(&B)?.unwrap_or(0);
///     tx.write(&A, a - 30);
///     tx.write(&B, b + 30);
///     Ok(())
/// })?;
/// assert_eq!((store.get(&A)?, store.get(&B)?), (Some(70), Some(30)));
/// # Ok::<(), myelin::meeting::StmError>(())
/// ```
#[derive(Clone, Default)]
pub struct Store {
    values: Arc<Mutex<HashMap<Arc<str>, Slot>>>,
}

/// How many times an operation tries the store's lock before giving up
/// with [`StmError::Busy`]. The lock is held for a few lookups at most, so
/// a holder that is running releases it well within this.
const SPINS: u32 = 200;

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a transaction.
    pub fn begin(&self) -> Transaction {
        Transaction {
            store: self.clone(),
            reads: Vec::new(),
            writes: Vec::new(),
        }
    }

    fn try_lock(&self) -> Result<MutexGuard<'_, HashMap<Arc<str>, Slot>>, StmError> {
        for _ in 0..SPINS {
            if let Some(guard) = self.values.try_lock() {
                return Ok(guard);
            }
            std::hint::spin_loop();
        }
        Err(StmError::Busy)
    }

    /// The value committed under `key` now, outside any transaction; `None`
    /// if none was ever committed.
    pub fn get<T: Clone + Send + Sync + 'static>(
        &self,
        key: &Key<T>,
    ) -> Result<Option<T>, StmError> {
        self.begin().read(key)
    }

    /// The version of `key` now: 0 if it was never committed, one more for
    /// every commit that wrote it.
    pub fn version<T>(&self, key: &Key<T>) -> Result<u64, StmError> {
        let values = self.try_lock()?;
        Ok(values.get(key.name()).map_or(0, |slot| slot.version))
    }

    /// Runs `f` in a transaction and commits it, running it again while
    /// another commit gets in the way, with bounded backoff
    /// ([`Retry::default`]).
    ///
    /// For threaded components and handles: between attempts it sleeps the
    /// thread (at most a millisecond). In a generator component use
    /// [`atomically_async`](Store::atomically_async), which yields to the
    /// scheduler instead.
    ///
    /// `f` may run several times; it should do nothing but read and write
    /// through the transaction. A [`TypeMismatch`](StmError::TypeMismatch)
    /// is returned at once: running again would not help.
    pub fn atomically<R>(
        &self,
        f: impl FnMut(&mut Transaction) -> Result<R, StmError>,
    ) -> Result<R, StmError> {
        self.atomically_with(Retry::default(), f)
    }

    /// [`atomically`](Store::atomically) with a retry policy of its own;
    /// once `retry.attempts` are used up, the last conflict is returned.
    pub fn atomically_with<R>(
        &self,
        retry: Retry,
        mut f: impl FnMut(&mut Transaction) -> Result<R, StmError>,
    ) -> Result<R, StmError> {
        let mut backoff = Backoff::new(retry);
        loop {
            match self.attempt(&mut f) {
                Err(e) if e.is_retryable() && backoff.another() => {
                    std::thread::sleep(backoff.delay());
                }
                done => return done,
            }
        }
    }

    /// [`atomically`](Store::atomically) for a generator component (or any
    /// `async` code): between attempts it yields to the scheduler (a few
    /// times, more after each conflict, at most 64), which lets the
    /// component whose commit got in the way run; it never blocks the
    /// thread.
    ///
    /// ```
    /// use myelin::meeting::Key;
    /// use myelin::prelude::*;
    ///
    /// const COUNT: Key<u64> = Key::new("count");
    ///
    /// /// Adds one to the shared count, `times` times.
    /// #[component]
    /// struct Increment {
    ///     times: u64,
    /// }
    ///
    /// impl Component for Increment {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         let store = cx.places().store().clone();
    ///         for _ in 0..self.times {
    ///             store
    ///                 .atomically_async(|tx| {
    ///                     let n = tx.read(&COUNT)?.unwrap_or(0);
    ///                     tx.write(&COUNT, n + 1);
    ///                     Ok(())
    ///                 })
    ///                 .await?;
    ///             cx.yield_now().await;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let handle = myelin::spawn(graphline! {
    ///     components { a: Increment::new(100), b: Increment::new(100) }
    ///     links {}
    /// });
    /// let places = handle.places();
    /// handle.join()?;
    /// assert_eq!(places.store().get(&COUNT)?, Some(200));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub async fn atomically_async<R>(
        &self,
        f: impl FnMut(&mut Transaction) -> Result<R, StmError>,
    ) -> Result<R, StmError> {
        self.atomically_async_with(Retry::default(), f).await
    }

    /// [`atomically_async`](Store::atomically_async) with a retry policy of
    /// its own (`max_backoff` is not used: it counts yields, not time).
    pub async fn atomically_async_with<R>(
        &self,
        retry: Retry,
        mut f: impl FnMut(&mut Transaction) -> Result<R, StmError>,
    ) -> Result<R, StmError> {
        let mut backoff = Backoff::new(retry);
        loop {
            match self.attempt(&mut f) {
                Err(e) if e.is_retryable() && backoff.another() => {
                    Yields(backoff.yields()).await;
                }
                done => return done,
            }
        }
    }

    fn attempt<R>(
        &self,
        f: &mut impl FnMut(&mut Transaction) -> Result<R, StmError>,
    ) -> Result<R, StmError> {
        let mut tx = self.begin();
        let result = f(&mut tx)?;
        tx.commit()?;
        Ok(result)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// Copies of values checked out of a [`Store`], and the changes to commit.
///
/// Changes stay in the transaction until [`commit`](Transaction::commit);
/// reading a value the transaction wrote gives the written copy.
#[derive(Clone)]
pub struct Transaction {
    store: Store,
    /// Every key read or written, with the version it had then.
    reads: Vec<(Arc<str>, u64)>,
    /// New values, in the order first written.
    writes: Vec<(Arc<str>, Value, &'static str)>,
}

impl Transaction {
    /// Checks out a copy of the value under `key` (`None` if none was ever
    /// committed).
    ///
    /// Fails with a conflict if a value this transaction read before has
    /// changed since: the values it has seen then always belong together.
    pub fn read<T: Clone + Send + Sync + 'static>(
        &mut self,
        key: &Key<T>,
    ) -> Result<Option<T>, StmError> {
        if let Some((_, value, holds)) = self.writes.iter().find(|w| *w.0 == *key.name()) {
            return downcast(key, value, holds).map(Some);
        }
        let (version, value) = {
            let values = self.store.try_lock()?;
            if let Some(stale) = stale(&values, &self.reads) {
                drop(values);
                return Err(self.conflict(stale));
            }
            match values.get(key.name()) {
                Some(slot) => (slot.version, slot.value.clone()),
                None => (0, None),
            }
        };
        self.note_read(key.name(), version);
        // Cloned outside the lock: a user type's `clone` may take its time.
        match value {
            Some((value, holds)) => downcast(key, &value, holds).map(Some),
            None => Ok(None),
        }
    }

    /// Sets the transaction's copy of `key` to `value`; the store changes
    /// only when the transaction commits. A key written without being read
    /// is checked out too: the commit fails if another commit changes it
    /// first.
    pub fn write<T: Clone + Send + Sync + 'static>(&mut self, key: &Key<T>, value: T) {
        let name: Arc<str> = match self.reads.iter().find(|r| *r.0 == *key.name()) {
            Some((name, _)) => name.clone(),
            None => {
                let name: Arc<str> = key.name().into();
                // The version now, if the lock is free; a key whose version
                // could not be read counts as version 0, and a commit then
                // fails if it was ever written: safe either way.
                let version = self
                    .store
                    .try_lock()
                    .ok()
                    .and_then(|values| values.get(&name).map(|s| s.version))
                    .unwrap_or(0);
                self.reads.push((name.clone(), version));
                name
            }
        };
        let value: Value = Arc::new(value);
        match self.writes.iter_mut().find(|w| w.0 == name) {
            Some(w) => {
                w.1 = value;
                w.2 = key.type_name();
            }
            None => self.writes.push((name, value, key.type_name())),
        }
    }

    /// The value this transaction would commit under `key`, if it wrote
    /// one: what a [`ConcurrentUpdate`] carries back.
    pub fn written<T: 'static>(&self, key: &Key<T>) -> Option<&T> {
        self.writes
            .iter()
            .find(|w| *w.0 == *key.name())
            .and_then(|w| w.1.downcast_ref())
    }

    /// The names this transaction read or wrote.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.reads.iter().map(|r| &*r.0)
    }

    /// Commits every write at once, or none: fails with
    /// [`StmError::Conflict`] if another commit changed a value this
    /// transaction read (or wrote) since it checked it out, and with a
    /// [`TypeMismatch`](StmError::TypeMismatch) if a write would change the
    /// type of a value. Returns the number of values written.
    pub fn commit(self) -> Result<usize, StmError> {
        let mut values = self.store.try_lock()?;
        if let Some(stale) = stale(&values, &self.reads) {
            drop(values);
            return Err(self.conflict(stale));
        }
        for (name, _, requested) in &self.writes {
            if let Some(Some((_, holds))) = values.get(name).map(|s| &s.value)
                && holds != requested
            {
                return Err(StmError::TypeMismatch(TypeMismatch {
                    place: "store value",
                    name: name.to_string(),
                    holds,
                    requested,
                }));
            }
        }
        let written = self.writes.len();
        for (name, value, holds) in self.writes {
            let slot = values.entry(name).or_insert(Slot {
                version: 0,
                value: None,
            });
            slot.version += 1;
            slot.value = Some((value, holds));
        }
        Ok(written)
    }

    fn note_read(&mut self, name: &str, version: u64) {
        if !self.reads.iter().any(|r| *r.0 == *name) {
            self.reads.push((name.into(), version));
        }
    }

    fn conflict(&self, stale: String) -> StmError {
        // A copy of a few names and reference counts; conflicts are the
        // slow path.
        StmError::Conflict(Box::new(ConcurrentUpdate {
            stale,
            attempted: self.clone(),
        }))
    }
}

impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("keys", &self.keys().collect::<Vec<_>>())
            .field(
                "writes",
                &self.writes.iter().map(|w| &*w.0).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The first key in `reads` whose version in `values` is newer.
fn stale(values: &HashMap<Arc<str>, Slot>, reads: &[(Arc<str>, u64)]) -> Option<String> {
    reads
        .iter()
        .find(|(name, version)| values.get(name).map_or(0, |s| s.version) != *version)
        .map(|(name, _)| name.to_string())
}

fn downcast<T: Clone + 'static>(
    key: &Key<T>,
    value: &Value,
    holds: &'static str,
) -> Result<T, StmError> {
    value.downcast_ref::<T>().cloned().ok_or_else(|| {
        StmError::TypeMismatch(TypeMismatch {
            place: "store value",
            name: key.name().to_owned(),
            holds,
            requested: key.type_name(),
        })
    })
}

/// A commit (or a read) found that another commit changed a value the
/// transaction had read: the transaction must run again on fresh values.
/// Carries the transaction that was attempted.
pub struct ConcurrentUpdate {
    stale: String,
    attempted: Transaction,
}

impl ConcurrentUpdate {
    /// The name of a value another commit changed.
    pub fn stale(&self) -> &str {
        &self.stale
    }

    /// What was attempted: its reads and its writes
    /// ([`Transaction::written`]).
    pub fn attempted(&self) -> &Transaction {
        &self.attempted
    }

    /// The attempted transaction, to inspect its writes.
    pub fn into_attempted(self) -> Transaction {
        self.attempted
    }
}

impl fmt::Debug for ConcurrentUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentUpdate")
            .field("stale", &self.stale)
            .field("attempted", &self.attempted)
            .finish()
    }
}

/// Why a store operation failed.
#[derive(Debug)]
pub enum StmError {
    /// Another commit changed a value the transaction read: run it again.
    /// Boxed: it carries the attempted transaction.
    Conflict(Box<ConcurrentUpdate>),
    /// The store's lock stayed taken for a short spin: try again (Axon's
    /// `BusyRetry`). The store never waits for its lock.
    Busy,
    /// A value was read or written with another type than it holds.
    TypeMismatch(TypeMismatch),
}

impl StmError {
    /// Whether running the transaction again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Conflict(_) | Self::Busy)
    }
}

impl fmt::Display for StmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict(c) => write!(
                f,
                "concurrent update: store value `{}` changed since the transaction read it",
                c.stale
            ),
            Self::Busy => f.write_str("the store was busy"),
            Self::TypeMismatch(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StmError {}

/// How the retry helpers ([`Store::atomically_with`]) run a transaction
/// again.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// How many times to run the transaction at most (the first run
    /// included).
    pub attempts: u32,
    /// The longest a thread sleeps between attempts; the sleep starts at a
    /// microsecond and doubles after every conflict, with jitter, up to this.
    pub max_backoff: Duration,
}

impl Default for Retry {
    /// Unlimited attempts, at most a millisecond apart.
    fn default() -> Self {
        Self {
            attempts: u32::MAX,
            max_backoff: Duration::from_millis(1),
        }
    }
}

/// Exponential backoff with jitter, bounded.
struct Backoff {
    retry: Retry,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    fn new(retry: Retry) -> Self {
        // Jitter keeps two components that conflicted from retrying in step;
        // any varying seed will do.
        let local = 0u8;
        let seed = (std::ptr::from_ref(&local) as u64) ^ 0x9e37_79b9_7f4a_7c15;
        Self {
            retry,
            attempt: 1,
            seed: seed | 1,
        }
    }

    /// Whether another attempt is allowed; counts it.
    fn another(&mut self) -> bool {
        if self.attempt >= self.retry.attempts {
            return false;
        }
        self.attempt += 1;
        true
    }

    fn jitter(&mut self) -> u64 {
        // xorshift64
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed
    }

    /// How long to sleep before this attempt.
    fn delay(&mut self) -> Duration {
        let cap = u64::try_from(self.retry.max_backoff.as_nanos()).unwrap_or(u64::MAX);
        let base = 1_000u64
            .saturating_mul(1 << self.attempt.min(20))
            .min(cap)
            .max(1);
        Duration::from_nanos(base / 2 + self.jitter() % (base / 2 + 1))
    }

    /// How many times to yield before this attempt.
    fn yields(&mut self) -> u32 {
        let most = 1u32 << self.attempt.min(6);
        1 + u32::try_from(self.jitter() % u64::from(most)).unwrap_or(0)
    }
}

/// Yields to the executor `n` times.
struct Yields(u32);

impl Future for Yields {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Key<u32> = Key::new("a");
    const B: Key<u32> = Key::new("b");

    #[test]
    fn a_stale_commit_fails_and_carries_what_was_attempted() {
        let store = Store::new();
        let mut first = store.begin();
        let mut second = store.begin();
        assert_eq!(first.read(&A).unwrap(), None);
        assert_eq!(second.read(&A).unwrap(), None);
        first.write(&A, 1);
        second.write(&A, 2);
        assert_eq!(first.commit().unwrap(), 1);
        let Err(StmError::Conflict(c)) = second.commit() else {
            panic!("the second commit must conflict");
        };
        assert_eq!(c.stale(), "a");
        assert_eq!(c.attempted().written(&A), Some(&2));
        assert_eq!(store.get(&A).unwrap(), Some(1));
        assert_eq!(store.version(&A).unwrap(), 1);
    }

    #[test]
    fn several_values_commit_all_or_nothing() {
        let store = Store::new();
        let mut tx = store.begin();
        tx.read(&A).unwrap();
        tx.read(&B).unwrap();
        tx.write(&A, 1);
        tx.write(&B, 1);
        // Someone else changes B only.
        store
            .atomically(|t| {
                t.write(&B, 7);
                Ok(())
            })
            .unwrap();
        assert!(matches!(tx.commit(), Err(StmError::Conflict(_))));
        assert_eq!(store.get(&A).unwrap(), None, "A must not change alone");
        assert_eq!(store.get(&B).unwrap(), Some(7));
    }

    #[test]
    fn a_read_after_another_commit_fails_rather_than_mixing_versions() {
        let store = Store::new();
        let mut tx = store.begin();
        tx.read(&A).unwrap();
        store
            .atomically(|t| {
                t.write(&A, 1);
                t.write(&B, 1);
                Ok(())
            })
            .unwrap();
        assert!(matches!(tx.read(&B), Err(StmError::Conflict(_))));
    }

    #[test]
    fn copies_are_private_until_commit_and_reads_see_own_writes() {
        let store = Store::new();
        let mut tx = store.begin();
        tx.write(&A, 5);
        assert_eq!(tx.read(&A).unwrap(), Some(5));
        assert_eq!(store.get(&A).unwrap(), None);
        tx.commit().unwrap();
        assert_eq!(store.get(&A).unwrap(), Some(5));
    }

    #[test]
    fn a_value_used_with_another_type_names_both_types() {
        let store = Store::new();
        store
            .atomically(|t| {
                t.write(&A, 1);
                Ok(())
            })
            .unwrap();
        let as_string: Key<String> = Key::new("a");
        let err = store.get(&as_string).unwrap_err();
        assert_eq!(
            err.to_string(),
            "store value `a` holds `u32`, but was used as `alloc::string::String`"
        );
        let err = store
            .atomically(|t| {
                t.write(&as_string, "x".into());
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(err, StmError::TypeMismatch(_)), "{err}");
        assert_eq!(store.get(&A).unwrap(), Some(1));
    }

    #[test]
    fn a_held_lock_is_busy_not_a_wait() {
        let store = Store::new();
        let guard = store.values.lock();
        assert!(matches!(store.get(&A), Err(StmError::Busy)));
        assert!(matches!(store.begin().commit(), Err(StmError::Busy)));
        drop(guard);
        assert_eq!(store.get(&A).unwrap(), None);
    }

    #[test]
    fn the_helper_gives_up_after_its_attempts() {
        let store = Store::new();
        let mut runs = 0;
        let err = store
            .atomically_with(
                Retry {
                    attempts: 3,
                    max_backoff: Duration::from_micros(10),
                },
                |tx| {
                    runs += 1;
                    let n = tx.read(&A)?.unwrap_or(0);
                    // Another commit gets in the way every time.
                    store.atomically(|t| {
                        t.write(&A, n + 100);
                        Ok(())
                    })?;
                    tx.write(&A, n + 1);
                    Ok(())
                },
            )
            .unwrap_err();
        assert!(err.is_retryable());
        assert_eq!(runs, 3);
    }

    #[test]
    fn backoff_is_bounded() {
        let mut backoff = Backoff::new(Retry {
            attempts: 100,
            max_backoff: Duration::from_micros(50),
        });
        for _ in 0..99 {
            assert!(backoff.another());
            assert!(backoff.delay() <= Duration::from_micros(50));
            assert!(backoff.yields() <= 64);
        }
        assert!(!backoff.another());
    }
}
