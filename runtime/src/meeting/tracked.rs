//! Tracked values: named values of a running system, set once, then updated
//! and read by name, as in Axon's Coordinating Assistant Tracker
//! (`trackValue`, `updateValue`, `retrieveValue`).
//!
//! Unlike the CAT's, each name has one type, fixed by its [`Key`], and a
//! component can wait for a value that has not been set yet.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::{Key, TypeMismatch, Waiters};
use parking_lot::Mutex;

/// A name's entry: its value once set, and who waits for it until then.
#[derive(Default)]
struct Entry {
    value: Option<(Box<dyn Any + Send>, &'static str)>,
    waiting: Vec<Waker>,
}

/// The tracked values of a system
/// ([`Places::tracked`](super::Places::tracked)).
///
/// ```
/// use myelin::meeting::{Key, TrackedError, TrackedValues};
///
/// const PORT: Key<u16> = Key::new("server.port");
///
/// let values = TrackedValues::default();
/// values.track(&PORT, 8080)?;
/// // Set once: tracking it again is an error, not a silent replacement.
/// assert!(matches!(values.track(&PORT, 9090), Err(TrackedError::AlreadyTracked(_))));
/// values.update(&PORT, 8081)?;
/// assert_eq!(values.get(&PORT)?, 8081);
/// # Ok::<(), TrackedError>(())
/// ```
#[derive(Default)]
pub struct TrackedValues {
    entries: Mutex<HashMap<String, Entry>>,
    waiters: Arc<Waiters>,
}

/// Why a tracked value could not be set or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrackedError {
    /// [`track`](TrackedValues::track) on a name already tracked (Axon's
    /// `NamespaceClash`).
    AlreadyTracked(String),
    /// An update or read of a name never tracked (Axon's
    /// `AccessToUndeclaredTrackedVariable`).
    Untracked(String),
    /// The name holds a value of another type.
    TypeMismatch(TypeMismatch),
    /// [`wait_timeout`](TrackedValues::wait_timeout) gave up.
    Timeout(String),
}

impl fmt::Display for TrackedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyTracked(name) => write!(f, "tracked value `{name}` is already tracked"),
            Self::Untracked(name) => write!(f, "no tracked value `{name}`"),
            Self::TypeMismatch(e) => e.fmt(f),
            Self::Timeout(name) => write!(f, "tracked value `{name}` was not set in time"),
        }
    }
}

impl std::error::Error for TrackedError {}

impl TrackedValues {
    pub(crate) fn with_waiters(waiters: Arc<Waiters>) -> Self {
        Self {
            entries: Mutex::default(),
            waiters,
        }
    }

    /// Starts tracking `key` with `value`; an error if it is tracked already.
    /// Wakes everyone waiting for it.
    pub fn track<T: Clone + Send + 'static>(
        &self,
        key: &Key<T>,
        value: T,
    ) -> Result<(), TrackedError> {
        let waiting = {
            let mut entries = self.entries.lock();
            let entry = entries.entry(key.name().to_owned()).or_default();
            if entry.value.is_some() {
                return Err(TrackedError::AlreadyTracked(key.name().to_owned()));
            }
            entry.value = Some((Box::new(value), key.type_name()));
            std::mem::take(&mut entry.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
        Ok(())
    }

    /// Changes a tracked value; an error if `key` is not tracked, or holds
    /// another type.
    pub fn update<T: Clone + Send + 'static>(
        &self,
        key: &Key<T>,
        value: T,
    ) -> Result<(), TrackedError> {
        let mut entries = self.entries.lock();
        match entries.get_mut(key.name()).and_then(|e| e.value.as_mut()) {
            None => Err(TrackedError::Untracked(key.name().to_owned())),
            Some((old, holds)) => {
                if !old.is::<T>() {
                    return Err(mismatch(key, holds));
                }
                *old = Box::new(value);
                Ok(())
            }
        }
    }

    /// A copy of a tracked value; an error if `key` is not tracked, or holds
    /// another type.
    pub fn get<T: Clone + Send + 'static>(&self, key: &Key<T>) -> Result<T, TrackedError> {
        self.poll_get(key, None)
            .unwrap_or_else(|| Err(TrackedError::Untracked(key.name().to_owned())))
    }

    /// Waits until `key` is tracked, then gives a copy of its value: for
    /// generator components and other `async` code.
    ///
    /// ```
    /// use myelin::meeting::Key;
    /// use myelin::prelude::*;
    ///
    /// const READY: Key<&'static str> = Key::new("ready");
    ///
    /// /// Waits for the value another component sets.
    /// #[component]
    /// struct Waiter {}
    ///
    /// impl Component for Waiter {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         let said = cx.places().tracked().wait_for(&READY).await?;
    ///         assert_eq!(said, "go");
    ///         Ok(())
    ///     }
    /// }
    ///
    /// /// Sets it.
    /// #[component]
    /// struct Setter {}
    ///
    /// impl Component for Setter {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         cx.places().tracked().track(&READY, "go")?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// myelin::run(graphline! {
    ///     components { waiter: Waiter::new(), setter: Setter::new() }
    ///     links {}
    /// })?;
    /// # Ok::<(), myelin::Error>(())
    /// ```
    pub fn wait_for<T: Clone + Send + 'static>(&self, key: &Key<T>) -> WaitFor<'_, T> {
        WaitFor {
            values: self,
            key: key.clone(),
        }
    }

    /// Blocks the calling thread until `key` is tracked, at most `timeout`:
    /// for threaded components and handles, never in a generator component
    /// (use [`wait_for`](TrackedValues::wait_for) there).
    pub fn wait_timeout<T: Clone + Send + 'static>(
        &self,
        key: &Key<T>,
        timeout: Duration,
    ) -> Result<T, TrackedError> {
        let deadline = Instant::now() + timeout;
        let waker = thread_waker();
        loop {
            if let Some(done) = self.poll_get(key, Some(&waker)) {
                return done;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(TrackedError::Timeout(key.name().to_owned()));
            }
            std::thread::park_timeout(deadline - now);
        }
    }

    /// The names tracked now, sorted (Axon's `informationItemsLogged`).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .entries
            .lock()
            .iter()
            .filter(|(_, e)| e.value.is_some())
            .map(|(name, _)| name.clone())
            .collect();
        names.sort();
        names
    }

    /// The value if tracked; otherwise registers `waker` (if any) in the same
    /// critical section, so a `track` right after cannot be missed.
    fn poll_get<T: Clone + Send + 'static>(
        &self,
        key: &Key<T>,
        waker: Option<&Waker>,
    ) -> Option<Result<T, TrackedError>> {
        let mut entries = self.entries.lock();
        if let Some((value, holds)) = entries.get(key.name()).and_then(|e| e.value.as_ref()) {
            return Some(
                value
                    .downcast_ref::<T>()
                    .cloned()
                    .ok_or_else(|| mismatch(key, holds)),
            );
        }
        if let Some(waker) = waker {
            let entry = entries.entry(key.name().to_owned()).or_default();
            if !entry.waiting.iter().any(|w| self.waiters.same(w, waker)) {
                entry.waiting.push(self.waiters.keep(waker));
            }
        }
        None
    }
}

