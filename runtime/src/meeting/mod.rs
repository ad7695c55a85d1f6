//! Meeting places: where components that were never linked to each other
//! meet while the system runs.
//!
//! Kamaelia's components do not only pass messages along fixed links. They
//! meet at named places: a **backplane** ([`Backplane`]) carries what any
//! number of publishers send to any number of subscribers; **tracked
//! values** ([`TrackedValues`], the values of Axon's Coordinating Assistant
//! Tracker) are set once, updated and read by name; and a **store**
//! ([`Store`], Axon's STM) holds named, versioned values that several
//! components change all or nothing.
//!
//! Each running system has its own [`Places`], reached from a component's
//! body through [`Context::places`](crate::Context::places), from a threaded
//! component through [`ThreadContext::places`](crate::ThreadContext::places),
//! and from outside through [`Handle::places`](crate::Handle::places). Axon
//! keeps all of this in process-wide singletons; here two systems in one
//! process (or two tests) never see each other's places.
//!
//! Every place is named by a typed [`Key`]: the key fixes the type of what
//! lives there, so code that names a place by its key is checked at compile
//! time. Two keys may still share a name with different types (a key built
//! from a run-time string, or two crates that chose the same name); the
//! first use fixes the type, and a use with the other type is an error
//! naming the place and both types ([`TypeMismatch`]).
//!
//! ```
//! use myelin::meeting::{Key, Places};
//!
//! const VISITS: Key<u64> = Key::new("visits");
//!
//! let places = Places::new();
//! places.store().atomically(|tx| {
//!     let n = tx.read(&VISITS)?.unwrap_or(0);
//!     tx.write(&VISITS, n + 1);
//!     Ok(())
//! })?;
//! assert_eq!(places.store().get(&VISITS)?, Some(1));
//! # Ok::<(), myelin::meeting::StmError>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

mod backplane;
mod stm;
mod tracked;
mod waiters;

use waiters::{Outside, Uncounted, Waiters};

pub use crate::report::{BackplaneReport, SubscriptionReport};
pub use backplane::{Backplane, Policy, Publish, PublishError, Publisher, Recv, Subscription};
pub(crate) use backplane::{Backplanes, Took};

pub use stm::{ConcurrentUpdate, Retry, StmError, Store, Transaction};
pub use tracked::{TrackedError, TrackedValues, WaitFor};

/// The typed name of a meeting place: a backplane carrying `T`, a store
/// value of type `T`, or a tracked value of type `T`.
///
/// Usually a constant, so that every part of a program that uses the place
/// names it the same way and with the same type:
///
/// ```
/// use myelin::meeting::Key;
///
/// /// What the chat room's clients say.
/// pub const CHAT: Key<String> = Key::new("chat");
/// assert_eq!(CHAT.name(), "chat");
///
/// // Names made at run time, e.g. one store value per fork.
/// let fork: Key<Option<usize>> = Key::named(format!("fork.{}", 3));
/// assert_eq!(fork.name(), "fork.3");
/// ```
pub struct Key<T> {
    name: Cow<'static, str>,
    // `fn() -> T`: a key neither owns a `T` nor restricts where it may go.
    _type: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    /// A key with a name known at compile time.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name: Cow::Borrowed(name),
            _type: PhantomData,
        }
    }

    /// A key whose name is made at run time.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Cow::Owned(name.into()),
            _type: PhantomData,
        }
    }

    /// The place's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the key's type, for errors.
    pub(crate) fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            _type: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key<{}>({:?})", std::any::type_name::<T>(), self.name)
    }
}

/// A place was used with another type than the one it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeMismatch {
    /// What kind of place: `backplane`, `store value` or `tracked value`.
    pub place: &'static str,
    /// The place's name.
    pub name: String,
    /// The type the place holds.
    pub holds: &'static str,
    /// The type it was asked for.
    pub requested: &'static str,
}

