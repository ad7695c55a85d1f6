//! How systems run: on how many schedulers.

use crate::graph::IntoPart;
use crate::{Error, Handle, Report};

pub use crate::scheduler::system::SCHEDULERS_ENV;

/// How to run a system: the number of schedulers its generator components
/// may spread over.
///
/// A system starts on its *home* scheduler, the thread that runs it (the
/// caller of [`run`](Runtime::run), or the thread [`spawn`](Runtime::spawn)
/// starts). With more than one scheduler allowed, components are placed
/// when the system starts: chains of components linked one to one stay
/// together, parallel branches (the workers behind a dealer, independent
/// pipelines) are dealt over the schedulers, and
/// [`Place::on_scheduler`](crate::Place::on_scheduler) or
/// [`Place::together`](crate::Place::together) override the
/// policy where you know better. A scheduler other than home is an OS thread
/// started only when a component is placed on it. A component stays on its
/// scheduler for its whole life.
///
/// Every guarantee holds the same on one scheduler or many: no message is
/// lost silently, failures stay with their component, shutdown reaches
/// every component, and a deadlock spread over several schedulers is
/// reported as a stall.
///
/// ```
/// use myelin::prelude::*;
/// use myelin::components::{Collect, Source};
///
/// let collect = Collect::<u64>::new();
/// let got = collect.collected();
/// let report = myelin::Runtime::new()
///     .schedulers(2)
///     .run(pipeline![Source::new(0..100u64), collect])?;
/// assert!(report.is_success());
/// assert_eq!(got.take().len(), 100);
/// # Ok::<(), myelin::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Runtime {
    schedulers: usize,
    introspect: bool,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// The default: one scheduler, or the number in the environment
    /// variable [`SCHEDULERS_ENV`] (`MYELIN_SCHEDULERS`) when it is set to a
    /// positive integer. One scheduler runs light systems fastest and keeps
    /// the deterministic interleaving of the single scheduler (see the
    /// book); [`all_cores`](Runtime::all_cores) is for heavy work.
    #[must_use]
    pub fn new() -> Self {
        Self {
            schedulers: crate::scheduler::system::default_schedulers(),
            introspect: false,
        }
    }

    /// Allows up to `count` schedulers, the home one included; `0` is taken
    /// as `1`. With `1`, every generator component runs on the home
    /// scheduler's thread.
    #[must_use]
    pub fn schedulers(mut self, count: usize) -> Self {
        self.schedulers = count.max(1);
        self
    }

    /// Allows one scheduler per core the process may use
    /// ([`std::thread::available_parallelism`]).
    #[must_use]
    pub fn all_cores(self) -> Self {
        self.schedulers(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }

    /// Keeps a registry of the system's components, so that
    /// [`Handle::snapshot`], [`Context::snapshot`](crate::Context::snapshot)
    /// and the [`Introspector`](crate::components::Introspector) can show
    /// every component (its state, the time its body has run), its ports
    /// and links, and what each inbox has seen.
    ///
    /// Off by default: each component then keeps an entry (about a hundred
    /// bytes, plus a few per port) and a generator reads the clock twice
    /// per resume. The counts themselves (messages delivered, queued,
    /// handed back) are kept by every inbox whether or not anyone looks.
    ///
    /// ```
    /// use myelin::prelude::*;
    /// use myelin::view::State;
    ///
    /// /// Takes a snapshot of its own system and checks what it says.
    /// #[component]
    /// struct Look {}
    ///
    /// impl Component for Look {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         let seen = cx.snapshot()?;
    ///         assert_eq!(seen.component("Look").unwrap().state, Some(State::Running));
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let report = myelin::Runtime::new().introspect().run(Look::new())?;
    /// assert!(report.is_success());
    /// # Ok::<(), myelin::Error>(())
    /// ```
    #[must_use]
    pub fn introspect(mut self) -> Self {
        self.introspect = true;
        self
    }

    /// How many schedulers a system run by this may use.
    pub fn scheduler_count(&self) -> usize {
        self.schedulers
    }

    /// Runs `system` on the calling thread (and on the schedulers placement
    /// starts) until every component has ended, as [`run`](crate::run)
    /// does.
    ///
    /// # Errors
    /// As [`run`](crate::run): a failed component or a stall.
    pub fn run(&self, system: impl IntoPart) -> Result<Report, Error> {
        crate::run::run_on(system, self.schedulers, self.introspect)
    }

    /// Starts `system` on a new thread, as [`spawn`](crate::spawn) does.
    pub fn spawn(&self, system: impl IntoPart + Send + 'static) -> Handle {
        crate::handle::spawn_on(system, self.schedulers, self.introspect)
    }
}
