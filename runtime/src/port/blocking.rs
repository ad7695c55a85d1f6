//! Blocking port operations, for threaded components and handles.
//!
//! Each parks the calling thread with a waker that unparks it. The
//! registration happens in the same critical section as the check (see
//! `chan.rs`), so a message or an end of stream arriving between the two
//! cannot be missed; `park` returns at once if the unpark came first.

use std::time::{Duration, Instant};

use super::chan::{Refused, Take};
use super::{Inbox, Outbox};
use crate::error::{RecvTimeoutError, SendError, SendErrorKind};
use crate::meeting::{PublishError, Publisher, Subscription, Took};
use crate::scheduler::current::{cancelled, forbid_on_scheduler, park_here, thread_waker};

impl<T: Send + 'static> Inbox<T> {
    /// Blocks until the next message arrives; `None` at end of stream (or
    /// when the system is shutting down under a threaded component).
    ///
    /// # Panics
    /// If called from a generator component, where it would freeze the
    /// scheduler: use [`recv`](Inbox::recv)`.await` there.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        forbid_on_scheduler("blocking_recv");
        let waker = thread_waker();
        loop {
            match self.chan().take(Some(&waker)) {
                Take::Message(m) => return Some(m),
                Take::Closed => return None,
                Take::Empty if cancelled() => return None,
                Take::Empty => park_here(self.chan().is_external()),
            }
        }
    }

    /// Like [`blocking_recv`](Inbox::blocking_recv), giving up after
    /// `timeout`.
    ///
    /// # Panics
    /// If called from a generator component.
    #[track_caller]
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        forbid_on_scheduler("recv_timeout");
        let deadline = Instant::now() + timeout;
        let waker = thread_waker();
        loop {
            match self.chan().take(Some(&waker)) {
                Take::Message(m) => return Ok(m),
                Take::Closed => return Err(RecvTimeoutError::Closed),
                Take::Empty if cancelled() => return Err(RecvTimeoutError::Closed),
                Take::Empty => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(RecvTimeoutError::Timeout);
            }
            std::thread::park_timeout(deadline - now);
        }
    }
}

impl<T: Send + 'static> Outbox<T> {
    /// Sends `msg`, blocking while a bounded destination is full.
    ///
    /// Fails, handing the message back, if the outbox is not linked, the
    /// receiver has finished, or the system is shutting down under a
    /// threaded component ([`SendErrorKind::Cancelled`]).
    ///
    /// # Panics
    /// If called from a generator component: use
    /// [`send`](Outbox::send)`(..).await` there.
    #[track_caller]
    pub fn blocking_send(&mut self, msg: T) -> Result<(), SendError<T>> {
        forbid_on_scheduler("blocking_send");
        let name = self.name();
        let waker = thread_waker();
        let mut msg = msg;
        // Its place in line while the destination is full (see
        // `Chan::push_or_wait`).
        let mut ticket = 0;
        loop {
            let Some(chan) = self.chan() else {
                return Err(SendError::new(msg, SendErrorKind::Unlinked, name));
            };
            // `push_or_wait` keeps its hot path to one compare and panics on a
            // misplaced link; this path is slow anyway, so refuse it here as
            // an error, as `try_send` does.
            if chan.is_misplaced() {
                return Err(SendError::new(msg, SendErrorKind::Misplaced, name));
            }
            match chan.push_or_wait(msg, &waker, &mut ticket) {
                Ok(()) => {
                    crate::trace::sent::<T>(crate::scheduler::current::component_name, name);
                    return Ok(());
                }
                Err(Refused::Closed(m)) => {
                    return Err(SendError::new(m, SendErrorKind::Closed, name));
                }
                Err(Refused::Misplaced(m)) => {
                    // Checked above; kept so the match stays exhaustive.
                    return Err(SendError::new(m, SendErrorKind::Misplaced, name));
                }
                Err(Refused::Full(m)) if cancelled() => {
                    // Give the place up, and the turn if it had come (a
                    // refusal for room always hands out a ticket).
                    if ticket != 0 {
                        chan.done_waiting(ticket);
                    }
                    return Err(SendError::new(m, SendErrorKind::Cancelled, name));
                }
                Err(Refused::Full(m)) => {
                    let outside = chan.is_external();
                    msg = m;
                    park_here(outside);
                }
            }
        }
    }
}

impl<T: Clone + Send + 'static> Publisher<T> {
    /// Publishes `msg`, blocking while a subscription with
    /// [`Policy::Wait`](crate::meeting::Policy::Wait) is full: for threaded
    /// components and handles. Hands the message back only if the threaded
    /// component is cancelled while it waits.
    ///
    /// # Panics
    /// If called from a generator component: use
    /// [`publish`](Publisher::publish)`(..).await` there.
    #[track_caller]
    pub fn blocking_publish(&mut self, msg: T) -> Result<(), PublishError<T>> {
        forbid_on_scheduler("blocking_publish");
        let waker = thread_waker();
        let mut msg = msg;
        loop {
            match self.poll_publish(msg, &waker) {
                Ok(()) => return Ok(()),
                Err(e) if cancelled() => return Err(e),
                Err(e) => msg = e.into_inner(),
            }
            // Taken for a stall only if nothing outside the system holds
            // the places (see `meeting/waiters.rs`).
            park_here(self.waits_on_outside());
        }
    }
}

impl<T> Subscription<T> {
    /// Blocks until the next message; `None` once the stream has ended (or
    /// the threaded component is cancelled): for threaded components and
    /// handles.
    ///
    /// # Panics
    /// If called from a generator component: use
    /// [`recv`](Subscription::recv)`.await` there.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        forbid_on_scheduler("Subscription::blocking_recv");
        let waker = thread_waker();
        loop {
            match self.take(Some(&waker)) {
                Took::Message(msg) => return Some(msg),
                Took::Ended => return None,
                Took::Empty if cancelled() => return None,
                // As for `blocking_publish`.
                Took::Empty => park_here(self.waits_on_outside()),
            }
        }
    }
}
