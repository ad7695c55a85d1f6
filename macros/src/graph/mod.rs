//! `pipeline!` and `graphline!`.
//!
//! Both build a [`Model`](model::Model) (a pipeline is lowered into the same
//! model as a graphline) and expand it the same way. Phases: `parse`
//! (syntax) -> `model` (names resolved, wiring checked, spans and messages
//! kept) -> `expand` (code generation). Errors the macro can see are
//! collected and reported together; type errors are left to rustc, aimed at
//! the user's tokens by the generated checks.

mod checks;
mod errors;
mod expand;
mod handles;
mod messages;
mod model;
mod parse;
mod text;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Expr;

use errors::Errors;
use model::Kind;

pub(crate) fn expand_pipeline(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let stages = parse::pipeline(input, &mut errors);
    let exprs: Vec<Expr> = stages.iter().map(|(e, _)| e.clone()).collect();
    let model = model::pipeline(stages, &mut errors);
    finish(Kind::Pipeline, model, &exprs, &errors)
}

pub(crate) fn expand_graphline(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let input = parse::graphline(input, &mut errors);
    let exprs: Vec<Expr> = input
        .components
        .iter()
        .flatten()
        .map(|c| c.expr.clone())
        .collect();
    let model = model::graphline(input, &mut errors);
    finish(Kind::Graphline, model, &exprs, &errors)
}

/// The expansion, or on any error the errors beside a stand-in: an empty
/// graph of the right kind, after the children's expressions (so their own
/// errors still show and their variables still count as used). The stand-in
/// is well typed, so the errors come without follow-on errors.
fn finish(kind: Kind, model: Option<model::Model>, exprs: &[Expr], errors: &Errors) -> TokenStream {
    match model {
        Some(model) if errors.is_empty() => expand::expand(&model),
        _ => {
            let errors = errors.to_compile_errors();
            let name = kind.name();
            quote! {{
                #errors
                #(let _ = ::myelin::__private::part(#exprs);)*
                ::myelin::__private::Graph::new(#name)
            }}
        }
    }
}
