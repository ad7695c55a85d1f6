//! A chat room in one process: each simulated client publishes what it says
//! into the `chat room` backplane and shows on its screen what the others
//! said. The clients never link to each other; they meet at the backplane.
//! (The network version, with a client per connection, comes with sockets.)
//!
//! Each line is published as an `Arc`, so the ten screens of a ten-client
//! room share one allocation per line instead of ten copies.

use std::sync::{Arc, Mutex};

use myelin::components::{PublishTo, SubscribeTo};
use myelin::meeting::{Key, Policy};
use myelin::prelude::*;
use myelin::{Graph, Report};

/// Something a client said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    /// Who said it.
    pub from: String,
    /// What they said.
    pub text: String,
}

/// The room: a backplane of lines.
pub const ROOM: Key<Arc<Said>> = Key::new("chat room");

/// What a client's screen shows, shared with whoever runs the room.
pub type Shown = Arc<Mutex<Vec<Said>>>;

/// A simulated client typing its lines, one at a time.
#[component]
pub struct Typist {
    /// What this client says.
    outbox: Outbox<Arc<Said>>,
    name: String,
    lines: Vec<String>,
}

impl Component for Typist {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        for text in std::mem::take(&mut self.lines) {
            let said = Said {
                from: self.name.clone(),
                text,
            };
            self.outbox.send(Arc::new(said)).await?;
            // Typing takes a moment: the others speak meanwhile.
            cx.yield_now().await;
        }
        Ok(())
    }
}

/// A client's screen: shows what the others said (a client does not echo
/// its own lines).
#[component]
pub struct Screen {
    /// Everything said in the room.
    inbox: Inbox<Arc<Said>>,
    name: String,
    shown: Shown,
}

impl Component for Screen {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(said) = self.inbox.recv().await {
            if said.from != self.name {
                self.shown
                    .lock()
                    .map_err(|_| Error::msg("a screen's lock was poisoned"))?
                    .push((*said).clone());
            }
        }
        Ok(())
    }
}

/// One client: its typist publishes into the room, and its screen
/// subscribes to it.
pub fn client(name: &str, lines: &[&str], shown: &Shown) -> impl IntoPart + use<> {
    graphline! {
        components {
            typist: Typist::new(name.to_owned(), lines.iter().map(|&l| l.to_owned()).collect()),
            say: PublishTo::new(ROOM),
            hear: SubscribeTo::new(ROOM, Policy::Wait(64)),
            screen: Screen::new(name.to_owned(), shown.clone()),
        }
        links {
            typist.outbox -> say.inbox,
            hear.outbox -> screen.inbox,
        }
    }
}

/// Runs a room with these clients and what each says; returns each
/// client's screen, in the same order, and the run's report. The room
/// closes once every client has said everything and every screen has
/// shown it.
pub fn chat(clients: &[(&str, &[&str])]) -> Result<(Vec<Vec<Said>>, Report), Error> {
    let screens: Vec<Shown> = clients.iter().map(|_| Shown::default()).collect();
    let mut room = Graph::new("room");
    for ((name, lines), shown) in clients.iter().zip(&screens) {
        room = room.child(None, client(name, lines, shown).into_part());
    }
    let report = myelin::run(room)?;
    let screens = screens
        .into_iter()
        .map(|s| std::mem::take(&mut *s.lock().unwrap_or_else(|e| e.into_inner())))
        .collect();
    Ok((screens, report))
}
