//! The port-handle struct (`DoublePorts` for `Double`): what `pipeline!` and
//! `graphline!` link. One `pub` field per port plus the built-in `control`
//! and `signal`, and the `MaybeInbox`/`MaybeOutbox` impls that let a pipeline
//! find its first stage's `inbox` and last stage's `outbox`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericParam, Ident};

use super::model::Component;
use super::parse::Direction;
use crate::runtime::RT;

pub(crate) fn expand(c: &Component, handles: &Ident) -> TokenStream {
    let vis = &c.vis;
    let generics = &c.generics;
    let where_clause = &generics.where_clause;
    let (impl_generics, ty_generics, _) = generics.split_for_impl();
    let component = c.ident.to_string();
    let doc =
        format!("Port handles of [`{component}`], used to link it in `pipeline!`/`graphline!`.");

    let mut fields = Vec::new();
    let mut names = Vec::new();
    let mut name_strings = Vec::new();
    for (f, port) in c.all_ports() {
        let ident = &f.ident;
        let message = &port.message;
        let ty = match port.direction {
            Direction::Inbox => quote!(#RT::InboxPort<#message>),
            Direction::Outbox => quote!(#RT::OutboxPort<#message>),
        };
        let doc = if f.doc.is_empty() {
            let text = format!(
                "The `{}` {}.",
                f.name(),
                port.direction.name().to_lowercase()
            );
            quote!(#[doc = #text])
        } else {
            let attrs = &f.doc.attrs;
            quote!(#(#attrs)*)
        };
        fields.push(quote!(#doc pub #ident: #ty,));
        names.push(ident);
        name_strings.push(f.name());
    }

    let (marker_field, marker_init) = marker(c);
    let maybe_inbox = maybe_port(c, handles, Direction::Inbox);
    let maybe_outbox = maybe_port(c, handles, Direction::Outbox);
    let handles_name = handles.to_string();

    quote! {
        #[doc = #doc]
        #vis struct #handles #generics #where_clause {
            #(#fields)*
            /// The built-in `control` inbox: lifecycle requests such as
            /// `Control::Shutdown`.
            pub control: #RT::InboxPort<#RT::Control>,
            /// The built-in `signal` outbox: `Control::Finished` or
            /// `Control::Failed` when the component ends.
            pub signal: #RT::OutboxPort<#RT::Control>,
            #marker_field
        }

        // By hand: a derive would require every type parameter to be `Clone`.
        impl #impl_generics ::core::clone::Clone for #handles #ty_generics #where_clause {
            fn clone(&self) -> Self {
                Self {
                    #(#names: ::core::clone::Clone::clone(&self.#names),)*
                    control: ::core::clone::Clone::clone(&self.control),
                    signal: ::core::clone::Clone::clone(&self.signal),
                    #marker_init
                }
            }
        }

        impl #impl_generics ::core::fmt::Debug for #handles #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#handles_name)
                    #(.field(#name_strings, &self.#names))*
                    .field("control", &self.control)
                    .field("signal", &self.signal)
                    .finish()
            }
        }

        #maybe_inbox
        #maybe_outbox
    }
}

/// A `PhantomData` field for the type and lifetime parameters, which the
/// port fields may not all use. `fn() -> ..` keeps the handles `Send` and
/// `Sync` whatever the parameters are.
pub(crate) fn marker(c: &Component) -> (TokenStream, TokenStream) {
    let params: Vec<TokenStream> = c
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => {
                let ident = &t.ident;
                Some(quote!(#ident))
            }
            GenericParam::Lifetime(l) => {
                let lifetime = &l.lifetime;
                Some(quote!(&#lifetime ()))
            }
            GenericParam::Const(_) => None,
        })
        .collect();
    if params.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    (
        quote!(__marker: ::core::marker::PhantomData<fn() -> (#(#params,)*)>,),
        quote!(__marker: ::core::marker::PhantomData,),
    )
}

/// `MaybeInbox` (or `MaybeOutbox`): the port named `inbox` (`outbox`) if the
/// component has one, else `NoPort`.
fn maybe_port(c: &Component, handles: &Ident, direction: Direction) -> TokenStream {
    let (trait_name, method, name) = match direction {
        Direction::Inbox => (quote!(MaybeInbox), quote!(inbox_port), "inbox"),
        Direction::Outbox => (quote!(MaybeOutbox), quote!(outbox_port), "outbox"),
    };
    let (port_ty, value) = match c.port_named(name, direction) {
        Some((f, port)) => {
            let message = &port.message;
            let ident = &f.ident;
            let ty = match direction {
                Direction::Inbox => quote!(#RT::InboxPort<#message>),
                Direction::Outbox => quote!(#RT::OutboxPort<#message>),
            };
            (ty, quote!(::core::clone::Clone::clone(&self.#ident)))
        }
        None => (quote!(#RT::NoPort), quote!(#RT::NoPort)),
    };
    let (impl_generics, ty_generics, where_clause) = c.generics.split_for_impl();
    // Kept out of "other types implement" lists, which would list every
    // component in scope; but not when generic, as then rustc would report
    // this trait instead of the bound on a type parameter that fails.
    let hidden = if c.generics.params.is_empty() {
        quote!(#[diagnostic::do_not_recommend])
    } else {
        super::ports_impl::hidden_from_hints()
    };
    quote! {
        #hidden
        impl #impl_generics #RT::#trait_name for #handles #ty_generics #where_clause {
            type Port = #port_ty;
            fn #method(&self) -> Self::Port {
                #value
            }
        }
    }
}
