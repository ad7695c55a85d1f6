use myelin::prelude::*;

#[component]
struct Numbers {
    outbox: Outbox<u64>,
}

impl Component for Numbers {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

#[component]
struct Print {
    inbox: Inbox<String>,
}

impl Component for Print {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

// Long stage expressions are shortened in messages.
fn main() {
    let _ = pipeline![
        {
            let numbers_for_the_pipeline = Numbers::new();
            numbers_for_the_pipeline
        },
        Print::new(),
    ];
}
