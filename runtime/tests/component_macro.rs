//! Behaviour of the code `#[component]` generates: the metadata in
//! `Ports::INFO`, the constructor, inbox capacities, `#[state(default)]`,
//! `#[state(into)]`,
//! generic components, the port handles, and running the result.

use std::sync::{Arc, Mutex};

use myelin::__private::{MaybeInbox, MaybeOutbox, NoPort};
use myelin::prelude::*;
use myelin::{Node, Outcome, Part, Ports};

/// Doubles every number it receives.
///
/// Then adds its offset.
#[component]
struct Double {
    /// Numbers to double.
    #[inbox(capacity = 16)]
    inbox: Inbox<i64>,
    /// The doubled numbers.
    outbox: Outbox<i64>,
    offset: i64,
    #[state(default)]
    seen: u64,
}

impl Component for Double {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            self.seen += 1;
            self.outbox.send(n * 2 + self.offset).await?;
        }
        Ok(())
    }
}

#[test]
fn info_names_the_component_and_its_ports_with_their_docs() {
    let info = Double::INFO;
    assert_eq!(info.name, "Double");
    assert_eq!(
        info.doc,
        "Doubles every number it receives.\n\nThen adds its offset."
    );
    assert_eq!(info.inboxes.len(), 1);
    assert_eq!(info.inboxes[0].name, "inbox");
    assert_eq!(info.inboxes[0].message, "i64");
    assert_eq!(info.inboxes[0].doc, "Numbers to double.");
    assert_eq!(info.outboxes.len(), 1);
    assert_eq!(info.outboxes[0].name, "outbox");
    assert_eq!(info.outboxes[0].doc, "The doubled numbers.");
}

/// Several ports of each kind, with message types written in various ways.
#[component]
struct Mixer {
    left: Inbox<Vec<String>>,
    /** Block doc,
    on two lines. */
    right: Inbox<std::collections::HashMap<String, (u8, char)>>,
    mixed: Outbox<Option<Box<dyn std::any::Any + Send>>>,
    #[doc = concat!("Built ", "by a macro.")]
    log: Outbox<&'static str>,
    first: u8,
    #[state(default)]
    skipped: Vec<u8>,
    second: String,
}

impl Component for Mixer {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        Ok(())
    }
}

#[test]
fn info_lists_ports_in_declaration_order_with_tidy_types() {
    let info = Mixer::INFO;
    assert_eq!(
        info.doc,
        "Several ports of each kind, with message types written in various ways."
    );
    let inboxes: Vec<_> = info.inboxes.iter().map(|p| (p.name, p.message)).collect();
    assert_eq!(
        inboxes,
        [
            ("left", "Vec<String>"),
            ("right", "std::collections::HashMap<String, (u8, char)>"),
        ]
    );
    let outboxes: Vec<_> = info.outboxes.iter().map(|p| (p.name, p.message)).collect();
    assert_eq!(
        outboxes,
        [
            ("mixed", "Option<Box<dyn std::any::Any + Send>>"),
            ("log", "&'static str"),
        ]
    );
    assert_eq!(info.inboxes[1].doc, "Block doc,\non two lines.");
    assert!(info.outboxes[1].doc.contains("Built by a macro."));
    assert_eq!(info.inboxes[0].doc, "");
}

#[test]
fn new_takes_the_state_fields_without_default_in_order() {
    let double = Double::new(5);
    assert_eq!((double.offset, double.seen), (5, 0));

    let mixer = Mixer::new(7, "two".to_owned());
    assert_eq!(mixer.first, 7);
    assert_eq!(mixer.second, "two");
    assert!(mixer.skipped.is_empty());
}

/// Sends the items it was given, under a label.
#[component]
struct Labelled<I>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    outbox: Outbox<(String, I::Item)>,
    #[state(into)]
    label: String,
    /// Taken by the body, which then owns the items.
    #[state(into)]
    items: Option<I>,
}

impl<I> Component for Labelled<I>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for item in self.items.take().into_iter().flatten() {
            self.outbox.send((self.label.clone(), item)).await?;
        }
        Ok(())
    }
}

#[test]
fn new_converts_the_state_fields_marked_into() {
    // `&str` into `String`; a bare `Vec` into `Option<Vec<_>>`, whose type
    // also fixes the component's.
    let labelled = Labelled::new("n", vec![1, 2]);
    assert_eq!(labelled.label, "n");
    assert_eq!(labelled.items, Some(vec![1, 2]));

    let out = Arc::new(Mutex::new(Vec::<(String, i32)>::new()));
    myelin::run(pipeline![labelled, Collect::new(out.clone())]).unwrap();
    assert_eq!(
        *out.lock().unwrap(),
        [("n".to_owned(), 1), ("n".to_owned(), 2)]
    );
}

