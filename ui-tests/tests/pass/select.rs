//! `select!` and `first_ready` over inboxes of different message types and
//! `control`, under strict lints.
#![deny(warnings, clippy::pedantic)]

use myelin::prelude::*;

/// Two inputs of different types.
#[component]
struct Two {
    /// Numbers.
    numbers: Inbox<u32>,
    /// Words.
    words: Inbox<String>,
}

impl Component for Two {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let mut open = 2;
        while open > 0 {
            select! {
                msg = cx.control() => if msg == Some(Control::Shutdown) {
                    return Ok(());
                },
                n = self.numbers => if n.is_none() { open -= 1 },
                w = self.words => if w.is_none() { open -= 1 },
            }
        }
        let which: usize = myelin::first_ready([cx.control(), &self.numbers, &self.words]).await;
        assert!(which < 3);
        Ok(())
    }
}

fn main() {
    let _ = Two::new();
}
