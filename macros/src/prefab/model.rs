//! A prefab as the macro sees it: the function, the ports it declares, and
//! the ports struct its return type names. Mistakes are recorded in
//! `errors`; the model stays usable, so the expansion still defines the
//! struct and the function and the user sees the macro's errors alone.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{
    GenericArgument, GenericParam, Generics, Ident, Item, ItemFn, PathArguments, ReturnType, Token,
    Type, WherePredicate,
};

use crate::component::docs::Doc;
use crate::component::parse::{Direction, port_type};
use crate::errors::Errors;

pub(crate) struct Prefab {
    pub(crate) item: ItemFn,
    /// The function's name, as text: the graph's default name.
    pub(crate) name: String,
    /// The ports struct, as `-> Graph<..>` names it.
    pub(crate) ports_ident: Ident,
    /// The struct's type parameters: those of the function it names.
    pub(crate) generics: Generics,
    pub(crate) ports: Vec<Port>,
}

pub(crate) struct Port {
    pub(crate) ident: Ident,
    pub(crate) direction: Direction,
    pub(crate) message: Type,
    pub(crate) doc: Doc,
    /// The first and last tokens of the declaration, for messages.
    pub(crate) span: Span,
}

impl Prefab {
    /// The first paragraph of the function's doc comment.
    pub(crate) fn item_doc_summary(&self) -> Option<String> {
        Doc::of(&self.item.attrs).summary()
    }
}

impl Port {
    pub(crate) fn name(&self) -> String {
        self.ident.unraw().to_string()
    }
}

/// The prefab, or the item unchanged (beside an error) when it is not a
/// function.
pub(crate) fn build(
    attr: TokenStream,
    item: Item,
    errors: &mut Errors,
) -> Result<Prefab, Box<Item>> {
    let Item::Fn(item) = item else {
        errors.spanned(
            &item,
            "`#[prefab]` marks a function that returns a graph, as in \
             `#[prefab(outbox: Outbox<T>)] fn reader() -> Graph<ReaderPorts>`",
        );
        return Err(Box::new(item));
    };
    let name = item.sig.ident.unraw().to_string();
    if let Some(asyncness) = &item.sig.asyncness {
        errors.spanned(
            asyncness,
            "a prefab builds its graph when called, and the graph runs when the system \
             does: remove `async`",
        );
    }
    let ports = ports(attr, errors);
    let suggested = format!("{}Ports", upper_camel(&name));
    // Without a ports struct to return, the function is left as written:
    // wrapping its body would only add errors about types.
    let Some((ports_ident, args)) = ports_type(&item, &suggested, errors) else {
        return Err(Box::new(Item::Fn(item)));
    };
    let generics = generics(&item, &args, errors);
    Ok(Prefab {
        item,
        name,
        ports_ident,
        generics,
        ports,
    })
}

