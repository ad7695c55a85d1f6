//! Compile-fail and compile-pass tests for the macros.
//!
//! `.stderr` snapshots depend on the rustc version; regenerate them with
//! `TRYBUILD=overwrite cargo test -p myelin-ui-tests` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*/*.rs");
}
