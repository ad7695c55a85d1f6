//! `#[prefab]`: a function that returns a graph, made a part like a
//! component. The attribute declares the graph's ports as a component's
//! fields are declared; the macro generates the ports struct the function's
//! `-> Graph<NamePorts>` names, and finds each port, by name, in the graph
//! the body builds.
//!
//! `model` reads and checks the declaration and the signature, `expand`
//! writes the struct and wraps the body.

mod expand;
mod model;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let item: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let expanded = match model::build(attr, item, &mut errors) {
        Ok(prefab) => expand::expand(&prefab),
        Err(item) => quote!(#item),
    };
    let errors = errors.to_compile_errors();
    quote! {
        #expanded
        #errors
    }
}