#[test]
fn ports_start_unlinked_and_named_after_their_fields() {
    let double = Double::new(0);
    assert_eq!(double.inbox.name(), "inbox");
    assert_eq!(double.outbox.name(), "outbox");
    assert!(!double.outbox.is_linked());
    assert!(double.inbox.is_empty());
}

#[test]
fn inbox_capacity_comes_from_the_attribute() {
    let node = Node::new(Double::new(0));
    assert_eq!(node.handles().inbox.capacity(), Some(16));
    let node = Node::new(Mixer::new(0, String::new()));
    assert_eq!(node.handles().left.capacity(), None);
}

#[test]
fn handles_carry_every_port_and_the_built_in_ones() {
    let node = Node::new(Mixer::new(0, String::new()));
    let handles = node.handles();
    assert_eq!(handles.left.name(), "left");
    assert_eq!(handles.right.name(), "right");
    assert_eq!(handles.mixed.name(), "mixed");
    assert_eq!(handles.log.name(), "log");
    assert_eq!(handles.control.name(), "control");
    assert_eq!(handles.signal.name(), "signal");
    let copy = handles.clone();
    assert_eq!(copy.log.name(), "log");
    let debug = format!("{handles:?}");
    assert!(debug.starts_with("MixerPorts {"), "{debug}");
    assert!(debug.contains("left"), "{debug}");
}

#[test]
fn maybe_inbox_and_outbox_find_the_ports_named_inbox_and_outbox() {
    let double = Node::new(Double::new(0)).handles();
    assert_eq!(double.inbox_port().name(), "inbox");
    assert_eq!(double.outbox_port().name(), "outbox");

    let mixer = Node::new(Mixer::new(0, String::new())).handles();
    assert_eq!(mixer.inbox_port(), NoPort);
    assert_eq!(mixer.outbox_port(), NoPort);
}

#[test]
fn for_each_inbox_visits_every_inbox() {
    let mixer = Mixer::new(0, String::new());
    let mut count = 0;
    mixer.for_each_inbox(&mut |_| count += 1);
    assert_eq!(count, 2);
}

#[test]
fn a_single_component_runs_and_finishes() {
    let report = myelin::run(Double::new(1)).unwrap();
    assert_eq!(report.components().len(), 1);
    assert_eq!(report.components()[0].name, "Double");
    assert_eq!(report.components()[0].outcome, Outcome::Finished);
}

/// Passes on whatever it receives.
#[component]
struct Relay<T: Send + 'static> {
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

/// Sends each item of a list.
#[component]
struct Emit<T>
where
    T: Clone + Send + 'static,
{
    outbox: Outbox<T>,
    items: Vec<T>,
}

impl<T> Component for Emit<T>
where
    T: Clone + Send + 'static,
{
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for item in self.items.clone() {
            self.outbox.send(item).await?;
        }
        Ok(())
    }
}

/// Collects what it receives into a shared list.
#[component]
struct Collect<T: Send + 'static> {
    inbox: Inbox<T>,
    into: Arc<Mutex<Vec<T>>>,
}

impl<T: Send + 'static> Component for Collect<T> {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.into.lock().unwrap().push(m);
        }
        Ok(())
    }
}

#[test]
fn generic_components_get_generic_handles_and_metadata() {
    assert_eq!(<Relay<String>>::INFO.inboxes[0].message, "T");
    // The handles need no `Clone` or `Debug` on the message type.
    struct Opaque;
    let handles = Node::new(Relay::<Opaque>::new()).handles();
    let _copy = handles.clone();
    let _debug = format!("{handles:?}");
}

#[test]
fn generic_components_run_in_a_pipeline() {
    let out = Arc::new(Mutex::new(Vec::<String>::new()));
    let words = vec!["a".to_owned(), "b".to_owned()];
    let report = myelin::run(pipeline![
        Emit::new(words.clone()),
        Relay::new(),
        Collect::new(out.clone()),
    ])
    .unwrap();
    assert_eq!(*out.lock().unwrap(), words);
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished)
    );
}

#[test]
fn the_bounded_inbox_still_delivers_everything() {
    let out = Arc::new(Mutex::new(Vec::<i64>::new()));
    let numbers: Vec<i64> = (1..=100).collect();
    myelin::run(pipeline![
        Emit::new(numbers),
        Double::new(1),
        Collect::new(out.clone()),
    ])
    .unwrap();
    let got = out.lock().unwrap().clone();
    assert_eq!(got.len(), 100);
    assert_eq!(got[99], 201);
}
