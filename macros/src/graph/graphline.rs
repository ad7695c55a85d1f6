//! Resolves a parsed graphline into the model: component names looked up,
//! each link sorted into a link between children or a passthrough of the
//! graphline's own ports, and every mistake the macro can see reported.

use proc_macro2::Span;
use syn::{Expr, Ident};

use super::messages;
use super::model::{
    Access, Child, Direction, Handles, Kind, Link, Model, OwnPort, Passthrough, Port,
};
use super::parse::{self, ComponentDecl, EndpointDecl, GraphlineInput, LinkDecl, Owner};
use crate::errors::Errors;

/// Resolves and checks a parsed graphline. Returns `None` when `errors` got
/// anything: the caller then emits only the errors and a stand-in graph.
pub(crate) fn resolve(input: GraphlineInput, errors: &mut Errors) -> Option<Model> {
    if input.components.as_ref().is_some_and(Vec::is_empty) {
        errors.at(
            Span::call_site(),
            "this graphline has no components: declare them in `components { name: Component::new(), .. }`",
        );
    }
    let components = input.components.unwrap_or_default();
    let decls = input.links.unwrap_or_default();
    let children = children(components, errors);
    let mut builder = Builder {
        children: &children,
        errors,
        outboxes: Vec::new(),
        own: Vec::new(),
        links: Vec::new(),
        control: None,
        signal: None,
    };
    for decl in &decls {
        builder.link(decl);
    }
    let Builder {
        links,
        own,
        control,
        signal,
        ..
    } = builder;
    errors.is_empty().then(|| Model {
        kind: Kind::Graphline,
        children: children
            .into_iter()
            .map(|c| Child {
                name: Some(c.name),
                expr: c.expr,
            })
            .collect(),
        links,
        handles: Handles::Graphline(own),
        control,
        signal,
    })
}

/// Checks that no two components share a name.
fn children(components: Vec<ComponentDecl>, errors: &mut Errors) -> Vec<ComponentDecl> {
    let mut out: Vec<ComponentDecl> = Vec::new();
    for decl in components {
        if let Some(first) = out.iter().find(|c| c.name == decl.name) {
            errors.at(
                decl.name.span(),
                format!(
                    "a component named `{}` is already declared{}: give each component its own name",
                    decl.name,
                    on_line(first.name.span())
                ),
            );
            continue;
        }
        out.push(decl);
    }
    out
}

/// Walks the links, resolving names and recording what each port is used for.
struct Builder<'a> {
    children: &'a [ComponentDecl],
    errors: &'a mut Errors,
    /// Outboxes (and own inboxes) already given their one destination:
    /// what was written, and where it goes.
    outboxes: Vec<(String, String, Span)>,
    own: Vec<OwnPort>,
    links: Vec<Link>,
    control: Option<Passthrough>,
    signal: Option<Passthrough>,
}

