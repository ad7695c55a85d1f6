use myelin::prelude::*;

// Both sections are required.
fn main() {
    let _ = graphline! {
        links {}
    };
}
