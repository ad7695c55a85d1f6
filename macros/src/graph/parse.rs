//! The syntax of `pipeline![..]` and `graphline! { .. }`, and nothing more:
//! names are resolved and the wiring is checked in `model`.
//!
//! Parsing recovers where the grammar allows it (each section of a graphline,
//! each link) so that one expansion reports every syntax error it can.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Token, parenthesized};

use crate::errors::Errors;

/// `pipeline![a, b, c]` or `pipeline![circular; a, b, c]`.
pub(crate) struct PipelineInput {
    /// The span of the word `circular`, if given.
    pub(crate) circular: Option<Span>,
    /// The stages in order, each with the comma after it.
    pub(crate) stages: Vec<(Expr, Option<Span>)>,
}

/// The options a pipeline takes before its stages, as `circular;`.
const PIPELINE_OPTIONS: &str =
    "the only option is `circular`, as in `pipeline![circular; a, b, c]`";

pub(crate) fn pipeline(input: TokenStream, errors: &mut Errors) -> PipelineInput {
    let mut circular = None;
    let parser = |input: ParseStream<'_>| {
        // `word;` before the stages: no stage is followed by `;`.
        if input.peek(Ident::peek_any) && input.peek2(Token![;]) {
            let word = input.call(Ident::parse_any)?;
            input.parse::<Token![;]>()?;
            if word == "circular" {
                circular = Some(word.span());
            } else {
                errors.at(
                    word.span(),
                    format!("unknown pipeline option `{word}`: {PIPELINE_OPTIONS}"),
                );
            }
        }
        syn::punctuated::Punctuated::<Expr, Token![,]>::parse_terminated(input)
    };
    let stages = match parser.parse2(input) {
        Ok(stages) => stages
            .into_pairs()
            .map(|pair| {
                let (expr, comma) = pair.into_tuple();
                (expr, comma.map(|c| c.span))
            })
            .collect(),
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    PipelineInput { circular, stages }
}

/// `graphline! { components { .. } links { .. } }`.
pub(crate) struct GraphlineInput {
    /// `None` when the section is missing (already reported).
    pub(crate) components: Option<Vec<ComponentDecl>>,
    pub(crate) links: Option<Vec<LinkDecl>>,
}

/// `name: expression` in `components { .. }`.
pub(crate) struct ComponentDecl {
    pub(crate) name: Ident,
    pub(crate) expr: Expr,
}

/// `from.port -> to.port (options)` in `links { .. }`.
pub(crate) struct LinkDecl {
    pub(crate) from: EndpointDecl,
    /// The spans of the `-` and `>` of the arrow.
    pub(crate) arrow: [Span; 2],
    pub(crate) to: EndpointDecl,
    pub(crate) capacity: Option<Capacity>,
}

/// `owner.port`, where the owner is a component name or `self`.
pub(crate) struct EndpointDecl {
    pub(crate) owner: Owner,
    pub(crate) port: Ident,
}

pub(crate) enum Owner {
    /// The graphline's own port.
    SelfPort(Span),
    Child(Ident),
}

/// `capacity = N` on a link.
pub(crate) struct Capacity {
    pub(crate) key: Ident,
    pub(crate) value: Expr,
}

impl EndpointDecl {
    /// The span of the owner, the first token of the endpoint.
    pub(crate) fn lo(&self) -> Span {
        match &self.owner {
            Owner::SelfPort(span) => *span,
            Owner::Child(name) => name.span(),
        }
    }
}

impl std::fmt::Display for EndpointDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.owner {
            Owner::SelfPort(_) => write!(f, "self.{}", self.port),
            Owner::Child(name) => write!(f, "{name}.{}", self.port),
        }
    }
}

pub(crate) fn graphline(input: TokenStream, errors: &mut Errors) -> GraphlineInput {
    let mut out = GraphlineInput {
        components: None,
        links: None,
    };
    let parser = |input: ParseStream<'_>| {
        sections(input, &mut out, errors);
        Ok(())
    };
    // `sections` reports into `errors` itself and never fails.
    let _ = parser.parse2(input);
    if out.components.is_none() {
        errors.at(
            Span::call_site(),
            "this graphline has no `components { .. }` section: \
             write `components { name: Component::new(), .. }`",
        );
    }
    if out.links.is_none() {
        errors.at(
            Span::call_site(),
            "this graphline has no `links { .. }` section: \
             write `links { a.outbox -> b.inbox, .. }`, or `links {}` if nothing is linked",
        );
    }
    out
}

