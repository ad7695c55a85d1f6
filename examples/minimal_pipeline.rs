//! The smallest useful system: numbers, doubled, printed.
//!
//! ```text
//! cargo run --example minimal_pipeline
//! ```

use myelin::prelude::*;

/// Sends the numbers in a range.
#[component]
pub struct Numbers {
    /// The numbers, in order.
    outbox: Outbox<i64>,
    range: std::ops::RangeInclusive<i64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in self.range.clone() {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Doubles every number it receives.
#[component]
pub struct Double {
    /// Numbers to double.
    inbox: Inbox<i64>,
    /// The doubled numbers.
    outbox: Outbox<i64>,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        // `recv` pauses until a message arrives, or returns `None` once the
        // upstream component has finished and everything it sent is read.
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * 2).await?;
        }
        Ok(())
    }
}

/// Prints what it receives.
#[component]
pub struct Print {
    /// Things to print.
    inbox: Inbox<i64>,
}

impl Component for Print {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            println!("{}: {n}", cx.name());
        }
        Ok(())
    }
}

fn main() -> Result<(), myelin::Error> {
    let report = myelin::run(pipeline![Numbers::new(1..=10), Double::new(), Print::new()])?;
    print!("{report}");
    Ok(())
}
