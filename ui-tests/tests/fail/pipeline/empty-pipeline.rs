use myelin::prelude::*;

// A pipeline has at least one stage.
fn main() {
    let _ = pipeline![];
}
