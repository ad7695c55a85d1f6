//! Process components: a component running in a child OS process, linked
//! like any other.
//!
//! Mark the struct `#[component(process)]` and give it an ordinary
//! [`Component`] body. When the system starts, the parent re-executes its
//! own binary as a child (no `fork()` of a multi-threaded parent), sends it
//! the component's state, and the child rebuilds the component and runs its
//! body on a scheduler of its own. Messages cross a socket between the two
//! as length-checked frames of postcard bytes, so every port's message type
//! (and every state field not marked `#[state(default)]`) must implement
//! serde's `Serialize` and `Deserialize`; the macro makes that a compile
//! error at the port's type.
//!
//! **Call [`init`] first thing in `main`** of every binary that starts
//! process components: in the child it runs the component instead of your
//! `main`, and never returns. A test binary built by the standard harness
//! has no `main` of its own: put [`process_test_entry!`](crate::process_test_entry)
//! at the top of the test crate and call [`init`] at the start of each test
//! that starts process components.
//!
//! What holds across the boundary:
//!
//! - **Backpressure.** The parent sends into each of the child's inboxes only
//!   while it holds credit for it (a window of the inbox's capacity if it
//!   has one, else 1024 messages, and about 4 MiB), and the child returns
//!   credit as its component takes messages; so a slow child makes the
//!   parent's inbox fill, and its senders wait, exactly as for a slow
//!   generator. A bounded inbox of capacity *n* thus holds up to *n*
//!   messages in the parent and *n* more on their way or in the child. One
//!   full inbox never holds up another, so a child waiting on its `control`
//!   still gets its messages. Likewise the child's component waits when the
//!   parent is slow to take what it sends.
//! - **Deadlocks.** The child tells the parent when its scheduler has
//!   nothing to do; so a system stuck on a process component is reported as
//!   [`Outcome::Stalled`](crate::Outcome::Stalled), like any other. (Not
//!   detected: a deadlock in which the child's own output is stuck behind a
//!   full link in the parent.)
//! - **Failures.** A body's error or panic comes back with its message. If
//!   the child dies (a crash, `kill -9`), the component fails with the exit
//!   status, its `signal` says so, and the messages the child had accepted
//!   but not yet taken are counted in the report.
//! - **Bad bytes.** A frame longer than the limit ([`MAX_FRAME`]) or bytes
//!   that do not decode as the port's type fail the component with an error
//!   naming the port; nothing allocates the length a frame claims.
//! - **Messages that cannot cross.** A message that encodes past
//!   [`MAX_FRAME`], or whose type uses a serde feature postcard cannot
//!   serve (postcard is not self-describing: `#[serde(untagged)]`,
//!   `#[serde(flatten)]` and types like `serde_json::Value` need
//!   `deserialize_any` or maps of unknown length), fails the component with
//!   an error naming the port and the type; it and what comes after it are
//!   counted in the report, and `signal` says so. The book's "Types
//!   postcard cannot carry" explains.
//! - **Shutdown.** A cancelled process component is asked to stop: its
//!   inboxes close at once (what they hold is counted, further sends are
//!   refused), and its bridge threads, like a threaded component's thread,
//!   stop waiting on full links (what they could not deliver is counted
//!   unsent). A child that does not stop within [`STOP_GRACE`] is killed.
//!
//! ```
//! use myelin::prelude::*;
//!
//! /// Squares numbers in a child process.
//! #[component(process)]
//! pub struct Square {
//!     inbox: Inbox<u64>,
//!     outbox: Outbox<u64>,
//! }
//!
//! impl Component for Square {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         while let Some(n) = self.inbox.recv().await {
//!             self.outbox.send(n * n).await?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! #[component]
//! struct Numbers {
//!     outbox: Outbox<u64>,
//! }
//!
//! impl Component for Numbers {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         for n in 1..=10 {
//!             self.outbox.send(n).await?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! #[component]
//! struct Total {
//!     inbox: Inbox<u64>,
//! }
//!
//! impl Component for Total {
//!     async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
//!         let mut total = 0;
//!         while let Some(n) = self.inbox.recv().await {
//!             total += n;
//!         }
//!         assert_eq!(total, 385);
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> Result<(), myelin::Error> {
//!     myelin::process::init();
//!     myelin::run(pipeline![Numbers::new(), Square::new(), Total::new()])?;
//!     Ok(())
//! }
//! ```

mod child;
mod frame;
mod node;
mod parent;
mod protocol;
mod spawn;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use frame::MAX_FRAME;
pub use node::ProcessNode;
pub use wire::{
    StateOps, StateReader, StateWriter, Wire, WireError, WireOps, WireState, Wires, state, wire,
};

use crate::Component;
use crate::component::Ports;

/// How long a cancelled child may take to stop before it is killed.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// The environment variable that tells a re-executed binary it is a child:
/// its value is the parent's process id, so that a program the child starts
/// in turn, which inherits the variable, does not take itself for one.
const CHILD_ENV: &str = "MYELIN_PROCESS_CHILD";

/// The test name [`process_test_entry!`](crate::process_test_entry) defines
/// and the child asks a test harness to run.
#[doc(hidden)]
pub const TEST_ENTRY: &str = "__myelin_process_child";

static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Makes this binary able to start process components: call it first
/// thing in `main`.
///
/// In the parent it returns at once. In a child (the same binary,
/// re-executed by a process component), it runs that component and exits
/// the process when it ends: nothing after the call runs there. Anything
/// before it runs in every child too, so put it first; in particular, a
/// child gets arguments meant for a test harness, which a `main` that
/// parses its arguments before `init` would reject.
///
/// A process component started in a binary that never called `init` fails
/// at once with an error saying so, rather than re-running that binary's
/// whole `main` in a child.
pub fn init() {
    // A child's own process components start grandchildren the same way.
    INITIALISED.store(true, Ordering::Release);
    let Some(parent) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let parent = parent.to_str().and_then(|p| p.parse::<u32>().ok());
    if parent != Some(std::os::unix::process::parent_id()) {
        if spawn::child_socket_present() {
            // Started by a parent that has already died: nobody to serve.
            std::process::exit(0);
        }
        // Another program started by a child, with the variable inherited:
        // not a child of ours.
        return;
    }
    let code = child::serve();
    std::process::exit(code);
}

pub(crate) fn initialised() -> bool {
    INITIALISED.load(Ordering::Acquire)
}

/// How a child finds the component type it is to run: every
/// `#[component(process)]` registers one.
#[doc(hidden)]
pub struct ProcessEntry {
    key: &'static str,
    serve: fn(child::Session) -> i32,
}

impl ProcessEntry {
    /// The entry for `C`.
    pub const fn new<C: Component + ProcessPorts>() -> Self {
        Self {
            key: C::KEY,
            serve: child::serve_component::<C>,
        }
    }
}

inventory::collect!(ProcessEntry);

/// Finds the registered component type called `key`.
fn find_entry(key: &str) -> Option<&'static ProcessEntry> {
    inventory::iter::<ProcessEntry>
        .into_iter()
        .find(|entry| entry.key == key)
}

