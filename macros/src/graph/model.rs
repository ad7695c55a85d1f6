//! What a pipeline or graphline wires, checked as far as the macro can see:
//! names are resolved, duplicates rejected, and every link and passthrough
//! carries the spans and messages its type check will report.
//!
//! The macro cannot see types: whether a port exists, is an inbox or an
//! outbox, and what it carries is left to rustc, through the checks `expand`
//! generates. A pipeline is lowered into the same model as a graphline: its
//! stages are unnamed children linked in a chain.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Expr, Ident};

use super::errors::Errors;
use super::messages::{self, Diagnostic, LinkMessages};
use super::parse::{self, ComponentDecl, EndpointDecl, GraphlineInput, LinkDecl, Owner};
use super::text;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Pipeline,
    Graphline,
}

impl Kind {
    /// The graph's default name in the running system.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Pipeline => "pipeline",
            Self::Graphline => "graphline",
        }
    }
}

pub(crate) struct Model {
    pub(crate) kind: Kind,
    pub(crate) children: Vec<Child>,
    pub(crate) links: Vec<Link>,
    pub(crate) handles: Handles,
    /// The child port the graph's `control` is, if not the graph's own.
    pub(crate) control: Option<Passthrough>,
    /// The child port the graph's `signal` is, if not the graph's own.
    pub(crate) signal: Option<Passthrough>,
}

pub(crate) struct Child {
    /// `None` for pipeline stages: the runtime names them after their type.
    pub(crate) name: Option<Ident>,
    pub(crate) expr: Expr,
}

/// A port of a child, as a link or passthrough refers to it.
pub(crate) struct Port {
    /// Index into [`Model::children`].
    pub(crate) child: usize,
    pub(crate) access: Access,
    /// First and last tokens of what the user wrote for this port.
    pub(crate) lo: Span,
    pub(crate) hi: Span,
}

/// How generated code reaches a port from the child.
pub(crate) enum Access {
    /// A field of the child's handles (`numbers.outbox`).
    Field(Ident),
    /// The handles' `inbox`, or `NoPort` (pipeline stages).
    MaybeInbox,
    /// The handles' `outbox`, or `NoPort` (pipeline stages).
    MaybeOutbox,
    /// The part's built-in `control`.
    Control,
    /// The part's built-in `signal`.
    Signal,
}

impl Access {
    /// Built-in ports are always `Control` boxes of the right direction, so
    /// links between them need no check.
    pub(crate) fn is_builtin(&self) -> bool {
        matches!(self, Self::Control | Self::Signal)
    }
}

pub(crate) struct Link {
    pub(crate) from: Port,
    /// Where the link is made: its `->` (first and last character), or a
    /// pipeline's comma. rustc labels it "required by a bound introduced by
    /// this call".
    pub(crate) op: [Span; 2],
    pub(crate) to: Port,
    pub(crate) capacity: Option<Expr>,
    pub(crate) messages: LinkMessages,
}

/// The graph's own port handles.
pub(crate) enum Handles {
    /// `PipelinePorts`: the first stage's `inbox`, the last stage's `outbox`.
    Pipeline { first: usize, last: usize },
    /// A struct generated for this graphline, one field per own port (besides
    /// `control` and `signal`).
    Graphline(Vec<OwnPort>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    In,
    Out,
}

/// `self.name -> child.port` (an own inbox) or `child.port -> self.name`.
pub(crate) struct OwnPort {
    pub(crate) name: Ident,
    pub(crate) direction: Direction,
    pub(crate) pass: Passthrough,
}

/// A graph port that is a child's port.
pub(crate) struct Passthrough {
    pub(crate) port: Port,
    /// The `->` of the passthrough.
    pub(crate) op: [Span; 2],
    /// The first and last tokens of the whole passthrough (`self.x -> c.y`).
    pub(crate) whole: [Span; 2],
    /// Reported when the child port has the wrong direction; `None` for
    /// built-in ports, which cannot.
    pub(crate) wrong_kind: Option<Diagnostic>,
    /// For `control`/`signal`: reported when the child port does not carry
    /// `Control`.
    pub(crate) mismatch: Option<String>,
}

/// Lowers `pipeline![..]` stages.
pub(crate) fn pipeline(stages: Vec<(Expr, Option<Span>)>, errors: &mut Errors) -> Option<Model> {
    if stages.is_empty() {
        errors.at(
            Span::call_site(),
            "a pipeline needs at least one stage, as in `pipeline![Source::new(), Sink::new()]`",
        );
        return None;
    }
    let bounds: Vec<_> = stages.iter().map(|(e, _)| parse::expr_bounds(e)).collect();
    let describe: Vec<_> = stages
        .iter()
        .enumerate()
        .map(|(i, (e, _))| {
            format!(
                "stage {} (`{}`)",
                i + 1,
                text::quote_expr(e.to_token_stream())
            )
        })
        .collect();
    let stage_port = |child: usize, access| Port {
        child,
        access,
        lo: bounds[child].0,
        hi: bounds[child].1,
    };
    let mut links = Vec::new();
    for i in 1..stages.len() {
        // The comma before stage `i` (it exists: a later stage follows it).
        let comma = stages[i - 1].1.unwrap_or(bounds[i].0);
        let op = [comma, comma];
        links.push(Link {
            op,
            from: stage_port(i - 1, Access::MaybeOutbox),
            to: stage_port(i, Access::MaybeInbox),
            capacity: None,
            messages: messages::pipeline_link(&describe[i - 1], &describe[i]),
        });
        // Each stage hears on `control` that the one before it finished.
        links.push(Link {
            op,
            from: stage_port(i - 1, Access::Signal),
            to: stage_port(i, Access::Control),
            capacity: None,
            messages: messages::pipeline_link(&describe[i - 1], &describe[i]),
        });
    }
    let last = stages.len() - 1;
    let builtin = |port: Port| Passthrough {
        op: [port.lo, port.lo],
        whole: [port.lo, port.hi],
        port,
        wrong_kind: None,
        mismatch: None,
    };
    Some(Model {
        kind: Kind::Pipeline,
        control: Some(builtin(stage_port(0, Access::Control))),
        signal: Some(builtin(stage_port(last, Access::Signal))),
        handles: Handles::Pipeline { first: 0, last },
        children: stages
            .into_iter()
            .map(|(expr, _)| Child { name: None, expr })
            .collect(),
        links,
    })
}

/// Resolves and checks a parsed graphline. Returns `None` when `errors` got
/// anything: the caller then emits only the errors and a stand-in graph.
pub(crate) fn graphline(input: GraphlineInput, errors: &mut Errors) -> Option<Model> {
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

/// Checks the component names: at least one, none twice.
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
                    from: f,
                    to: t,
                    capacity: decl.capacity.as_ref().map(|c| c.value.clone()),
                    messages: messages::graphline_link(&from.to_string(), &to.to_string()),
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
