//! The dining philosophers, after Axon's STM example
//! (`Axon.Philosophers.py`): philosophers sit at a round table with a fork
//! between each pair; to eat, one needs both forks beside them. Each fork is
//! a value in the system's store (`fork.N`: `None` when free, the holder's
//! seat otherwise), and a philosopher takes both forks in one transaction,
//! so it never holds one while waiting for the other: no deadlock.
//!
//! A [`Table`] watches from outside the store: each philosopher marks the
//! forks it holds there while it eats, so a fork held by two at once (which
//! the store must rule out) would be seen.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use myelin::meeting::Key;
use myelin::prelude::*;
use myelin::{Graph, Node, Runtime};

/// The store value for fork `n`: who holds it.
pub fn fork(n: usize) -> Key<Option<usize>> {
    Key::named(format!("fork.{n}"))
}

/// What happened at the table, watched outside the store.
#[derive(Debug)]
pub struct Table {
    /// How many philosophers hold each fork now.
    holders: Vec<AtomicUsize>,
    /// How often a fork was taken while someone held it.
    clashes: AtomicUsize,
    /// How many meals each philosopher has eaten.
    meals: Vec<AtomicU32>,
}

impl Table {
    /// A table for `seats` philosophers.
    pub fn new(seats: usize) -> Self {
        Self {
            holders: (0..seats).map(|_| AtomicUsize::new(0)).collect(),
            clashes: AtomicUsize::new(0),
            meals: (0..seats).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// How often a fork was taken while another philosopher held it.
    pub fn clashes(&self) -> usize {
        self.clashes.load(Ordering::SeqCst)
    }

    /// How many meals each philosopher ate.
    pub fn meals(&self) -> Vec<u32> {
        self.meals
            .iter()
            .map(|m| m.load(Ordering::SeqCst))
            .collect()
    }

    fn take(&self, fork: usize) {
        if self.holders[fork].fetch_add(1, Ordering::SeqCst) != 0 {
            self.clashes.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn put_down(&self, fork: usize) {
        self.holders[fork].fetch_sub(1, Ordering::SeqCst);
    }
}

/// One philosopher: takes both forks in one transaction, eats, puts them
/// down, thinks; `meals` times.
#[component]
pub struct Philosopher {
    seat: usize,
    meals: u32,
    table: Arc<Table>,
}

impl Component for Philosopher {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let seats = self.table.meals.len();
        let (left, right) = (self.seat, (self.seat + 1) % seats);
        let forks = [fork(left), fork(right)];
        let store = cx.places().store().clone();
        let me = self.seat;
        let mut eaten = 0;
        while eaten < self.meals {
            let took = store
                .atomically_async(|tx| {
                    let free = tx.read(&forks[0])?.flatten().is_none()
                        && tx.read(&forks[1])?.flatten().is_none();
                    if free {
                        tx.write(&forks[0], Some(me));
                        tx.write(&forks[1], Some(me));
                    }
                    Ok(free)
                })
                .await?;
            if !took {
                // A neighbour eats: let it.
                cx.yield_now().await;
                continue;
            }
            self.table.take(left);
            self.table.take(right);
            // Eating takes a while: the others run meanwhile.
            cx.yield_now().await;
            self.table.meals[me].fetch_add(1, Ordering::SeqCst);
            eaten += 1;
            self.table.put_down(left);
            self.table.put_down(right);
            store
                .atomically_async(|tx| {
                    tx.write(&forks[0], None);
                    tx.write(&forks[1], None);
                    Ok(())
                })
                .await?;
            // Thinking.
            cx.yield_now().await;
        }
        Ok(())
    }
}

/// Seats `seats` philosophers (at least two), each to eat `meals` times, on
/// up to `schedulers` schedulers; returns the table once all have eaten.
pub fn dine(seats: usize, meals: u32, schedulers: usize) -> Result<Arc<Table>, Error> {
    let table = Arc::new(Table::new(seats));
    let mut graph = Graph::new("table");
    for seat in 0..seats {
        graph = graph.child(
            None,
            Node::new(Philosopher::new(seat, meals, table.clone())),
        );
    }
    Runtime::new().schedulers(schedulers).run(graph)?;
    Ok(table)
}