/// `#[prefab(outbox: Outbox<T>, ..)]`: named fields, as in a struct.
fn ports(attr: TokenStream, errors: &mut Errors) -> Vec<Port> {
    let parser = Punctuated::<syn::Field, Token![,]>::parse_terminated_with;
    let fields = match (|input: syn::parse::ParseStream<'_>| parser(input, syn::Field::parse_named))
        .parse2(attr)
    {
        Ok(fields) => fields,
        Err(e) => {
            errors.push(syn::Error::new(
                e.span(),
                format!(
                    "{e}: declare the prefab's ports as a component's fields, \
                     as in `#[prefab(inbox: Inbox<Line>, outbox: Outbox<Record>)]`"
                ),
            ));
            return Vec::new();
        }
    };
    let mut out: Vec<Port> = Vec::new();
    for field in fields {
        let ident = field.ident.clone().expect("named fields");
        let Some(port) = port_type(&field.ty) else {
            errors.spanned(
                &field.ty,
                format!(
                    "a prefab's port is an `Inbox<T>` or an `Outbox<T>`; \
                     `{}` is neither",
                    ident.unraw()
                ),
            );
            continue;
        };
        let message = match port.message {
            Ok(message) => message,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let name = ident.unraw().to_string();
        if !check_name(&name, &ident, port.direction, errors) {
            continue;
        }
        if let Some(first) = out.iter().find(|p| p.name() == name) {
            errors.spanned(
                &ident,
                format!(
                    "the port `{name}` is already declared{}: give each port its own name",
                    on_line(first.span)
                ),
            );
            continue;
        }
        out.push(Port {
            span: ident.span(),
            ident,
            direction: port.direction,
            message,
            doc: Doc::of(&field.attrs),
        });
    }
    out
}

/// Rejects the built-in names and the names that would mislead a pipeline.
fn check_name(name: &str, ident: &Ident, direction: Direction, errors: &mut Errors) -> bool {
    let message = match (name, direction) {
        ("control" | "signal", _) => format!(
            "`{name}` is built in: every prefab has the `control` and `signal` of the graph \
             it returns; leave it out"
        ),
        ("inbox", Direction::Outbox) => "an outbox named `inbox`: `pipeline!` links each \
             stage's `outbox` to the next stage's `inbox`, so this name must be an `Inbox<T>`"
            .to_owned(),
        ("outbox", Direction::Inbox) => "an inbox named `outbox`: `pipeline!` links each \
             stage's `outbox` to the next stage's `inbox`, so this name must be an `Outbox<T>`"
            .to_owned(),
        _ => return true,
    };
    errors.spanned(ident, message);
    false
}

/// The `NamePorts` of `-> Graph<NamePorts>`, with its type arguments
/// (`None` for one that is not a plain name, already reported).
fn ports_type(
    item: &ItemFn,
    suggested: &str,
    errors: &mut Errors,
) -> Option<(Ident, Vec<Option<Ident>>)> {
    let wrong = |errors: &mut Errors, tokens: &dyn quote::ToTokens| {
        errors.spanned(
            tokens,
            format!(
                "a prefab returns `Graph<{suggested}>`: the graph it builds, with the ports \
                 struct `#[prefab]` generates, named as you like"
            ),
        );
    };
    let ReturnType::Type(_, ty) = &item.sig.output else {
        wrong(errors, &item.sig.ident);
        return None;
    };
    let Some(inner) = graph_argument(ty) else {
        wrong(errors, ty);
        return None;
    };
    let Type::Path(path) = inner else {
        wrong(errors, inner);
        return None;
    };
    if path.qself.is_some() || path.path.segments.len() != 1 {
        wrong(errors, inner);
        return None;
    }
    let segment = &path.path.segments[0];
    let mut args = Vec::new();
    match &segment.arguments {
        PathArguments::None => {}
        PathArguments::AngleBracketed(list) => {
            for arg in &list.args {
                match arg {
                    GenericArgument::Type(Type::Path(p))
                        if p.qself.is_none() && p.path.get_ident().is_some() =>
                    {
                        args.push(p.path.get_ident().cloned());
                    }
                    other => {
                        errors.spanned(
                            other,
                            "the ports struct's parameters are type parameters of the \
                             function, as in `-> Graph<RelayPorts<T>>` for \
                             `fn relay<T: Send + 'static>()`",
                        );
                        args.push(None);
                    }
                }
            }
        }
        PathArguments::Parenthesized(p) => {
            wrong(errors, p);
            return None;
        }
    }
    Some((segment.ident.clone(), args))
}

/// `T` in `Graph<T>`, however `Graph` is written.
fn graph_argument(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Graph" {
        return None;
    }
    let PathArguments::AngleBracketed(list) = &last.arguments else {
        return None;
    };
    match list.args.iter().collect::<Vec<_>>()[..] {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

/// The struct's generics: the function's declarations of `args`, with
/// their bounds and the `where` predicates on them. An argument that is not
/// one (already reported) gets a parameter of its own, so that the struct
/// still takes as many as the return type gives it.
fn generics(item: &ItemFn, args: &[Option<Ident>], errors: &mut Errors) -> Generics {
    let mut generics = Generics::default();
    for (i, arg) in args.iter().enumerate() {
        let declared = arg.as_ref().and_then(|arg| {
            item.sig.generics.params.iter().find_map(|p| match p {
                GenericParam::Type(t) if &t.ident == arg => Some(t.clone()),
                _ => None,
            })
        });
        match declared {
            Some(mut param) => {
                param.default = None;
                generics.params.push(GenericParam::Type(param));
            }
            None => {
                if let Some(arg) = arg {
                    errors.spanned(
                        arg,
                        format!("`{arg}` is not a type parameter of `{}`", item.sig.ident),
                    );
                }
                let stand_in = Ident::new(&format!("__P{i}"), Span::call_site());
                generics.params.push(syn::parse_quote!(#stand_in));
            }
        }
    }
    let args: Vec<&Ident> = args.iter().flatten().collect();
    if let Some(clause) = &item.sig.generics.where_clause {
        let predicates: Vec<WherePredicate> = clause
            .predicates
            .iter()
            .filter(|p| match p {
                WherePredicate::Type(t) => matches!(
                    &t.bounded_ty,
                    Type::Path(p) if p.path.get_ident().is_some_and(|i| args.contains(&i))
                ),
                _ => false,
            })
            .cloned()
            .collect();
        if !predicates.is_empty() {
            generics.make_where_clause().predicates.extend(predicates);
        }
    }
    generics
}

/// `reader_pool` -> `ReaderPool`.
fn upper_camel(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// ` (line N)`, or nothing when the line is unknown.
fn on_line(span: Span) -> String {
    match span.start().line {
        0 => String::new(),
        line => format!(" (line {line})"),
    }
}
