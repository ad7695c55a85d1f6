//! Generic components: bounds, where clauses and defaults reach every
//! generated item.
use std::fmt::Debug;

use myelin::prelude::*;

/// Passes messages on.
#[component]
pub struct Relay<T: Send + 'static> {
    inbox: Inbox<T>,
    outbox: Outbox<T>,
}

impl<T: Send + 'static> Component for Relay<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.outbox.send(m).await?;
        }
        Ok(())
    }
}

/// Keeps the last message, and a type parameter used only in state.
#[component]
pub struct Last<T, S = u32>
where
    T: Debug + Send + 'static,
    S: Default + Send + 'static,
{
    inbox: Inbox<Vec<T>>,
    #[state(default)]
    last: Option<Vec<T>>,
    #[state(default)]
    extra: S,
}

impl<T, S> Component for Last<T, S>
where
    T: Debug + Send + 'static,
    S: Default + Send + 'static,
{
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.last = Some(m);
        }
        Ok(())
    }
}

/// A const parameter in the message type.
#[component]
pub struct Window<const N: usize> {
    inbox: Inbox<[u8; N]>,
}

impl<const N: usize> Component for Window<N> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

fn assert_clone_send<H: Clone + Send + Sync + Debug>(_: &H) {}

fn main() {
    // A message type that is not `Clone` or `Debug`: the handles need neither.
    struct Opaque;
    myelin::run(Relay::<Opaque>::new()).unwrap();

    let last: Last<String> = Last::new();
    assert_eq!(last.extra, 0);
    let node = myelin::Node::new(last);
    let handles = myelin::Part::handles(&node);
    assert_clone_send(&handles);
    myelin::run(Last::<String>::new()).unwrap();

    let info = <Window<4> as myelin::Ports>::INFO;
    assert_eq!(info.inboxes[0].message, "[u8; N]");
    myelin::run(Window::<4>::new()).unwrap();
}
