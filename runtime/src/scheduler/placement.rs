//! Which scheduler each starting component runs on.
//!
//! Placement happens once, when parts start, and never changes: a
//! generator's body is a future that may hold values which must stay on
//! one thread (`Rc`, a `RefCell` borrowed across an `.await`), so it cannot
//! move once polled. The policy decides from the shape of the links alone:
//!
//! - **Chains stay together.** A link whose sender feeds only that one
//!   component and whose receiver hears only from that one sender (a 1:1
//!   link: every hop of a pipeline, every hop of a ring) joins its two ends
//!   into one cluster. A message on such a link is handed on by the same
//!   thread, without a lock.
//! - **Parallel branches spread.** Where a component fans out to several
//!   components, or several fan in to one, the ends are separate clusters,
//!   and clusters are dealt to schedulers largest first, each to the one
//!   with the fewest components so far (home first on ties): the eight
//!   workers behind a dealer end up four and four on two schedulers.
//! - **Explicit placement wins.** Components under
//!   [`on_scheduler`](crate::Place::on_scheduler) go where they are told;
//!   under [`together`](crate::Place::together) they form one cluster.
//! - Threaded and process components' proxies, and graphline chassis, stay
//!   on the home scheduler (the thread that called `run`): they only relay
//!   and wait.

use std::collections::HashMap;

/// Where a part was asked to run ([`Placed`](crate::Placed)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// On the scheduler with this index.
    On(usize),
    /// All on one scheduler, chosen by the placement policy.
    Together,
}

/// Where a starting component was asked to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Hint {
    /// Wherever the policy puts it.
    #[default]
    Auto,
    /// On the scheduler with this index (modulo the number of schedulers).
    On(usize),
    /// In one cluster with every other component under the same hint.
    Together(u32),
}

/// One component about to start, as placement sees it.
pub(crate) struct Item {
    pub(crate) hint: Hint,
    /// Identities (addresses) of the queues its inboxes read.
    pub(crate) inputs: Vec<usize>,
    /// Identities of the queues its data outboxes feed.
    pub(crate) outputs: Vec<usize>,
}

