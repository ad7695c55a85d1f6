//! What a finished run says about each component.
//!
//! Axon drops a finished component's inbox contents and loses failures
//! silently; a myelin run ends with a [`Report`] that names every component,
//! how it ended, and every message it left unread.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How a component ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Its body returned `Ok(())`.
    Finished,
    /// Its body returned `Err` or panicked; the reason is the error's or the
    /// panic's message.
    Failed(String),
    /// The system was shut down before it finished.
    Cancelled,
    /// It was still waiting when no component could run and nothing outside the
    /// system could wake one: a deadlock.
    Stalled,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finished => f.write_str("finished"),
            Self::Failed(reason) => write!(f, "failed: {reason}"),
            Self::Cancelled => f.write_str("cancelled by shutdown"),
            Self::Stalled => {
                f.write_str("stalled: waiting for a message, or for room, that could never come")
            }
        }
    }
}

/// Messages a component left behind on one of its ports: unread in an
/// inbox, or (when it was cancelled mid-send) still in its hands for an
/// outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undelivered {
    /// The port.
    pub port: &'static str,
    /// How many messages.
    pub count: usize,
    /// `true` for an outbox: the component was cancelled while waiting to
    /// send them (or, for a ready component of
    /// [`components`](crate::components), it stopped on a `Shutdown` while
    /// waiting to send them).
    pub unsent: bool,
}

/// Why a supervisor restarted a child (see
/// [`Supervisor`](crate::components::Supervisor)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartCause {
    /// The child failed (its body returned `Err` or panicked): the reason.
    Failed(String),
    /// The child ended normally, and its policy restarts it anyway.
    Finished,
    /// The child was stopped so that it restarts with a sibling that ended
    /// (all-for-one): the sibling's path.
    WithSibling(String),
}

impl fmt::Display for RestartCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(reason) => write!(f, "failed: {reason}"),
            Self::Finished => f.write_str("finished"),
            Self::WithSibling(sibling) => write!(f, "restarted with {sibling}"),
        }
    }
}

/// A restart a supervisor made: one in [`Report::restarts`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restart {
    /// The supervisor's path.
    pub supervisor: String,
    /// The child that ended (its path).
    pub ended: String,
    /// Why it was restarted.
    pub cause: RestartCause,
    /// The child started in its place (its path).
    pub started: String,
    /// How long the supervisor waited before starting it (its backoff).
    pub delay: Duration,
}

/// One component's line in a [`Report`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentReport {
    /// Its path in the system, e.g. `wordcount.split`.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Messages it left unread, per inbox (only inboxes that had some).
    pub undelivered: Vec<Undelivered>,
}

/// The result of running a system: one entry per component, in start order.
///
/// An inbox outside the system that a component sent into (a handle's
/// [`Receiver`](crate::Receiver)) and that was dropped holding messages
/// before the report was handed out gets an entry too, named
/// `Receiver(<component>.<outbox>)`, right after the component's: outcome
/// [`Finished`](Outcome::Finished), and its messages undelivered on that
/// outbox.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    components: Vec<ComponentReport>,
    backplanes: Vec<BackplaneReport>,
    restarts: Vec<Restart>,
}

/// A backplane's counts over a run (see
/// [`meeting::Backplane`](crate::meeting::Backplane)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackplaneReport {
    /// The backplane's name.
    pub name: String,
    /// The type of its messages.
    pub message: &'static str,
    /// Messages published while at least one subscription was joined.
    pub published: u64,
    /// Messages published while nobody subscribed: nobody could get them.
    pub discarded: u64,
    /// Messages whose publisher gave up waiting for room (cancelled, or
    /// its publish future dropped).
    pub unsent: u64,
    /// The subscriptions that left, in the order they left, then those
    /// still joined. After the first 255 that left, the rest are added up
    /// in one entry named `(more subscriptions that left)`, so a system
    /// whose subscribers come and go keeps every count in bounded memory.
    pub subscriptions: Vec<SubscriptionReport>,
}