/// The top level: `components { .. }` and `links { .. }`, in either order.
fn sections(input: ParseStream<'_>, out: &mut GraphlineInput, errors: &mut Errors) {
    while !input.is_empty() {
        let name = match input.parse::<Ident>() {
            Ok(name) => name,
            Err(_) => {
                errors.at(
                    input.span(),
                    "expected `components { .. }` or `links { .. }`",
                );
                return;
            }
        };
        let body = match input.parse::<TokenTree>() {
            Ok(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g.stream(),
            _ => {
                errors.at(name.span(), format!("expected `{{ .. }}` after `{name}`"));
                return;
            }
        };
        let slot_taken = match name.to_string().as_str() {
            "components" => out.components.is_some(),
            "links" => out.links.is_some(),
            _ => {
                errors.at(
                    name.span(),
                    format!(
                        "unknown section `{name}`: a graphline has \
                         `components {{ .. }}` and `links {{ .. }}`"
                    ),
                );
                continue;
            }
        };
        if slot_taken {
            errors.at(
                name.span(),
                format!("a second `{name}` section: put all {name} in one section"),
            );
            continue;
        }
        if name == "components" {
            let mut decls = Vec::new();
            let parser = |input: ParseStream<'_>| {
                decls = components(input, errors);
                Ok(())
            };
            // `components` reports into `errors` itself and never fails.
            let _ = parser.parse2(body);
            out.components = Some(decls);
        } else {
            out.links = Some(links(body, errors));
        }
    }
}

/// `name: expr, ...`. A syntax error ends the section: an expression may hold
/// commas (`Pair::<A, B>::new()`), so there is no safe point to resume at.
fn components(input: ParseStream<'_>, errors: &mut Errors) -> Vec<ComponentDecl> {
    let mut out = Vec::new();
    while !input.is_empty() {
        match component(input) {
            Ok(decl) => out.push(decl),
            Err(e) => {
                errors.push(e);
                // Leave the rest unparsed; the caller drops it.
                let _ = input.parse::<TokenStream>();
                break;
            }
        }
        if input.is_empty() {
            break;
        }
        if let Err(e) = input.parse::<Token![,]>() {
            errors.push(syn::Error::new(e.span(), "expected `,` between components"));
            let _ = input.parse::<TokenStream>();
            break;
        }
    }
    out
}

fn component(input: ParseStream<'_>) -> syn::Result<ComponentDecl> {
    if input.peek(Token![self]) {
        return Err(input.error("`self` is the graphline itself: give the component another name"));
    }
    let name: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a component name, as in `name: Component::new()`",
        )
    })?;
    if !input.peek(Token![:]) || input.peek(Token![::]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `:` after `{name}`, as in `{name}: Component::new()`"),
        ));
    }
    input.parse::<Token![:]>()?;
    let expr: Expr = input.parse()?;
    Ok(ComponentDecl { name, expr })
}

/// The links, one per comma-separated chunk. Link syntax has no commas of its
/// own outside parentheses, so each chunk parses (and fails) on its own.
fn links(tokens: TokenStream, errors: &mut Errors) -> Vec<LinkDecl> {
    let mut out = Vec::new();
    let mut chunk = TokenStream::new();
    // The end (`None`) closes the last chunk, as a comma would.
    for token in tokens.into_iter().map(Some).chain([None]) {
        match token {
            Some(TokenTree::Punct(p)) if p.as_char() == ',' && chunk.is_empty() => {
                errors.at(p.span(), "expected a link before this `,`");
                continue;
            }
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
            Some(other) => {
                chunk.extend([other]);
                continue;
            }
            None if chunk.is_empty() => break,
            None => {}
        }
        match link.parse2(std::mem::take(&mut chunk)) {
            Ok(decl) => out.push(decl),
            Err(e) => errors.push(e),
        }
    }
    out
}

