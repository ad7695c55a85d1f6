//! Seeing a system: what it is made of, and what it is doing.
//!
//! Axon's `Introspector` sent a running scheduler's components and linkages
//! to a visualiser as text commands. Here a [`Snapshot`] is plain data: every
//! component with its ports (names, message types, docs), every link, and,
//! for a running system started with
//! [`Runtime::introspect`](crate::Runtime::introspect), what each component
//! is doing and what each inbox has seen. The same value draws itself as
//! Graphviz DOT ([`Snapshot::to_dot`]) or Mermaid
//! ([`Snapshot::to_mermaid`]), before the system runs
//! ([`Part::snapshot`](crate::Part::snapshot)) or while it runs
//! ([`Handle::snapshot`](crate::Handle::snapshot),
//! [`Context::snapshot`](crate::Context::snapshot), the
//! [`Introspector`](crate::components::Introspector) component).

mod builder;
mod clock;
mod dot;
mod layout;
mod mermaid;
pub(crate) mod registry;

use std::fmt;
use std::time::Duration;

#[doc(hidden)]
pub use builder::Builder;
pub(crate) use builder::{CONTROL, Described, SIGNAL, chan_id};
pub(crate) use clock::ticks;

/// `T`'s name with every module path left out (`Vec<String>`, not
/// `alloc::vec::Vec<alloc::string::String>`), made once per type.
pub(crate) fn short_type_name<T: ?Sized + 'static>() -> &'static str {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashMap<TypeId, &'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(Mutex::default);
    let mut names = names
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    names.entry(TypeId::of::<T>()).or_insert_with(|| {
        let full = std::any::type_name::<T>();
        let mut short = String::with_capacity(full.len());
        let mut token = String::new();
        for ch in full.chars().chain(std::iter::once(' ')) {
            if ch.is_alphanumeric() || ch == '_' || ch == ':' {
                token.push(ch);
            } else {
                short.push_str(token.rsplit("::").next().unwrap_or(&token));
                token.clear();
                short.push(ch);
            }
        }
        short.pop();
        // Leaked once per message type, as `type_name` itself is static.
        Box::leak(short.into_boxed_str())
    })
}

/// The error of a snapshot asked of a system that keeps no registry.
pub(crate) fn off() -> crate::Error {
    crate::Error::msg(
        "introspection is off for this system: start it with \
         `myelin::Runtime::new().introspect()` to take snapshots",
    )
}

/// A picture of a system: its components and the links between them.
///
/// Taken before the system runs it has no states and no counts; taken
/// from a running system it has both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Every component, in start order (for a system not yet running: in
    /// the order it would start).
    pub components: Vec<ComponentView>,
    /// Every link from an outbox, in the order of the components that
    /// send. A `signal` linked to something that is not a component (a
    /// graphline's own `control`, which its runtime helper reads) is left
    /// out.
    pub links: Vec<LinkView>,
}

impl Snapshot {
    /// The component at `path`, if there is one.
    pub fn component(&self, path: &str) -> Option<&ComponentView> {
        self.components.iter().find(|c| c.path == path)
    }

    /// The graphs the components are nested in (every proper prefix of a
    /// component's dotted path), outermost first, each once.
    pub fn clusters(&self) -> Vec<String> {
        let mut clusters: Vec<String> = Vec::new();
        for c in &self.components {
            let mut end = 0;
            while let Some(dot) = c.path[end..].find('.') {
                end += dot;
                let prefix = &c.path[..end];
                if !clusters.iter().any(|k| k == prefix) {
                    clusters.push(prefix.to_owned());
                }
                end += 1;
            }
        }
        clusters.sort_by_key(|k| k.matches('.').count());
        clusters
    }

    /// The picture as a Graphviz DOT digraph: one box per component (with
    /// its type and, when running, its state), nested graphs as clusters,
    /// one edge per link labelled with its ports and message type (and,
    /// when running, the receiving inbox's counts).
    pub fn to_dot(&self) -> String {
        dot::render(self)
    }

