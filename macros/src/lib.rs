//! Procedural macros for [myelin](https://docs.rs/myelin). Use them through the
//! `myelin` crate, which re-exports them; the generated code refers to the
//! runtime only through `::myelin::__private`.
//!
//! Each macro is a folder with one file per phase: `parse` (syntax), `model`
//! (validated, spans kept), `expand` (code generation). Errors are collected,
//! never panicked, and reported with spans on the user's tokens.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;

mod component;
mod errors;
mod graph;
mod prefab;
mod runtime;

/// Marks a struct as a component. See `myelin::component` for the full docs.
#[proc_macro_attribute]
pub fn component(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::expand(attr.into(), item.into()).into()
}

/// Makes a function that returns a graph a part like a component. See
/// `myelin::prefab` for the full docs.
#[proc_macro_attribute]
pub fn prefab(attr: TokenStream, item: TokenStream) -> TokenStream {
    prefab::expand(attr.into(), item.into()).into()
}

/// Wires components in a chain. See `myelin::pipeline` for the full docs.
#[proc_macro]
pub fn pipeline(input: TokenStream) -> TokenStream {
    graph::expand_pipeline(input.into()).into()
}

/// Wires components in any shape. See `myelin::graphline` for the full docs.
#[proc_macro]
pub fn graphline(input: TokenStream) -> TokenStream {
    graph::expand_graphline(input.into()).into()
}
