//! A graphline inside a pipeline, with passthrough links to its own boxes.
//!
//! `stats` is a graphline with its own `inbox` and `outbox`: words that
//! arrive at `stats.inbox` pass through to the counter, and the counter's
//! result leaves through `stats.outbox`. To the pipeline around it, `stats`
//! is one component; the types of its passthrough ports are checked where it
//! is linked, like any other.
//!
//! ```text
//! cargo run --example nested_graphline
//! ```

use std::collections::BTreeMap;

use myelin::prelude::*;

/// Sends each word of a text.
#[component]
pub struct Words {
    /// The words, lower-cased.
    outbox: Outbox<String>,
    text: &'static str,
}

impl Component for Words {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for word in self.text.split(|c: char| !c.is_alphanumeric()) {
            if !word.is_empty() {
                self.outbox.send(word.to_lowercase()).await?;
            }
        }
        Ok(())
    }
}

/// Drops words shorter than `min` letters; counts what it dropped.
#[component]
pub struct LongWords {
    /// Words in.
    inbox: Inbox<String>,
    /// Words at least `min` letters long.
    outbox: Outbox<String>,
    /// How many words were dropped, sent once at the end.
    dropped: Outbox<usize>,
    min: usize,
}

impl Component for LongWords {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut dropped = 0;
        while let Some(word) = self.inbox.recv().await {
            if word.chars().count() >= self.min {
                self.outbox.send(word).await?;
            } else {
                dropped += 1;
            }
        }
        self.dropped.send(dropped).await?;
        Ok(())
    }
}

/// Counts words; sends the `top` most frequent when its input ends.
#[component]
pub struct Count {
    /// Words to count.
    inbox: Inbox<String>,
    /// How many short words were dropped upstream.
    dropped: Inbox<usize>,
    /// The most frequent words with their counts, and the dropped count.
    outbox: Outbox<(Vec<(String, usize)>, usize)>,
    top: usize,
}

impl Component for Count {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        while let Some(word) = self.inbox.recv().await {
            *counts.entry(word).or_default() += 1;
        }
        let dropped = self.dropped.recv().await.unwrap_or(0);
        let mut ranked: Vec<_> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(self.top);
        self.outbox.send((ranked, dropped)).await?;
        Ok(())
    }
}

/// Prints the ranking.
#[component]
pub struct Show {
    /// The ranking.
    inbox: Inbox<(Vec<(String, usize)>, usize)>,
}

impl Component for Show {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some((ranked, dropped)) = self.inbox.recv().await {
            for (word, n) in ranked {
                println!("{n:>3}  {word}");
            }
            println!("({dropped} short words skipped)");
        }
        Ok(())
    }
}

const TEXT: &str = "A component is a struct with typed inboxes and outboxes. Components \
    are wired into pipelines and graphlines; a graphline may contain other graphlines, \
    and its own inboxes and outboxes pass through to the components inside it. Linking \
    an outbox to an inbox of another type does not compile.";

fn main() -> Result<(), myelin::Error> {
    // ANCHOR: nesting
    let stats = graphline! {
        components {
            filter: LongWords::new(5),
            count: Count::new(5),
        }
        links {
            self.inbox -> filter.inbox,
            filter.outbox -> count.inbox,
            filter.dropped -> count.dropped,
            count.outbox -> self.outbox,
        }
    };
    myelin::run(pipeline![Words::new(TEXT), stats, Show::new()])?;
    // ANCHOR_END: nesting
    Ok(())
}