/// One subscription's counts (see [`BackplaneReport`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionReport {
    /// Who subscribed (a component's path, or a name given by hand).
    pub subscriber: String,
    /// Its policy for a full queue: `wait`, `drop oldest` or `drop newest`.
    pub policy: &'static str,
    /// Messages it took.
    pub delivered: u64,
    /// Messages its policy dropped because its queue was full.
    pub dropped: u64,
    /// Messages still queued for it when it left (or when the report was
    /// made).
    pub unread: u64,
}

impl Report {
    /// Every component, in the order they were started (with the entries
    /// of dropped receivers, see [`Report`]).
    pub fn components(&self) -> &[ComponentReport] {
        &self.components
    }

    /// The component named `name` (its full path), if there is one.
    pub fn component(&self, name: &str) -> Option<&ComponentReport> {
        self.components.iter().find(|c| c.name == name)
    }

    /// The components that failed, with their reasons.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.components.iter().filter_map(|c| match &c.outcome {
            Outcome::Failed(reason) => Some((c.name.as_str(), reason.as_str())),
            _ => None,
        })
    }

    /// Whether every component finished on its own or was cancelled by a
    /// requested shutdown (no failure and no stall). A failure a supervisor
    /// answered by a restart (see [`restarts`](Report::restarts)) is not
    /// held against the run: the component's own, or that of a part it was
    /// in (a supervisor that gave up, restarted by its own supervisor). A
    /// supervisor that gave up fails itself.
    pub fn is_success(&self) -> bool {
        self.components.iter().all(|c| match c.outcome {
            Outcome::Finished | Outcome::Cancelled => true,
            Outcome::Failed(_) => self.restarts.iter().any(|r| {
                matches!(r.cause, RestartCause::Failed(_))
                    && c.name
                        .strip_prefix(r.ended.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            }),
            Outcome::Stalled => false,
        })
    }

    /// Every restart the system's supervisors made, with its cause, in the
    /// order each supervisor made them.
    pub fn restarts(&self) -> &[Restart] {
        &self.restarts
    }

    /// Adds what an inbox outside the system (a handle's
    /// [`Receiver`](crate::Receiver)) held when it was dropped: an entry
    /// named `Receiver(<from>.<port>)`, right after the entry of `from`, the
    /// component whose outbox `port` fed it.
    pub(crate) fn add_outside(&mut self, from: &str, port: &'static str, count: usize) {
        let entry = ComponentReport {
            name: format!("Receiver({from}.{port})"),
            outcome: Outcome::Finished,
            undelivered: vec![Undelivered {
                port,
                count,
                unsent: false,
            }],
        };
        let mut at = self
            .components
            .iter()
            .rposition(|c| c.name == from)
            .map_or(self.components.len(), |i| i + 1);
        // After the ones already added for the same component.
        let prefix = format!("Receiver({from}.");
        while self
            .components
            .get(at)
            .is_some_and(|c| c.name.starts_with(&prefix))
        {
            at += 1;
        }
        self.components.insert(at, entry);
    }

    /// Every backplane the system used, by name, with what each published,
    /// discarded, dropped and left unread.
    pub fn backplanes(&self) -> &[BackplaneReport] {
        &self.backplanes
    }

    /// The backplane named `name`, if the system used one.
    pub fn backplane(&self, name: &str) -> Option<&BackplaneReport> {
        self.backplanes.iter().find(|b| b.name == name)
    }

    pub(crate) fn set_backplanes(&mut self, backplanes: Vec<BackplaneReport>) {
        self.backplanes = backplanes;
    }

    /// Total messages left unread across all components.
    pub fn undelivered(&self) -> usize {
        self.components
            .iter()
            .flat_map(|c| &c.undelivered)
            .map(|u| u.count)
            .sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.components {
            write!(f, "{}: {}", c.name, c.outcome)?;
            for u in &c.undelivered {
                if u.unsent {
                    write!(f, "; {} unsent on `{}`", u.count, u.port)?;
                } else {
                    write!(f, "; {} unread in `{}`", u.count, u.port)?;
                }
            }
            writeln!(f)?;
        }
        for r in &self.restarts {
            writeln!(
                f,
                "{} restarted {} as {} ({}; after {:?})",
                r.supervisor, r.ended, r.started, r.cause, r.delay
            )?;
        }
        for b in &self.backplanes {
            write!(f, "backplane {}: {} published", b.name, b.published)?;
            if b.discarded > 0 {
                write!(f, "; {} discarded with nobody subscribed", b.discarded)?;
            }
            if b.unsent > 0 {
                write!(f, "; {} unsent", b.unsent)?;
            }
            writeln!(f)?;
            for s in b
                .subscriptions
                .iter()
                .filter(|s| s.dropped > 0 || s.unread > 0)
            {
                write!(
                    f,
                    "  {} ({}): {} taken",
                    s.subscriber, s.policy, s.delivered
                )?;
                if s.dropped > 0 {
                    write!(f, "; {} dropped", s.dropped)?;
                }
                if s.unread > 0 {
                    write!(f, "; {} unread", s.unread)?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// Collects a report while the system runs.
///
/// A component gets its entry when it ends (or first leaves messages
/// behind), not when it starts: a million idle components cost the report
/// nothing until they are cancelled.
#[derive(Default)]
pub(crate) struct ReportBuilder {
    entries: Vec<Entry>,
    /// Where each component's entry is, by start order (dense from zero,
    /// so a vector, not a map); `NONE` where it has none yet.
    by_seq: Vec<u32>,
    restarts: Vec<Restart>,
}

struct Entry {
    seq: usize,
    name: Arc<str>,
    outcome: Option<Outcome>,
    undelivered: Vec<Undelivered>,
}

impl ReportBuilder {
    fn entry(&mut self, seq: usize, name: &Arc<str>) -> &mut Entry {
        const NONE: u32 = u32::MAX;
        if seq >= self.by_seq.len() {
            self.by_seq.resize(seq + 1, NONE);
        }
        if self.by_seq[seq] == NONE {
            self.by_seq[seq] =
                u32::try_from(self.entries.len()).expect("fewer than 2^32 components");
            self.entries.push(Entry {
                seq,
                name: name.clone(),
                outcome: None,
                undelivered: Vec::new(),
            });
        }
        let index = self.by_seq[seq] as usize;
        &mut self.entries[index]
    }

    pub(crate) fn outcome(&mut self, seq: usize, name: &Arc<str>, outcome: Outcome) {
        let slot = &mut self.entry(seq, name).outcome;
        // A failure is never overwritten by a later, milder outcome.
        if !matches!(slot, Some(Outcome::Failed(_))) {
            *slot = Some(outcome);
        }
    }

    pub(crate) fn outcome_if_unset(&mut self, seq: usize, name: &Arc<str>, outcome: Outcome) {
        self.entry(seq, name).outcome.get_or_insert(outcome);
    }

    pub(crate) fn backlog(
        &mut self,
        seq: usize,
        name: &Arc<str>,
        port: &'static str,
        count: usize,
        unsent: bool,
    ) {
        self.entry(seq, name).undelivered.push(Undelivered {
            port,
            count,
            unsent,
        });
    }

    pub(crate) fn restart(&mut self, restart: Restart) {
        self.restarts.push(restart);
    }

    /// Takes in the entries another scheduler of the same system collected.
    pub(crate) fn merge(&mut self, other: Self) {
        self.restarts.extend(other.restarts);
        for e in other.entries {
            let entry = self.entry(e.seq, &e.name);
            if let Some(outcome) = e.outcome
                && !matches!(entry.outcome, Some(Outcome::Failed(_)))
            {
                entry.outcome = Some(outcome);
            }
            entry.undelivered.extend(e.undelivered);
        }
    }

    pub(crate) fn finish(mut self) -> Report {
        self.entries.sort_by_key(|e| e.seq);
        Report {
            components: self
                .entries
                .into_iter()
                .map(|e| ComponentReport {
                    name: e.name.to_string(),
                    outcome: e.outcome.unwrap_or(Outcome::Cancelled),
                    undelivered: e.undelivered,
                })
                .collect(),
            backplanes: Vec::new(),
            restarts: self.restarts,
        }
    }
}