/// What a process component's parent and child need beyond [`Ports`]:
/// implemented by `#[component(process)]`, not by hand.
#[doc(hidden)]
pub trait ProcessPorts: Ports {
    /// The name a child looks the type up by: its module path and name.
    const KEY: &'static str;

    /// Parent side: moves the port fields out, leaving unlinked ones.
    fn take_wires(&mut self) -> Wires;

    /// Child side: opposite ends linked to every port field.
    fn mirror_wires(&self) -> Wires;

    /// Encodes the state fields (not those marked `#[state(default)]`).
    fn encode_state(&self, state: &mut StateWriter) -> Result<(), WireError>;

    /// Rebuilds the component from its encoded state, with fresh ports.
    fn decode_state(state: &mut StateReader<'_>) -> Result<Self, WireError>;
}

/// Defines the test a child of a test binary runs: put it once at the top
/// of a test crate (built by the standard harness) whose tests start
/// process components, and call [`process::init`](crate::process::init) at
/// the start of those tests.
///
/// At the top of `tests/squares.rs`:
///
/// ```
/// myelin::process_test_entry!();
/// # fn main() {}
/// ```
///
/// and in each test that runs process components, first:
///
/// ```
/// myelin::process::init();
/// ```
///
/// The child of a test binary is that binary run with the entry test's name
/// as its filter: the harness runs only the entry test, whose `init` serves
/// the component and exits.
#[macro_export]
macro_rules! process_test_entry {
    () => {
        #[test]
        fn __myelin_process_child() {
            $crate::process::init();
        }
    };
}
