use myelin::prelude::*;

// A graphline has at least one component.
fn main() {
    let _ = graphline! {
        components {}
        links {}
    };
}
