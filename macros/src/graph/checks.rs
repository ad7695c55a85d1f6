//! The checks generated for each link and passthrough.
//!
//! Types are checked by rustc, aimed by the macro: every link gets its own
//! small traits whose `#[diagnostic::on_unimplemented]` messages name the
//! link's ports, and one call spanned on the user's link tokens. A wrong
//! link fails one bound of that call, and rustc reports that bound's message
//! there, once:
//!
//! ```text
//! __Link::link(__From::port(&a.handles.outbox), identity(__To::port(&b.handles.inbox)), None)
//! ```
//!
//! - `__From`/`__To` are implemented only for `OutboxPort<T>`/`InboxPort<T>`:
//!   an inbox as a source (or a pipeline stage without `outbox`, `NoPort`)
//!   fails there, on the source's tokens.
//! - `__Link<A>` is implemented only for `A`: ports of different types fail
//!   there, on the `identity(..)` argument, spanned over the whole link.
//! - The path of each call is spanned on the `->`, which rustc labels
//!   "required by a bound introduced by this call".
//! - `__Link` infers the source's type from the destination's only; an
//!   `Infer(&from, &to).infer()` call before it carries the type the other
//!   way when it can (a generic sink), and does nothing when the types
//!   differ, leaving the mismatch to `__Link`'s message.
//! - A pipeline's data link checks each end against the other: neither end
//!   (`NoPort` twice) is no link at all, one end alone is an error.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;

use super::expand::{Names, port_ref};
use super::messages::Diagnostic;
use super::model::{Access, Direction, Link, Passthrough, Port};
use crate::runtime::{self, RT};

/// `trait __From`: `__From::port(&src)` is the source as an
/// `&OutboxPort<T>`, or the error `d` if it is not an outbox. The trait has
/// one impl, so `T` is inferred from it; when the check fails `T` stays free
/// and the link's type check passes, so one mistake is one error.
fn from_trait(d: &Diagnostic) -> TokenStream {
    let p = RT;
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
    let p = RT;
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

/// The `__From` of a pipeline's data link: as [`from_trait`], but the port
/// may also be `NoPort` when the other end (`D`) is `NoPort` too: two stages
/// without data boxes between them are linked by `signal` and `control`
/// alone. `port` is then `None` and `T` is `()`.
///
/// The `NoPort` impl is for any `D: Absent`, not for `D = NoPort`: with a
/// single impl for `NoPort`, rustc would infer `D = NoPort` from it and
/// report a bare type mismatch on the other stage instead of this trait's
/// message. `T` comes from `D` for the same reason: a wrong pair leaves it
/// unknown, so the link's type check does not fail a second time.
fn maybe_from_trait(d: &Diagnostic) -> TokenStream {
    let p = RT;
    let (message, label, note) = (&d.message, &d.label, &d.note);
    quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait __From<T, D> {
            fn port<'a>(&'a self, to: &D) -> #p::Option<&'a #p::OutboxPort<T>>;
        }
        #[diagnostic::do_not_recommend]
        impl<T, D> __From<T, D> for #p::OutboxPort<T> {
            fn port<'a>(&'a self, _: &D) -> #p::Option<&'a #p::OutboxPort<T>> {
                #p::Some(self)
            }
        }
        #[diagnostic::do_not_recommend]
        impl<D: #p::Absent> __From<D::Unit, D> for #p::NoPort {
            fn port<'a>(&'a self, _: &D) -> #p::Option<&'a #p::OutboxPort<D::Unit>> {
                #p::None
            }
        }
    }
}

/// The `__To` of a pipeline's data link; see [`maybe_from_trait`].
fn maybe_to_trait(d: &Diagnostic) -> TokenStream {
    let p = RT;
    let (message, label, note) = (&d.message, &d.label, &d.note);
    quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait __To<T, S> {
            fn port<'a>(&'a self, from: &S) -> #p::Option<&'a #p::InboxPort<T>>;
        }
        #[diagnostic::do_not_recommend]
        impl<T, S> __To<T, S> for #p::InboxPort<T> {
            fn port<'a>(&'a self, _: &S) -> #p::Option<&'a #p::InboxPort<T>> {
                #p::Some(self)
            }
        }
        #[diagnostic::do_not_recommend]
        impl<S: #p::Absent> __To<S::Unit, S> for #p::NoPort {
            fn port<'a>(&'a self, _: &S) -> #p::Option<&'a #p::InboxPort<S::Unit>> {
                #p::None
            }
        }
    }
}

