//! A link may bound its destination inbox, with a literal or any `usize` expression.

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

const LARGE: usize = 16;

/// Records its inbox's capacity, then drains it.
#[component]
struct Capacity {
    inbox: Inbox<u64>,
    seen: Arc<Mutex<Vec<Option<usize>>>>,
}

impl Component for Capacity {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        self.seen.lock().unwrap().push(self.inbox.capacity());
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let system = graphline! {
        components {
            a: Numbers::new(5),
            b: Numbers::new(5),
            small: Capacity::new(seen.clone()),
            large: Capacity::new(seen.clone()),
        }
        links {
            a.outbox -> small.inbox (capacity = 1),
            b.outbox -> large.inbox (capacity = LARGE * 2,),
        }
    };
    myelin::run(system).unwrap();
    let mut seen = seen.lock().unwrap().clone();
    seen.sort_unstable();
    assert_eq!(seen, [Some(1), Some(32)]);
}