fn link(input: ParseStream<'_>) -> syn::Result<LinkDecl> {
    let from = endpoint(input)?;
    if !input.peek(Token![->]) {
        let span = if input.is_empty() {
            from.port.span()
        } else {
            input.span()
        };
        return Err(syn::Error::new(
            span,
            format!("expected `->` after `{from}`: a link is written `from.outbox -> to.inbox`"),
        ));
    }
    let arrow = input.parse::<Token![->]>()?.spans;
    let to = endpoint(input)?;
    let capacity = if input.peek(syn::token::Paren) {
        options(input)?
    } else {
        None
    };
    if !input.is_empty() {
        return Err(input.error(format!(
            "unexpected tokens after `{from} -> {to}`: separate links with `,`"
        )));
    }
    Ok(LinkDecl {
        from,
        arrow,
        to,
        capacity,
    })
}

fn endpoint(input: ParseStream<'_>) -> syn::Result<EndpointDecl> {
    let owner = if input.peek(Token![self]) {
        Owner::SelfPort(input.parse::<Token![self]>()?.span)
    } else {
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a port, as in `component.port` or `self.port`",
            )
        })?;
        Owner::Child(name)
    };
    let (owner_text, owner_span) = match &owner {
        Owner::SelfPort(span) => ("self".to_owned(), *span),
        Owner::Child(name) => (name.to_string(), name.span()),
    };
    if !input.peek(Token![.]) {
        return Err(syn::Error::new(
            owner_span,
            format!(
                "expected `.` and a port name after `{owner_text}`, as in `{owner_text}.outbox`"
            ),
        ));
    }
    let dot = input.parse::<Token![.]>()?;
    let port: Ident = input.parse().map_err(|_| {
        syn::Error::new(
            dot.span(),
            format!("expected a port name after `{owner_text}.`, as in `{owner_text}.outbox`"),
        )
    })?;
    Ok(EndpointDecl { owner, port })
}

/// `(capacity = N)`: the only link option today.
fn options(input: ParseStream<'_>) -> syn::Result<Option<Capacity>> {
    let content;
    let parens = parenthesized!(content in input);
    let mut capacity: Option<Capacity> = None;
    let mut errors = Errors::default();
    let list = syn::punctuated::Punctuated::<OptionDecl, Token![,]>::parse_terminated(&content)?;
    if list.is_empty() {
        return Err(syn::Error::new(
            parens.span.join(),
            "empty link options: write `(capacity = N)` or leave the parentheses out",
        ));
    }
    for opt in list {
        if opt.key != "capacity" {
            errors.at(
                opt.key.span(),
                format!(
                    "unknown link option `{}`: the only option is `capacity = N`",
                    opt.key
                ),
            );
        } else if capacity.is_some() {
            errors.at(opt.key.span(), "`capacity` is given twice");
        } else {
            capacity = Some(Capacity {
                key: opt.key,
                value: opt.value,
            });
        }
    }
    errors.into_result().map(|()| capacity)
}

struct OptionDecl {
    key: Ident,
    value: Expr,
}

impl syn::parse::Parse for OptionDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                format!("expected `=` after `{key}`, as in `(capacity = 4)`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        Ok(Self { key, value })
    }
}

/// Spans of the first and last tokens of `expr`, to aim diagnostics at the
/// whole expression (stable `proc_macro` cannot join spans).
pub(crate) fn expr_bounds(expr: &Expr) -> (Span, Span) {
    let tokens = quote::ToTokens::to_token_stream(expr);
    let mut iter = tokens.into_iter();
    let first = iter.next();
    let last = iter.last().or_else(|| first.clone());
    let lo = match &first {
        Some(TokenTree::Group(g)) => g.span_open(),
        Some(t) => t.span(),
        None => expr.span(),
    };
    let hi = match &last {
        Some(TokenTree::Group(g)) => g.span_close(),
        Some(t) => t.span(),
        None => expr.span(),
    };
    (lo, hi)
}
