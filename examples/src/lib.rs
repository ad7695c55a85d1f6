//! Components shared by the example programs in this folder, kept in a library
//! so the tests in `tests/` check the same code the examples run.

pub mod chat;
pub mod logs;
pub mod philosophers;
pub mod stretch;
