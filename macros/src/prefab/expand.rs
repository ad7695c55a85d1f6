//! The ports struct (with `Clone`, `Debug`, and what pipelines and other
//! prefabs look for in it) and the function, whose body's graph is given
//! those ports.
//!
//! Each declared port is found in the body's graph by name, through the
//! graph's `OwnPort` impls, by two traits generated for it: `__HasPortN`
//! ("the graph has no port `outbox`") and `__IsPortN<D>` ("the graph's
//! `outbox` is not an `Outbox<D>`"). Their messages name the prefab and the
//! port, and rustc reports them at the port's declaration.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{GenericParam, Ident};

use super::model::{Port, Prefab};
use crate::component::parse::Direction;
use crate::graph::escape;
use crate::runtime::RT;

pub(crate) fn expand(prefab: &Prefab) -> TokenStream {
    let item = &prefab.item;
    let ports_struct = ports_struct(prefab);
    let (attrs, vis, sig, block) = (&item.attrs, &item.vis, &item.sig, &item.block);
    let name = &prefab.name;
    let ident = &prefab.ports_ident;
    let handles = Ident::new("__myelin_handles", Span::call_site());
    let mut checks = Vec::new();
    let mut inits = Vec::new();
    for (i, port) in prefab.ports.iter().enumerate() {
        let (items, init) = find(prefab, port, i);
        checks.push(items);
        inits.push(init);
    }
    let (_, marker_init) = marker(prefab);
    let p = RT;
    quote! {
        #ports_struct

        #(#attrs)*
        #vis #sig {
            // A closure, so that a `return` in the body returns the graph.
            #[allow(clippy::redundant_closure_call)]
            let __myelin_graph = (move || #block)();
            #(#checks)*
            #p::prefab(__myelin_graph, #name, |#handles, control, signal| #ident {
                #(#inits,)*
                control,
                signal,
                #marker_init
            })
        }
    }
}

/// The traits that find `port` in the graph's handles, and the field's
/// initialiser.
///
/// Every name in the initialiser is spanned on the port's declaration (the
/// locals resolve alike from the user's context), so rustc reports a port
/// missing from the graph, or of the wrong kind, there.
fn find(prefab: &Prefab, port: &Port, i: usize) -> (TokenStream, TokenStream) {
    let p = RT;
    let key = port.name();
    let has = format_ident!("__HasPort{}", i, span = port.span);
    let is = format_ident!("__IsPort{}", i, span = port.span);
    let handles = Ident::new("__myelin_handles", port.span);
    let fn_name = escape(&prefab.name);
    let port_name = escape(&key);
    let (kind, port_ty, pass) = match port.direction {
        Direction::Inbox => (
            "Inbox",
            quote!(#p::InboxPort),
            format!("`self.{port_name} -> worker.{port_name}`"),
        ),
        Direction::Outbox => (
            "Outbox",
            quote!(#p::OutboxPort),
            format!("`worker.{port_name} -> self.{port_name}`"),
        ),
    };
    let missing = format!("the graph `{fn_name}` returns has no port named `{port_name}`");
    let missing_note = format!(
        "`#[prefab]` finds each port it declares among the ports of the graph the function \
         returns: pass a component's port through in the graphline's links, as in {pass} \
         (a pipeline's ports are `inbox` and `outbox`)"
    );
    let mismatch =
        format!("the `{port_name}` of the graph `{fn_name}` returns is not an `{kind}<{{D}}>`");
    let mismatch_label = format!("declared as `{kind}<{{D}}>` here");
    let mismatch_note = format!("the graph's `{port_name}` is `{{Self}}`");
    let items = quote! {
        #[diagnostic::on_unimplemented(message = #missing, label = "declared here", note = #missing_note)]
        trait #has {
            type Port;
            fn port(&self) -> Self::Port;
        }
        #[diagnostic::do_not_recommend]
        impl<H: #p::OwnPort<{ #p::port_key(#key) }>> #has for H {
            type Port = <H as #p::OwnPort<{ #p::port_key(#key) }>>::Port;
            fn port(&self) -> Self::Port {
                <H as #p::OwnPort<{ #p::port_key(#key) }>>::own_port(self)
            }
        }
        #[diagnostic::on_unimplemented(message = #mismatch, label = #mismatch_label, note = #mismatch_note)]
        trait #is<D> {
            fn cast(self) -> #port_ty<D>;
        }
        #[diagnostic::do_not_recommend]
        impl<T> #is<T> for #port_ty<T> {
            fn cast(self) -> #port_ty<T> {
                self
            }
        }
    };
    let field = &port.ident;
    let message = &port.message;
    // Spanned on the declaration, where rustc then reports either trait.
    let init = quote_spanned! {port.span=>
        #field: #is::<#message>::cast(#has::port(#handles))
    };
    (items, init)
}

