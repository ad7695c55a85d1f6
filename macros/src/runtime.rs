//! Where generated code reaches the runtime: `::myelin::__private`, and
//! nowhere else, so that the runtime can rearrange its modules without
//! breaking the code already generated in users' crates.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

/// `::myelin::__private`, interpolated as `#RT` in `quote!`.
pub(crate) const RT: Runtime = Runtime;

/// The runtime's path; see [`RT`].
#[derive(Clone, Copy)]
pub(crate) struct Runtime;

impl ToTokens for Runtime {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(quote!(::myelin::__private));
    }
}

/// The runtime's path with every token at `span`, for paths inside
/// expressions whose span rustc reports.
pub(crate) fn at(span: Span) -> TokenStream {
    quote_spanned!(span=> ::myelin::__private)
}