impl fmt::Debug for TrackedValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackedValues")
            .field("names", &self.names())
            .finish()
    }
}

fn mismatch<T>(key: &Key<T>, holds: &'static str) -> TrackedError {
    TrackedError::TypeMismatch(TypeMismatch {
        place: "tracked value",
        name: key.name().to_owned(),
        holds,
        requested: key.type_name(),
    })
}

/// A waker that unparks the calling thread.
fn thread_waker() -> Waker {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    Waker::from(Arc::new(Unpark(std::thread::current())))
}

/// The future returned by [`TrackedValues::wait_for`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitFor<'a, T> {
    values: &'a TrackedValues,
    key: Key<T>,
}

impl<T: Clone + Send + 'static> Future for WaitFor<'_, T> {
    type Output = Result<T, TrackedError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.values.poll_get(&self.key, Some(cx.waker())) {
            Some(done) => Poll::Ready(done),
            None => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for WaitFor<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("key", &self.key.name())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: Key<u32> = Key::new("n");

    #[test]
    fn every_error_path_names_the_value() {
        let values = TrackedValues::default();
        assert_eq!(
            values.get(&N).unwrap_err().to_string(),
            "no tracked value `n`"
        );
        assert_eq!(
            values.update(&N, 1),
            Err(TrackedError::Untracked("n".into()))
        );
        values.track(&N, 1).unwrap();
        assert_eq!(
            values.track(&N, 2),
            Err(TrackedError::AlreadyTracked("n".into()))
        );
        assert_eq!(values.get(&N), Ok(1), "a second track replaces nothing");
        let other: Key<i8> = Key::new("n");
        assert_eq!(
            values.get(&other).unwrap_err().to_string(),
            "tracked value `n` holds `u32`, but was used as `i8`"
        );
        assert!(matches!(
            values.update(&other, 3),
            Err(TrackedError::TypeMismatch(_))
        ));
        assert_eq!(values.names(), vec!["n".to_owned()]);
        assert_eq!(
            values.wait_timeout(&Key::<u8>::new("never"), Duration::from_millis(1)),
            Err(TrackedError::Timeout("never".into()))
        );
        assert_eq!(
            values.names(),
            vec!["n".to_owned()],
            "waiting tracks nothing"
        );
    }

    #[test]
    fn a_thread_waiting_is_woken_by_track() {
        let values = Arc::new(TrackedValues::default());
        let waiter = {
            let values = values.clone();
            std::thread::spawn(move || values.wait_timeout(&N, Duration::from_secs(20)))
        };
        values.track(&N, 42).unwrap();
        assert_eq!(waiter.join().unwrap(), Ok(42));
    }
}
