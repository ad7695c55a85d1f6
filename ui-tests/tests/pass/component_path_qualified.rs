//! Ports are recognised by the last path segment, however the path is written.
#[myelin::component]
struct Forward {
    inbox: myelin::Inbox<u8>,
    outbox: ::myelin::Outbox<u8>,
    other: myelin::prelude::Inbox<std::string::String>,
}

impl myelin::Component for Forward {
    async fn main(&mut self, _cx: &mut myelin::Context) -> Result<(), myelin::Error> {
        Ok(())
    }
}

fn main() {
    let info = <Forward as myelin::Ports>::INFO;
    assert_eq!(info.inboxes.len(), 2);
    assert_eq!(info.inboxes[1].message, "std::string::String");
    assert_eq!(info.outboxes[0].name, "outbox");
    myelin::run(Forward::new()).unwrap();
}
