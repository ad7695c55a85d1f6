//! Stages with no data boxes between them are linked by `signal -> control`
//! alone: a chain of control-only stages, and one after a data chain.

use myelin::prelude::*;

/// Has no data boxes.
#[component]
struct Step {
    step: u32,
}

impl Component for Step {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Sends numbers.
#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Receives numbers.
#[component]
struct Sum {
    inbox: Inbox<u64>,
}

impl Component for Sum {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {
    let _ = pipeline![Step::new(1), Step::new(2), Step::new(3)];
    let _ = pipeline![Numbers::new(), Sum::new(), Step::new(1)];
    let _ = pipeline![Step::new(1), Numbers::new(), Sum::new()];
    let _ = pipeline![circular; Step::new(1), Step::new(2)];
}
