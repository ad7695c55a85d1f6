//! Components declared by a `macro_rules!` macro, whose `$ty` fragments reach
//! `#[component]` wrapped in invisible groups.
use myelin::prelude::*;

macro_rules! sink {
    ($name:ident, $message:ty) => {
        #[component]
        struct $name {
            inbox: Inbox<$message>,
            #[state(default)]
            count: usize,
        }

        impl Component for $name {
            async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
                while self.inbox.recv().await.is_some() {
                    self.count += 1;
                }
                Ok(())
            }
        }
    };
}

sink!(Words, String);
sink!(Pairs, (u8, u8));

fn main() {
    assert_eq!(
        <Pairs as myelin::Ports>::INFO.inboxes[0].message,
        "(u8, u8)"
    );
    myelin::run(Words::new()).unwrap();
    myelin::run(Pairs::new()).unwrap();
}
