//! `impl ProcessPorts` for `#[component(process)]`: how the parent hands the
//! ports to its bridge threads and the state to the child, how the child
//! rebuilds the component, and the registration a child finds it by.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::expand::{port_init, rejected_init};
use super::model::{Component, Role};
use super::parse::{Direction, Kind};
use crate::errors::Errors;
use crate::runtime::RT;

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
                // Spanned at the port's message type, where rustc then
                // reports a type that cannot cross (once, as every use
                // shares the span and the message): see `checks`.
                let message = &port.message;
                let ops = quote_spanned! {message.span()=>
                    (&__myelin_process::Probe::<#message>::NEW).port_message()
                };
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
            Role::State { default: true, .. } => {
                inits.push(quote!(#name: ::core::default::Default::default()));
            }
            Role::State { default: false, .. } => {
                let ty = &f.ty;
                let field = f.name();
                let ops = quote_spanned! {ty.span()=>
                    (&__myelin_process::Probe::<#ty>::NEW).state_field()
                };
                encode.push(quote!(#ops.write(state, #field, &self.#name)?;));
                inits.push(quote!(#name: #ops.read(state, #field)?));
            }
            Role::Rejected => inits.push(rejected_init(f)),
        }
    }
    // Named `_state` when no field uses it (no state field is sent), so
    // that a component without state does not warn.
    let state = if encode.is_empty() {
        quote!(_state)
    } else {
        quote!(state)
    };
    let read_state = &state;
    // Children are started with `exec` and find their socket on a known
    // descriptor: without Unix, say so rather than fail on missing items.
    let unix_only = quote_spanned! {ident.span()=>
        #[cfg(not(unix))]
        ::core::compile_error!(
            "process components need a Unix platform: the child process finds its \
             socket on a file descriptor"
        );
    };
    let checks = checks();
    quote! {
        #unix_only

        const _: () = {
            #checks

            impl #RT::ProcessPorts for #ident {
                const KEY: &'static str = ::core::concat!(::core::module_path!(), "::", #key);

                fn take_wires(&mut self) -> #RT::Wires {
                    let mut wires = #RT::Wires::default();
                    #(#take)*
                    wires
                }

                fn mirror_wires(&self) -> #RT::Wires {
                    let mut wires = #RT::Wires::default();
                    #(#mirror)*
                    wires
                }

                fn encode_state(
                    &self,
                    #state: &mut #RT::StateWriter,
                ) -> #RT::Result<(), #RT::WireError> {
                    #(#encode)*
                    #RT::Result::Ok(())
                }

                fn decode_state(
                    #read_state: &mut #RT::StateReader<'_>,
                ) -> #RT::Result<Self, #RT::WireError> {
                    #RT::Result::Ok(Self { #(#inits),* })
                }
            }
        };

        #RT::inventory::submit! {
            #RT::ProcessEntry::new::<#ident>()
        }
    }
}

/// How the impl gets a type's wire (or state) operations so that a type
/// that cannot cross is one error, not one per missing trait.
///
/// `wire::<T>()` requires `T: Wire`, whose blanket impl rustc reports as
/// one error per unmet bound (`Serialize` and `Deserialize` apart, with
/// the same message). So the impl calls
/// `(&Probe::<T>::NEW).port_message()` instead. Method resolution takes
/// `WireChecked` (on `Probe<T>`, by value) when `T: Wire`, and otherwise
/// falls back to `ProcessComponent` (on `&Probe<T>`, one autoref away),
/// whose method requires `ProcessMessage`: a trait no impl lets `T` match,
/// so rustc reports one error, with its message. It is a subtrait of
/// `Wire`, so the fallback still returns the real operations, and its one
/// impl (without which rustc suggests adding one) is kept out of
/// suggestions. The same for state fields, with `state_field`. The
/// messages are those of the runtime's `Wire` and `WireState`, which a
/// bound written by hand still reports.
///
/// The module is declared inside the `const _` that holds the impl, so its
/// name cannot clash with the user's items, and nothing in it shadows the
/// user's types where the impl names them.
fn checks() -> TokenStream {
    quote! {
        mod __myelin_process {
            pub struct Probe<T>(::core::marker::PhantomData<T>);

            impl<T> Probe<T> {
                pub const NEW: Self = Self(::core::marker::PhantomData);
            }

            #[diagnostic::on_unimplemented(
                message = "`{Self}` cannot cross a process boundary: the messages of a \
                           process component's ports must be serialisable",
                label = "this port's message type must implement `serde::Serialize` \
                         and `serde::Deserialize`",
                note = "derive both for it \
                        (`#[derive(serde::Serialize, serde::Deserialize)]`): messages \
                        travel to and from the child process as bytes"
            )]
            pub trait ProcessMessage: #RT::Wire {}

            #[diagnostic::do_not_recommend]
            impl ProcessMessage for () {}

            #[diagnostic::on_unimplemented(
                message = "`{Self}` cannot be sent to a child process: the state fields \
                           of a process component must be serialisable",
                label = "this state field's type must implement `serde::Serialize` and \
                         `serde::Deserialize`",
                note = "the parent creates the component and sends its state to the \
                        child; derive both traits for the type, or mark the field \
                        `#[state(default)]` so that the child creates it with \
                        `Default::default()`"
            )]
            pub trait ProcessState: #RT::WireState {}

            #[diagnostic::do_not_recommend]
            impl ProcessState for () {}

            pub trait WireChecked<T> {
                fn port_message(&self) -> #RT::WireOps<T>;
            }

            impl<T: #RT::Wire> WireChecked<T> for Probe<T> {
                fn port_message(&self) -> #RT::WireOps<T> {
                    #RT::wire::<T>()
                }
            }

            pub trait StateChecked<T> {
                fn state_field(&self) -> #RT::StateOps<T>;
            }

            impl<T: #RT::WireState> StateChecked<T> for Probe<T> {
                fn state_field(&self) -> #RT::StateOps<T> {
                    #RT::state::<T>()
                }
            }

            pub trait ProcessComponent<T> {
                fn port_message(&self) -> #RT::WireOps<T>
                where
                    T: ProcessMessage;

                fn state_field(&self) -> #RT::StateOps<T>
                where
                    T: ProcessState;
            }

            impl<T> ProcessComponent<T> for &Probe<T> {
                fn port_message(&self) -> #RT::WireOps<T>
                where
                    T: ProcessMessage,
                {
                    #RT::wire::<T>()
                }

                fn state_field(&self) -> #RT::StateOps<T>
                where
                    T: ProcessState,
                {
                    #RT::state::<T>()
                }
            }
        }

        #[allow(unused_imports)]
        use __myelin_process::{ProcessComponent as _, StateChecked as _, WireChecked as _};
    }
}