/// `__From::port(port)` or `__To::port(port)`: the path at `op`, which rustc
/// labels "required by a bound introduced by this call" when the port is of
/// the wrong kind; the error itself goes on `port`.
fn convert(kind: &str, port: &Port, names: &Names, op: [Span; 2]) -> TokenStream {
    spanned_call(path_at(op, kind, "port"), port_ref(port, names), port.hi)
}

/// `Trait::method` spanning `op` (the two characters of `->`).
fn path_at(op: [Span; 2], trait_name: &str, method: &str) -> TokenStream {
    let trait_name = Ident::new(trait_name, op[0]);
    let method = Ident::new(method, op[1]);
    quote_spanned!(op[1]=> #trait_name :: #method)
}

/// `path(args)` whose span runs from `path`'s first token to `hi`.
pub(crate) fn spanned_call(path: TokenStream, args: TokenStream, hi: Span) -> TokenStream {
    let mut args = Group::new(Delimiter::Parenthesis, args);
    args.set_span(hi);
    quote!(#path #args)
}

/// `trait __Link<A>`, implemented by `A` only, so `B: __Link<A>` means the
/// types are equal. The side that may still be unknown when rustc checks
/// the bound goes in `Self` (see the runtime's notes on readable type
/// errors): then rustc reports this trait's message. With the known side in
/// `Self`, rustc would infer the other from the one impl and report a bare
/// mismatch instead. `method` is the one method the caller uses.
fn link_trait(message: &str, method: LinkMethod) -> TokenStream {
    let p = RT;
    let (decl, body) = match method {
        // A link: `Self` is the destination's type.
        LinkMethod::Link => (
            quote!(fn link(from: &#p::OutboxPort<A>, to: &#p::InboxPort<Self>, capacity: #p::Option<usize>) where Self: Sized;),
            quote!(fn link(from: &#p::OutboxPort<T>, to: &#p::InboxPort<T>, capacity: #p::Option<usize>) { #p::link(from, to, capacity) }),
        ),
        // A pipeline's data link, made when both stages have the port.
        LinkMethod::MaybeLink => (
            quote!(fn link(from: #p::Option<&#p::OutboxPort<A>>, to: #p::Option<&#p::InboxPort<Self>>) where Self: Sized;),
            quote!(fn link(from: #p::Option<&#p::OutboxPort<T>>, to: #p::Option<&#p::InboxPort<T>>) { #p::link_stages(from, to) }),
        ),
        // `self.control -> child.inbox`: `Self` is the child inbox's type.
        LinkMethod::Inbox => (
            quote!(fn inbox(to: &#p::InboxPort<Self>) -> &#p::InboxPort<A> where Self: Sized;),
            quote!(fn inbox(to: &#p::InboxPort<T>) -> &#p::InboxPort<T> { to }),
        ),
        // `child.outbox -> self.signal`: `Self` is the child outbox's type.
        LinkMethod::Outbox => (
            quote!(fn outbox(from: &#p::OutboxPort<Self>) -> &#p::OutboxPort<A> where Self: Sized;),
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

#[derive(Clone, Copy)]
enum LinkMethod {
    Link,
    MaybeLink,
    Inbox,
    Outbox,
}

/// `::core::convert::identity(inner)` spanning `whole`: rustc reports a
/// failed bound on the argument it comes from, so wrapping that argument
/// makes the error underline the whole link.
fn spanning(inner: TokenStream, whole: [Span; 2]) -> TokenStream {
    let identity = quote_spanned!(whole[0]=> ::core::convert::identity);
    spanned_call(identity, inner, whole[1])
}

pub(crate) fn link(link: &Link, names: &Names) -> TokenStream {
    let p = RT;
    let (from, to) = (&link.from, &link.to);
    let capacity = match &link.capacity {
        // A typed `let`, so a capacity of another type is reported on it
        // with "expected due to this" on the word `capacity`.
        Some((key, value)) => {
            let ty = quote_spanned!(*key=> usize);
            quote!({
                let capacity: #ty = #value;
                #p::Some(capacity)
            })
        }
        None => quote!(#p::None),
    };
    let Some(m) = &link.messages else {
        let (from, to) = (port_ref(from, names), port_ref(to, names));
        return quote!(#p::link(#from, #to, #capacity););
    };
    let op = link.op;
    if matches!(from.access, Access::MaybeOutbox) {
        return stage_link(link, m, names);
    }
    let infer = infer(from, to, names);
    let from_item = from_trait(&m.not_outbox);
    let to_item = to_trait(&m.not_inbox);
    let link_item = link_trait(&m.mismatch, LinkMethod::Link);
    let from_call = convert("__From", from, names, op);
    // rustc reports a type mismatch on the destination argument.
    let to_call = spanning(convert("__To", to, names, op), link.whole);
    let path = path_at(op, "__Link", "link");
    let call = spanned_call(path, quote!(#from_call, #to_call, #capacity), to.hi);
    quote! {
        {
            #from_item
            #to_item
            #link_item
            #infer
            #call;
        }
    }
}

/// Lets the message type flow from either end of a link to the other
/// before the link's type check, which infers it one way only (see the
/// runtime's `Infer`): a generic sink needs no turbofish.
fn infer(from: &Port, to: &Port, names: &Names) -> TokenStream {
    let p = RT;
    let (from, to) = (port_ref(from, names), port_ref(to, names));
    quote! {
        #[allow(unused_imports)]
        use #p::{OtherMessage as _, SameMessage as _};
        #p::Infer(#from, #to).infer();
    }
}

/// A pipeline's data link between consecutive stages: `outbox -> inbox`
/// when both have the port, nothing when neither has (they are linked by
/// `signal -> control` alone), an error at the stage that lacks its port
/// otherwise. Each end is checked against the other:
///
/// ```text
/// __Link::link(__From::port(&a, &b), identity(__To::port(&b, &a)))
/// ```
fn stage_link(link: &Link, m: &super::messages::LinkMessages, names: &Names) -> TokenStream {
    let (from, to, op) = (&link.from, &link.to, link.op);
    let from_item = maybe_from_trait(&m.not_outbox);
    let to_item = maybe_to_trait(&m.not_inbox);
    let link_item = link_trait(&m.mismatch, LinkMethod::MaybeLink);
    // Each stage's port is found once: a stage whose handles have no
    // `MaybeOutbox` is then one error, not one per use.
    let (from_var, to_var) = (
        Ident::new("__myelin_from", from.lo),
        Ident::new("__myelin_to", to.lo),
    );
    let (from_port, to_port) = (port_ref(from, names), port_ref(to, names));
    let p = RT;
    let infer = quote! {
        #[allow(unused_imports)]
        use #p::{OtherMessage as _, SameMessage as _};
        #p::Infer(#from_var, #to_var).infer();
    };
    // `identity(var)` spanning the port, where rustc reports `__From`/`__To`.
    let (from_ref, to_ref) = (
        spanning(quote!(#from_var), [from.lo, from.hi]),
        spanning(quote!(#to_var), [to.lo, to.hi]),
    );
    let from_call = spanned_call(
        path_at(op, "__From", "port"),
        quote!(#from_ref, #to_ref),
        from.hi,
    );
    let to_call = spanned_call(
        path_at(op, "__To", "port"),
        quote!(#to_ref, #from_ref),
        to.hi,
    );
    let to_call = spanning(to_call, link.whole);
    let path = path_at(op, "__Link", "link");
    let call = spanned_call(path, quote!(#from_call, #to_call), to.hi);
    quote! {
        {
            #from_item
            #to_item
            #link_item
            let #from_var = #from_port;
            let #to_var = #to_port;
            #infer
            #call;
        }
    }
}

/// A clone of the child port that the graph's inbox (`In`) or outbox
/// (`Out`) is, checked to be an inbox (outbox) and, for `control` and
/// `signal` (the passthroughs with a `mismatch` message), to carry `Control`.
pub(crate) fn passthrough(pass: &Passthrough, names: &Names, direction: Direction) -> TokenStream {
    let Some(wrong_kind) = &pass.wrong_kind else {
        // A built-in port: always the right kind and type.
        let port = port_ref(&pass.port, names);
        return quote!(::core::clone::Clone::clone(#port));
    };
    let (kind_item, kind, cast) = match direction {
        Direction::In => (to_trait(wrong_kind), "__To", LinkMethod::Inbox),
        Direction::Out => (from_trait(wrong_kind), "__From", LinkMethod::Outbox),
    };
    let port = convert(kind, &pass.port, names, pass.op);
    let Some(mismatch) = &pass.mismatch else {
        return quote! {{
            #kind_item
            ::core::clone::Clone::clone(#port)
        }};
    };
    let link_item = link_trait(mismatch, cast);
    let method = match direction {
        Direction::In => "inbox",
        Direction::Out => "outbox",
    };
    // `__Link::<Control>::method`, spanning the `->`.
    let p = runtime::at(pass.op[1]);
    let trait_name = Ident::new("__Link", pass.op[0]);
    let method = Ident::new(method, pass.op[1]);
    let path = quote_spanned!(pass.op[1]=> #trait_name::<#p::Control>::#method);
    let cast = spanned_call(path, spanning(port, pass.whole), pass.whole[1]);
    quote! {{
        #kind_item
        #link_item
        ::core::clone::Clone::clone(#cast)
    }}
}
