use std::rc::Rc;

use myelin::prelude::*;

#[component]
pub struct Sink {
    inbox: Inbox<Rc<String>>,
}

fn main() {}
