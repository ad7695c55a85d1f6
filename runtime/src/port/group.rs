//! Ports made while a component runs: a keyed group of inboxes, or of
//! outboxes, of one message type.
//!
//! Axon's `AdaptiveCommsComponent` adds and removes boxes by name at run
//! time, and anything can be put in them. Here a component owns an
//! [`Inboxes`] or an [`Outboxes`] group, typed by its message, and adds a
//! port per key (a client, a job, a connection): each is an ordinary
//! [`Inbox`] or [`Outbox`], linked with [`link`](crate::link) to the ports
//! of a part the component then starts ([`Context::start`](crate::Context::start)).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::Take;
use super::inbox::Inbox;
use super::link::{InboxPort, OutboxPort};
use super::outbox::Outbox;
use crate::error::{SendError, SendErrorKind};
use crate::scheduler::current;

/// A port group already has a port with that key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The group's name.
    pub group: &'static str,
    /// The key, as `Debug` prints it.
    pub key: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the port group `{}` already has a port with key {}",
            self.group, self.key
        )
    }
}

impl std::error::Error for DuplicateKey {}

/// One port of a group, as its metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupPort {
    /// The group's name.
    pub group: &'static str,
    /// The port's key, as `Debug` prints it.
    pub key: String,
    /// The message type.
    pub message: &'static str,
}

/// A group of inboxes of one message type, added and removed by key while
/// the component runs.
///
/// Removing an inbox never loses a message: [`remove`](Inboxes::remove)
/// closes it and hands back what was queued, and a sender that sends after
/// that gets its message back in a [`Closed`](SendErrorKind::Closed) error.
///
/// ```
/// use myelin::{Inboxes, Outbox, link};
///
/// let mut clients: Inboxes<u32, String> = Inboxes::new("clients");
/// let port = clients.add(7)?;
/// let mut out: Outbox<String> = Outbox::new("to_client");
/// link(&out.port(), &port, None)?;
/// out.try_send("hello".to_owned())?;
/// // Nothing queued is lost: removing hands it back.
/// assert_eq!(clients.remove(&7), Some(vec!["hello".to_owned()]));
/// assert!(out.try_send("late".to_owned()).is_err()); // and the sender gets it back
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Inboxes<K, T> {
    name: &'static str,
    members: Vec<(K, Inbox<T>)>,
    /// Where the next wait starts looking, so no member is starved.
    next: usize,
}

impl<K, T> Inboxes<K, T>
where
    K: Clone + Eq + fmt::Debug,
    T: Send + 'static,
{
    /// An empty group; `name` names its ports in errors and metadata.
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            members: Vec::new(),
            next: 0,
        }
    }

    /// Adds an unbounded inbox under `key` and returns its port, to link.
    ///
    /// # Errors
    /// [`DuplicateKey`] if the group has an inbox with that key.
    pub fn add(&mut self, key: K) -> Result<InboxPort<T>, DuplicateKey> {
        self.insert(key, Inbox::new(self.name))
    }

    /// Adds an inbox holding at most `capacity` messages under `key`.
    ///
    /// # Errors
    /// [`DuplicateKey`] if the group has an inbox with that key.
    pub fn add_bounded(&mut self, key: K, capacity: usize) -> Result<InboxPort<T>, DuplicateKey> {
        self.insert(key, Inbox::bounded(self.name, capacity))
    }

    fn insert(&mut self, key: K, inbox: Inbox<T>) -> Result<InboxPort<T>, DuplicateKey> {
        refuse_duplicate(self.name, &self.members, &key)?;
        let port = inbox.port();
        self.members.push((key, inbox));
        Ok(port)
    }

    /// Removes the inbox under `key`, closing it, and returns the messages
    /// it still held (`None` if there is no such inbox). Closing and taking
    /// are one step: a message either comes back here or, sent later, to
    /// its sender.
    pub fn remove(&mut self, key: &K) -> Option<Vec<T>> {
        let at = self.members.iter().position(|(k, _)| k == key)?;
        let (_, inbox) = self.members.remove(at);
        Some(inbox.close_and_take())
    }

    /// The inbox under `key`.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut Inbox<T>> {
        self.members
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, inbox)| inbox)
    }

    /// Whether the group has an inbox under `key`.
    pub fn contains(&self, key: &K) -> bool {
        self.members.iter().any(|(k, _)| k == key)
    }

    /// The keys, in the order their inboxes were added.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.members.iter().map(|(k, _)| k)
    }

    /// How many inboxes the group has.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the group has none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The group's ports as metadata: one entry per inbox.
    pub fn ports(&self) -> Vec<GroupPort> {
        describe::<K, _, T>(self.name, &self.members)
    }

    /// Waits for a message on any inbox of the group, or for one to end:
    /// `Some((key, Some(msg)))` for a message, `Some((key, None))` once for
    /// an inbox whose senders are all gone and whose queue is empty (remove
    /// it then), and `None` at once if the group is empty.
    ///
    /// Only the group's inboxes wake the wait. Cancel-safe, as
    /// [`Inbox::recv`] is: a message is taken only when the future
    /// completes with it.
    pub fn recv(&mut self) -> RecvAny<'_, K, T> {
        RecvAny { group: self }
    }
}