/// The ports struct and its impls.
fn ports_struct(prefab: &Prefab) -> TokenStream {
    let p = RT;
    let vis = &prefab.item.vis;
    let ident = &prefab.ports_ident;
    let generics = &prefab.generics;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let name = &prefab.name;
    let mut doc = format!(
        "The ports of [`{name}`], a prefab: link them in `pipeline!` or `graphline!` as a \
         component's."
    );
    if let Some(summary) = prefab.item_doc_summary() {
        doc.push_str(&format!("\n\n`{name}`: {summary}"));
    }
    let mut fields = Vec::new();
    let mut names = Vec::new();
    let mut name_strings = Vec::new();
    let mut own_ports = Vec::new();
    for port in &prefab.ports {
        let field = &port.ident;
        let message = &port.message;
        let ty = match port.direction {
            Direction::Inbox => quote!(#p::InboxPort<#message>),
            Direction::Outbox => quote!(#p::OutboxPort<#message>),
        };
        let doc = if port.doc.is_empty() {
            let text = format!(
                "The `{}` {}.",
                port.name(),
                port.direction.name().to_lowercase()
            );
            quote!(#[doc = #text])
        } else {
            let attrs = &port.doc.attrs;
            quote!(#(#attrs)*)
        };
        fields.push(quote!(#doc pub #field: #ty,));
        let key = port.name();
        own_ports.push(quote! {
            impl #impl_generics #p::Declares<{ #p::port_key(#key) }> for #ident #ty_generics #where_clause {}
            impl #impl_generics #p::OwnPort<{ #p::port_key(#key) }> for #ident #ty_generics #where_clause {
                type Port = #ty;
                fn own_port(&self) -> #ty {
                    ::core::clone::Clone::clone(&self.#field)
                }
            }
        });
        names.push(field);
        name_strings.push(key);
    }
    let (marker_field, marker_init) = marker(prefab);
    let maybe_inbox = maybe_port(prefab, Direction::Inbox);
    let maybe_outbox = maybe_port(prefab, Direction::Outbox);
    let ident_string = ident.to_string();
    // A prefab's ports are all declared: another prefab built of it checks
    // its own declaration through the ports it finds.
    let mut declared_generics = generics.clone();
    declared_generics.params.push(syn::parse_quote!(__P));
    let (declared_impl, _, _) = declared_generics.split_for_impl();
    let declared_in = quote! {
        impl #declared_impl #p::DeclaredIn<__P> for #ident #ty_generics #where_clause {}
    };
    let control_doc = format!("The built-in `control` inbox of the graph [`{name}`] returns.");
    let signal_doc = format!("The built-in `signal` outbox of the graph [`{name}`] returns.");
    quote! {
        #[doc = #doc]
        #vis struct #ident #generics #where_clause {
            #(#fields)*
            #[doc = #control_doc]
            pub control: #p::InboxPort<#p::Control>,
            #[doc = #signal_doc]
            pub signal: #p::OutboxPort<#p::Control>,
            #marker_field
        }

        // By hand: a derive would require every type parameter to be `Clone`.
        impl #impl_generics ::core::clone::Clone for #ident #ty_generics #where_clause {
            fn clone(&self) -> Self {
                Self {
                    #(#names: ::core::clone::Clone::clone(&self.#names),)*
                    control: ::core::clone::Clone::clone(&self.control),
                    signal: ::core::clone::Clone::clone(&self.signal),
                    #marker_init
                }
            }
        }

        impl #impl_generics ::core::fmt::Debug for #ident #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#ident_string)
                    #(.field(#name_strings, &self.#names))*
                    .field("control", &self.control)
                    .field("signal", &self.signal)
                    .finish()
            }
        }

        #maybe_inbox
        #maybe_outbox
        #(#own_ports)*
        #declared_in
    }
}

/// A `PhantomData` field for the type parameters, which the ports may not
/// all use.
fn marker(prefab: &Prefab) -> (TokenStream, TokenStream) {
    let params: Vec<&Ident> = prefab
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            _ => None,
        })
        .collect();
    if params.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    (
        quote!(#[doc(hidden)] pub __marker: ::core::marker::PhantomData<fn() -> (#(#params,)*)>,),
        quote!(__marker: ::core::marker::PhantomData,),
    )
}

/// `MaybeInbox` (`MaybeOutbox`): the port named `inbox` (`outbox`), or
/// `NoPort`, so the prefab is a pipeline stage like a component.
fn maybe_port(prefab: &Prefab, direction: Direction) -> TokenStream {
    let p = RT;
    let (trait_name, method, name) = match direction {
        Direction::Inbox => (quote!(MaybeInbox), quote!(inbox_port), "inbox"),
        Direction::Outbox => (quote!(MaybeOutbox), quote!(outbox_port), "outbox"),
    };
    let port = prefab
        .ports
        .iter()
        .find(|port| port.direction == direction && port.name() == name);
    let (port_ty, value) = match port {
        Some(port) => {
            let message = &port.message;
            let field = &port.ident;
            let ty = match direction {
                Direction::Inbox => quote!(#p::InboxPort<#message>),
                Direction::Outbox => quote!(#p::OutboxPort<#message>),
            };
            (ty, quote!(::core::clone::Clone::clone(&self.#field)))
        }
        None => (quote!(#p::NoPort), quote!(#p::NoPort)),
    };
    let ident = &prefab.ports_ident;
    let (impl_generics, ty_generics, where_clause) = prefab.generics.split_for_impl();
    // Kept out of "other types implement" lists, unless generic: see
    // `#[component]`'s handles.
    let hidden = prefab
        .generics
        .params
        .is_empty()
        .then(|| quote!(#[diagnostic::do_not_recommend]));
    quote! {
        #hidden
        impl #impl_generics #p::#trait_name for #ident #ty_generics #where_clause {
            type Port = #port_ty;
            fn #method(&self) -> Self::Port {
                #value
            }
        }
    }
}
