//! The code `#[component]` and `#[prefab]` generate passes the strictest
//! lints a user may set, clippy's pedantic group included: `cargo clippy -p myelin --tests --
//! -D warnings` checks this file.

#![deny(warnings, missing_docs, missing_debug_implementations, unreachable_pub)]
#![deny(clippy::pedantic)]

use myelin::prelude::*;

/// Public components, as a library would export them.
pub mod parts {
    use std::fmt::Debug;

    use myelin::prelude::*;

    /// Doubles every number it receives.
    #[component]
    #[derive(Debug)]
    pub struct Double {
        /// Numbers to double.
        #[inbox(capacity = 16)]
        inbox: Inbox<i64>,
        /// The doubled numbers.
        outbox: Outbox<i64>,
        /// Added after doubling.
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

    /// Passes messages on; `new` takes no parameters.
    #[component]
    #[derive(Debug)]
    pub struct Relay<T: Debug + Send + 'static> {
        /// Messages in.
        inbox: Inbox<T>,
        /// The same messages out.
        outbox: Outbox<T>,
    }

    impl<T: Debug + Send + 'static> Component for Relay<T> {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            while let Some(m) = self.inbox.recv().await {
                self.outbox.send(m).await?;
            }
            Ok(())
        }
    }

    /// Many parameters, a type parameter used only in state, no ports.
    #[component]
    #[derive(Debug)]
    #[allow(clippy::struct_excessive_bools)]
    pub struct Settings<S: Debug + Default + Send + 'static> {
        a: u8,
        b: u16,
        c: u32,
        d: u64,
        e: bool,
        f: bool,
        g: bool,
        h: bool,
        i: String,
        #[state(default)]
        extra: S,
    }

    impl<S: Debug + Default + Send + 'static> Component for Settings<S> {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            let _ = (&self.a, &self.b, &self.c, &self.d, &self.i, &self.extra);
            let _ = (self.e, self.f, self.g, self.h);
            Ok(())
        }
    }

    /// Counts what it receives; `new` takes no parameters.
    #[component]
    #[derive(Debug)]
    pub struct Count {
        /// Anything.
        inbox: Inbox<String>,
        #[state(default)]
        count: usize,
    }

    impl Component for Count {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            while self.inbox.recv().await.is_some() {
                self.count += 1;
            }
            Ok(())
        }
    }

    /// A crate-private component: its handles are crate-private too.
    #[component]
    #[derive(Debug)]
    pub(crate) struct Hidden {
        inbox: Inbox<()>,
    }

    impl Component for Hidden {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            Ok(())
        }
    }

    /// Doubles twice, then relays: a public prefab.
    #[prefab(
        /// Numbers to quadruple.
        inbox: Inbox<i64>,
        /// The quadrupled numbers.
        outbox: Outbox<i64>,
    )]
    #[must_use]
    pub fn quadruple() -> Graph<QuadruplePorts> {
        graphline! {
            components { first: Double::new(0), second: Double::new(0), relay: Relay::new() }
            links {
                self.inbox -> first.inbox,
                first.outbox -> second.inbox,
                second.outbox -> relay.inbox,
                relay.outbox -> self.outbox,
            }
        }
    }

    /// A generic prefab, from a pipeline.
    #[prefab(inbox: Inbox<T>, outbox: Outbox<T>)]
    #[must_use]
    pub fn relays<T: Debug + Send + 'static>() -> Graph<RelaysPorts<T>> {
        pipeline![Relay::new(), Relay::new()]
    }
}

#[test]
fn strictly_linted_components_run() {
    let report =
        myelin::run(pipeline![parts::Double::new(1), parts::Relay::<i64>::new(),]).unwrap();
    assert_eq!(report.components().len(), 2);
    myelin::run(parts::Settings::<u8>::new(
        1,
        2,
        3,
        4,
        true,
        false,
        true,
        false,
        String::new(),
    ))
    .unwrap();
    myelin::run(parts::Hidden::new()).unwrap();
    myelin::run(parts::Count::new()).unwrap();
    let report = myelin::run(pipeline![
        parts::Double::new(1),
        parts::quadruple(),
        parts::relays()
    ])
    .unwrap();
    assert_eq!(report.components().len(), 6);
}
