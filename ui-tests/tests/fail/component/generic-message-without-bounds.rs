use myelin::prelude::*;

#[component]
pub struct Relay<T> {
    inbox: Inbox<T>,
    outbox: Outbox<T>,
}

fn main() {}