impl<K: fmt::Debug, T> fmt::Debug for Inboxes<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_group::<K, _, T>(f, "Inboxes", self.name, &self.members)
    }
}

/// The future returned by [`Inboxes::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct RecvAny<'a, K, T> {
    group: &'a mut Inboxes<K, T>,
}

impl<K, T> Future for RecvAny<'_, K, T>
where
    K: Clone + Eq + fmt::Debug,
    T: Send + 'static,
{
    type Output = Option<(K, Option<T>)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let group = &mut *self.group;
        let n = group.members.len();
        if n == 0 {
            return Poll::Ready(None);
        }
        if !current::consume_budget() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let start = group.next % n;
        for i in 0..n {
            let at = (start + i) % n;
            let (key, inbox) = &mut group.members[at];
            if !inbox.chan().ready_or_register_any_end(cx.waker()) {
                continue;
            }
            let found = match inbox.chan().take(None) {
                Take::Message(msg) => Some(Some(msg)),
                Take::Closed => Some(None),
                // Taken by nobody else (the group owns the inbox): only a
                // ready answer that raced a close gets here; look on.
                Take::Empty => None,
            };
            if let Some(msg) = found {
                let key = key.clone();
                group.next = at + 1;
                return Poll::Ready(Some((key, msg)));
            }
        }
        Poll::Pending
    }
}

/// A group of outboxes of one message type, added and removed by key while
/// the component runs.
///
/// Removing an outbox closes it: the inbox it fed reaches end of stream
/// once it has read what was sent.
///
/// ```
/// use myelin::{Inbox, Outboxes, SendErrorKind, link};
///
/// let mut workers: Outboxes<&str, u64> = Outboxes::new("jobs");
/// let mut inbox: Inbox<u64> = Inbox::new("inbox");
/// link(&workers.add("a")?, &inbox.port(), None)?;
/// workers.try_send(&"a", 7)?;
/// assert_eq!(inbox.try_recv(), Ok(7));
/// // A key the group does not have gives the message back.
/// let err = workers.try_send(&"b", 8).unwrap_err();
/// assert_eq!(err.kind(), SendErrorKind::NoSuchKey);
/// assert_eq!(err.into_inner(), 8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Outboxes<K, T> {
    name: &'static str,
    members: Vec<(K, Outbox<T>)>,
}

