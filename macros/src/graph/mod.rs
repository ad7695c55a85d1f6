//! `pipeline!` and `graphline!`.
//!
//! Both build one [`Model`](model::Model) and expand it the same way:
//!
//! - `parse`: the syntax of both macros (`text` quotes expressions back).
//! - `graphline` resolves a parsed graphline into the model; `pipeline`
//!   lowers a pipeline into it. Names are resolved, the wiring checked, and
//!   the spans and messages (`messages`) of every type check kept.
//! - `expand` generates the code: `checks` for each link and passthrough,
//!   `handles` for a graphline's own port struct.
//!
//! Errors the macro can see are collected (`errors`) and reported together;
//! type errors are left to rustc, aimed at the user's tokens by the checks.

mod checks;
mod expand;
mod graphline;
mod handles;
mod messages;

pub(crate) use messages::escape;
mod model;
mod parse;
mod pipeline;
mod text;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Expr;

use crate::errors::Errors;
use crate::runtime::RT;
use model::Kind;

pub(crate) fn expand_pipeline(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let input = parse::pipeline(input, &mut errors);
    let exprs: Vec<Expr> = input.stages.iter().map(|(e, _)| e.clone()).collect();
    let model = pipeline::lower(input, &mut errors);
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
    let model = graphline::resolve(input, &mut errors);
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
            let p = RT;
            quote! {{
                #errors
                #(let _ = #p::part(#exprs);)*
                #p::Graph::new(#name)
            }}
        }
    }
}
