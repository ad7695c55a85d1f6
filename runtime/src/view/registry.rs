//! The components of an introspected system, as they start and end.
//!
//! Kept only for a system started with `Runtime::introspect`: every entry
//! holds the component's queues and its description, which an idle
//! component of a system nobody looks at should not pay for. What it
//! counts is counted anyway (every queue counts its deliveries and knows
//! its length); what introspection adds is the entry, and two reads of a
//! cheap clock (`clock.rs`) per resume for the time a generator spends
//! running.

use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use super::clock::{Clock, ticks};

use super::{Builder, ComponentView, Described, InboxCounts, InboxView, Kind, PortView, State};
use crate::report::Outcome;

/// What introspection reads from an inbox's queue. Declared here, below
/// the ports that implement it.
#[doc(hidden)]
pub trait InboxStats: Send + Sync {
    /// Its counts now; `None` when it cannot be read on this thread (it is
    /// bound to a scheduler on another thread, reached without a lock).
    fn read_counts(&self) -> Option<InboxCounts>;
    /// Its capacity, `None` if unbounded (read as its component starts,
    /// before the queue is bound to any thread).
    fn read_capacity(&self) -> Option<usize>;
    /// The type of its messages, with module paths left out.
    fn message_type(&self) -> &'static str;
}

/// How many ended components a registry remembers: a system whose
/// components come and go (a carousel's children) keeps bounded memory.
const KEEP_ENDED: usize = 256;

const RUNNING: u8 = 0;
const PAUSED: u8 = 1;
const ENDED: u8 = 2;

/// An introspected system's components.
pub(crate) struct Registry {
    entries: Mutex<Entries>,
    clock: Clock,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            clock: Clock::new(),
        }
    }
}

#[derive(Default)]
struct Entries {
    /// By start order.
    live: BTreeMap<usize, Arc<Entry>>,
    /// Start order of the ended ones still kept, oldest end first.
    ended: VecDeque<usize>,
}

/// One component.
pub(crate) struct Entry {
    path: Arc<str>,
    type_name: &'static str,
    doc: &'static str,
    kind: Kind,
    inboxes: Box<[StartInbox]>,
    outboxes: Box<[PortView]>,
    outbox_targets: Box<[Option<usize>]>,
    state: AtomicU8,
    /// Time its body has run, in `clock` ticks.
    busy_ticks: AtomicU64,
    end: Mutex<Option<State>>,
    /// Each inbox's counts as its component ended, read on the thread
    /// that ran it: its queues may be bound to a thread that is gone by
    /// the time a snapshot is taken.
    last: Mutex<Option<Box<[Option<InboxCounts>]>>>,
}

/// An inbox as its component starts.
pub(crate) struct StartInbox {
    pub(crate) port: PortView,
    pub(crate) capacity: Option<usize>,
    /// Its queue's identity (`chan_id`).
    pub(crate) id: usize,
    pub(crate) stats: Arc<dyn InboxStats>,
}

/// What a component says about itself as it starts.
pub(crate) struct Start {
    pub(crate) path: Arc<str>,
    pub(crate) type_name: &'static str,
    pub(crate) doc: &'static str,
    pub(crate) kind: Kind,
    pub(crate) inboxes: Vec<StartInbox>,
    /// Each outbox with the identity of the queue it leads to.
    pub(crate) outboxes: Vec<(PortView, Option<usize>)>,
}

impl Entry {
    // `resumed`, `ran_since` and `paused` are called only by the thread resuming
    // the component, the only writer of `busy_nanos` and (until the end is
    // recorded, in a resume too) of `state`: plain loads and stores, no
    // read-modify-write on every resume.

    /// The body is being resumed.
    #[inline]
    pub(crate) fn resumed(&self) {
        self.state.store(RUNNING, Ordering::Relaxed);
    }

    /// The body ran from `began` (in `clock::ticks`) until now.
    #[inline]
    pub(crate) fn ran_since(&self, began: u64) {
        let ran = ticks().saturating_sub(began);
        let total = self.busy_ticks.load(Ordering::Relaxed).saturating_add(ran);
        self.busy_ticks.store(total, Ordering::Relaxed);
    }

    /// The body paused (it has not ended).
    #[inline]
    pub(crate) fn paused(&self) {
        self.state.store(PAUSED, Ordering::Relaxed);
    }

