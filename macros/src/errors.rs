//! Collects every mistake a macro finds, so that one expansion reports them
//! all instead of stopping at the first. Shared by `#[component]`,
//! `pipeline!` and `graphline!`.

use std::fmt::Display;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;

/// Spanned errors, combined into one `syn::Error` as they come.
#[derive(Default)]
pub(crate) struct Errors {
    first: Option<syn::Error>,
}

impl Errors {
    /// Records `error` beside the ones already found.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    /// Records a new error at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records a new error spanning every token of `tokens`.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records a new error covering `lo` through `hi`. (Stable `proc_macro`
    /// cannot join spans, but `compile_error!` tokens spanned at both ends
    /// make rustc underline everything between.)
    pub(crate) fn range(&mut self, lo: Span, hi: Span, message: impl Display) {
        let ends: TokenStream = [Ident::new("lo", lo), Ident::new("hi", hi)]
            .into_iter()
            .map(TokenTree::Ident)
            .collect();
        self.push(syn::Error::new_spanned(ends, message));
    }

    /// `Ok` if nothing was recorded, else everything as one error.
    pub(crate) fn into_result(self) -> syn::Result<()> {
        self.first.map_or(Ok(()), Err)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// One `compile_error!` per error, each at its own span.
    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.first
            .as_ref()
            .map(syn::Error::to_compile_error)
            .unwrap_or_default()
    }
}
