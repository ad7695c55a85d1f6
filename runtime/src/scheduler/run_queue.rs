//! The run queue: slot indices of runnable tasks, first in, first out.
//!
//! A ring buffer whose size is a power of two, so a push or a pop is a mask
//! and a store or a load: the ring benchmark wakes and resumes one task per
//! hop, and `VecDeque`'s general wrap-around arithmetic (with a push it
//! would not inline) was a tenth of the hop.

/// Runnable tasks, oldest first.
pub(super) struct RunQueue {
    buf: Box<[u32]>,
    head: usize,
    len: usize,
}

/// The smallest ring allocated, and the size trimming comes back to.
const MIN: usize = 256;

impl RunQueue {
    pub(super) fn new() -> Self {
        Self {
            buf: Box::new([]),
            head: 0,
            len: 0,
        }
    }

    #[inline]
    fn mask(&self) -> usize {
        // Zero for the empty ring, which `push` grows before using.
        self.buf.len().wrapping_sub(1)
    }

    #[inline]
    pub(super) fn push_back(&mut self, index: u32) {
        if self.len == self.buf.len() {
            self.grow();
        }
        let at = (self.head + self.len) & self.mask();
        self.buf[at] = index;
        self.len += 1;
    }

    #[inline]
    pub(super) fn pop_front(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let index = self.buf[self.head];
        self.head = (self.head + 1) & self.mask();
        self.len -= 1;
        Some(index)
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn capacity(&self) -> usize {
        self.buf.len()
    }

    pub(super) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        self.resize((self.buf.len() * 2).max(MIN));
    }

    /// Gives memory back down to `keep` slots (rounded up to a power of
    /// two), never below what is queued.
    pub(super) fn shrink_to(&mut self, keep: usize) {
        let size = keep.max(self.len).max(MIN).next_power_of_two();
        if size < self.buf.len() {
            self.resize(size);
        }
    }

    /// Moves the queued indices, in order, into a ring of `size` slots.
    fn resize(&mut self, size: usize) {
        debug_assert!(size.is_power_of_two() && size >= self.len);
        let mut buf = vec![0; size].into_boxed_slice();
        for (i, slot) in buf.iter_mut().take(self.len).enumerate() {
            *slot = self.buf[(self.head + i) & self.mask()];
        }
        self.buf = buf;
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::RunQueue;

    #[test]
    fn first_in_first_out_across_growth_wrap_and_shrinking() {
        let mut q = RunQueue::new();
        assert_eq!(q.pop_front(), None);
        let mut next_in = 0;
        let mut next_out = 0;
        // Wrap round a few times, then grow while wrapped, then shrink.
        for round in 0..2000u32 {
            for _ in 0..(round % 7) {
                q.push_back(next_in);
                next_in += 1;
            }
            for _ in 0..(round % 5) {
                if let Some(i) = q.pop_front() {
                    assert_eq!(i, next_out);
                    next_out += 1;
                }
            }
            if round % 300 == 0 {
                q.shrink_to(0);
            }
        }
        assert!(q.capacity() > 256, "it grew");
        while let Some(i) = q.pop_front() {
            assert_eq!(i, next_out);
            next_out += 1;
        }
        assert_eq!(next_out, next_in);
        q.shrink_to(0);
        assert_eq!(q.capacity(), 256);
        q.push_back(7);
        q.clear();
        assert_eq!((q.len(), q.pop_front()), (0, None));
    }
}
