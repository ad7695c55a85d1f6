//! The component as the expansion needs it: each field sorted into port or
//! state, every mistake recorded with the user's span.
//!
//! Building never stops at a mistake. A field in error is still classified as
//! well as it can be, so the expansion stays well-formed and the user sees
//! the macro's message alone, not a cascade of errors about missing items.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Fields, GenericParam, Generics, Ident, Item, Type, Visibility};

use super::docs::Doc;
use super::parse::{self, Direction};
use crate::errors::Errors;

pub(crate) struct Component {
    /// The item to emit: as written, minus the helper attributes.
    pub(crate) item: Item,
    pub(crate) ident: Ident,
    pub(crate) vis: Visibility,
    pub(crate) generics: Generics,
    pub(crate) doc: Doc,
    /// The named fields in declaration order; `None` for an item that has
    /// none (already an error), which gets no constructor.
    pub(crate) fields: Option<Vec<Field>>,
}

pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) doc: Doc,
    pub(crate) role: Role,
}

pub(crate) enum Role {
    Port(Box<Port>),
    /// A constructor parameter, or `Default::default()` with `#[state(default)]`.
    State {
        default: bool,
        /// `#[state(into)]`: the parameter is `impl Into<FieldType>`.
        into: bool,
    },
    /// A port whose type the macro could not read (already an error).
    Rejected,
}

pub(crate) struct Port {
    pub(crate) direction: Direction,
    pub(crate) message: Type,
    pub(crate) capacity: Option<usize>,
    /// `false` for a port whose name is already reported as clashing with a
    /// built-in one: `new` still creates it, the handles leave it out.
    pub(crate) exposed: bool,
}

impl Field {
    /// The name as a string, without `r#`.
    pub(crate) fn name(&self) -> String {
        self.ident.unraw().to_string()
    }
}

impl Component {
    /// Ports in declaration order, inboxes or outboxes.
    pub(crate) fn ports(&self, direction: Direction) -> impl Iterator<Item = (&Field, &Port)> {
        self.all_ports()
            .filter(move |(_, p)| p.direction == direction)
    }

    /// Every port the handles and metadata show, in declaration order.
    pub(crate) fn all_ports(&self) -> impl Iterator<Item = (&Field, &Port)> {
        self.fields.iter().flatten().filter_map(|f| match &f.role {
            Role::Port(p) if p.exposed => Some((f, &**p)),
            _ => None,
        })
    }

    /// Whether `ty` names one of the struct's type or lifetime parameters.
    pub(crate) fn is_generic(&self, ty: &Type) -> bool {
        let params: Vec<String> = self
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Type(t) => Some(t.ident.to_string()),
                GenericParam::Lifetime(l) => Some(l.lifetime.ident.to_string()),
                GenericParam::Const(_) => None,
            })
            .collect();
        !params.is_empty() && mentions(ty.to_token_stream(), &params)
    }

    /// The port called `name` going `direction` (what `pipeline!` links).
    pub(crate) fn port_named(&self, name: &str, direction: Direction) -> Option<(&Field, &Port)> {
        self.ports(direction).find(|(f, _)| f.name() == name)
    }
}

fn mentions(tokens: TokenStream, names: &[String]) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(ident) => names.iter().any(|n| ident == n),
        TokenTree::Group(group) => mentions(group.stream(), names),
        _ => false,
    })
}

/// Reads `item`. `Err` gives it back when it is not a type at all, so there
/// is nothing to generate beside the error.
pub(crate) fn build(mut item: Item, errors: &mut Errors) -> Result<Component, Box<Item>> {
    let (ident, vis, generics, attrs, fields) = match &mut item {
        Item::Struct(s) => {
            let fields = match &mut s.fields {
                Fields::Named(named) => {
                    Some(named.named.iter_mut().map(|f| field(f, errors)).collect())
                }
                Fields::Unnamed(unnamed) => {
                    errors.spanned(unnamed, NEEDS_NAMED_FIELDS);
                    None
                }
                Fields::Unit => {
                    errors.spanned(&s.ident, NEEDS_NAMED_FIELDS);
                    None
                }
            };
            (&s.ident, &s.vis, &s.generics, &s.attrs, fields)
        }
        Item::Enum(e) => {
            errors.spanned(e.enum_token, NOT_A_STRUCT);
            (&e.ident, &e.vis, &e.generics, &e.attrs, None)
        }
        Item::Union(u) => {
            errors.spanned(u.union_token, NOT_A_STRUCT);
            (&u.ident, &u.vis, &u.generics, &u.attrs, None)
        }
        other => {
            errors.spanned(keyword(other), NOT_A_STRUCT);
            return Err(Box::new(item));
        }
    };
    Ok(Component {
        ident: ident.clone(),
        vis: vis.clone(),
        generics: generics.clone(),
        doc: Doc::of(attrs),
        fields,
        item,
    })
}

