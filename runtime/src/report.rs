//! What a finished run says about each component.
//!
//! Axon drops a finished component's inbox contents and loses failures
//! silently; a myelin run ends with a [`Report`] that names every component,
//! how it ended, and every message it left unread.

use std::fmt;

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
            Self::Stalled => f.write_str("stalled waiting for a message that could never arrive"),
        }
    }
}

/// Messages a component left unread in one of its inboxes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undelivered {
    /// The inbox.
    pub port: &'static str,
    /// How many messages were still queued when the component ended.
    pub count: usize,
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    components: Vec<ComponentReport>,
}

impl Report {
    /// Every component, in the order they were started.
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
    /// requested shutdown (no failure and no stall).
    pub fn is_success(&self) -> bool {
        self.components
            .iter()
            .all(|c| matches!(c.outcome, Outcome::Finished | Outcome::Cancelled))
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
                write!(f, "; {} unread in `{}`", u.count, u.port)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Collects a report while the system runs.
#[derive(Default)]
pub(crate) struct ReportBuilder {
    entries: Vec<(String, Option<Outcome>, Vec<Undelivered>)>,
}

impl ReportBuilder {
    pub(crate) fn add(&mut self, name: String) -> usize {
        self.entries.push((name, None, Vec::new()));
        self.entries.len() - 1
    }

    pub(crate) fn outcome(&mut self, index: usize, outcome: Outcome) {
        let slot = &mut self.entries[index].1;
        // A failure is never overwritten by a later, milder outcome.
        if !matches!(slot, Some(Outcome::Failed(_))) {
            *slot = Some(outcome);
        }
    }

    pub(crate) fn outcome_if_unset(&mut self, index: usize, outcome: Outcome) {
        let slot = &mut self.entries[index].1;
        if slot.is_none() {
            *slot = Some(outcome);
        }
    }

    pub(crate) fn backlog(&mut self, index: usize, port: &'static str, count: usize) {
        self.entries[index].2.push(Undelivered { port, count });
    }

    pub(crate) fn finish(self) -> Report {
        Report {
            components: self
                .entries
                .into_iter()
                .map(|(name, outcome, undelivered)| ComponentReport {
                    name,
                    outcome: outcome.unwrap_or(Outcome::Cancelled),
                    undelivered,
                })
                .collect(),
        }
    }
}
