//! The queue behind every inbox.
//!
//! Axon delivers a message by appending it straight to the final destination's
//! list and unpausing the owner; there is no postman. myelin keeps that shape: an
//! outbox holds a pointer to the destination's `Chan` and a send is a push plus,
//! when the receiver is parked, a wake-up.
//!
//! A `Chan` runs in one of two modes, fixed when the system starts:
//!
//! - **Local**: both ends live on one scheduler thread (every generator-to-
//!   generator link). The state is reached without any lock or atomic
//!   read-modify-write; each access checks, with one thread-local read, that it
//!   happens on the owning thread.
//! - **Shared**: the default before start and for links that cross threads. The
//!   state sits behind a mutex.
//!
//! Lost wake-ups are excluded the same way in both modes: "check empty, then
//! register the waker" on the receive side and "push, then take the waker" on
//! the send side each happen inside one critical section over the same state.
//! The `loom_tests` module below checks that protocol exhaustively under
//! loom.

use std::collections::VecDeque;
use std::task::Waker;

use crate::scheduler::WakeRef;
use crate::scheduler::current::thread_token;
use crate::scheduler::waker::TaskKey;

use crate::sync::{AtomicBool, AtomicUsize, Mutex, Ordering, UnsafeCell, lock};

/// What a receive attempt found.
pub(crate) enum Take<T> {
    Message(T),
    Empty,
    Closed,
}

/// Why a push was refused; the message always comes back.
pub(crate) enum Refused<T> {
    Full(T),
    Closed(T),
    /// The link is bound to a scheduler on another thread (see `misplaced`).
    Misplaced(T),
}

pub(crate) struct State<T> {
    pub(crate) queue: VecDeque<T>,
    /// The most messages queued at once; `usize::MAX` means unbounded (one
    /// compare on the send path, and eight bytes less than an `Option`).
    pub(crate) capacity: usize,
    /// What a push checks the queue length against: `capacity` while the
    /// receiver lives, zero once it is gone, so one compare on the send path
    /// covers both "full" and "closed".
    limit: usize,
    /// Live linked outboxes (and later, handles). When it reaches zero the
    /// receiver sees end of stream once the queue is drained.
    pub(crate) senders: u32,
    /// `EVER_LINKED` and `STARTED`, set once each, in one byte: the state
    /// of an idle inbox's link fits its room exactly.
    marks: u8,
    /// The receiver has seen end of stream (a receive returned `Closed`).
    pub(crate) end_seen: bool,
    /// Ends outside the system (handles' senders and receivers): while there
    /// are any, a component waiting here may be woken from outside, so its
    /// waker counts.
    pub(crate) external: u32,
    /// The receiver has finished: further pushes are refused.
    pub(crate) rx_closed: bool,
    /// The receiver's waker, registered when it found nothing to do; only
    /// meaningful while `rx_registered` (a flag beside the other flags is
    /// one test on every push, and takes no word of its own).
    rx_waker: WakeRef,
    rx_registered: bool,
    /// Senders parked on a full bounded queue, and a watch on the
    /// receiver's takes. Boxed: only bounded links ever park a sender (and
    /// only a process component's child watches takes), and an empty
    /// `Parked` would cost every idle inbox 40 bytes.
    pub(crate) tx_wakers: Option<Box<Parked>>,
    /// Messages ever accepted, for reports and introspection.
    pub(crate) delivered: u64,
    /// Messages left here when the receiving inbox was dropped where no
    /// component could account for them (a handle's `Receiver`, an inbox
    /// on a plain thread), waiting for the report of the system that sends
    /// here (see `Chan::abandon`). A `u32` fits the padding after the
    /// counters above; it saturates.
    pub(crate) abandoned: u32,
}

/// `State::marks`: some sender was ever linked. Only then is "no senders"
/// an end of stream worth waking for (an inbox nothing was linked to is
/// simply idle).
const EVER_LINKED: u8 = 1;
/// `State::marks`: the receiving component has started; handles can no
/// longer attach.
const STARTED: u8 = 2;
/// `State::marks`: a supervisor holds this queue for whoever receives
/// next; when the receiver goes, its messages stay (see `Chan::keep`).
const KEEP: u8 = 4;

impl<T> State<T> {
    /// Takes the receiver's waker, if one is registered.
    #[inline(always)]
    fn take_rx_waker(&mut self) -> Option<WakeRef> {
        if !self.rx_registered {
            return None;
        }
        self.rx_registered = false;
        // A counted waker must go now, not linger unregistered.
        Some(std::mem::replace(
            &mut self.rx_waker,
            WakeRef::Task(TaskKey::NONE),
        ))
    }

    /// Registers the receiver's waker, unless the same one already is.
    #[inline]
    fn register_rx(&mut self, waker: &Waker, key_only: bool) {
        if !(self.rx_registered && self.rx_waker.will_wake(waker)) {
            self.rx_waker = WakeRef::new(waker, key_only);
            self.rx_registered = true;
        }
    }

    /// A sender holding `ticket` is done waiting: its message went in, or it
    /// gave up. Takes it out of line; if it had been woken, there is room,
    /// and no other woken sender is on its way, returns the next sender,
    /// whose turn it now is, to be woken.
    fn done_waiting(&mut self, ticket: u64) -> Option<WakeRef> {
        let room = self.queue.len() < self.limit;
        let parked = self.tx_wakers.as_deref_mut()?;
        if parked.leave(ticket) && room && parked.woken == 0 {
            parked.wake_front()
        } else {
            None
        }
    }
}