const NEEDS_NAMED_FIELDS: &str = "a component needs named fields: its ports and state";

const NOT_A_STRUCT: &str = "`#[component]` goes on a struct: \
    a component is a struct whose fields are its ports and state";

/// The token to point at for an item that is not a struct: its keyword,
/// rather than the whole item.
fn keyword(item: &Item) -> TokenStream {
    match item {
        Item::Fn(f) => f.sig.fn_token.to_token_stream(),
        Item::Trait(t) => t.trait_token.to_token_stream(),
        Item::Impl(i) => i.impl_token.to_token_stream(),
        Item::Type(t) => t.type_token.to_token_stream(),
        Item::Mod(m) => m.mod_token.to_token_stream(),
        Item::Const(c) => c.const_token.to_token_stream(),
        Item::Static(s) => s.static_token.to_token_stream(),
        Item::Use(u) => u.use_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}

fn field(field: &mut syn::Field, errors: &mut Errors) -> Field {
    let attrs = parse::take_field_attrs(&mut field.attrs, errors);
    let ident = field.ident.clone().expect("only named fields are read");
    let role = match parse::port_type(&field.ty) {
        Some(port) => {
            if let Some(state) = &attrs.state {
                errors.spanned(
                    &state.tokens,
                    "`#[state(..)]` applies to state fields; this field is a port, \
                     which `new` creates unlinked",
                );
            }
            if let (Some(inbox), Direction::Outbox) = (&attrs.inbox, port.direction) {
                errors.spanned(
                    &inbox.tokens,
                    "`#[inbox(..)]` applies to `Inbox<T>` fields; an outbox has no capacity \
                     of its own, it fills the inbox it is linked to",
                );
            }
            let name = ident.unraw().to_string();
            let exposed = check_port_name(&name, &ident, port.direction, errors);
            match port.message {
                Ok(message) => Role::Port(Box::new(Port {
                    direction: port.direction,
                    message,
                    capacity: attrs.inbox.and_then(|i| i.capacity),
                    exposed,
                })),
                Err(e) => {
                    errors.push(e);
                    Role::Rejected
                }
            }
        }
        None => {
            if let Some(inbox) = &attrs.inbox {
                errors.spanned(
                    &inbox.tokens,
                    "`#[inbox(..)]` applies to `Inbox<T>` fields only",
                );
            }
            let default = attrs.state.as_ref().is_some_and(|s| s.default);
            let into = attrs.state.as_ref().and_then(|s| s.into);
            if let (true, Some(span)) = (default, into) {
                errors.push(syn::Error::new(
                    span,
                    "`into` converts a parameter of `new`, and a `default` field is not one; \
                     keep one of the two",
                ));
            }
            Role::State {
                default,
                into: into.is_some() && !default,
            }
        }
    };
    Field {
        ident,
        ty: field.ty.clone(),
        doc: Doc::of(&field.attrs),
        role,
    }
}

/// Rejects port names that clash with the built-in ports or mislead
/// `pipeline!`; `false` if the port must be left out of the handles.
fn check_port_name(name: &str, ident: &Ident, direction: Direction, errors: &mut Errors) -> bool {
    match (name, direction) {
        ("control", _) => {
            errors.spanned(
                ident,
                "`control` is built in: every component has a `control` inbox \
                 (reach it with `cx.control()`); rename this field",
            );
            false
        }
        ("signal", _) => {
            errors.spanned(
                ident,
                "`signal` is built in: every component has a `signal` outbox \
                 (reach it with `cx.signal()`); rename this field",
            );
            false
        }
        ("inbox", Direction::Outbox) => {
            errors.spanned(
                ident,
                "an outbox named `inbox`: `pipeline!` links each stage's `outbox` to the \
                 next stage's `inbox`, so this name must be an `Inbox<T>`; rename this field",
            );
            true
        }
        ("outbox", Direction::Inbox) => {
            errors.spanned(
                ident,
                "an inbox named `outbox`: `pipeline!` links each stage's `outbox` to the \
                 next stage's `inbox`, so this name must be an `Outbox<T>`; rename this field",
            );
            true
        }
        _ => true,
    }
}