    fn view(&self, read: &HashMap<usize, InboxCounts>, clock: &Clock) -> Described {
        // The state first: the counts an end recorded are there by the
        // time it reads ended (`Registry::ended`).
        let state = match self.state.load(Ordering::Acquire) {
            RUNNING => State::Running,
            PAUSED => State::Paused,
            _ => self.end.lock().clone().unwrap_or(State::Cancelled),
        };
        let last = self.last.lock();
        let inboxes = self
            .inboxes
            .iter()
            .enumerate()
            .map(|(i, inbox)| InboxView {
                port: inbox.port,
                capacity: inbox.capacity,
                // Read here if it can be; else, once ended, as it ended
                // (what another thread read for this snapshot may be from
                // before the end the state shows); else as read there.
                counts: inbox.stats.read_counts().or_else(|| {
                    let last = last.as_ref().and_then(|last| last[i]);
                    last.or_else(|| read.get(&inbox.id).copied())
                }),
            })
            .collect();
        drop(last);
        Described {
            view: ComponentView {
                path: self.path.to_string(),
                type_name: self.type_name,
                doc: self.doc,
                kind: self.kind,
                state: Some(state),
                busy: (self.kind == Kind::Generator)
                    .then(|| clock.duration(self.busy_ticks.load(Ordering::Relaxed))),
                inboxes,
                outboxes: self.outboxes.to_vec(),
            },
            inbox_ids: self.inboxes.iter().map(|i| i.id).collect(),
            outbox_targets: self.outbox_targets.to_vec(),
        }
    }
}

impl Registry {
    /// Adds a component that starts now, as number `seq` in start order.
    pub(crate) fn add(&self, seq: usize, start: Start) -> Arc<Entry> {
        let (outboxes, outbox_targets): (Vec<_>, Vec<_>) = start.outboxes.into_iter().unzip();
        let state = if start.kind == Kind::Generator {
            PAUSED
        } else {
            RUNNING
        };
        let entry = Arc::new(Entry {
            path: start.path,
            type_name: start.type_name,
            doc: start.doc,
            kind: start.kind,
            inboxes: start.inboxes.into(),
            outboxes: outboxes.into(),
            outbox_targets: outbox_targets.into(),
            state: AtomicU8::new(state),
            busy_ticks: AtomicU64::new(0),
            end: Mutex::new(None),
            last: Mutex::new(None),
        });
        self.entries.lock().live.insert(seq, entry.clone());
        entry
    }

    /// Records how component `seq` ended (a failure is never overwritten
    /// by a milder outcome); with `only_first`, only if nothing was
    /// recorded yet. The oldest ended entries beyond `KEEP_ENDED` go.
    pub(crate) fn ended(&self, seq: usize, outcome: &Outcome, only_first: bool) {
        let mut entries = self.entries.lock();
        let Some(entry) = entries.live.get(&seq).cloned() else {
            return;
        };
        {
            let mut end = entry.end.lock();
            let keep = match &*end {
                Some(State::Failed(_)) => true,
                Some(_) => only_first,
                None => false,
            };
            if !keep {
                *end = Some(match outcome {
                    Outcome::Finished => State::Finished,
                    Outcome::Failed(reason) => State::Failed(reason.clone()),
                    _ => State::Cancelled,
                });
            }
        }
        if entry.state.load(Ordering::Acquire) != ENDED {
            // Before the state says ended, so a snapshot that sees it
            // ended finds these.
            let last = entry.inboxes.iter().map(|i| i.stats.read_counts());
            *entry.last.lock() = Some(last.collect());
        }
        if entry.state.swap(ENDED, Ordering::Release) != ENDED {
            entries.ended.push_back(seq);
            while entries.ended.len() > KEEP_ENDED {
                if let Some(old) = entries.ended.pop_front() {
                    entries.live.remove(&old);
                }
            }
        }
    }

    /// The counts of every inbox that can be read on this thread, by queue:
    /// what a scheduler contributes to a snapshot taken elsewhere.
    pub(crate) fn read_here(&self) -> HashMap<usize, InboxCounts> {
        let entries: Vec<Arc<Entry>> = self.entries.lock().live.values().cloned().collect();
        let mut read = HashMap::new();
        for entry in entries {
            for inbox in &entry.inboxes {
                if let Some(counts) = inbox.stats.read_counts() {
                    read.insert(inbox.id, counts);
                }
            }
        }
        read
    }

    /// Every component and link, with the counts readable on this thread,
    /// else those in `read` (gathered on the other schedulers' threads).
    pub(crate) fn snapshot(&self, read: &HashMap<usize, InboxCounts>) -> super::Snapshot {
        let entries: Vec<Arc<Entry>> = self.entries.lock().live.values().cloned().collect();
        let mut builder = Builder::default();
        for entry in entries {
            builder.push(entry.view(read, &self.clock));
        }
        builder.finish()
    }
}
