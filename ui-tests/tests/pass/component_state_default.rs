//! `#[state(default)]` fields start as `Default::default()` and are not
//! parameters of `new`.
use std::collections::HashMap;

use myelin::prelude::*;

#[component]
struct Tally {
    inbox: Inbox<String>,
    #[state(default)]
    counts: HashMap<String, usize>,
    label: &'static str,
    #[state(default)]
    seen: u64,
    limit: usize,
}

impl Component for Tally {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(word) = self.inbox.recv().await {
            *self.counts.entry(word).or_default() += 1;
            self.seen += 1;
        }
        Ok(())
    }
}

fn main() {
    let tally = Tally::new("words", 10);
    assert!(tally.counts.is_empty());
    assert_eq!((tally.label, tally.seen, tally.limit), ("words", 0, 10));
    myelin::run(tally).unwrap();
}
