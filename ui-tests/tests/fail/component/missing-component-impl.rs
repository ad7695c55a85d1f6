use myelin::prelude::*;

#[component]
pub struct Double {
    inbox: Inbox<i64>,
    outbox: Outbox<i64>,
}

fn main() {
    let _ = myelin::run(Double::new());
}
