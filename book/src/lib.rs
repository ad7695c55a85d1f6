//! The myelin book; `cargo test -p myelin-book` runs every code block in it.
//!
//! Each chapter under `src/` is included here as the docs of an empty
//! module, so rustdoc compiles and runs its Rust blocks against the real
//! crates. `src/SUMMARY.md` and `book.toml` make the same files an mdBook.

#![doc(test(attr(deny(warnings))))]

#[doc = include_str!("introduction.md")]
pub mod introduction {}

#[doc = include_str!("components.md")]
pub mod components {}

#[doc = include_str!("wiring.md")]
pub mod wiring {}

#[doc = include_str!("lifecycle.md")]
pub mod lifecycle {}

#[doc = include_str!("backpressure.md")]
pub mod backpressure {}

#[doc = include_str!("threads.md")]
pub mod threads {}

// Process components exist on Unix only. The chapter shows the `#[test]`s of
// a test crate: compiled here, not run.
#[cfg(unix)]
#[allow(clippy::test_attr_in_doctest)]
#[doc = include_str!("processes.md")]
pub mod processes {}

#[doc = include_str!("handles.md")]
pub mod handles {}

#[doc = include_str!("time.md")]
pub mod time {}

#[doc = include_str!("meeting-places.md")]
pub mod meeting_places {}

#[doc = include_str!("components-library.md")]
pub mod components_library {}

#[doc = include_str!("dynamic.md")]
pub mod dynamic {}

#[doc = include_str!("introspection.md")]
pub mod introspection {}

#[doc = include_str!("scheduling.md")]
pub mod scheduling {}

#[doc = include_str!("scheduler.md")]
pub mod scheduler {}

#[doc = include_str!("performance.md")]
pub mod performance {}
