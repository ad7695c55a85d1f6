//! The myelin book; `cargo test -p myelin-book` runs every code block in it.
//!
//! Each chapter under `src/` is included here as the docs of an empty
//! module, so rustdoc compiles and runs its Rust blocks against the real
//! crates. `build.rs` first expands mdBook's `{{#include file:anchor}}`
//! (whole programs shown from `examples/`), failing the build when a file
//! or an anchor is gone. `src/SUMMARY.md` and `book.toml` make the same
//! files an mdBook; `tests/links.rs` checks its links.

#![doc(test(attr(deny(warnings))))]

#[doc = include_str!(concat!(env!("OUT_DIR"), "/introduction.md"))]
pub mod introduction {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/tutorial.md"))]
pub mod tutorial {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/components.md"))]
pub mod components {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/wiring.md"))]
pub mod wiring {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/lifecycle.md"))]
pub mod lifecycle {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/backpressure.md"))]
pub mod backpressure {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/threads.md"))]
pub mod threads {}

// Process components exist on Unix only. The chapter shows the `#[test]`s of
// a test crate: compiled here, not run.
#[cfg(unix)]
#[allow(clippy::test_attr_in_doctest)]
#[doc = include_str!(concat!(env!("OUT_DIR"), "/processes.md"))]
pub mod processes {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/handles.md"))]
pub mod handles {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/time.md"))]
pub mod time {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/meeting-places.md"))]
pub mod meeting_places {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/components-library.md"))]
pub mod components_library {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/dynamic.md"))]
pub mod dynamic {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/supervision.md"))]
pub mod supervision {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/introspection.md"))]
pub mod introspection {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/scheduling.md"))]
pub mod scheduling {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/scheduler.md"))]
pub mod scheduler {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/performance.md"))]
pub mod performance {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/axon-map.md"))]
pub mod axon_map {}
