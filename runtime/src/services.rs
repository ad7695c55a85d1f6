//! Services: inboxes offered under a typed name in a running system, found
//! and linked to while it runs (Kamaelia's Coordinating Assistant Tracker
//! services, typed).
//!
//! A provider offers one of its inboxes under a [`Key<T>`]; a component
//! that needs it finds it by the same key and links an outbox of its own
//! (an [`Outboxes`](crate::Outboxes) group, or a plain [`Outbox`] made while
//! running) to it. The key's type is the message type: finding a service
//! with another type is an error naming both.

use std::fmt;

use crate::meeting::{Key, Places, TypeMismatch};
use crate::port::{Inbox, InboxPort};
use crate::{Context, LinkError, Outbox};

/// Why a service could not be offered or found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceError {
    /// No service of that name is offered (or its provider has ended).
    Missing {
        /// The service's name.
        name: String,
    },
    /// The name is taken by a live service.
    Taken {
        /// The service's name.
        name: String,
        /// The message type of the service already offered.
        holds: &'static str,
    },
    /// The service carries another message type than the key's.
    TypeMismatch(TypeMismatch),
    /// Linking to the service failed.
    Link(LinkError),
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { name } => write!(f, "no service `{name}` is offered"),
            Self::Taken { name, holds } => write!(
                f,
                "the service `{name}` is already offered (carrying `{holds}`) by a running component"
            ),
            Self::TypeMismatch(e) => e.fmt(f),
            Self::Link(e) => write!(f, "cannot link to the service: {e}"),
        }
    }
}

impl std::error::Error for ServiceError {}

fn offer<T: Send + 'static>(
    places: &Places,
    key: &Key<T>,
    inbox: &Inbox<T>,
) -> Result<(), ServiceError> {
    let chan = inbox.chan().clone();
    // Senders may come from any scheduler or thread: the link stays
    // shared. (Pinning from the inbox's own thread is always allowed.)
    chan.pin_shared();
    let port = inbox.port();
    let alive = chan.clone();
    places
        .offer_service(key, port, move || !alive.is_receiver_closed())
        .map_err(|holds| ServiceError::Taken {
            name: key.name().to_owned(),
            holds,
        })?;
    // While offered, the service holds the inbox's stream open, as a
    // linked sender would: a client may still come.
    chan.add_sender();
    Ok(())
}

fn withdraw<T: Send + 'static>(places: &Places, key: &Key<T>) -> bool {
    match places.withdraw_service::<T, InboxPort<T>>(key) {
        Some(port) => {
            // Its stream ends once the clients linked to it are gone.
            port.chan.remove_sender();
            true
        }
        None => false,
    }
}

fn find<T: Send + 'static>(places: &Places, key: &Key<T>) -> Result<InboxPort<T>, ServiceError> {
    match places.find_service::<T, InboxPort<T>>(key) {
        Ok(Some(port)) => Ok(port),
        Ok(None) => Err(ServiceError::Missing {
            name: key.name().to_owned(),
        }),
        Err(mismatch) => Err(ServiceError::TypeMismatch(mismatch)),
    }
}

impl Context {
    /// Offers `inbox`, one of this component's inboxes, as the service
    /// `key` of the running system.
    ///
    /// While it is offered, the inbox's stream stays open (a client may
    /// still come), as if a sender were linked: [`withdraw`](Context::withdraw)
    /// stops offering it, and its stream then ends once the linked clients
    /// are gone. When the component ends (its inboxes close), the service
    /// is gone too, and a component still linked to it gets its messages
    /// back in [`Closed`](crate::SendErrorKind::Closed) errors. A provider
    /// that waits on its service for ever, when nothing else in the system
    /// can run, is reported as stalled: withdraw the service, or end on
    /// [`Control::Shutdown`](crate::Control::Shutdown).
    ///
    /// # Errors
    /// [`ServiceError::Taken`] if a running component offers that name
    /// already (offering twice never replaces a live service).
    pub fn offer<T: Send + 'static>(
        &mut self,
        key: &Key<T>,
        inbox: &Inbox<T>,
    ) -> Result<(), ServiceError> {
        offer(&self.places(), key, inbox)
    }

    /// Finds the service `key` and links `outbox` (made while running:
    /// [`Outbox::new`], or an [`Outboxes`](crate::Outboxes) group's) to it.
    ///
    /// ```
    /// use myelin::meeting::Key;
    /// use myelin::prelude::*;
    ///
    /// const LOGGER: Key<String> = Key::new("logger");
    ///
    /// /// Offers its inbox as the `logger` service and keeps what arrives.
    /// #[component]
    /// struct Logger {
    ///     inbox: Inbox<String>,
    ///     lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// }
    ///
    /// impl Component for Logger {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         cx.offer(&LOGGER, &self.inbox)?;
    ///         // One line is all this logger takes.
    ///         if let Some(line) = self.inbox.recv().await {
    ///             self.lines.lock().unwrap().push(line);
    ///         }
    ///         cx.withdraw(&LOGGER);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// /// Finds the logger by name and logs to it.
    /// #[component]
    /// struct Worker {}
    ///
    /// impl Component for Worker {
    ///     async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
    ///         // The logger may not have offered itself yet.
    ///         let mut log: Outbox<String> = Outbox::new("log");
    ///         while cx.link_to_service(&LOGGER, &log).is_err() {
    ///             cx.yield_now().await;
    ///         }
    ///         log.send("working".to_owned()).await?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    /// myelin::run(graphline! {
    ///     components {
    ///         logger: Logger::new(lines.clone()),
    ///         worker: Worker::new(),
    ///     }
    ///     links {}
    /// })?;
    /// assert_eq!(*lines.lock().unwrap(), ["working"]);
    /// # Ok::<(), myelin::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ServiceError::Missing`] if no live service has that name,
    /// [`ServiceError::TypeMismatch`] (naming both types) if it carries
    /// another type, [`ServiceError::Link`] if `outbox` is linked already
    /// or was part of the component when it started.
    pub fn link_to_service<T: Send + 'static>(
        &mut self,
        key: &Key<T>,
        outbox: &Outbox<T>,
    ) -> Result<(), ServiceError> {
        let port = find(&self.places(), key)?;
        crate::link(&outbox.port(), &port, None).map_err(ServiceError::Link)
    }

    /// Stops offering the service `key` (offered by this component); `false`
    /// if it is not offered. Clients already linked stay linked.
    pub fn withdraw<T: Send + 'static>(&mut self, key: &Key<T>) -> bool {
        withdraw(&self.places(), key)
    }

    /// The names of the services offered now, in order.
    pub fn services(&self) -> Vec<String> {
        self.places().service_names()
    }
}
