//! The dining philosophers, taking their forks through the system's store of
//! transactional values: five, then fifty, on two schedulers.
//!
//! ```text
//! cargo run --example philosophers
//! ```

use myelin_examples::philosophers::dine;

fn main() -> Result<(), myelin::Error> {
    for seats in [5, 50] {
        let table = dine(seats, 20, 2)?;
        let meals = table.meals();
        println!(
            "{seats} philosophers: {} meals, each ate {}..={} times, {} clashes over a fork",
            meals.iter().sum::<u32>(),
            meals.iter().min().unwrap_or(&0),
            meals.iter().max().unwrap_or(&0),
            table.clashes()
        );
        assert_eq!(table.clashes(), 0, "a fork was held by two philosophers");
        assert!(meals.iter().all(|&m| m == 20), "someone went hungry");
    }
    Ok(())
}
