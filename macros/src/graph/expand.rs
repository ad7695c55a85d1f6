//! Code generation for a checked [`Model`]: one block expression that builds
//! the children, checks and makes every link, and returns the `Graph`.
//!
//! Types are checked by rustc, aimed by the macro: every link gets its own
//! small traits whose `#[diagnostic::on_unimplemented]` messages name the
//! link's ports, and one generic call spanned on the user's link tokens. A
//! wrong link then fails one bound of that call, and rustc reports that
//! bound's message there, once.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::messages::Diagnostic;
use super::model::{Access, Direction, Handles, Link, Model, OwnPort, Passthrough, Port};

/// Where generated code reaches the runtime.
fn rt() -> TokenStream {
    quote!(::myelin::__private)
}

/// [`rt`] with every token at `span`, for paths inside spanned expressions.
fn rt_at(span: Span) -> TokenStream {
    quote_spanned!(span=> ::myelin::__private)
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let names = Names::new(model.children.len());
    let p = rt();

    let children = model.children.iter().enumerate().map(|(i, child)| {
        let (part, handles, expr) = (&names.parts[i], &names.handles[i], &child.expr);
        let (lo, _) = super::parse::expr_bounds(expr);
        // Spanned on the expression, so "not a component" points at it.
        let part_call = quote_spanned!(lo=> #p::part(#expr));
        quote! {
            let #part = #part_call;
            let #handles = #p::Part::handles(&#part);
        }
    });
    let links = model.links.iter().map(|link| expand_link(link, &names));

    // Passthroughs are read before the children move into the graph.
    let control_var = Ident::new("__myelin_control", Span::mixed_site());
    let signal_var = Ident::new("__myelin_signal", Span::mixed_site());
    let control = model.control.as_ref().map(|pass| {
        let port = inbox_passthrough(pass, &names);
        quote!(let #control_var = #port;)
    });
    let signal = model.signal.as_ref().map(|pass| {
        let port = outbox_passthrough(pass, &names);
        quote!(let #signal_var = #port;)
    });
    let graph = Ident::new("__myelin_graph", Span::mixed_site());
    let graph_control = match model.control {
        Some(_) => quote!(#control_var),
        None => quote!(#graph.own_control()),
    };
    let graph_signal = match model.signal {
        Some(_) => quote!(#signal_var),
        None => quote!(#graph.own_signal()),
    };
    let set_control = model
        .control
        .as_ref()
        .map(|_| quote!(.control_passthrough(::core::clone::Clone::clone(&#control_var))));
    let set_signal = model
        .signal
        .as_ref()
        .map(|_| quote!(.signal_passthrough(::core::clone::Clone::clone(&#signal_var))));

    let adds = model
        .children
        .iter()
        .zip(&names.parts)
        .map(|(child, part)| {
            let name = match &child.name {
                Some(name) => {
                    let name = name.to_string();
                    quote!(#p::Some(#name))
                }
                None => quote!(#p::None),
            };
            quote!(.child(#name, #part))
        });
    let kind = model.kind.name();
    let ports = Ident::new("__myelin_handles", Span::mixed_site());

    let (items, own, handles) = match &model.handles {
        Handles::Pipeline { first, last } => {
            let (first, last) = (&names.handles[*first], &names.handles[*last]);
            let handles = quote! {
                #p::PipelinePorts {
                    inbox: #p::MaybeInbox::inbox_port(&#first),
                    outbox: #p::MaybeOutbox::outbox_port(&#last),
                    control: #graph_control,
                    signal: #graph_signal,
                }
            };
            (TokenStream::new(), TokenStream::new(), handles)
        }
        Handles::Graphline(own) => graphline_handles(own, &names, &graph_control, &graph_signal),
    };

    quote! {
        {
            #items
            #(#children)*
            #(#links)*
            #own
            #control
            #signal
            let #graph = #p::Graph::new(#kind) #(#adds)* #set_control #set_signal;
            let #ports = #handles;
            #graph.with_handles(#ports)
        }
    }
}

/// The generated locals. They have call-site hygiene, not mixed-site, so
/// that checks can refer to them with the user's spans (see [`port_ref`]);
/// the `__myelin` prefix keeps them out of the user's way.
struct Names {
    parts: Vec<Ident>,
    handles: Vec<Ident>,
}

impl Names {
    fn new(n: usize) -> Self {
        Self {
            parts: (0..n)
                .map(|i| format_ident!("__myelin_part{}", i))
                .collect(),
            handles: (0..n)
                .map(|i| format_ident!("__myelin_ports{}", i))
                .collect(),
        }
    }
}

/// `&handles.port` (or the `MaybeInbox`/`MaybeOutbox`/built-in call), with
/// its first token at `lo` and its last at the port's last token, so rustc's
/// span for the expression covers the user's text from `lo` to the port.
///
/// Every token of it carries a user span: rustc joins an expression's span
/// from its tokens only when they share a hygiene context, and the
/// call-site locals resolve the same from the user's context.
fn port_ref(port: &Port, names: &Names, lo: Span) -> TokenStream {
    let p = rt_at(port.lo);
    let h = Ident::new(&names.handles[port.child].to_string(), port.lo);
    let part = &names.parts[port.child];
    let amp = quote_spanned!(lo=> &);
    let call = |path: TokenStream| {
        let mut args = Group::new(Delimiter::Parenthesis, quote_spanned!(port.lo=> &#h));
        args.set_span(port.hi);
        quote_spanned!(port.lo=> #amp #path #args)
    };
    match &port.access {
        Access::Field(field) => quote_spanned!(port.lo=> #amp #h . #field),
        Access::MaybeInbox => call(quote_spanned!(port.lo=> #p::MaybeInbox::inbox_port)),
        Access::MaybeOutbox => call(quote_spanned!(port.lo=> #p::MaybeOutbox::outbox_port)),
        Access::Control => quote!(&#p::Part::control_port(&#part)),
        Access::Signal => quote!(&#p::Part::signal_port(&#part)),
    }
}

/// `trait __From`: `__From::port(&src)` is the source as an
/// `&OutboxPort<T>`, or the error `d` if it is not an outbox. The trait has
/// one impl, so `T` is inferred from it; when the check fails `T` stays free
/// and the link's type check passes, so one mistake is one error.
fn from_trait(d: &Diagnostic) -> TokenStream {
    let p = rt();
    let (message, label, note) = (&d.message, &d.label, &d.note);
    quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait __From<T> {
            fn port(&self) -> &#p::OutboxPort<T>;
        }
        #[diagnostic::do_not_recommend]
        impl<T> __From<T> for #p::OutboxPort<T> {
            fn port(&self) -> &#p::OutboxPort<T> {
                self
            }
        }
    }
}

/// `trait __To`: `__To::port(&dst)` is the destination as an
/// `&InboxPort<T>`; see [`from_trait`].
fn to_trait(d: &Diagnostic) -> TokenStream {
    let p = rt();
    let (message, label, note) = (&d.message, &d.label, &d.note);
    quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait __To<T> {
            fn port(&self) -> &#p::InboxPort<T>;
        }
        #[diagnostic::do_not_recommend]
        impl<T> __To<T> for #p::InboxPort<T> {
            fn port(&self) -> &#p::InboxPort<T> {
                self
            }
        }
    }
}

/// `__From::port(port)` or `__To::port(port)`: the path at `op`, which rustc
/// labels "required by a bound introduced by this call" when the port is of
/// the wrong kind; the error itself goes on `port`.
fn convert(kind: &str, port: &Port, names: &Names, op: [Span; 2]) -> TokenStream {
    spanned_call(
        path_at(op, kind, "port"),
        port_ref(port, names, port.lo),
        port.hi,
    )
}

/// `Trait::method` spanning `op` (the two characters of `->`).
fn path_at(op: [Span; 2], trait_name: &str, method: &str) -> TokenStream {
    let trait_name = Ident::new(trait_name, op[0]);
    let method = Ident::new(method, op[1]);
    quote_spanned!(op[1]=> #trait_name :: #method)
}

/// `path(args)` whose span runs from `path`'s first token to `hi`.
fn spanned_call(path: TokenStream, args: TokenStream, hi: Span) -> TokenStream {
    let mut args = Group::new(Delimiter::Parenthesis, args);
    args.set_span(hi);
    quote!(#path #args)
}

/// `trait __Link<A>`, implemented by `A` only, so `B: __Link<A>` means the
/// types are equal. The side that may still be unknown goes in `Self` (see
/// the runtime's notes on readable type errors): rustc then reports this
/// trait's message rather than a bare mismatch. `method` is the one method
/// the caller uses (`link`, `inbox` or `outbox`).
fn link_trait(message: &str, method: &str) -> TokenStream {
    let p = rt();
    let (decl, body) = match method {
        "link" => (
            quote!(fn link(from: &#p::OutboxPort<A>, to: &#p::InboxPort<Self>, capacity: #p::Option<usize>) where Self: Sized;),
            quote!(fn link(from: &#p::OutboxPort<T>, to: &#p::InboxPort<T>, capacity: #p::Option<usize>) { #p::link(from, to, capacity) }),
        ),
        "inbox" => (
            quote!(fn inbox(to: &#p::InboxPort<Self>) -> &#p::InboxPort<A> where Self: Sized;),
            quote!(fn inbox(to: &#p::InboxPort<T>) -> &#p::InboxPort<T> { to }),
        ),
        _ => (
            quote!(fn outbox(from: &#p::OutboxPort<A>) -> &#p::OutboxPort<Self> where Self: Sized;),
            quote!(fn outbox(from: &#p::OutboxPort<T>) -> &#p::OutboxPort<T> { from }),
        ),
    };
    quote! {
        #[diagnostic::on_unimplemented(
            message = #message,
            label = "these ports carry different message types",
            note = "both ends of a link carry the same type; \
                    put a component between them that converts one into the other"
        )]
        trait __Link<A> {
            #decl
        }
        impl<T> __Link<T> for T {
            #body
        }
    }
}

fn expand_link(link: &Link, names: &Names) -> TokenStream {
    let p = rt();
    let (from, to) = (&link.from, &link.to);
    let capacity = match &link.capacity {
        Some(cap) => quote!(#p::Some::<usize>(#cap)),
        None => quote!(#p::None),
    };
    if from.access.is_builtin() && to.access.is_builtin() {
        let (from, to) = (port_ref(from, names, from.lo), port_ref(to, names, to.lo));
        return quote!(#p::link(#from, #to, #capacity););
    }
    let m = &link.messages;
    let op = link.op;
    let from_item = from_trait(&m.not_outbox);
    let to_item = to_trait(&m.not_inbox);
    let link_item = link_trait(&m.mismatch, "link");
    let from_call = convert("__From", from, names, op);
    // rustc reports a type mismatch on the destination argument; wrapping it
    // in `identity` spanned from the link's first token makes that argument,
    // and so the error, cover the whole link.
    let to_call = convert("__To", to, names, op);
    let identity = quote_spanned!(from.lo=> ::core::convert::identity);
    let to_call = spanned_call(identity, to_call, to.hi);
    let path = path_at(op, "__Link", "link");
    let call = spanned_call(path, quote!(#from_call, #to_call, #capacity), to.hi);
    quote! {
        {
            #from_item
            #to_item
            #link_item
            #call;
        }
    }
}

/// The graph's inbox that is a child's inbox; for `control` (the one with a
/// `mismatch` message) also checks that the child's inbox carries `Control`.
fn inbox_passthrough(pass: &Passthrough, names: &Names) -> TokenStream {
    let Some(wrong_kind) = &pass.wrong_kind else {
        // A built-in port: always the right kind and type.
        let port = port_ref(&pass.port, names, pass.port.lo);
        return quote!(::core::clone::Clone::clone(#port));
    };
    let (op, hi) = (pass.op, pass.port.hi);
    let item = to_trait(wrong_kind);
    let call = convert("__To", &pass.port, names, op);
    match &pass.mismatch {
        Some(mismatch) => {
            let link = link_trait(mismatch, "inbox");
            let p = rt_at(op[1]);
            let lt = quote_spanned!(op[0]=> <);
            let path = quote_spanned!(op[1]=> #lt _ as __Link<#p::Control>>::inbox);
            let cast = spanned_call(path, call, hi);
            quote! {{
                #item
                #link
                ::core::clone::Clone::clone(#cast)
            }}
        }
        None => quote! {{
            #item
            ::core::clone::Clone::clone(#call)
        }},
    }
}

/// The graph's outbox that is a child's outbox; for `signal` (the one with a
/// `mismatch` message) also checks that the child's outbox carries `Control`.
fn outbox_passthrough(pass: &Passthrough, names: &Names) -> TokenStream {
    let Some(wrong_kind) = &pass.wrong_kind else {
        let port = port_ref(&pass.port, names, pass.port.lo);
        return quote!(::core::clone::Clone::clone(#port));
    };
    let (op, hi) = (pass.op, pass.port.hi);
    let item = from_trait(wrong_kind);
    let call = convert("__From", &pass.port, names, op);
    match &pass.mismatch {
        Some(mismatch) => {
            let link = link_trait(mismatch, "outbox");
            let p = rt_at(op[1]);
            let lt = quote_spanned!(op[0]=> <);
            let path = quote_spanned!(op[1]=> #lt #p::Control as __Link<_>>::outbox);
            let cast = spanned_call(path, call, hi);
            quote! {{
                #item
                #link
                ::core::clone::Clone::clone(#cast)
            }}
        }
        None => quote! {{
            #item
            ::core::clone::Clone::clone(#call)
        }},
    }
}

/// A graphline's handles: a struct generated for it, generic over the
/// message types of its own ports so the macro never names a type.
/// Returns the struct and its impls, the statements that compute the own
/// ports, and the struct expression.
fn graphline_handles(
    own: &[OwnPort],
    names: &Names,
    control: &TokenStream,
    signal: &TokenStream,
) -> (TokenStream, TokenStream, TokenStream) {
    let p = rt();
    let params: Vec<Ident> = (0..own.len()).map(|i| format_ident!("__T{}", i)).collect();
    let fields: Vec<&Ident> = own.iter().map(|o| &o.name).collect();
    let vars: Vec<Ident> = (0..own.len())
        .map(|i| format_ident!("__myelin_own{}", i, span = Span::mixed_site()))
        .collect();
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
    };
    let computed = own.iter().zip(&vars).map(|(o, var)| {
        let port = match o.direction {
            Direction::In => inbox_passthrough(&o.pass, names),
            Direction::Out => outbox_passthrough(&o.pass, names),
        };
        quote!(let #var = #port;)
    });
    let own_tokens = quote!(#(#computed)*);
    let handles = quote! {
        __GraphlinePorts {
            #(#fields: #vars,)*
            control: #control,
            signal: #signal,
        }
    };
    (items, own_tokens, handles)
}
