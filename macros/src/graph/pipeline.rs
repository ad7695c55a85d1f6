//! Lowers `pipeline![a, b, c]` into the graphline model: unnamed children,
//! each stage's `outbox` linked to the next stage's `inbox` and its `signal`
//! to the next stage's `control` (the data link is left out, by the checks,
//! where neither stage has its data box). `pipeline![circular; a, b, c]`
//! links the last stage to the first the same way, and has no `outbox` of
//! its own.

use proc_macro2::Span;
use quote::ToTokens;

use super::messages;
use super::model::{Access, Child, Handles, Kind, Link, Model, Passthrough, Port};
use super::parse::{self, PipelineInput};
use super::text;
use crate::errors::Errors;

/// Lowers `pipeline![..]` stages.
pub(crate) fn lower(input: PipelineInput, errors: &mut Errors) -> Option<Model> {
    let PipelineInput { circular, stages } = input;
    if stages.is_empty() {
        let message = match circular {
            Some(_) => {
                "a circular pipeline needs at least one stage, as in \
                        `pipeline![circular; Ping::new(), Pong::new()]`"
            }
            None => {
                "a pipeline needs at least one stage, as in \
                     `pipeline![Source::new(), Sink::new()]`"
            }
        };
        errors.at(Span::call_site(), message);
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
            whole: [bounds[i - 1].0, bounds[i].1],
            from: stage_port(i - 1, Access::MaybeOutbox),
            to: stage_port(i, Access::MaybeInbox),
            capacity: None,
            messages: Some(messages::pipeline_link(&describe[i - 1], &describe[i])),
        });
        // Each stage hears on `control` that the one before it finished.
        links.push(Link {
            op,
            whole: [bounds[i - 1].0, bounds[i].1],
            from: stage_port(i - 1, Access::Signal),
            to: stage_port(i, Access::Control),
            capacity: None,
            messages: None,
        });
    }
    let last = stages.len() - 1;
    // The circle closes at the word `circular`.
    if let Some(word) = circular {
        let op = [word, word];
        links.push(Link {
            op,
            whole: [bounds[0].0, bounds[last].1],
            from: stage_port(last, Access::MaybeOutbox),
            to: stage_port(0, Access::MaybeInbox),
            capacity: None,
            messages: Some(messages::circular_link(&describe[last], &describe[0])),
        });
        links.push(Link {
            op,
            whole: [bounds[0].0, bounds[last].1],
            from: stage_port(last, Access::Signal),
            to: stage_port(0, Access::Control),
            capacity: None,
            messages: None,
        });
    }
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
        // In a circle the last stage's `signal` goes to the first stage:
        // the pipeline's own `signal` tells when every stage has ended.
        signal: circular
            .is_none()
            .then(|| builtin(stage_port(last, Access::Signal))),
        handles: Handles::Pipeline {
            first: 0,
            last: circular.is_none().then_some(last),
        },
        children: stages
            .into_iter()
            .map(|(expr, _)| Child { name: None, expr })
            .collect(),
        links,
    })
}