impl fmt::Display for TypeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` holds `{}`, but was used as `{}`",
            self.place, self.name, self.holds, self.requested
        )
    }
}

impl std::error::Error for TypeMismatch {}

/// The meeting places of one running system: its backplanes, its store and
/// its tracked values.
///
/// Cheap to clone (a reference count); every clone reaches the same places.
/// A system makes its own when it starts; [`Places::new`] makes a set for
/// use outside any system (tests, or components started by hand).
#[derive(Clone, Default)]
pub struct Places {
    inner: Arc<Inner>,
    /// Set on places held outside the system (see `waiters.rs`).
    outside: Option<Arc<Outside>>,
}

#[derive(Default)]
struct Inner {
    store: Store,
    backplanes: Backplanes,
    tracked: TrackedValues,
    waiters: Arc<Waiters>,
    /// Named services: what `services.rs` offers, type-erased here (a
    /// service's value is a port, from a layer above this one).
    services: std::sync::Mutex<std::collections::HashMap<String, Service>>,
}

/// One offered service, as the places keep it.
struct Service {
    /// The message type, for errors.
    holds: &'static str,
    value: Box<dyn std::any::Any + Send + Sync>,
    /// Whether its provider still runs: a service whose provider ended is
    /// gone, whatever the map still holds.
    alive: Box<dyn Fn() -> bool + Send + Sync>,
}

impl Places {
    /// An empty set of places, outside any system: waits on them always
    /// count as waits on the outside.
    pub fn new() -> Self {
        Self::default()
    }

    /// The places of a running system, whose scheduler supplies
    /// `uncounted` (see `waiters.rs`).
    pub(crate) fn in_system(uncounted: Uncounted) -> Self {
        let waiters = Arc::new(Waiters::in_system(uncounted));
        Self {
            inner: Arc::new(Inner {
                store: Store::new(),
                backplanes: Backplanes::default(),
                tracked: TrackedValues::with_waiters(waiters.clone()),
                waiters,
                services: std::sync::Mutex::default(),
            }),
            outside: None,
        }
    }

    /// Keeps `value` as the service `key`, `alive` saying whether its
    /// provider still runs; unless the name is taken by a live service:
    /// then returns the message type of the one in the way.
    pub(crate) fn offer_service<T, V>(
        &self,
        key: &Key<T>,
        value: V,
        alive: impl Fn() -> bool + Send + Sync + 'static,
    ) -> Result<(), &'static str>
    where
        V: Send + Sync + 'static,
    {
        let mut services = crate::sync::lock_std(&self.inner.services);
        if let Some(old) = services.get(key.name())
            && (old.alive)()
        {
            return Err(old.holds);
        }
        services.insert(
            key.name().to_owned(),
            Service {
                holds: key.type_name(),
                value: Box::new(value),
                alive: Box::new(alive),
            },
        );
        Ok(())
    }

    /// The service `key` as `V`: `Ok(None)` if there is none (a service
    /// whose provider has ended is removed now), `Err` naming both types if
    /// it carries another type.
    pub(crate) fn find_service<T, V>(&self, key: &Key<T>) -> Result<Option<V>, TypeMismatch>
    where
        V: Clone + 'static,
    {
        let mut services = crate::sync::lock_std(&self.inner.services);
        let Some(service) = services.get(key.name()) else {
            return Ok(None);
        };
        if !(service.alive)() {
            services.remove(key.name());
            return Ok(None);
        }
        match service.value.downcast_ref::<V>() {
            Some(value) => Ok(Some(value.clone())),
            None => Err(TypeMismatch {
                place: "service",
                name: key.name().to_owned(),
                holds: service.holds,
                requested: key.type_name(),
            }),
        }
    }

    /// Removes the service `key` and returns its value as `V` (`None` if
    /// there is none, or it carries another type).
    pub(crate) fn withdraw_service<T, V>(&self, key: &Key<T>) -> Option<V>
    where
        V: 'static,
    {
        let mut services = crate::sync::lock_std(&self.inner.services);
        let service = services.get(key.name())?;
        if !service.value.is::<V>() {
            return None;
        }
        let service = services.remove(key.name())?;
        service.value.downcast::<V>().ok().map(|v| *v)
    }

    /// The names of the services offered now.
    pub(crate) fn service_names(&self) -> Vec<String> {
        let mut names: Vec<String> = crate::sync::lock_std(&self.inner.services)
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// These places, for a holder outside the system (a handle): while it,
    /// or anything taken from it, lives, a wait at a place counts as a wait
    /// on the outside.
    pub(crate) fn for_outside(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            outside: Some(Outside::new(&self.inner.waiters)),
        }
    }

    /// The system's store of transactional values.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The system's tracked values.
    pub fn tracked(&self) -> &TrackedValues {
        &self.inner.tracked
    }

    /// The backplane named by `key`, declared now if it does not exist yet.
    ///
    /// Declaring a backplane twice (Axon crashes) gives the same backplane:
    /// every publisher and subscriber that names it meets there. A backplane
    /// of the same name carrying another type is an error naming both
    /// types.
    pub fn backplane<T: Clone + Send + 'static>(
        &self,
        key: &Key<T>,
    ) -> Result<Backplane<T>, TypeMismatch> {
        let mut backplane = self
            .inner
            .backplanes
            .get_or_declare(key, &self.inner.waiters)?;
        backplane.set_outside(self.outside.clone());
        Ok(backplane)
    }

    /// Every backplane's counts now, by name: what the run's report shows.
    pub fn backplane_reports(&self) -> Vec<BackplaneReport> {
        self.inner.backplanes.reports()
    }
}

impl fmt::Debug for Places {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Places").finish_non_exhaustive()
    }
}
