//! Process components: the same binary re-executed as a child, linked like
//! any other component.

use myelin::prelude::*;
use myelin::{Outcome, Report};

myelin::process_test_entry!();

/// Squares numbers in a child process.
#[component(process)]
pub struct Square {
    inbox: Inbox<u64>,
    outbox: Outbox<u64>,
    /// Added to every square, to show the state crossed.
    offset: u64,
}

impl Component for Square {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.outbox.send(n * n + self.offset).await?;
        }
        Ok(())
    }
}

#[component]
struct Numbers {
    outbox: Outbox<u64>,
    upto: u64,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for n in 1..=self.upto {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

#[component]
struct Collect {
    inbox: Inbox<u64>,
    expect: Vec<u64>,
}

impl Component for Collect {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let mut got = Vec::new();
        while let Some(n) = self.inbox.recv().await {
            got.push(n);
        }
        if got != self.expect {
            return Err(Error::msg(format!(
                "got {} values, expected {}",
                got.len(),
                self.expect.len()
            )));
        }
        Ok(())
    }
}

#[test]
fn squares_cross_a_process_and_back_in_order() {
    myelin::process::init();
    let expect: Vec<u64> = (1..=10_000u64).map(|n| n * n + 7).collect();
    let report: Report = myelin::run(pipeline![
        Numbers::new(10_000),
        Square::new(7),
        Collect::new(expect)
    ])
    .unwrap();
    println!("{report}");
    let square = report.component("Square").expect("reported");
    assert_eq!(square.outcome, Outcome::Finished);
    assert!(square.undelivered.is_empty(), "{report}");
}