    /// The picture as a Mermaid flowchart, with the same content as
    /// [`to_dot`](Snapshot::to_dot): nested graphs as subgraphs.
    pub fn to_mermaid(&self) -> String {
        mermaid::render(self)
    }
}

/// How a component runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// An `async` body on a scheduler.
    Generator,
    /// A `#[component(thread)]` on an OS thread of its own.
    Thread,
    /// A `#[component(process)]` in a child process.
    Process,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Generator => "generator",
            Self::Thread => "thread",
            Self::Process => "process",
        })
    }
}

/// What a component of a running system is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Its body is being resumed right now (a generator), or it runs on
    /// its own thread or in its own process.
    Running,
    /// Its body waits: for a message, for room, for a timer, or to be
    /// resumed again.
    Paused,
    /// Its body returned `Ok(())`.
    Finished,
    /// Its body returned `Err` or panicked, with the reason.
    Failed(String),
    /// The system was shut down, or stalled, before it finished.
    Cancelled,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Running => f.write_str("running"),
            Self::Paused => f.write_str("paused"),
            Self::Finished => f.write_str("finished"),
            Self::Failed(reason) => write!(f, "failed: {reason}"),
            Self::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// One component in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentView {
    /// Its path in the system, e.g. `report.count`.
    pub path: String,
    /// Its struct's name.
    pub type_name: &'static str,
    /// Its struct's doc comment.
    pub doc: &'static str,
    /// How it runs.
    pub kind: Kind,
    /// What it is doing; `None` before the system runs.
    pub state: Option<State>,
    /// How long its body has run in all, summed over its resumes: for a
    /// generator of a running, introspected system; `None` otherwise (a
    /// thread's or a process's time is the OS's to tell).
    pub busy: Option<Duration>,
    /// Its inboxes, in declaration order, then `control` if anything can
    /// send to it.
    pub inboxes: Vec<InboxView>,
    /// Its outboxes, in declaration order, then `signal` if it is linked.
    pub outboxes: Vec<PortView>,
}

/// A port's name, message type and doc comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortView {
    /// The field name (`control` and `signal` for the built-in boxes).
    pub name: &'static str,
    /// The message type: the concrete type, without module paths, where
    /// the port's queue is known (an inbox, a linked outbox), so a generic
    /// component's `T` shows as what it carries here; as written in the
    /// struct otherwise.
    pub message: &'static str,
    /// The field's doc comment.
    pub doc: &'static str,
}

/// One inbox in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxView {
    /// Its name, message type and docs.
    pub port: PortView,
    /// The most messages it queues at once; `None` if unbounded.
    pub capacity: Option<usize>,
    /// What it has seen; `None` before the system runs, or where it could
    /// not be read (see [`Context::snapshot`](crate::Context::snapshot)).
    pub counts: Option<InboxCounts>,
}

/// What an inbox has seen since its component started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InboxCounts {
    /// Messages that went in.
    pub delivered: u64,
    /// Messages its component took out.
    pub taken: u64,
    /// Messages waiting in it now (`delivered - taken`).
    pub queued: usize,
    /// Messages refused and handed back to their sender in an `Err`: by a
    /// `try_send` that found it full, or by any send once its component
    /// had ended. A link never drops a message: what is refused goes back,
    /// what is left unread is counted in the run's [`Report`](crate::Report),
    /// and a backplane's drops are in its
    /// [`BackplaneReport`](crate::BackplaneReport).
    pub returned: u64,
}

/// One end of a link: a component's port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    /// The component's path.
    pub component: String,
    /// The port's name.
    pub port: &'static str,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.component, self.port)
    }
}

/// A link from an outbox to an inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkView {
    /// The sending component's outbox.
    pub from: End,
    /// The receiving component's inbox; `None` when it is outside the
    /// system (a handle's [`Receiver`](crate::Receiver)).
    pub to: Option<End>,
    /// The type of the messages (the concrete type, without module
    /// paths).
    pub message: &'static str,
    /// A `signal` → `control` link, by which a component learns that
    /// another ended (a pipeline links each stage's `signal` to the next
    /// one's `control`), rather than a link for data. Drawn dashed.
    pub lifecycle: bool,
}
