//! The wording of the diagnostics rustc reports for the generated link
//! checks, in one place.
//!
//! Each string is a `#[diagnostic::on_unimplemented]` format string: `{A}` is
//! the type a source port sends and `{Self}` the type a destination expects,
//! filled in by rustc. Text quoted from the user (names, stage expressions) is
//! escaped so its braces are not read as placeholders.

/// What the checks of one link say when they fail.
pub(crate) struct LinkMessages {
    /// Both ends are ports, of different message types.
    pub(crate) mismatch: String,
    /// The source is not an outbox (an inbox, or a missing port).
    pub(crate) not_outbox: Diagnostic,
    /// The destination is not an inbox.
    pub(crate) not_inbox: Diagnostic,
}

/// A message with its label and note.
pub(crate) struct Diagnostic {
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) note: String,
}

/// Escapes `text` for a diagnostic format string.
pub(crate) fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// A graphline link `from -> to`; both are `a.port` texts.
pub(crate) fn graphline_link(from: &str, to: &str) -> LinkMessages {
    let (from, to) = (escape(from), escape(to));
    LinkMessages {
        mismatch: format!("cannot link `{from}` (sends `{{A}}`) to `{to}` (expects `{{Self}}`)"),
        not_outbox: Diagnostic {
            message: format!("`{from}` is not an outbox: a link goes from an outbox to an inbox"),
            label: format!("`{from}` is `{{Self}}`"),
            note: "write links as `component.outbox -> other.inbox`".to_owned(),
        },
        not_inbox: Diagnostic {
            message: format!("`{to}` is not an inbox: a link goes from an outbox to an inbox"),
            label: format!("`{to}` is `{{Self}}`"),
            note: "write links as `component.outbox -> other.inbox`".to_owned(),
        },
    }
}

/// A pipeline link from stage `from` to the next; each is `stage N (`expr`)`.
pub(crate) fn pipeline_link(from: &str, to: &str) -> LinkMessages {
    let (from, to) = (escape(from), escape(to));
    LinkMessages {
        mismatch: format!(
            "cannot link {from} `outbox` (sends `{{A}}`) to {to} `inbox` (expects `{{Self}}`)"
        ),
        not_outbox: Diagnostic {
            message: format!("{from} has no `outbox` to feed {to}"),
            label: "this stage has no outbox named `outbox`".to_owned(),
            note: "the next stage receives on its `inbox`, so this one must send on an \
                   `outbox`; stages with neither between them are linked by \
                   `signal -> control` alone; wire other port names with `graphline!`"
                .to_owned(),
        },
        not_inbox: Diagnostic {
            message: format!("{to} has no `inbox` to receive from {from}"),
            label: "this stage has no inbox named `inbox`".to_owned(),
            note: "the stage before sends on its `outbox`, so this one must receive on an \
                   `inbox`; stages with neither between them are linked by \
                   `signal -> control` alone; wire other port names with `graphline!`"
                .to_owned(),
        },
    }
}

/// The link that closes `pipeline![circular; ..]`, from the last stage
/// (`from`) back to the first (`to`).
pub(crate) fn circular_link(from: &str, to: &str) -> LinkMessages {
    let (from, to) = (escape(from), escape(to));
    LinkMessages {
        mismatch: format!(
            "cannot close the circle: {from} `outbox` (sends `{{A}}`) cannot feed \
             {to} `inbox` (expects `{{Self}}`)"
        ),
        not_outbox: Diagnostic {
            message: format!("cannot close the circle: {from} has no `outbox` to feed {to}"),
            label: "the last stage of a circular pipeline has no outbox named `outbox`".to_owned(),
            note: "in `pipeline![circular; ..]` the last stage's `outbox` feeds the first \
                   stage's `inbox`"
                .to_owned(),
        },
        not_inbox: Diagnostic {
            message: format!("cannot close the circle: {to} has no `inbox` to receive from {from}"),
            label: "the first stage of a circular pipeline has no inbox named `inbox`".to_owned(),
            note: "in `pipeline![circular; ..]` the last stage's `outbox` feeds the first \
                   stage's `inbox`"
                .to_owned(),
        },
    }
}

/// `self.own -> child.port`: the graphline's inbox `own` is `child.port`.
pub(crate) fn inbox_passthrough(own: &str, to: &str) -> Diagnostic {
    let (own, to) = (escape(own), escape(to));
    Diagnostic {
        message: format!("cannot pass `self.{own}` through to `{to}`: `{to}` is not an inbox"),
        label: format!("`{to}` is `{{Self}}`"),
        note: format!("`self.{own} -> {to}` makes `{to}` the graphline's inbox `{own}`"),
    }
}

/// `child.port -> self.own`: the graphline's outbox `own` is `child.port`.
pub(crate) fn outbox_passthrough(from: &str, own: &str) -> Diagnostic {
    let (from, own) = (escape(from), escape(own));
    Diagnostic {
        message: format!("cannot pass `{from}` through to `self.{own}`: `{from}` is not an outbox"),
        label: format!("`{from}` is `{{Self}}`"),
        note: format!("`{from} -> self.{own}` makes `{from}` the graphline's outbox `{own}`"),
    }
}

/// `self.control -> child.port` where `child.port` is not a `Control` inbox.
pub(crate) fn control_mismatch(to: &str) -> String {
    let to = escape(to);
    format!("cannot pass `self.control` (carries `{{A}}`) through to `{to}` (expects `{{Self}}`)")
}

/// `child.port -> self.signal` where `child.port` is not a `Control` outbox.
/// Here `Self` is the child's type: the side not known in advance.
pub(crate) fn signal_mismatch(from: &str) -> String {
    let from = escape(from);
    format!("cannot pass `{from}` (sends `{{Self}}`) through to `self.signal` (carries `{{A}}`)")
}