/// Who waits for the receiver to take messages.
///
/// # Senders waiting for room
///
/// A sender that must wait (`send().await`, `blocking_send`) takes a ticket
/// from a counter that only grows, and waits in `queue`, oldest ticket
/// first. It keeps the ticket (in its `SendFuture`, or in `blocking_send`'s
/// loop) until its message is in: polled again while still waiting, it finds
/// its entry by binary search and only refreshes the waker (no duplicate);
/// woken, but beaten to the room by another sender, it goes back to its old
/// place, which is the front. So senders get through in the order they
/// first had to wait, and each registration costs O(log n), not a scan.
///
/// A take wakes the sender at the front of the line, not all of them, and
/// only when no sender woken earlier is still on its way (`woken`): a burst
/// of takes wakes one sender, which usually fills the room it finds in the
/// same resume. A woken sender that gets its message in and still leaves
/// room passes the turn on to the next one.
///
/// # Why no sender is stranded
///
/// Every woken sender is counted in `woken` until it comes back, and each
/// way back settles its turn:
/// - it pushes: it leaves the line, and if room is left and nobody else is
///   on the way, the next sender is woken (`State::done_waiting`);
/// - it finds the queue full again: someone else filled the room, and the
///   take that frees it wakes a sender (or the one passing the turn does);
/// - a `blocking_send` giving up (its thread cancelled) leaves through
///   `done_waiting` too.
///
/// A `SendFuture` dropped after being woken but before being polled again
/// (in a `select!`, under a timeout) never comes back, and it has no `Drop`
/// to say so: measured, the check and call a `Drop` adds cost every send
/// five to eleven instructions (a pipeline hop is about ninety). Instead
/// the receiver catches it: whenever it finds the queue empty and
/// registers to wait while senders still wait in line, it wakes the front
/// one (`Chan::wake_sender_for_empty`), whatever `woken` says. So a lost turn
/// holds the others up only until the receiver has taken what is queued;
/// to strand them, both the sender woken by a take and the one woken when
/// the receiver ran dry would have to be dropped unpolled, or the receiver
/// would have to stop receiving from this inbox with room in it. A count
/// left too high by a lost turn only makes takes wake nobody; the receiver
/// running dry keeps waking one sender at a time.
///
/// # `try_send` on a full queue
///
/// `try_send` has no future to keep a ticket in, and a component whose
/// `try_send` was refused may never try again (it dropped the message, or
/// went on to other work). So it is not put in line: it is registered in
/// `tried`, and every take wakes all of them. Registering costs O(1): a
/// repeat of the last registration is skipped, and the list is deduplicated
/// (sort, dedup) whenever it has doubled since the last time. The price is
/// paid by crowds: N components waiting this way on one small inbox are all
/// resumed on every take (`send().await` waits in line instead).
#[derive(Default)]
pub(crate) struct Parked {
    /// Senders waiting for room with a place in line, by ticket.
    queue: VecDeque<(u64, WakeRef)>,
    /// The last ticket handed out; the first is 1 (0 means "no ticket").
    last_ticket: u64,
    /// Senders woken from `queue` that have not come back yet.
    woken: usize,
    /// Components whose `try_send` found the queue full.
    tried: Vec<WakeRef>,
    /// `tried.len()` just after its last deduplication.
    tried_distinct: usize,
    /// Waiting until the receiver has taken this many messages in all
    /// (`delivered` less what is queued): see `Chan::watch_takes`.
    watch: Option<(u64, WakeRef)>,
    /// Messages refused and handed back to their sender, for
    /// introspection. Kept here, made on the first refusal, not in
    /// `State`: an idle inbox pays nothing for it.
    returned: u64,
}

impl Parked {
    /// Whether a take has anyone to wake (see `Chan::wake_senders`):
    /// checked inline, so the takes of a burst that owe nobody a wake-up
    /// stay on the fast path.
    #[inline(always)]
    fn owed_by_take(&self) -> bool {
        (self.woken == 0 && !self.queue.is_empty())
            || !self.tried.is_empty()
            || self.watch.is_some()
    }

    /// Where `ticket` is in line (`Ok`), or would go (`Err`). A woken
    /// sender coming back is older than everyone still in line: that case,
    /// the common one, is settled at the front without a search.
    fn find(&self, ticket: u64) -> Result<usize, usize> {
        match self.queue.front() {
            None => Err(0),
            Some(&(front, _)) if ticket < front => Err(0),
            Some(&(front, _)) if ticket == front => Ok(0),
            Some(_) => self.queue.binary_search_by_key(&ticket, |(t, _)| *t),
        }
    }

    /// Puts a sender that found the queue full in line, or keeps its place;
    /// returns its ticket.
    fn park_sender(&mut self, waker: &Waker, key_only: bool, ticket: u64) -> u64 {
        if ticket == 0 {
            self.last_ticket += 1;
            self.queue
                .push_back((self.last_ticket, WakeRef::new(waker, key_only)));
            return self.last_ticket;
        }
        match self.find(ticket) {
            // Polled again while waiting: same place, fresh waker.
            Ok(i) => {
                let slot = &mut self.queue[i].1;
                if !slot.will_wake(waker) {
                    *slot = WakeRef::new(waker, key_only);
                }
            }
            // Woken, and the room was taken again: back to its place.
            Err(i) => {
                self.woken = self.woken.saturating_sub(1);
                self.queue
                    .insert(i, (ticket, WakeRef::new(waker, key_only)));
            }
        }
        ticket
    }

    /// A sender holding `ticket` is done waiting (its message went in, or it
    /// gave up): takes it out of line. Returns whether it had been woken.
    fn leave(&mut self, ticket: u64) -> bool {
        match self.find(ticket) {
            Ok(i) => {
                self.queue.remove(i);
                false
            }
            Err(_) => {
                self.woken = self.woken.saturating_sub(1);
                true
            }
        }
    }

