//! `impl Ports`: the component's metadata (`INFO`) and how the runtime
//! reaches its ports (`handles`, `for_each_inbox`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Generics, Ident, Type, parse_quote};

use super::handles::marker;
use super::model::{Component, Field, Port};
use super::parse::{Direction, Kind};
use super::type_string::type_string;
use crate::runtime::{self, RT};

pub(crate) fn expand(c: &Component, handles: &Ident, kind: Kind) -> TokenStream {
    let ident = &c.ident;
    let generics = bounded_generics(c);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let name = ident.to_string();
    let doc = c.doc.to_str_expr();
    let inboxes = c.ports(Direction::Inbox).map(port_info);
    let outboxes = c.ports(Direction::Outbox).map(port_info);

    // Every use of a port goes through `message::<T>()`, whose `T: Message`
    // bound is the one error a bad message type produces: the uses share the
    // span of the field's type, so rustc reports them once.
    let handle_fields = c.all_ports().map(|(f, port)| {
        let ident = &f.ident;
        let message = &port.message;
        match port.direction {
            Direction::Inbox => quote! {
                #ident: #RT::message::<#message>().inbox_port(&self.#ident)
            },
            Direction::Outbox => quote! {
                #ident: #RT::message::<#message>().outbox_port(&self.#ident)
            },
        }
    });
    let (_, marker_init) = marker(c);
    let visits: Vec<TokenStream> = c
        .ports(Direction::Inbox)
        .map(|(f, port)| {
            let ident = &f.ident;
            let message = &port.message;
            quote! {
                visit(#RT::message::<#message>().any_inbox(&self.#ident));
            }
        })
        .collect();
    // Named `_visit` when unused, so that a component without inboxes does
    // not warn.
    let visit = if visits.is_empty() {
        quote!(_visit)
    } else {
        quote!(visit)
    };
    let outbox_visits: Vec<TokenStream> = c
        .ports(Direction::Outbox)
        .map(|(f, port)| {
            let ident = &f.ident;
            let message = &port.message;
            quote! {
                visit(#RT::message::<#message>().any_outbox(&mut self.#ident));
            }
        })
        .collect();
    let outbox_ref_visits: Vec<TokenStream> = c
        .ports(Direction::Outbox)
        .map(|(f, port)| {
            let ident = &f.ident;
            let message = &port.message;
            quote! {
                visit(#RT::message::<#message>().any_outbox_ref(&self.#ident));
            }
        })
        .collect();
    let outbox_visit = if outbox_visits.is_empty() {
        quote!(_visit)
    } else {
        quote!(visit)
    };

    let (node, behaviour) = match kind {
        Kind::Generator => (quote!(#RT::Node), quote!(#RT::Component)),
        Kind::Thread => (quote!(#RT::ThreadNode), quote!(#RT::ThreadComponent)),
        Kind::Process => (quote!(#RT::ProcessNode), quote!(#RT::Component)),
    };
    // The impl applies only once the struct has its behaviour impl: the
    // higher-ranked bound keeps rustc from rejecting it outright when the
    // impl is missing (or the struct is not `Send`), so that mistake is
    // reported once, where the component is used, not again here.
    let mut into_part_generics = generics.clone();
    into_part_generics
        .make_where_clause()
        .predicates
        .push(parse_quote!(for<'__myelin> #ident #ty_generics: #behaviour));
    let (_, _, into_part_where) = into_part_generics.split_for_impl();
    let hidden = hidden_from_hints();
    let rt = runtime::at(ident.span());
    let into_part = quote_spanned! {ident.span()=>
        #hidden
        impl #impl_generics #rt::IntoPart for #ident #ty_generics #into_part_where {
            type Part = #node<Self>;
            fn into_part(self) -> #node<Self> {
                #node::new(self)
            }
        }
    };

    quote! {
        #hidden
        impl #impl_generics #RT::Ports for #ident #ty_generics #where_clause {
            type Handles = #handles #ty_generics;

            const INFO: #RT::ComponentInfo = #RT::ComponentInfo {
                name: #name,
                doc: #doc,
                inboxes: &[#(#inboxes),*],
                outboxes: &[#(#outboxes),*],
            };

            // Returns the handles type by name: `Self::Handles` would make
            // rustc check `Self: Ports` again in this signature, and repeat
            // the error of a struct that is not `Send + 'static`.
            fn handles(
                &self,
                control: #RT::InboxPort<#RT::Control>,
                signal: #RT::OutboxPort<#RT::Control>,
            ) -> #handles #ty_generics {
                #handles {
                    #(#handle_fields,)*
                    control,
                    signal,
                    #marker_init
                }
            }

            fn for_each_inbox(
                &self,
                #visit: &mut dyn ::core::ops::FnMut(&dyn #RT::AnyInbox),
            ) {
                #(#visits)*
            }

            fn for_each_outbox(
                &mut self,
                #outbox_visit: &mut dyn ::core::ops::FnMut(&mut dyn #RT::AnyOutbox),
            ) {
                #(#outbox_visits)*
            }

            fn for_each_outbox_ref(
                &self,
                #outbox_visit: &mut dyn ::core::ops::FnMut(&dyn #RT::AnyOutbox),
            ) {
                #(#outbox_ref_visits)*
            }
        }

        #into_part
    }
}

/// `#[diagnostic::do_not_recommend]` for the runtime's own components
/// (`myelin::components`), nothing for anyone else's.
///
/// When a type is not a component, rustc lists "the following other types
/// implement trait `IntoPart`" (or `Ports`, `Component`), and a user's
/// error would list the ready-made components, which say nothing about the
/// user's mistake; with the user's own components alone it says "the trait
/// is implemented for `Double`", which does. The runtime marks its own
/// `impl Component`s the same way. Read from the crate being compiled
/// (`CARGO_CRATE_NAME`, which cargo sets): the marker is for the runtime
/// alone, so it is not an argument users could write.
pub(crate) fn hidden_from_hints() -> TokenStream {
    if std::env::var("CARGO_CRATE_NAME").is_ok_and(|name| name == "myelin") {
        quote!(#[diagnostic::do_not_recommend])
    } else {
        TokenStream::new()
    }
}

/// The struct's generics plus `M: Message` for each message type `M` that
/// uses them. Without these, a generic struct missing `T: Send + 'static`
/// would get errors from every line of this impl; with them, the impl simply
/// does not apply, and the `T: Message` check in `new` reports the missing
/// bound once, at the field's type.
fn bounded_generics(c: &Component) -> Generics {
    let mut generics = c.generics.clone();
    let mut messages: Vec<&Type> = Vec::new();
    for (_, port) in c.all_ports() {
        if c.is_generic(&port.message) && !messages.contains(&&port.message) {
            messages.push(&port.message);
        }
    }
    if !messages.is_empty() {
        let where_clause = generics.make_where_clause();
        for message in messages {
            where_clause
                .predicates
                .push(parse_quote!(#message: #RT::Message));
        }
    }
    generics
}

fn port_info((f, port): (&Field, &Port)) -> TokenStream {
    let name = f.name();
    let message = type_string(&port.message);
    let doc = f.doc.to_str_expr();
    quote! {
        #RT::PortInfo { name: #name, message: #message, doc: #doc }
    }
}
