//! The `philosophers` example: with 5 and with 50 philosophers, on one
//! scheduler and on several, no fork is ever held by two philosophers at
//! once and every philosopher eats every meal.

use myelin_examples::philosophers::dine;

fn check(seats: usize, schedulers: usize) {
    let table = dine(seats, 25, schedulers).expect("every philosopher finishes");
    assert_eq!(table.clashes(), 0, "a fork was held by two philosophers");
    assert_eq!(table.meals(), vec![25; seats], "everyone eats every meal");
}

#[test]
fn five_philosophers_on_one_scheduler() {
    check(5, 1);
}

#[test]
fn five_philosophers_on_three_schedulers() {
    check(5, 3);
}

#[test]
fn fifty_philosophers_on_one_scheduler() {
    check(50, 1);
}

#[test]
fn fifty_philosophers_on_three_schedulers() {
    check(50, 3);
}
