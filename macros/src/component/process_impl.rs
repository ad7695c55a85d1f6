//! `impl ProcessPorts` for `#[component(process)]`: how the parent hands the
//! ports to its bridge threads and the state to the child, how the child
//! rebuilds the component, and the registration a child finds it by.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::errors::Errors;
use super::expand::{port_init, rejected_init};
use super::model::{Component, Role};
use super::parse::{Direction, Kind};

/// A process component cannot be generic: its child finds the type by
/// name, so the type must be one concrete type. Reported at the generics;
/// the component is then expanded as a generator so nothing else fails.
pub(crate) fn check(c: &Component, kind: Kind, errors: &mut Errors) -> Kind {
    if kind == Kind::Process && !c.generics.params.is_empty() {
        errors.spanned(
            &c.generics,
            "a process component cannot have generic parameters: its child process finds \
             the component by its type's name, so it must be one concrete type; wrap a \
             concrete instance in a struct of its own",
        );
        return Kind::Generator;
    }
    kind
}

pub(crate) fn expand(c: &Component) -> TokenStream {
    let ident = &c.ident;
    let key = ident.to_string();
    let fields = c.fields.iter().flatten();

    let mut take = Vec::new();
    let mut mirror = Vec::new();
    let mut encode = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let name = &f.ident;
        match &f.role {
            Role::Port(port) => {
                // `wire::<T>()` requires `T: Wire`: spanned at the port's
                // message type, where rustc then reports a type that
                // cannot cross (once, as every use shares the span).
                let message = &port.message;
                let ops = quote_spanned!(message.span()=> ::myelin::__private::wire::<#message>());
                match port.direction {
                    Direction::Inbox => {
                        take.push(quote!(#ops.take_inbox(&mut wires, &mut self.#name);));
                        mirror.push(quote!(#ops.mirror_inbox(&mut wires, &self.#name);));
                    }
                    Direction::Outbox => {
                        take.push(quote!(#ops.take_outbox(&mut wires, &mut self.#name);));
                        mirror.push(quote!(#ops.mirror_outbox(&mut wires, &self.#name);));
                    }
                }
                inits.push(port_init(f, port));
            }
            Role::State { default: true } => {
                inits.push(quote!(#name: ::core::default::Default::default()));
            }
            Role::State { default: false } => {
                let ty = &f.ty;
                let field = f.name();
                let ops = quote_spanned!(ty.span()=> ::myelin::__private::state::<#ty>());
                encode.push(quote!(#ops.write(state, #field, &self.#name)?;));
                inits.push(quote!(#name: #ops.read(state, #field)?));
            }
            Role::Rejected => inits.push(rejected_init(f)),
        }
    }
    // Named `_state` when no field uses it, so that a component without
    // state does not warn.
    let state = if encode.is_empty() {
        quote!(_state)
    } else {
        quote!(state)
    };
    let read_state = if c
        .fields
        .iter()
        .flatten()
        .any(|f| matches!(f.role, Role::State { default: false }))
    {
        quote!(state)
    } else {
        quote!(_state)
    };
    quote! {
        impl ::myelin::__private::ProcessPorts for #ident {
            const KEY: &'static str = ::core::concat!(::core::module_path!(), "::", #key);

            fn take_wires(&mut self) -> ::myelin::__private::Wires {
                let mut wires = ::myelin::__private::Wires::default();
                #(#take)*
                wires
            }

            fn mirror_wires(&self) -> ::myelin::__private::Wires {
                let mut wires = ::myelin::__private::Wires::default();
                #(#mirror)*
                wires
            }

            fn encode_state(
                &self,
                #state: &mut ::myelin::__private::StateWriter,
            ) -> ::myelin::__private::Result<(), ::myelin::__private::WireError> {
                #(#encode)*
                ::myelin::__private::Result::Ok(())
            }

            fn decode_state(
                #read_state: &mut ::myelin::__private::StateReader<'_>,
            ) -> ::myelin::__private::Result<Self, ::myelin::__private::WireError> {
                ::myelin::__private::Result::Ok(Self { #(#inits),* })
            }
        }

        ::myelin::__private::inventory::submit! {
            ::myelin::__private::ProcessEntry::new::<#ident>()
        }
    }
}