impl<K, T> Outboxes<K, T>
where
    K: Eq + fmt::Debug,
    T: Send + 'static,
{
    /// An empty group; `name` names its ports in errors and metadata.
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            members: Vec::new(),
        }
    }

    /// Adds an outbox under `key` and returns its port, to link.
    ///
    /// # Errors
    /// [`DuplicateKey`] if the group has an outbox with that key.
    pub fn add(&mut self, key: K) -> Result<OutboxPort<T>, DuplicateKey> {
        refuse_duplicate(self.name, &self.members, &key)?;
        let outbox = Outbox::new(self.name);
        let port = outbox.port();
        self.members.push((key, outbox));
        Ok(port)
    }

    /// Removes the outbox under `key`, closing it; `false` if there is none.
    pub fn remove(&mut self, key: &K) -> bool {
        let Some(at) = self.members.iter().position(|(k, _)| k == key) else {
            return false;
        };
        drop(self.members.remove(at));
        true
    }

    /// The outbox under `key`.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut Outbox<T>> {
        self.members
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, outbox)| outbox)
    }

    /// Sends `msg` on the outbox under `key`, waiting for room as
    /// [`Outbox::send`] does.
    ///
    /// # Errors
    /// As [`Outbox::send`], and [`NoSuchKey`](SendErrorKind::NoSuchKey)
    /// if the group has no outbox under `key`; the message comes back in
    /// every case.
    pub async fn send(&mut self, key: &K, msg: T) -> Result<(), SendError<T>> {
        let name = self.name;
        match self.get_mut(key) {
            Some(outbox) => outbox.send(msg).await,
            None => Err(SendError::new(msg, SendErrorKind::NoSuchKey, name)),
        }
    }

    /// Sends `msg` on the outbox under `key` if there is room now.
    ///
    /// # Errors
    /// As [`Outbox::try_send`], and [`NoSuchKey`](SendErrorKind::NoSuchKey)
    /// if the group has no outbox under `key`; the message comes back in
    /// every case.
    pub fn try_send(&mut self, key: &K, msg: T) -> Result<(), SendError<T>> {
        let name = self.name;
        match self.get_mut(key) {
            Some(outbox) => outbox.try_send(msg),
            None => Err(SendError::new(msg, SendErrorKind::NoSuchKey, name)),
        }
    }

    /// Whether the group has an outbox under `key`.
    pub fn contains(&self, key: &K) -> bool {
        self.members.iter().any(|(k, _)| k == key)
    }

    /// The keys, in the order their outboxes were added.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.members.iter().map(|(k, _)| k)
    }

    /// How many outboxes the group has.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the group has none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The group's ports as metadata: one entry per outbox.
    pub fn ports(&self) -> Vec<GroupPort> {
        describe::<K, _, T>(self.name, &self.members)
    }
}

impl<K: fmt::Debug, T> fmt::Debug for Outboxes<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_group::<K, _, T>(f, "Outboxes", self.name, &self.members)
    }
}

/// `DuplicateKey` if `members` has `key` already.
fn refuse_duplicate<K: Eq + fmt::Debug, P>(
    group: &'static str,
    members: &[(K, P)],
    key: &K,
) -> Result<(), DuplicateKey> {
    if members.iter().any(|(k, _)| k == key) {
        return Err(DuplicateKey {
            group,
            key: format!("{key:?}"),
        });
    }
    Ok(())
}

/// A group's ports as metadata, for messages of type `T`.
fn describe<K: fmt::Debug, P, T>(group: &'static str, members: &[(K, P)]) -> Vec<GroupPort> {
    members
        .iter()
        .map(|(k, _)| GroupPort {
            group,
            key: format!("{k:?}"),
            message: std::any::type_name::<T>(),
        })
        .collect()
}

/// A group's `Debug` output: its kind, name, keys and message type.
fn debug_group<K: fmt::Debug, P, T>(
    f: &mut fmt::Formatter<'_>,
    kind: &str,
    name: &'static str,
    members: &[(K, P)],
) -> fmt::Result {
    f.debug_struct(kind)
        .field("name", &name)
        .field("keys", &members.iter().map(|(k, _)| k).collect::<Vec<_>>())
        .field("type", &std::any::type_name::<T>())
        .finish()
}
