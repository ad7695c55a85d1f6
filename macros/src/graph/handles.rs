//! A graphline's own port handles: a struct generated for it, with
//! `MaybeInbox`/`MaybeOutbox` so that it nests in a pipeline, and `OwnPort`
//! so that a `#[prefab]` finds its ports by name.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::checks;
use super::expand::Names;
use super::model::{Direction, OwnPort};
use crate::runtime::RT;

/// A graphline's handles: a struct generated for it, generic over the
/// message types of its own ports so the macro never names a type.
/// Returns the struct with its impls, and the struct expression.
pub(crate) fn graphline(
    own: &[OwnPort],
    names: &Names,
    control: &TokenStream,
    signal: &TokenStream,
) -> (TokenStream, TokenStream) {
    let p = RT;
    let params: Vec<Ident> = (0..own.len()).map(|i| format_ident!("__T{}", i)).collect();
    let fields: Vec<&Ident> = own.iter().map(|o| &o.name).collect();
    let types = own.iter().zip(&params).map(|(o, t)| match o.direction {
        Direction::In => quote!(#p::InboxPort<#t>),
        Direction::Out => quote!(#p::OutboxPort<#t>),
    });
    let find = |dir: Direction, name: &str| {
        own.iter()
            .zip(&params)
            .find(|(o, _)| o.direction == dir && o.name == name)
    };
    let maybe_inbox = match find(Direction::In, "inbox") {
        Some((o, t)) => {
            let f = &o.name;
            quote!(type Port = #p::InboxPort<#t>; fn inbox_port(&self) -> Self::Port { ::core::clone::Clone::clone(&self.#f) })
        }
        None => quote!(type Port = #p::NoPort; fn inbox_port(&self) -> #p::NoPort { #p::NoPort }),
    };
    let maybe_outbox = match find(Direction::Out, "outbox") {
        Some((o, t)) => {
            let f = &o.name;
            quote!(type Port = #p::OutboxPort<#t>; fn outbox_port(&self) -> Self::Port { ::core::clone::Clone::clone(&self.#f) })
        }
        None => quote!(type Port = #p::NoPort; fn outbox_port(&self) -> #p::NoPort { #p::NoPort }),
    };
    // Each own port by name, for `#[prefab]`.
    let own_ports = own.iter().zip(&params).map(|(o, t)| {
        let f = &o.name;
        let key = f.to_string();
        let ty = match o.direction {
            Direction::In => quote!(#p::InboxPort<#t>),
            Direction::Out => quote!(#p::OutboxPort<#t>),
        };
        quote! {
            impl<#(#params),*> #p::OwnPort<{ #p::port_key(#key) }> for __GraphlinePorts<#(#params),*> {
                type Port = #ty;
                fn own_port(&self) -> #ty {
                    ::core::clone::Clone::clone(&self.#f)
                }
            }
        }
    });
    // For `#[prefab]`: the prefab's ports `P` declare every own port, each
    // checked by a trait whose message names the port.
    let declares: Vec<Ident> = (0..own.len())
        .map(|i| format_ident!("__Declares{}", i))
        .collect();
    let declare_items = own.iter().zip(&declares).map(|(o, t)| {
        let key = o.name.to_string();
        let message =
            format!("`{{Self}}` does not declare `{key}`, a port of the graph its prefab returns");
        let note = format!(
            "a port the prefab does not declare cannot be linked from outside: declare \
             `{key}` in `#[prefab(..)]`, or leave `self.{key}` out of the graphline's links"
        );
        quote! {
            #[diagnostic::on_unimplemented(message = #message, note = #note)]
            trait #t {}
            #[diagnostic::do_not_recommend]
            impl<P: #p::Declares<{ #p::port_key(#key) }>> #t for P {}
        }
    });
    let items = quote! {
        /// The port handles of this graphline: its own inboxes and outboxes
        /// (each one a child's port), `control` and `signal`.
        pub struct __GraphlinePorts<#(#params),*> {
            #(pub #fields: #types,)*
            pub control: #p::InboxPort<#p::Control>,
            pub signal: #p::OutboxPort<#p::Control>,
        }
        impl<#(#params),*> ::core::clone::Clone for __GraphlinePorts<#(#params),*> {
            fn clone(&self) -> Self {
                Self {
                    #(#fields: ::core::clone::Clone::clone(&self.#fields),)*
                    control: ::core::clone::Clone::clone(&self.control),
                    signal: ::core::clone::Clone::clone(&self.signal),
                }
            }
        }
        impl<#(#params),*> #p::MaybeInbox for __GraphlinePorts<#(#params),*> {
            #maybe_inbox
        }
        impl<#(#params),*> #p::MaybeOutbox for __GraphlinePorts<#(#params),*> {
            #maybe_outbox
        }
        #(#own_ports)*
        #(#declare_items)*
        impl<__P: #(#declares)+*, #(#params),*> #p::DeclaredIn<__P> for __GraphlinePorts<#(#params),*> {}
    };
    let ports = own
        .iter()
        .map(|o| checks::passthrough(&o.pass, names, o.direction));
    let handles = quote! {
        __GraphlinePorts {
            #(#fields: #ports,)*
            control: #control,
            signal: #signal,
        }
    };
    (items, handles)
}
