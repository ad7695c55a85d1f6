//! Code generation: the struct, its constructor, its port handles and its
//! `Ports` impl. Every runtime item is reached through `::myelin::__private`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::model::{Component, Role};
use super::parse::{Direction, Kind};
use super::{handles, ports_impl, process_impl};
use crate::runtime::RT;

pub(crate) fn expand(c: &Component, kind: Kind) -> TokenStream {
    let item = &c.item;
    let handles_ident = format_ident!("{}Ports", c.ident);
    let constructor = constructor(c);
    let handles = handles::expand(c, &handles_ident);
    let ports_impl = ports_impl::expand(c, &handles_ident, kind);
    let process_impl = match kind {
        Kind::Process => process_impl::expand(c),
        Kind::Generator | Kind::Thread => TokenStream::new(),
    };
    quote! {
        #item
        #constructor
        #handles
        #ports_impl
        #process_impl
    }
}

/// `new`: one parameter per state field without `#[state(default)]`, in
/// declaration order (`impl Into<T>` for `#[state(into)]`); ports are
/// created unlinked.
fn constructor(c: &Component) -> TokenStream {
    let Some(fields) = &c.fields else {
        return TokenStream::new();
    };
    let mut params = Vec::new();
    let mut param_docs = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let ident = &f.ident;
        let init = match &f.role {
            Role::Port(port) => port_init(f, port),
            Role::State { default: true, .. } => {
                quote!(#ident: ::core::default::Default::default())
            }
            Role::State {
                default: false,
                into,
            } => {
                let ty = &f.ty;
                params.push(if *into {
                    quote!(#ident: impl ::core::convert::Into<#ty>)
                } else {
                    quote!(#ident: #ty)
                });
                param_docs.push(match f.doc.summary() {
                    Some(summary) => format!("- `{}`: {summary}", f.name()),
                    None => format!("- `{}`", f.name()),
                });
                if *into {
                    quote!(#ident: ::core::convert::Into::into(#ident))
                } else {
                    quote!(#ident)
                }
            }
            Role::Rejected => rejected_init(f),
        };
        inits.push(init);
    }
    let name = c.ident.to_string();
    let mut doc = format!(
        "Creates a [`{name}`] with its ports unlinked.\n\n\
         Link them with `pipeline!` or `graphline!`, or run the component alone \
         with `myelin::run`."
    );
    if !param_docs.is_empty() {
        doc.push_str("\n\n# Parameters\n\n");
        doc.push_str(&param_docs.join("\n"));
    }
    let vis = &c.vis;
    let ident = &c.ident;
    let (impl_generics, ty_generics, where_clause) = c.generics.split_for_impl();
    quote! {
        impl #impl_generics #ident #ty_generics #where_clause {
            #[doc = #doc]
            #[must_use]
            // One parameter per state field: the count is the struct's.
            #[allow(clippy::too_many_arguments)]
            #vis fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

/// `field: <a new unlinked port>`, as `new` (and a process component's
/// child) creates it.
pub(crate) fn port_init(f: &super::model::Field, port: &super::model::Port) -> TokenStream {
    let ident = &f.ident;
    let name = f.name();
    let message = &port.message;
    let ops = quote!(#RT::message::<#message>());
    match port.direction {
        Direction::Inbox => {
            let capacity = match port.capacity {
                Some(n) => quote!(#RT::Some(#n)),
                None => quote!(#RT::None),
            };
            quote!(#ident: #ops.inbox(#name, #capacity))
        }
        Direction::Outbox => quote!(#ident: #ops.outbox(#name)),
    }
}

/// The initialiser of a field whose type the macro could not read. Only
/// generated beside an error, so never run. Called through a closure so
/// that the rest of the function is not unreachable code, which would add
/// warnings to the error.
pub(crate) fn rejected_init(f: &super::model::Field) -> TokenStream {
    let ident = &f.ident;
    quote!(#ident: (|| ::core::unreachable!())())
}
