//! Compile-fail and compile-pass tests of the myelin macros (see `tests/`).
