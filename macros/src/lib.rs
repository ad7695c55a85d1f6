//! Procedural macros for myelin. Use them through the `myelin` crate.
use proc_macro::TokenStream;

/// Marks a struct as a component.
#[proc_macro_attribute]
pub fn component(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Wires components in a chain.
#[proc_macro]
pub fn pipeline(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Wires components in any shape.
#[proc_macro]
pub fn graphline(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
