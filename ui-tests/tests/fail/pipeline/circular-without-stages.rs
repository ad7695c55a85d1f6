use myelin::prelude::*;

// A circle needs at least one stage.
fn main() {
    let _ = pipeline![circular;];
}