/// The scheduler index (0 is home) for each item, in order.
pub(crate) fn place(items: &[Item], schedulers: usize) -> Vec<usize> {
    if schedulers <= 1 {
        return vec![0; items.len()];
    }
    // Who reads each queue, and how many distinct senders feed it.
    let mut reader: HashMap<usize, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        for &q in &item.inputs {
            reader.insert(q, i);
        }
    }
    // Distinct successors per item and distinct predecessors per item.
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut preds: Vec<usize> = vec![0; items.len()];
    for (i, item) in items.iter().enumerate() {
        for q in &item.outputs {
            if let Some(&r) = reader.get(q)
                && r != i
                && !succ[i].contains(&r)
            {
                succ[i].push(r);
                preds[r] += 1;
            }
        }
    }
    let mut clusters = UnionFind::new(items.len());
    for (i, next) in succ.iter().enumerate() {
        if let [r] = next[..]
            && preds[r] == 1
        {
            clusters.union(i, r);
        }
    }
    let mut together: HashMap<u32, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Hint::Together(group) = item.hint {
            let first = *together.entry(group).or_insert(i);
            clusters.union(first, i);
        }
    }
    // Fixed placements first: they load their schedulers before the
    // clusters are dealt. A cluster holding a fixed component goes with it.
    let mut load = vec![0usize; schedulers];
    let mut fixed: HashMap<usize, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Hint::On(n) = item.hint {
            let at = n % schedulers;
            fixed.entry(clusters.find(i)).or_insert(at);
            load[at] += 1;
        }
    }
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if matches!(item.hint, Hint::Auto | Hint::Together(_)) {
            members.entry(clusters.find(i)).or_default().push(i);
        }
    }
    let mut order: Vec<(usize, Vec<usize>)> = members.into_iter().collect();
    // Largest first; ties in start order, so placement is deterministic.
    order.sort_by_key(|(_, m)| (std::cmp::Reverse(m.len()), m[0]));
    let mut out = vec![0; items.len()];
    for (root, members) in order {
        let at = fixed.get(&root).copied().unwrap_or_else(|| {
            (0..schedulers)
                .min_by_key(|&s| (load[s], s))
                .unwrap_or_default()
        });
        load[at] += members.len();
        for m in members {
            out[m] = at;
        }
    }
    for (i, item) in items.iter().enumerate() {
        if let Hint::On(n) = item.hint {
            out[i] = n % schedulers;
        }
    }
    out
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        Self((0..n).collect())
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The earlier component is the root: clusters sort by it.
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.0[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(inputs: &[usize], outputs: &[usize]) -> Item {
        Item {
            hint: Hint::Auto,
            inputs: inputs.to_vec(),
            outputs: outputs.to_vec(),
        }
    }

    #[test]
    fn a_pipeline_stays_on_one_scheduler() {
        // source -> 1 -> 2 -> ... -> sink, queues numbered by their reader.
        let mut items = vec![item(&[], &[1])];
        for i in 1..10 {
            items.push(item(&[i], &[i + 1]));
        }
        items.push(item(&[10], &[]));
        let at = place(&items, 2);
        assert!(at.iter().all(|&s| s == at[0]), "{at:?}");
    }

    #[test]
    fn a_ring_stays_on_one_scheduler() {
        let n = 100;
        let items: Vec<Item> = (0..n).map(|i| item(&[i], &[(i + 1) % n])).collect();
        let at = place(&items, 4);
        assert!(at.iter().all(|&s| s == at[0]), "{at:?}");
    }

    #[test]
    fn workers_behind_a_dealer_spread_evenly() {
        // dealer (0) -> workers 1..=8 -> merger (9)
        let mut items = vec![item(&[], &(1..=8).collect::<Vec<_>>())];
        for w in 1..=8 {
            items.push(item(&[w], &[100]));
        }
        items.push(item(&[100], &[]));
        let at = place(&items, 2);
        let on_one = at[1..=8].iter().filter(|&&s| s == 1).count();
        assert_eq!(on_one, 4, "{at:?}");
    }

    #[test]
    fn independent_pipelines_go_to_different_schedulers() {
        // a0 -> a1 -> a2 and b0 -> b1 -> b2
        let items = vec![
            item(&[], &[1]),
            item(&[1], &[2]),
            item(&[2], &[]),
            item(&[], &[11]),
            item(&[11], &[12]),
            item(&[12], &[]),
        ];
        let at = place(&items, 2);
        assert_eq!(&at[..3], &[at[0]; 3]);
        assert_eq!(&at[3..], &[at[3]; 3]);
        assert_ne!(at[0], at[3]);
    }

    #[test]
    fn explicit_placement_wins_and_takes_its_chain_along() {
        let mut items = vec![item(&[], &[1]), item(&[1], &[2]), item(&[2], &[])];
        items[1].hint = Hint::On(3);
        let at = place(&items, 2);
        // On(3) on two schedulers is scheduler 1, and its 1:1 neighbours follow.
        assert_eq!(at, vec![1, 1, 1]);
    }

    #[test]
    fn together_makes_one_cluster_of_parallel_branches() {
        let mut items = vec![item(&[], &[1, 2]), item(&[1], &[]), item(&[2], &[])];
        for it in &mut items {
            it.hint = Hint::Together(7);
        }
        let at = place(&items, 2);
        assert_eq!(at, vec![at[0]; 3]);
    }

    #[test]
    fn one_scheduler_puts_everything_home() {
        let items = vec![item(&[], &[1, 2]), item(&[1], &[]), item(&[2], &[])];
        assert_eq!(place(&items, 1), vec![0, 0, 0]);
    }
}
