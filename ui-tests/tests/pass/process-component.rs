//! `#[component(process)]`: serde message types on the ports, a serde state
//! field sent to the child, and a `#[state(default)]` field of a type
//! without serde impls, which the child creates with `Default::default()`.

use serde::{Deserialize, Serialize};

use myelin::prelude::*;

/// A request, sent to the child.
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: u32,
    pub words: Vec<String>,
}

/// A reply, sent back from the child.
#[derive(Debug, Serialize, Deserialize)]
pub enum Done {
    Counted { id: u32, words: usize },
    Skipped(u32),
}

/// How the component counts; crosses to the child as state.
#[derive(Debug, Serialize, Deserialize)]
pub struct Rules {
    pub skip_empty: bool,
}

/// Scratch space with no serde impls: never crosses the boundary.
#[derive(Default)]
pub struct Scratch {
    seen: std::collections::HashSet<String>,
}

/// Counts the distinct words of each job in a child process.
#[component(process)]
pub struct Counter {
    /// Jobs in.
    #[inbox(capacity = 4)]
    inbox: Inbox<Job>,
    /// Results out.
    outbox: Outbox<Done>,
    /// Created in the child.
    #[state(default)]
    scratch: Scratch,
    /// Sent to the child.
    rules: Rules,
}

impl Component for Counter {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(job) = self.inbox.recv().await {
            if self.rules.skip_empty && job.words.is_empty() {
                self.outbox.send(Done::Skipped(job.id)).await?;
                continue;
            }
            self.scratch.seen.clear();
            self.scratch.seen.extend(job.words);
            let words = self.scratch.seen.len();
            self.outbox.send(Done::Counted { id: job.id, words }).await?;
        }
        Ok(())
    }
}

fn main() {
    let counter = Counter::new(Rules { skip_empty: true });
    assert!(counter.rules.skip_empty);
    assert!(counter.scratch.seen.is_empty());
}
