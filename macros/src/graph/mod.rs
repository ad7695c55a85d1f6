//! `pipeline!` and `graphline!`.
use proc_macro2::TokenStream;

pub(crate) fn expand_pipeline(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

pub(crate) fn expand_graphline(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
