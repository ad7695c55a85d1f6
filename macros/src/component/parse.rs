//! The syntax `#[component]` reads beyond the struct itself: its own
//! arguments, the `#[inbox(..)]` and `#[state(..)]` field attributes, and
//! which field types are ports.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, GenericArgument, LitInt, PathArguments, Type};

use crate::errors::Errors;

/// How the component runs: the one argument `#[component]` takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// `#[component]`: an `async` body on the scheduler.
    Generator,
    /// `#[component(thread)]`: a blocking body on its own OS thread.
    Thread,
    /// `#[component(process)]`: an `async` body in a child OS process.
    Process,
}

/// Reads `#[component]`, `#[component(thread)]` or
/// `#[component(process)]`; anything else is
/// reported (and the component treated as a generator).
pub(crate) fn kind(attr: TokenStream, errors: &mut Errors) -> Kind {
    if attr.is_empty() {
        return Kind::Generator;
    }
    match syn::parse2::<syn::Ident>(attr.clone()) {
        Ok(ident) if ident == "thread" => Kind::Thread,
        Ok(ident) if ident == "process" => Kind::Process,
        _ => {
            errors.spanned(
                attr,
                "unexpected argument; write `#[component]` for a generator component, \
                 `#[component(thread)]` for one with its own thread, or \
                 `#[component(process)]` for one in a child process",
            );
            Kind::Generator
        }
    }
}

/// Which way a port carries messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    Inbox,
    Outbox,
}

impl Direction {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Inbox => "Inbox",
            Self::Outbox => "Outbox",
        }
    }
}

/// A field type whose last path segment is `Inbox` or `Outbox`, however the
/// path is written (`Inbox<T>`, `myelin::Inbox<T>`, ...).
pub(crate) struct PortType {
    pub(crate) direction: Direction,
    /// The message type, or why it could not be read.
    pub(crate) message: syn::Result<Type>,
}

/// `Some` if `ty` is a port type. The match is on the name alone: the macro
/// cannot resolve paths, and a struct that names a type of its own `Inbox`
/// is asking for confusion anyway.
pub(crate) fn port_type(ty: &Type) -> Option<PortType> {
    let mut ty = ty;
    // Types from `macro_rules!` arrive wrapped in invisible groups.
    while let Type::Group(group) = ty {
        ty = &group.elem;
    }
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    let direction = if last.ident == "Inbox" {
        Direction::Inbox
    } else if last.ident == "Outbox" {
        Direction::Outbox
    } else {
        return None;
    };
    let name = direction.name();
    let wrong = |span: &dyn ToTokens| {
        syn::Error::new_spanned(
            span,
            format!("`{name}` takes exactly one type argument, the message type: `{name}<T>`"),
        )
    };
    let message = match &last.arguments {
        PathArguments::AngleBracketed(args) => match args.args.iter().collect::<Vec<_>>()[..] {
            [GenericArgument::Type(message)] => Ok(message.clone()),
            _ => Err(wrong(args)),
        },
        PathArguments::Parenthesized(args) => Err(wrong(args)),
        PathArguments::None => Err(wrong(&last.ident)),
    };
    Some(PortType { direction, message })
}

/// A field's `#[inbox(..)]` attribute.
pub(crate) struct InboxAttr {
    /// The attribute as written, to point errors about it as a whole at.
    pub(crate) tokens: TokenStream,
    pub(crate) capacity: Option<usize>,
}

/// A field's `#[state(..)]` attribute.
pub(crate) struct StateAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) default: bool,
    /// `into`: `new` takes `impl Into<FieldType>`; the span of the option,
    /// to report it combined with `default`.
    pub(crate) into: Option<proc_macro2::Span>,
}

/// The helper attributes of one field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) inbox: Option<InboxAttr>,
    pub(crate) state: Option<StateAttr>,
}

/// Removes `#[inbox(..)]` and `#[state(..)]` from `attrs` (rustc would not
/// know them) and parses them.
pub(crate) fn take_field_attrs(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> FieldAttrs {
    let mut found = FieldAttrs::default();
    attrs.retain(|attr| {
        if attr.path().is_ident("inbox") {
            if found.inbox.is_some() {
                errors.spanned(attr, "duplicate `#[inbox(..)]` attribute");
            } else {
                found.inbox = Some(inbox_attr(attr, errors));
            }
            false
        } else if attr.path().is_ident("state") {
            if found.state.is_some() {
                errors.spanned(attr, "duplicate `#[state(..)]` attribute");
            } else {
                found.state = Some(state_attr(attr, errors));
            }
            false
        } else {
            true
        }
    });
    found
}

/// `#[inbox(capacity = N)]`, N a positive integer literal.
fn inbox_attr(attr: &Attribute, errors: &mut Errors) -> InboxAttr {
    let mut capacity = None;
    let result = attr.parse_nested_meta(|meta| {
        if !meta.path.is_ident("capacity") {
            return Err(meta.error(format_args!(
                "unknown `inbox` option `{}`; the only option is `capacity = N`",
                path_string(&meta.path)
            )));
        }
        if capacity.is_some() {
            return Err(meta.error("duplicate `capacity`"));
        }
        let value: syn::Expr = meta.value()?.parse()?;
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(lit),
            ..
        }) = &value
        else {
            return Err(syn::Error::new_spanned(
                value,
                "capacity must be an integer literal, e.g. `capacity = 16`",
            ));
        };
        capacity = Some(positive(lit)?);
        Ok(())
    });
    if let Err(e) = result {
        errors.push(e);
    }
    InboxAttr {
        tokens: attr.to_token_stream(),
        capacity,
    }
}

fn positive(lit: &LitInt) -> syn::Result<usize> {
    let n: usize = lit.base10_parse()?;
    if n == 0 {
        return Err(syn::Error::new_spanned(
            lit,
            "capacity must be at least 1: an inbox that holds nothing could never receive",
        ));
    }
    Ok(n)
}

/// `#[state(default)]` or `#[state(into)]`.
fn state_attr(attr: &Attribute, errors: &mut Errors) -> StateAttr {
    let mut default = None;
    let mut into = None;
    let result = attr.parse_nested_meta(|meta| {
        let (slot, no_value) = if meta.path.is_ident("default") {
            (
                &mut default,
                "`default` takes no value: the field starts as `Default::default()`",
            )
        } else if meta.path.is_ident("into") {
            (
                &mut into,
                "`into` takes no value: `new` takes anything that converts into the field's type",
            )
        } else {
            return Err(meta.error(format_args!(
                "unknown `state` option `{}`; the options are `default` and `into`",
                path_string(&meta.path)
            )));
        };
        if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
            return Err(meta.error(no_value));
        }
        if slot.replace(meta.path.span()).is_some() {
            return Err(meta.error(format_args!("duplicate `{}`", path_string(&meta.path))));
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.push(e);
    }
    StateAttr {
        tokens: attr.to_token_stream(),
        default: default.is_some(),
        into,
    }
}

fn path_string(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}
