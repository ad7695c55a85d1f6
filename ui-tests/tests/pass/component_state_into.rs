//! `#[state(into)]` fields are parameters of `new` that take anything
//! converting into the field's type, generic fields included.
use myelin::prelude::*;

#[component]
struct Label<I: IntoIterator + Send + 'static>
where
    I::Item: Send + 'static,
{
    outbox: Outbox<I::Item>,
    #[state(into)]
    name: String,
    #[state(into)]
    items: Option<I>,
    limit: usize,
}

impl<I: IntoIterator + Send + 'static> Component for Label<I>
where
    I::Item: Send + 'static,
{
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        for item in self.items.take().into_iter().flatten().take(self.limit) {
            self.outbox.send(item).await?;
        }
        Ok(())
    }
}

fn main() {
    // `&str` into `String`, `Vec<u8>` into `Option<Vec<u8>>`.
    let label = Label::new("bytes", vec![1u8, 2, 3], 2);
    assert_eq!(label.name, "bytes");
    assert_eq!(label.items, Some(vec![1, 2, 3]));
    assert_eq!(label.limit, 2);
}
