//! `#[component]`: reads a struct's `Inbox<T>`/`Outbox<T>` fields and
//! generates its constructor, its port-handle struct and its `Ports` impl.
//!
//! `parse` reads the syntax, `model` sorts fields into ports and state and
//! records mistakes, `expand` (with `handles` and `ports_impl`) writes the
//! code. Mistakes never stop the expansion: the generated items stay
//! well-formed, so the user sees the macro's errors and not a cascade of
//! "no function `new`" or "not a component" errors.

pub(crate) mod docs;
mod expand;
mod handles;
mod model;
pub(crate) mod parse;
mod ports_impl;
mod process_impl;
mod type_string;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let kind = parse::kind(attr, &mut errors);
    let item: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            // rustc parsed the item before calling us, so this is a syntax
            // syn does not know; give it back untouched.
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let expanded = match model::build(item, &mut errors) {
        Ok(component) => {
            let kind = process_impl::check(&component, kind, &mut errors);
            expand::expand(&component, kind)
        }
        Err(item) => quote!(#item),
    };
    let errors = errors.to_compile_errors();
    quote! {
        #expanded
        #errors
    }
}
