//! Generated code passes the strictest lints a user might set.
#![deny(warnings, missing_docs, missing_debug_implementations, unreachable_pub)]
#![deny(clippy::pedantic)]

/// The components.
pub mod parts {
    use myelin::prelude::*;

    /// Doubles every number it receives.
    #[component]
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

    impl std::fmt::Debug for Double {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Double")
                .field("seen", &self.seen)
                .finish_non_exhaustive()
        }
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

    /// A private helper component.
    #[component]
    #[derive(Debug)]
    struct Quiet {
        inbox: Inbox<()>,
    }

    impl Component for Quiet {
        async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
            Ok(())
        }
    }

    pub(crate) fn quiet() -> impl myelin::IntoPart {
        Quiet::new()
    }
}

fn main() {
    let report = myelin::run(parts::Double::new(1)).unwrap();
    assert_eq!(report.components()[0].outcome, myelin::Outcome::Finished);
    myelin::run(parts::quiet()).unwrap();
}
