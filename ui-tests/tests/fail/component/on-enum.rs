use myelin::prelude::*;

#[component]
pub enum Double {
    Number(i64),
}

fn main() {}