    /// Wakes (hands back) the sender at the front of the line.
    fn wake_front(&mut self) -> Option<WakeRef> {
        let (_, w) = self.queue.pop_front()?;
        self.woken += 1;
        if self.queue.is_empty() && self.queue.capacity() > SHRINK_ABOVE {
            self.queue = VecDeque::new();
        }
        Some(w)
    }

    fn note_tried(&mut self, waker: &Waker, key_only: bool) {
        if self.tried.last().is_some_and(|w| w.will_wake(waker)) {
            return;
        }
        self.tried.push(WakeRef::new(waker, key_only));
        if self.tried.len() >= 2 * self.tried_distinct.max(8) {
            self.tried.sort_unstable_by_key(identity);
            self.tried.dedup_by_key(|w| identity(w));
            self.tried_distinct = self.tried.len();
        }
    }

    /// Everyone registered here, for `close_receiver`.
    fn into_all(self) -> impl Iterator<Item = WakeRef> {
        self.queue
            .into_iter()
            .map(|(_, w)| w)
            .chain(self.tried)
            .chain(self.watch.map(|(_, w)| w))
    }

    fn wakers_mut(&mut self) -> impl Iterator<Item = &mut WakeRef> {
        self.queue
            .iter_mut()
            .map(|(_, w)| w)
            .chain(self.tried.iter_mut())
            .chain(self.watch.as_mut().map(|(_, w)| w))
    }
}

/// A line of waiting senders longer than this gives its memory back once
/// it empties.
const SHRINK_ABOVE: usize = 64;

/// What identifies a registration, for deduplicating `Parked::tried`:
/// equal for two registrations that wake the same task or waker.
fn identity(w: &WakeRef) -> (usize, usize) {
    match w {
        WakeRef::Task(key) => (0, key.word() as usize),
        WakeRef::Waker(w) => (std::ptr::from_ref(w.vtable()) as usize, w.data() as usize),
    }
}

/// `Chan::owner` of a chan that must stay shared.
const PINNED_SHARED: usize = usize::MAX;

pub(crate) struct Chan<T> {
    /// Zero while shared, `PINNED_SHARED` when it must stay shared, otherwise
    /// the token of the owning thread.
    owner: AtomicUsize,
    lock: Mutex<()>,
    /// A sender has ever had to wait in line here: only then does a
    /// receiver about to wait look for senders to wake (see `Parked`), so
    /// the receive path of other links does not pay for the look. Set in
    /// the critical section where a sender first waits, read after the one
    /// where the receiver found the queue empty: a sender that waited before
    /// that is seen (the lock, or the single owning thread, orders the two),
    /// and one that waits after it found the queue full again, so its
    /// pushes wake the receiver.
    lined: AtomicBool,
    state: UnsafeCell<State<T>>,
}

// SAFETY: the state is only reached through `with`, which either holds `lock` or
// has checked that the caller is on the single owning thread; messages cross
// threads only by value, which `T: Send` allows.
unsafe impl<T: Send> Sync for Chan<T> {}
// SAFETY: as above; the chan owns its messages.
unsafe impl<T: Send> Send for Chan<T> {}

