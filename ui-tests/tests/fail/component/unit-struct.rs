use myelin::prelude::*;

#[component]
pub struct Idle;

impl Component for Idle {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
