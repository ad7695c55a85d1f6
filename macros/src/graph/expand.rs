//! Code generation for a checked [`Model`]: one block expression that adds
//! the children to a `Graph`, checks and makes every link, and gives the
//! graph its port handles. The checks themselves are in `checks`, the
//! graphline's handle struct in `handles`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::checks::{self, spanned_call};
use super::model::{Access, Direction, Handles, Model, Port};
use super::parse::expr_bounds;
use crate::runtime::{self, RT};

/// The generated locals.
pub(crate) struct Names {
    /// Each child's `ChildPorts`. Call-site hygiene, not mixed-site, so that
    /// checks can refer to them with the user's spans (see [`port_ref`]); the
    /// `__myelin` prefix keeps them out of the user's way.
    children: Vec<Ident>,
    graph: Ident,
}

impl Names {
    fn new(n: usize) -> Self {
        Self {
            children: (0..n)
                .map(|i| format_ident!("__myelin_child{}", i))
                .collect(),
            graph: Ident::new("__myelin_graph", Span::mixed_site()),
        }
    }
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let p = RT;
    let names = Names::new(model.children.len());
    let graph = &names.graph;
    let kind = model.kind.name();

    let children = model
        .children
        .iter()
        .zip(&names.children)
        .map(|(child, var)| {
            let expr = &child.expr;
            let name = match &child.name {
                Some(name) => {
                    let name = name.to_string();
                    quote!(#p::Some(#name))
                }
                None => quote!(#p::None),
            };
            // Spanned on the expression, so "not a component" points at it.
            let (lo, hi) = expr_bounds(expr);
            let rt = runtime::at(lo);
            let path = quote_spanned!(lo=> #rt::add_child);
            let call = spanned_call(path, quote!(#graph, #name, #expr), hi);
            quote!(let (#graph, #var) = #call;)
        });
    let links = model.links.iter().map(|link| checks::link(link, &names));

    let control_var = Ident::new("__myelin_control", Span::mixed_site());
    let signal_var = Ident::new("__myelin_signal", Span::mixed_site());
    let (control, own_control) = match &model.control {
        Some(pass) => {
            let port = checks::passthrough(pass, &names, Direction::In);
            (
                quote! {
                    let #control_var = #port;
                    let #graph = #graph.control_passthrough(::core::clone::Clone::clone(&#control_var));
                },
                quote!(#control_var),
            )
        }
        None => (TokenStream::new(), quote!(#graph.own_control())),
    };
    let (signal, own_signal) = match &model.signal {
        Some(pass) => {
            let port = checks::passthrough(pass, &names, Direction::Out);
            (
                quote! {
                    let #signal_var = #port;
                    let #graph = #graph.signal_passthrough(::core::clone::Clone::clone(&#signal_var));
                },
                quote!(#signal_var),
            )
        }
        None => (TokenStream::new(), quote!(#graph.own_signal())),
    };

    let (items, handles) = match &model.handles {
        Handles::Pipeline { first, last } => {
            let first = &names.children[*first];
            let outbox = match last {
                Some(last) => {
                    let last = &names.children[*last];
                    quote!(#p::MaybeOutbox::outbox_port(&#last.handles))
                }
                None => quote!(#p::NoPort),
            };
            let handles = quote! {
                #p::PipelinePorts {
                    inbox: #p::MaybeInbox::inbox_port(&#first.handles),
                    outbox: #outbox,
                    control: #own_control,
                    signal: #own_signal,
                }
            };
            (TokenStream::new(), handles)
        }
        Handles::Graphline(own) => {
            super::handles::graphline(own, &names, &own_control, &own_signal)
        }
    };
    let ports = Ident::new("__myelin_ports", Span::mixed_site());

    quote! {
        {
            #items
            let #graph = #p::Graph::new(#kind);
            #(#children)*
            #(#links)*
            #control
            #signal
            let #ports = #handles;
            #graph.with_handles(#ports)
        }
    }
}

/// `&child.handles.port` (or the `MaybeInbox`/`MaybeOutbox` call, or the
/// built-in port), with its first and last tokens at the port's, so rustc's
/// span for the expression is the user's text for the port.
///
/// Every token of it carries a user span: rustc joins an expression's span
/// from its tokens only when they share a hygiene context, and the
/// call-site locals resolve the same from the user's context.
pub(crate) fn port_ref(port: &Port, names: &Names) -> TokenStream {
    let child = Ident::new(&names.children[port.child].to_string(), port.lo);
    let amp = quote_spanned!(port.lo=> &);
    let handles = quote_spanned!(port.lo=> #child.handles);
    let maybe = |path: TokenStream| {
        // The argument spans the stage too (`handles` at its last token):
        // a stage without the trait is then one error there, not a second
        // one at its first token.
        let field = Ident::new("handles", port.hi);
        let arg = quote_spanned!(port.lo=> &#child.#field);
        let call = spanned_call(path, arg, port.hi);
        quote!(#amp #call)
    };
    let p = runtime::at(port.lo);
    match &port.access {
        // Every child has its built-in boxes in its `ChildPorts`, whatever
        // its handles are: so a child whose type is a generic parameter can
        // be linked by them too.
        Access::Field(field) if field == "control" || field == "signal" => {
            quote_spanned!(port.lo=> #amp #child . #field)
        }
        Access::Field(field) => quote_spanned!(port.lo=> #amp #handles . #field),
        Access::MaybeInbox => maybe(quote_spanned!(port.lo=> #p::MaybeInbox::inbox_port)),
        Access::MaybeOutbox => maybe(quote_spanned!(port.lo=> #p::MaybeOutbox::outbox_port)),
        Access::Control => quote!(&#child.control),
        Access::Signal => quote!(&#child.signal),
    }
}