impl<T> Chan<T> {
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        Self {
            owner: AtomicUsize::new(0),
            lock: Mutex::new(()),
            lined: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                queue: VecDeque::new(),
                capacity: capacity.unwrap_or(usize::MAX),
                limit: capacity.unwrap_or(usize::MAX),
                senders: 0,
                marks: 0,
                end_seen: false,
                external: 0,
                rx_closed: false,
                rx_waker: WakeRef::Task(TaskKey::NONE),
                rx_registered: false,
                tx_wakers: None,
                delivered: 0,
                abandoned: 0,
            }),
        }
    }

    /// Gives `f` exclusive access to the state.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        self.with_mode(|s, _| f(s))
    }

    /// Like `with`, also telling `f` whether the chan is in local mode.
    ///
    /// # Panics
    /// If the chan is bound to a scheduler on another thread: a port of a
    /// generator component was moved to another thread and used there.
    #[inline(always)]
    fn with_mode<R>(&self, f: impl FnOnce(&mut State<T>, bool) -> R) -> R {
        match self.try_with_mode(f) {
            Some(r) => r,
            None => misplaced(),
        }
    }

    /// Like `with_mode`, but `None` (without running `f`) when the chan is
    /// bound to a scheduler on another thread.
    #[inline(always)]
    fn try_with_mode<R>(&self, f: impl FnOnce(&mut State<T>, bool) -> R) -> Option<R> {
        let owner = self.owner.load(Ordering::Acquire);
        // Tokens are never zero, so a shared chan (owner zero) fails this too.
        if owner == thread_token() {
            // SAFETY: in local mode every access happens on the owning thread,
            // checked just above, and no access re-enters `with_mode`: `f`
            // never runs user code (messages are only moved, never dropped,
            // inside it, and wakers are woken only after it returns).
            return Some(self.state.with_mut(|s| f(unsafe { &mut *s }, true)));
        }
        if owner == 0 || owner == PINNED_SHARED {
            return Some(self.with_locked(f));
        }
        None
    }

    /// Like `try_with_mode` for an operation that carries a value (a
    /// message): `f` gets it to use, `misplaced` gets it back when the chan
    /// is bound to another thread. The fast path is one compare.
    #[inline(always)]
    fn with_value<M, R>(
        &self,
        value: M,
        f: impl FnOnce(&mut State<T>, bool, M) -> R,
        misplaced: impl FnOnce(M) -> R,
    ) -> R {
        let owner = self.owner.load(Ordering::Acquire);
        if owner == thread_token() {
            // SAFETY: as in `try_with_mode`.
            return self.state.with_mut(|s| f(unsafe { &mut *s }, true, value));
        }
        self.with_value_slow(owner, value, f, misplaced)
    }

    #[inline(never)]
    fn with_value_slow<M, R>(
        &self,
        owner: usize,
        value: M,
        f: impl FnOnce(&mut State<T>, bool, M) -> R,
        misplaced: impl FnOnce(M) -> R,
    ) -> R {
        if owner == 0 || owner == PINNED_SHARED {
            self.with_locked(|s, local| f(s, local, value))
        } else {
            misplaced(value)
        }
    }

    #[inline(never)]
    fn with_locked<R>(&self, f: impl FnOnce(&mut State<T>, bool) -> R) -> R {
        let _guard = lock(&self.lock);
        // SAFETY: the lock is held, and every shared-mode access takes it.
        self.state.with_mut(|s| f(unsafe { &mut *s }, false))
    }

    /// Binds the chan to the thread with `token` (the scheduler that runs
    /// every end of it): from now on every access must come from that
    /// thread, and none takes the lock. A chan pinned shared stays shared.
    ///
    /// Called while the system is being started, before the components
    /// at its ends run; the start of those components on their scheduler's
    /// thread (a spawn on the same thread, or a command through the
    /// scheduler's locked queue) orders this store before their accesses.
    pub(crate) fn bind_local(&self, token: usize) {
        let _guard = lock(&self.lock);
        if self.owner.load(Ordering::Acquire) != PINNED_SHARED {
            self.owner.store(token, Ordering::Release);
        }
    }

    /// Whether one end is outside the system (a handle's).
    pub(crate) fn is_external(&self) -> bool {
        self.try_with_mode(|s, _| s.external > 0).unwrap_or(false)
    }

    /// Records that the receiving component has started.
    pub(crate) fn mark_started(&self) {
        self.with(|s| s.marks |= STARTED);
    }

    /// Whether the receiving component has started (from any thread; `true`
    /// also when the chan is bound to another thread's scheduler).
    pub(crate) fn is_started(&self) -> bool {
        self.try_with_mode(|s, _| s.marks & STARTED != 0)
            .unwrap_or(true)
    }

    /// A handle attached an end outside the system.
    pub(crate) fn add_external(&self) {
        self.with(|s| s.external += 1);
    }

    /// A handle's end went away. With none left, wakers registered here no
    /// longer count as ways in from outside: they are cut down to task keys,
    /// so a deadlock inside the system is still detected.
    pub(crate) fn remove_external(&self) {
        self.with(|s| {
            s.external = s.external.saturating_sub(1);
            if s.external == 0 {
                if let Some(w) = s.take_rx_waker() {
                    s.rx_waker = w.into_key_only();
                    s.rx_registered = true;
                }
                if let Some(parked) = s.tx_wakers.as_deref_mut() {
                    for w in parked.wakers_mut() {
                        let old = std::mem::replace(w, WakeRef::Task(TaskKey::NONE));
                        *w = old.into_key_only();
                    }
                }
            }
        });
    }

    /// Like `pin_shared`, but returns `false` instead of panicking when the
    /// chan is bound to another thread's scheduler.
    pub(crate) fn try_pin_shared(&self) -> bool {
        if !self.accessible_here() {
            return false;
        }
        self.pin_shared();
        true
    }

    /// Whether the calling thread may use the chan: it is shared, or bound
    /// to this thread.
    pub(crate) fn accessible_here(&self) -> bool {
        let owner = self.owner.load(Ordering::Acquire);
        owner == 0 || owner == PINNED_SHARED || owner == thread_token()
    }

    /// Keeps the chan shared for good: one of its ends is (or will be) on
    /// another thread: a threaded component, a handle.
    ///
    /// # Panics
    /// If the chan is bound to another thread's scheduler: switching it while
    /// that thread may be using it without a lock would be a data race. The
    /// runtime pins before it binds, so this is a bug in myelin if it fires.
    pub(crate) fn pin_shared(&self) {
        let owner = self.owner.load(Ordering::Acquire);
        assert!(
            owner == 0 || owner == PINNED_SHARED || owner == thread_token(),
            "myelin: cannot share a link bound to another thread's scheduler; \
             this is a bug in myelin, please report it"
        );
        // From the owning thread (or before anyone owns it), nobody else can
        // be inside the state; after this store every access locks.
        self.owner.store(PINNED_SHARED, Ordering::Release);
    }

    /// Pushes a message, waking the receiver if it waits.
    ///
    /// On a full queue, `waiter` names who to wake when room appears: the
    /// caller (`try_send`) has no task context, but knows what runs on its
    /// thread. It is called inside the critical section, told whether the
    /// link has an end outside the system; only then, so a push with room
    /// costs nothing for it.
    #[inline]
    pub(crate) fn push(
        &self,
        msg: T,
        waiter: impl FnOnce(bool) -> Option<Waker>,
    ) -> Result<(), Refused<T>> {
        let wake = self.with_value(
            msg,
            |s, local, msg| {
                if s.queue.len() >= s.limit {
                    return Err(refuse(s, msg, local, waiter));
                }
                s.queue.push_back(msg);
                s.delivered += 1;
                Ok(s.rx_registered)
            },
            |msg| Err(Refused::Misplaced(msg)),
        )?;
        if wake {
            self.wake_receiver();
        }
        Ok(())
    }

    /// Like `push`, but when the queue is full puts the sender in line to be
    /// woken when room appears (see `Parked`). `ticket` is the sender's
    /// place in line: zero before it first waits; set here when it must
    /// wait, kept by the caller across attempts, and settled (back to zero)
    /// here once the message is in or refused for good. A caller that gives
    /// up while holding one hands it to `done_waiting`.
    ///
    /// # Panics
    /// If the chan is bound to a scheduler on another thread (an async send
    /// on a generator's outbox moved to another thread); `push` reports that
    /// case as an error instead, off the hot path.
    #[inline(always)]
    pub(crate) fn push_or_wait(
        &self,
        msg: T,
        waker: &Waker,
        ticket: &mut u64,
    ) -> Result<(), Refused<T>> {
        let wake = self.with_mode(
            #[inline(always)]
            |s, local| {
                if s.queue.len() >= s.limit {
                    return Err(self.refuse_or_wait(s, msg, waker, local, ticket));
                }
                s.queue.push_back(msg);
                s.delivered += 1;
                Ok(s.rx_registered)
            },
        )?;
        if wake {
            self.wake_receiver();
        }
        if *ticket != 0 {
            self.done_waiting(std::mem::take(ticket));
        }
        Ok(())
    }

    /// Its capacity, as `capacity`; `None` (without looking) when bound to
    /// a scheduler on another thread.
    pub(crate) fn try_capacity(&self) -> Option<Option<usize>> {
        self.try_with_mode(|s, _| (s.capacity != usize::MAX).then_some(s.capacity))
    }

    /// What introspection reads: `None` when the queue is bound to a
    /// scheduler on another thread.
    pub(crate) fn read_counts(&self) -> Option<crate::view::InboxCounts> {
        self.try_with_mode(|s, _| {
            let queued = s.queue.len();
            crate::view::InboxCounts {
                delivered: s.delivered,
                taken: s.delivered - queued as u64,
                queued,
                returned: s.tx_wakers.as_ref().map_or(0, |p| p.returned),
            }
        })
    }

    // Waking happens outside the critical section (a foreign waker may run
    // arbitrary code), and off the fast path: most pushes find the receiver
    // already scheduled.
    #[inline(never)]
    fn wake_receiver(&self) {
        if let Some(w) = self.with(State::take_rx_waker) {
            w.wake();
        }
    }

    /// `push_or_wait` on a full queue: refuses for good if the receiver is
    /// gone, else puts the sender in line (or keeps its place).
    #[cold]
    #[inline(never)]
    fn refuse_or_wait(
        &self,
        s: &mut State<T>,
        msg: T,
        waker: &Waker,
        local: bool,
        ticket: &mut u64,
    ) -> Refused<T> {
        if s.rx_closed {
            // Everyone waiting was released with the receiver.
            *ticket = 0;
            s.tx_wakers.get_or_insert_with(Box::default).returned += 1;
            return Refused::Closed(msg);
        }
        let key_only = local || s.external == 0;
        *ticket = s
            .tx_wakers
            .get_or_insert_with(Box::default)
            .park_sender(waker, key_only, *ticket);
        self.lined.store(true, Ordering::Relaxed);
        Refused::Full(msg)
    }

    /// A sender holding `ticket` is done waiting (its message went in, or a
    /// `blocking_send` gave up): see `State::done_waiting`.
    ///
    /// After a push, a separate critical section: a take in between still
    /// counts the sender as on its way (and so wakes nobody for it), which
    /// this then settles; a take that woke it in between (it was still in
    /// line) is settled the same way.
    #[cold]
    #[inline(never)]
    pub(crate) fn done_waiting(&self, ticket: u64) {
        if let Some(w) = self.with(|s| s.done_waiting(ticket)) {
            w.wake();
        }
    }

    /// The receiver found the queue empty and is about to wait, while
    /// senders wait in line: wakes the one at the front, even if a sender
    /// woken earlier is still counted as on its way (the safety net of
    /// `Parked`: that one may never come back).
    #[cold]
    #[inline(never)]
    fn wake_sender_for_empty(&self) {
        let next = self.with(|s| {
            if !s.queue.is_empty() || s.limit == 0 {
                return None;
            }
            s.tx_wakers.as_deref_mut()?.wake_front()
        });
        if let Some(w) = next {
            w.wake();
        }
    }

    /// After a take: wakes the sender at the front of the line if no woken
    /// sender is still on its way, every component whose `try_send` found
    /// the queue full, and the take watch if the receiver has now taken as
    /// many as it waits for.
    #[cold]
    fn wake_senders(&self) {
        let (front, tried, watch) = self.with(|s| {
            let taken = s.delivered - s.queue.len() as u64;
            let room = s.queue.len() < s.limit;
            let Some(parked) = s.tx_wakers.as_deref_mut() else {
                return (None, Vec::new(), None);
            };
            let front = if room && parked.woken == 0 {
                parked.wake_front()
            } else {
                None
            };
            let tried = if parked.tried.is_empty() {
                Vec::new()
            } else {
                parked.tried_distinct = 0;
                std::mem::take(&mut parked.tried)
            };
            let watch = match parked.watch {
                Some((target, _)) if taken >= target => parked.watch.take().map(|(_, w)| w),
                _ => None,
            };
            (front, tried, watch)
        });
        for w in front.into_iter().chain(tried).chain(watch) {
            w.wake();
        }
    }

    /// Takes the oldest message. With `waker`, registers it when nothing is
    /// there, in the same critical section as the check.
    #[inline(always)]
    pub(crate) fn take(&self, waker: Option<&Waker>) -> Take<T> {
        self.take_inner(waker, true)
    }

    /// Takes the oldest message if there is one, without counting an empty
    /// ended stream as seen (for iterators that only ever yield messages).
    pub(crate) fn take_queued(&self) -> Option<T> {
        match self.take_inner(None, false) {
            Take::Message(m) => Some(m),
            Take::Empty | Take::Closed => None,
        }
    }

    #[inline(always)]
    fn take_inner(&self, waker: Option<&Waker>, observe_end: bool) -> Take<T> {
        let (result, senders_waiting) = self.with_mode(
            #[inline(always)]
            |s, local| match s.queue.pop_front() {
                // Only a bounded queue has parked senders.
                Some(msg) => {
                    let owed = match s.tx_wakers.as_deref() {
                        None => false,
                        Some(parked) => parked.owed_by_take(),
                    };
                    (Take::Message(msg), owed)
                }
                None if s.senders == 0 => {
                    s.end_seen |= observe_end;
                    (Take::Closed, false)
                }
                None => {
                    if let Some(w) = waker {
                        s.register_rx(w, local || s.external == 0);
                    }
                    (Take::Empty, false)
                }
            },
        );
        if senders_waiting {
            self.wake_senders();
        }
        if waker.is_some() && matches!(result, Take::Empty) && self.lined.load(Ordering::Relaxed) {
            self.wake_sender_for_empty();
        }
        result
    }

    /// Registers the receiver's waker unless a message is waiting or the
    /// stream has ended without the receiver noticing yet; returns whether
    /// either is so.
    pub(crate) fn ready_or_register(&self, waker: &Waker) -> bool {
        self.ready_or_register_inner(waker, false)
    }

    /// [`Chan::ready_or_register`], counting an inbox nothing was ever
    /// linked to as ended too, as a receive does (`first_ready` reports
    /// what a receive would return at once).
    pub(crate) fn ready_or_register_any_end(&self, waker: &Waker) -> bool {
        self.ready_or_register_inner(waker, true)
    }

    fn ready_or_register_inner(&self, waker: &Waker, unlinked_ends: bool) -> bool {
        let ready = self.with_mode(|s, local| {
            let unseen_end =
                (s.marks & EVER_LINKED != 0 || unlinked_ends) && s.senders == 0 && !s.end_seen;
            if !s.queue.is_empty() || unseen_end {
                return true;
            }
            s.register_rx(waker, local || s.external == 0);
            false
        });
        if !ready && self.lined.load(Ordering::Relaxed) {
            self.wake_sender_for_empty();
        }
        ready
    }

    /// Returns how many messages were ever accepted and how many are still
    /// queued (the difference is how many the receiver took), and, unless
    /// the receiver has already taken `target` in all, arranges for `waker`
    /// to be woken once it has. A process component's child uses it to
    /// hand back send credit as its component consumes, woken once per
    /// batch rather than on every take.
    pub(crate) fn watch_takes(&self, waker: &Waker, target: u64) -> (u64, usize) {
        self.with_mode(|s, local| {
            // Reached already: the caller sees it in the counts, and needs
            // no wake-up.
            if s.delivered - (s.queue.len() as u64) < target {
                s.tx_wakers.get_or_insert_with(Box::default).watch =
                    Some((target, WakeRef::new(waker, local || s.external == 0)));
            }
            (s.delivered, s.queue.len())
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.with(|s| s.queue.len())
    }

    pub(crate) fn capacity(&self) -> Option<usize> {
        self.with(|s| (s.capacity != usize::MAX).then_some(s.capacity))
    }

    pub(crate) fn set_capacity(&self, capacity: Option<usize>) {
        self.with(|s| {
            s.capacity = capacity.unwrap_or(usize::MAX);
            if !s.rx_closed {
                s.limit = s.capacity;
            }
        });
    }

    pub(crate) fn delivered(&self) -> u64 {
        self.with(|s| s.delivered)
    }

    /// Whether no sender can ever push again and the queue is empty.
    pub(crate) fn is_finished(&self) -> bool {
        self.with(|s| s.senders == 0 && s.queue.is_empty())
    }

    /// Whether any sender was ever linked.
    pub(crate) fn ever_linked(&self) -> bool {
        self.with(|s| s.marks & EVER_LINKED != 0)
    }

    pub(crate) fn has_senders(&self) -> bool {
        self.with(|s| s.senders > 0)
    }

    pub(crate) fn add_sender(&self) {
        self.with(|s| {
            s.senders += 1;
            s.marks |= EVER_LINKED;
        });
    }

    /// Whether the chan is bound to a scheduler on another thread.
    #[inline]
    pub(crate) fn is_misplaced(&self) -> bool {
        let owner = self.owner.load(Ordering::Acquire);
        owner != 0 && owner != PINNED_SHARED && owner != thread_token()
    }

    /// A linked outbox went away; the last one ends the stream.
    pub(crate) fn remove_sender(&self) {
        if self.is_misplaced() {
            // The outbox was dropped on a thread that may not touch this
            // link; its stream then never ends, and the system reports the
            // receiver stalled rather than aborting here in a destructor.
            return;
        }
        let waker = self.with(|s| {
            s.senders -= 1;
            if s.senders == 0 {
                s.take_rx_waker()
            } else {
                None
            }
        });
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Whether the receiver is gone (its inbox dropped): pushes are refused.
    /// From any thread (a chan bound to another thread's scheduler, which
    /// cannot be looked at from here, answers `false`).
    pub(crate) fn is_receiver_closed(&self) -> bool {
        self.try_with_mode(|s, _| s.rx_closed).unwrap_or(false)
    }

    /// The receiver is gone: refuse further pushes, release parked senders,
    /// and hand back whatever was still queued so the caller can account for it
    /// (nothing if the queue is kept, see `keep`).
    pub(crate) fn close_receiver(&self) -> VecDeque<T> {
        if self.is_misplaced() {
            // As in `remove_sender`: never from a destructor on a thread that
            // may not touch this link.
            return VecDeque::new();
        }
        let (left, senders) = self.with(|s| {
            s.rx_closed = true;
            s.limit = 0;
            drop(s.take_rx_waker());
            let senders = s.tx_wakers.take();
            // The count of messages handed back outlives the line.
            if let Some(returned) = senders.as_ref().map(|p| p.returned).filter(|&n| n > 0) {
                s.tx_wakers = Some(Box::new(Parked {
                    returned,
                    ..Parked::default()
                }));
            }
            if s.marks & KEEP != 0 {
                return (VecDeque::new(), senders);
            }
            (std::mem::take(&mut s.queue), senders)
        });
        if let Some(parked) = senders {
            for w in parked.into_all() {
                w.wake();
            }
        }
        left
    }

    /// Keeps the queue when the receiver goes: its messages stay for
    /// `take_kept`, instead of being handed to the receiver's drop to
    /// count. A supervisor marks the inbox of each child it starts, to give
    /// what a failed child left to the next one. Off the send and receive
    /// paths: only `close_receiver` reads the mark.
    pub(crate) fn keep(&self) {
        self.with(|s| s.marks |= KEEP);
    }

    /// Ends `keep`. If the receiver has gone, hands back what it left;
    /// otherwise leaves the messages to the receiver, whose drop counts
    /// them as usual.
    pub(crate) fn take_kept(&self) -> VecDeque<T> {
        if self.is_misplaced() {
            return VecDeque::new();
        }
        self.with(|s| {
            s.marks &= !KEEP;
            if s.rx_closed {
                std::mem::take(&mut s.queue)
            } else {
                VecDeque::new()
            }
        })
    }

    /// Puts `msgs` back at the front of the queue, in order, ahead of what
    /// is queued: a supervisor giving up returns what it had taken for its
    /// children to its own inbox, which its own supervisor keeps. Not
    /// counted as delivered again.
    pub(crate) fn put_back(&self, msgs: VecDeque<T>) {
        let wake = self.with(|s| {
            for msg in msgs.into_iter().rev() {
                s.queue.push_front(msg);
            }
            s.rx_registered
        });
        if wake {
            self.wake_receiver();
        }
    }

    /// Records `count` messages left here by a receiver dropped outside
    /// any component, for the report of the system that sends here.
    pub(crate) fn abandon(&self, count: usize) {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        // Not from a thread that may not touch the link (as `close_receiver`).
        let _ = self.try_with_mode(|s, _| s.abandoned = s.abandoned.saturating_add(count));
    }

    /// Takes the count `abandon` recorded, leaving zero: whoever makes a
    /// report first counts it, once.
    pub(crate) fn take_abandoned(&self) -> usize {
        self.try_with_mode(|s, _| std::mem::take(&mut s.abandoned))
            .map_or(0, |n| n as usize)
    }
}

/// `push` on a full queue: refuses, counting the message handed back, and
/// registers the caller to be woken when room appears (unless the receiver
/// is gone), so "try, then pause" works as it did in Axon.
#[cold]
#[inline(never)]
fn refuse<T>(
    s: &mut State<T>,
    msg: T,
    local: bool,
    waiter: impl FnOnce(bool) -> Option<Waker>,
) -> Refused<T> {
    let closed = s.rx_closed;
    let waker = if closed { None } else { waiter(s.external > 0) };
    let key_only = local || s.external == 0;
    let parked = s.tx_wakers.get_or_insert_with(Box::default);
    parked.returned += 1;
    if closed {
        return Refused::Closed(msg);
    }
    if let Some(waker) = waker {
        parked.note_tried(&waker, key_only);
    }
    Refused::Full(msg)
}

#[cold]
#[inline(never)]
fn misplaced() -> ! {
    panic!(
        "myelin: a port of a generator component was used from another thread; \
         ports stay with their component: move the component (make it \
         `#[component(thread)]` for a thread of its own), or send the values through a \
         `Sender`/`Receiver` handle"
    )
}

/// Exhaustive interleaving checks of the wake protocol, run with
/// `RUSTFLAGS="--cfg loom" cargo test -p myelin --lib --release loom`.
///
/// Each model races a receiver's "check empty, then register to be woken"
/// against a concurrent sender on another thread, in every interleaving loom
/// can produce, and asserts the receiver either got the message or was woken.
#[cfg(all(test, loom))]
mod loom_tests {
    use std::task::{Wake, Waker};

    use loom::sync::atomic::{AtomicBool, Ordering};
    use loom::thread;

    use loom::sync::Arc;

    use super::{Chan, Refused, Take};

    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    fn flag_waker() -> (std::sync::Arc<Flag>, Waker) {
        let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
        (flag.clone(), Waker::from(flag))
    }

    /// A receiver on its own thread: two takes, keeping what they found.
    fn take_twice_on_a_thread(chan: &Arc<Chan<u32>>) -> thread::JoinHandle<Vec<u32>> {
        let chan = chan.clone();
        thread::spawn(move || {
            let (_, waker) = flag_waker();
            let mut got = Vec::new();
            for _ in 0..2 {
                if let Take::Message(m) = chan.take(Some(&waker)) {
                    got.push(m);
                }
            }
            got
        })
    }

    #[test]
    fn loom_recv_then_pause_races_send() {
        loom::model(|| {
            let chan = Arc::new(Chan::<u32>::new(None));
            chan.add_sender();
            let sender = {
                let chan = chan.clone();
                thread::spawn(move || assert!(chan.push(7, |_| None).is_ok()))
            };
            let (flag, waker) = flag_waker();
            let first = chan.take(Some(&waker));
            sender.join().unwrap();
            match first {
                Take::Message(m) => assert_eq!(m, 7),
                Take::Empty => {
                    assert!(flag.0.load(Ordering::SeqCst), "lost wake-up");
                    assert!(matches!(chan.take(None), Take::Message(7)));
                }
                Take::Closed => panic!("closed while a sender is linked"),
            }
        });
    }

    #[test]
    fn loom_pause_on_readiness_races_send() {
        loom::model(|| {
            let chan = Arc::new(Chan::<u32>::new(None));
            chan.add_sender();
            let sender = {
                let chan = chan.clone();
                thread::spawn(move || assert!(chan.push(1, |_| None).is_ok()))
            };
            let (flag, waker) = flag_waker();
            let ready = chan.ready_or_register(&waker);
            sender.join().unwrap();
            assert!(ready || flag.0.load(Ordering::SeqCst), "lost wake-up");
        });
    }

    #[test]
    fn loom_end_of_stream_races_recv() {
        loom::model(|| {
            let chan = Arc::new(Chan::<u32>::new(None));
            chan.add_sender();
            let closer = {
                let chan = chan.clone();
                thread::spawn(move || chan.remove_sender())
            };
            let (flag, waker) = flag_waker();
            let first = chan.take(Some(&waker));
            closer.join().unwrap();
            match first {
                Take::Closed => {}
                Take::Empty => {
                    assert!(flag.0.load(Ordering::SeqCst), "lost end-of-stream wake-up");
                    assert!(matches!(chan.take(None), Take::Closed));
                }
                Take::Message(_) => panic!("no message was sent"),
            }
        });
    }

    #[test]
    fn loom_full_sender_races_recv() {
        loom::model(|| {
            let chan = Arc::new(Chan::<u32>::new(Some(1)));
            chan.add_sender();
            assert!(chan.push(1, |_| None).is_ok());
            let receiver = {
                let chan = chan.clone();
                thread::spawn(move || assert!(matches!(chan.take(None), Take::Message(1))))
            };
            let (flag, waker) = flag_waker();
            let second = chan.push_or_wait(2, &waker, &mut 0);
            receiver.join().unwrap();
            if second.is_err() {
                assert!(flag.0.load(Ordering::SeqCst), "sender never woken");
                assert!(chan.push(2, |_| None).is_ok());
            }
        });
    }

    /// A sender on its own thread that tries once; what it left behind.
    struct Attempt {
        msg: u32,
        refused: bool,
        ticket: u64,
        flag: std::sync::Arc<Flag>,
        waker: Waker,
    }

    fn attempt(chan: &Chan<u32>, msg: u32) -> Attempt {
        let (flag, waker) = flag_waker();
        let mut ticket = 0;
        let refused = match chan.push_or_wait(msg, &waker, &mut ticket) {
            Ok(()) => false,
            Err(Refused::Full(_)) => true,
            Err(_) => panic!("the receiver is alive"),
        };
        Attempt {
            msg,
            refused,
            ticket,
            flag,
            waker,
        }
    }

    /// After the racing steps: the receiver keeps receiving (registering
    /// when it finds nothing) and every sender retries whenever it is woken,
    /// one step at a time; a sender left waiting while nobody will wake it
    /// makes no progress, and the bound below fails the model.
    fn finish(
        chan: &Chan<u32>,
        mut waiting: Vec<Attempt>,
        mut got: Vec<u32>,
        total: usize,
    ) -> Vec<u32> {
        let (_, receiver) = flag_waker();
        for _ in 0..8 {
            if got.len() == total {
                break;
            }
            if let Take::Message(m) = chan.take(Some(&receiver)) {
                got.push(m);
            }
            waiting.retain_mut(|w| {
                if !w.flag.0.swap(false, Ordering::SeqCst) {
                    return true;
                }
                match chan.push_or_wait(w.msg, &w.waker, &mut w.ticket) {
                    Ok(()) => false,
                    Err(Refused::Full(_)) => true,
                    Err(_) => panic!("the receiver is alive"),
                }
            });
        }
        got.sort_unstable();
        got
    }

    /// A bounded queue of one, already full; two senders on two threads
    /// try to send while a receiver on a third takes twice. Then, whatever
    /// the interleaving was, everyone who was refused gets in as the
    /// receiver goes on: nobody is left waiting in line unwoken.
    #[test]
    fn loom_two_senders_in_line_one_receiver() {
        loom::model(|| {
            let chan = Arc::new(Chan::<u32>::new(Some(1)));
            chan.add_sender();
            chan.add_sender();
            assert!(chan.push(0, |_| None).is_ok());
            let senders: Vec<_> = [1, 2]
                .into_iter()
                .map(|msg| {
                    let chan = chan.clone();
                    thread::spawn(move || attempt(&chan, msg))
                })
                .collect();
            let receiver = take_twice_on_a_thread(&chan);
            let attempts: Vec<Attempt> = senders.into_iter().map(|s| s.join().unwrap()).collect();
            let got = receiver.join().unwrap();
            let waiting = attempts.into_iter().filter(|a| a.refused).collect();
            assert_eq!(finish(&chan, waiting, got, 3), [0, 1, 2]);
        });
    }

    /// As above, but the sender first in line gives up once its turn has
    /// come (a send future dropped after being woken, before being polled
    /// again): the other sender's message still gets through, woken when
    /// the receiver finds the queue empty.
    #[test]
    fn loom_turn_of_a_dropped_send_passes_on() {
        loom::model(|| {
            let chan = Arc::new(Chan::<u32>::new(Some(1)));
            chan.add_sender();
            chan.add_sender();
            assert!(chan.push(0, |_| None).is_ok());
            // First in line; never tries again.
            let quitter = attempt(&chan, 1);
            assert!(quitter.refused);
            let sender = {
                let chan = chan.clone();
                thread::spawn(move || attempt(&chan, 2))
            };
            let receiver = take_twice_on_a_thread(&chan);
            let sender = sender.join().unwrap();
            let got = receiver.join().unwrap();
            drop(quitter);
            let waiting = if sender.refused {
                vec![sender]
            } else {
                Vec::new()
            };
            assert_eq!(finish(&chan, waiting, got, 2), [0, 2]);
        });
    }
}
