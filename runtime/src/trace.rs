//! Events for the `tracing` crate, behind the `tracing` feature.
//!
//! Every function here is empty without the feature, so the calls compile
//! to nothing. With it:
//!
//! - target `myelin::lifecycle`, level `INFO`: a component started
//!   (`component`), ended (`component`, `outcome`: `finished` or
//!   `cancelled`), or failed (level `ERROR`, with `reason`);
//! - target `myelin::message`, level `TRACE`: a component sent a message
//!   (`component`, `outbox`, `message`: its type). Opt in by enabling that
//!   target at `TRACE` in your subscriber; disabled, each send costs one
//!   check of the callsite's interest.

use crate::report::Outcome;

/// A component (or a thread or process component's proxy) was started.
#[inline(always)]
pub(crate) fn started(component: &str) {
    #[cfg(feature = "tracing")]
    tracing::info!(target: "myelin::lifecycle", component, "component started");
    #[cfg(not(feature = "tracing"))]
    let _ = component;
}

/// A component ended with `outcome`.
#[inline(always)]
pub(crate) fn ended(component: &str, outcome: &Outcome) {
    #[cfg(feature = "tracing")]
    match outcome {
        Outcome::Failed(reason) => tracing::error!(
            target: "myelin::lifecycle",
            component,
            reason = reason.as_str(),
            "component failed"
        ),
        Outcome::Finished => tracing::info!(
            target: "myelin::lifecycle",
            component,
            outcome = "finished",
            "component ended"
        ),
        Outcome::Cancelled | Outcome::Stalled => tracing::info!(
            target: "myelin::lifecycle",
            component,
            outcome = if *outcome == Outcome::Stalled { "stalled" } else { "cancelled" },
            "component ended"
        ),
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (component, outcome);
}

/// The component `component()` names sent a message of type `T` on
/// `outbox`; `component` runs only if the event is enabled.
#[inline(always)]
#[cfg_attr(
    not(feature = "tracing"),
    expect(clippy::extra_unused_type_parameters, reason = "used by the event")
)]
pub(crate) fn sent<T>(component: impl FnOnce() -> Option<std::sync::Arc<str>>, outbox: &str) {
    #[cfg(feature = "tracing")]
    tracing::trace!(
        target: "myelin::message",
        component = component().as_deref().unwrap_or("(outside)"),
        outbox,
        message = std::any::type_name::<T>(),
        "message sent"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (component, outbox);
}
