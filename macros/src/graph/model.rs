//! What a pipeline or graphline wires, checked as far as the macro can see:
//! names resolved, duplicates rejected, and every link and passthrough
//! carrying the spans and messages its type check will report.
//!
//! The macro cannot see types: whether a port exists, is an inbox or an
//! outbox, and what it carries is left to rustc, through the checks `expand`
//! generates. `graphline` builds this model from a parsed graphline;
//! `pipeline` lowers a pipeline into it, as unnamed children in a chain.

use proc_macro2::Span;
use syn::{Expr, Ident};

use super::messages::{Diagnostic, LinkMessages};

#[derive(Clone, Copy)]
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

pub(crate) struct Link {
    pub(crate) from: Port,
    /// Where the link is made: its `->` (first and last character), or a
    /// pipeline's comma. rustc labels it "required by a bound introduced by
    /// this call".
    pub(crate) op: [Span; 2],
    pub(crate) to: Port,
    /// `capacity = N`, with the span of `capacity`.
    pub(crate) capacity: Option<(Span, Expr)>,
    /// The first and last tokens a type mismatch underlines: from the
    /// source to the destination, or for the link that closes a circular
    /// pipeline, the whole pipeline.
    pub(crate) whole: [Span; 2],
    /// What the link's checks report; `None` for a link between built-in
    /// ports (`signal -> control` in a pipeline), which cannot be wrong.
    pub(crate) messages: Option<LinkMessages>,
}

/// The graph's own port handles.
pub(crate) enum Handles {
    /// `PipelinePorts`: the first stage's `inbox`, the last stage's `outbox`
    /// (none when the last stage feeds the first, in a circle).
    Pipeline { first: usize, last: Option<usize> },
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