impl Builder<'_> {
    fn link(&mut self, decl: &LinkDecl) {
        let (from, to) = (&decl.from, &decl.to);
        let here = from.lo();
        if let Some(cap) = &decl.capacity {
            check_capacity(&cap.value, self.errors);
        }
        match (&from.owner, &to.owner) {
            (Owner::SelfPort(_), Owner::SelfPort(_)) => self.errors.range(
                here,
                to.port.span(),
                format!(
                    "`{from} -> {to}` links the graphline to itself: \
                     a link must start or end at a component"
                ),
            ),
            (Owner::Child(_), Owner::Child(_)) => {
                let (Some(f), Some(t)) = (self.port(from), self.port(to)) else {
                    return;
                };
                if !self.claim_outbox(from, &to.to_string()) {
                    return;
                }
                self.links.push(Link {
                    op: decl.arrow,
                    whole: [f.lo, t.hi],
                    from: f,
                    to: t,
                    capacity: decl
                        .capacity
                        .as_ref()
                        .map(|c| (c.key.span(), c.value.clone())),
                    messages: Some(messages::graphline_link(&from.to_string(), &to.to_string())),
                });
            }
            (Owner::SelfPort(_), Owner::Child(_)) => {
                self.no_capacity(decl);
                self.own_inbox(from, decl.arrow, to);
            }
            (Owner::Child(_), Owner::SelfPort(_)) => {
                self.no_capacity(decl);
                self.own_outbox(from, decl.arrow, to);
            }
        }
    }

    /// `self.x -> child.y`.
    fn own_inbox(&mut self, own: &EndpointDecl, op: [Span; 2], to: &EndpointDecl) {
        let name = &own.port;
        if name == "signal" {
            self.errors.range(
                own.lo(),
                name.span(),
                "`self.signal` is the graphline's signal outbox: \
                 it can only be fed by a component, as in `worker.signal -> self.signal`",
            );
            return;
        }
        let Some(port) = self.port(to) else { return };
        let whole = [own.lo(), to.port.span()];
        // An own inbox is one child's inbox: it has one destination, like an
        // outbox.
        if !self.claim_outbox(own, &to.to_string()) {
            return;
        }
        let wrong_kind = Some(messages::inbox_passthrough(
            &name.to_string(),
            &to.to_string(),
        ));
        if name == "control" {
            self.control = Some(Passthrough {
                port,
                op,
                whole,
                wrong_kind,
                mismatch: Some(messages::control_mismatch(&to.to_string())),
            });
            return;
        }
        self.own_port(
            own,
            Direction::In,
            Passthrough {
                port,
                op,
                whole,
                wrong_kind,
                mismatch: None,
            },
        );
    }

    /// `child.y -> self.x`.
    fn own_outbox(&mut self, from: &EndpointDecl, op: [Span; 2], own: &EndpointDecl) {
        let name = &own.port;
        if name == "control" {
            self.errors.range(
                own.lo(),
                name.span(),
                "`self.control` is the graphline's control inbox: \
                 it can only feed a component, as in `self.control -> worker.control`",
            );
            return;
        }
        let Some(port) = self.port(from) else { return };
        let whole = [from.lo(), own.port.span()];
        let fed = self
            .own
            .iter()
            .find(|o| &o.name == name && o.direction == Direction::Out);
        if let Some(first) = fed {
            self.errors.range(
                own.lo(),
                name.span(),
                format!(
                    "`self.{name}` is already fed{}: a graphline's outbox is one \
                     component's outbox; merge several with a component",
                    on_line(first.name.span())
                ),
            );
            return;
        }
        if name == "signal" && self.signal.is_some() {
            self.errors.range(
                own.lo(),
                name.span(),
                "`self.signal` is already fed: a graphline's signal is one component's outbox",
            );
            return;
        }
        if !self.claim_outbox(from, &own.to_string()) {
            return;
        }
        let wrong_kind = Some(messages::outbox_passthrough(
            &from.to_string(),
            &name.to_string(),
        ));
        if name == "signal" {
            self.signal = Some(Passthrough {
                port,
                op,
                whole,
                wrong_kind,
                mismatch: Some(messages::signal_mismatch(&from.to_string())),
            });
            return;
        }
        self.own_port(
            own,
            Direction::Out,
            Passthrough {
                port,
                op,
                whole,
                wrong_kind,
                mismatch: None,
            },
        );
    }

    fn own_port(&mut self, own: &EndpointDecl, direction: Direction, pass: Passthrough) {
        let name = &own.port;
        if let Some(other) = self.own.iter().find(|o| &o.name == name) {
            let (this, that) = match direction {
                Direction::In => ("an inbox", "an outbox"),
                Direction::Out => ("an outbox", "an inbox"),
            };
            self.errors.range(
                own.lo(),
                name.span(),
                format!(
                    "`self.{name}` is used as {this} here but as {that}{}: \
                     give the graphline's inbox and outbox different names",
                    on_line(other.name.span())
                ),
            );
            return;
        }
        self.own.push(OwnPort {
            name: name.clone(),
            direction,
            pass,
        });
    }

    /// Records that `source` (an outbox, or an own inbox) now goes to `to`;
    /// `false` (after reporting) if it already went somewhere.
    fn claim_outbox(&mut self, source: &EndpointDecl, to: &str) -> bool {
        let here = source.lo();
        let key = source.to_string();
        if let Some((_, first_to, first_at)) = self.outboxes.iter().find(|(k, ..)| *k == key) {
            let message = match source.owner {
                Owner::SelfPort(_) => format!(
                    "`{key}` already passes through to `{first_to}`{}: a graphline's inbox \
                     is one component's inbox; to feed several, link it to a fan-out component",
                    on_line(*first_at)
                ),
                Owner::Child(_) => format!(
                    "`{key}` is already linked to `{first_to}`{}: an outbox has one \
                     destination; to feed several, use a fan-out component",
                    on_line(*first_at)
                ),
            };
            self.errors.range(here, source.port.span(), message);
            return false;
        }
        self.outboxes.push((key, to.to_owned(), here));
        true
    }

    /// Resolves `child.port`, reporting an unknown child.
    fn port(&mut self, end: &EndpointDecl) -> Option<Port> {
        let Owner::Child(name) = &end.owner else {
            return None;
        };
        let Some(child) = self.children.iter().position(|c| &c.name == name) else {
            self.errors
                .at(name.span(), unknown_component(name, self.children));
            return None;
        };
        Some(Port {
            child,
            access: Access::Field(end.port.clone()),
            lo: name.span(),
            hi: end.port.span(),
        })
    }

    fn no_capacity(&mut self, decl: &LinkDecl) {
        if let Some(cap) = &decl.capacity {
            let own = match (&decl.from.owner, &decl.to.owner) {
                (Owner::SelfPort(_), _) => &decl.from.port,
                _ => &decl.to.port,
            };
            self.errors.range(
                cap.key.span(),
                parse::expr_bounds(&cap.value).1,
                format!(
                    "`capacity` bounds a link between two components; `{} -> {}` is a \
                     passthrough: set the capacity where the graphline's `{own}` is linked",
                    decl.from, decl.to
                ),
            );
        }
    }
}

/// A literal capacity must be at least 1; other expressions are checked
/// when the link is made.
fn check_capacity(value: &Expr, errors: &mut Errors) {
    if let Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = value
    {
        match int.base10_parse::<usize>() {
            Ok(0) => errors.at(
                int.span(),
                "capacity must be at least 1: a link that holds nothing could never deliver",
            ),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
}

fn unknown_component(name: &Ident, children: &[ComponentDecl]) -> String {
    let names: Vec<String> = children.iter().map(|c| format!("`{}`", c.name)).collect();
    if names.is_empty() {
        return format!("unknown component `{name}`: the `components` section is empty");
    }
    format!(
        "unknown component `{name}`; the components are {}",
        names.join(", ")
    )
}

/// ` (line N)`, or nothing when the line is unknown.
fn on_line(span: Span) -> String {
    match span.start().line {
        0 => String::new(),
        line => format!(" (line {line})"),
    }
}
