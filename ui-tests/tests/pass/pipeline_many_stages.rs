//! A pipeline of many stages, written over several lines with a trailing comma.

use myelin::prelude::*;
use std::sync::{Arc, Mutex};

/// Sends `1..=upto`.
#[component]
struct Numbers {
    outbox: Outbox<u64>,
    upto: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for i in 1..=self.upto {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Doubles numbers.
#[component]
struct Double {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
        }
        Ok(())
    }
}

/// Records the numbers it receives.
#[component]
struct Collect {
    inbox: Inbox<u64>,
    seen: Arc<Mutex<Vec<u64>>>,
}

impl Component for Collect {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.seen.lock().unwrap().push(n);
        }
        Ok(())
    }
}

fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let report = myelin::run(pipeline![
        Numbers::new(3),
        Double::new(),
        Double::new(),
        Double::new(),
        Collect::new(seen.clone()),
    ])
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), [8, 16, 24]);
    // Stages are named after their type, made unique.
    let names: Vec<_> = report
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Numbers", "Double", "Double2", "Double3", "Collect"]
    );
}
