//! The `process_pool` example's graphline, on the first few thousand lines of
//! the bundled log with few rounds, checked against a direct computation.

use std::path::{Path, PathBuf};

use myelin::Outcome;
use myelin_examples::stretch::{self, Settings, Table, UNPARSED};

myelin::process_test_entry!();

/// The first `lines` lines of the bundled log, in a file of their own.
fn excerpt(name: &str, lines: usize) -> (PathBuf, String) {
    let log = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log"))
        .expect("the bundled log");
    let text: String = log.lines().take(lines).flat_map(|l| [l, "\n"]).collect();
    let path = scratch(name, "log");
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

fn scratch(name: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "myelin-process-pool-test-{}-{name}.{ext}",
        std::process::id()
    ))
}

/// Runs the system and returns the table it wrote and how many chunks each
/// worker did, after checking that every component finished and nothing was
/// left unread.
fn run(log: &Path, name: &str, settings: &Settings) -> (Table, Vec<u32>) {
    let csv = scratch(name, "csv");
    let shares = stretch::Shares::default();
    let report = myelin::run(stretch::system(log, &csv, settings, &shares)).expect("the run");
    assert_eq!(report.components().len(), settings.workers + 4, "{report}");
    assert!(
        report
            .components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished),
        "{report}"
    );
    assert_eq!(report.undelivered(), 0, "{report}");
    let table = stretch::read_csv(&csv).expect("the CSV");
    std::fs::remove_file(&csv).unwrap();
    (table, stretch::shares(&shares, settings.workers))
}

#[test]
fn pools_of_one_to_three_workers_write_what_one_thread_computes() {
    myelin::process::init();
    // Line 1235 does not parse: it is counted, not lost.
    let (log, text) = excerpt("sizes", 2_500);
    let settings = |workers| Settings {
        workers,
        chunk_lines: 300, // 2,500 lines: 8 full chunks and a short one
        rounds: 20,
        ..Settings::default()
    };
    let expected = stretch::direct(&text, b"myelin", 20);
    assert_eq!(expected.values().map(|g| g.requests).sum::<u64>(), 2_500);
    assert_eq!(expected[&(UNPARSED.to_owned(), 0)].requests, 1);
    for workers in 1..=3 {
        let (table, shares) = run(&log, &format!("sizes-{workers}"), &settings(workers));
        assert_eq!(table, expected, "{workers} workers");
        // Every worker took part, and the 9 chunks were each done once.
        assert!(shares.iter().all(|&n| n > 0), "{shares:?}");
        assert_eq!(shares.iter().sum::<u32>(), 9, "{shares:?}");
    }
    std::fs::remove_file(&log).unwrap();
}

#[test]
fn the_key_and_the_rounds_change_every_fingerprint() {
    myelin::process::init();
    let (log, text) = excerpt("key", 400);
    let settings = Settings {
        workers: 2,
        chunk_lines: 50,
        rounds: 5,
        key: "another key".to_owned(),
        ..Settings::default()
    };
    let (got, _) = run(&log, "key", &settings);
    assert_eq!(got, stretch::direct(&text, b"another key", 5));
    let other_key = stretch::direct(&text, b"myelin", 5);
    let other_rounds = stretch::direct(&text, b"another key", 6);
    for (key, group) in &got {
        assert_eq!(group.requests, other_key[key].requests);
        assert_ne!(group.fingerprint, other_key[key].fingerprint, "{key:?}");
        assert_ne!(group.fingerprint, other_rounds[key].fingerprint, "{key:?}");
    }
    std::fs::remove_file(&log).unwrap();
}

#[test]
fn a_missing_log_fails_the_reader_with_its_path() {
    myelin::process::init();
    let csv = scratch("missing", "csv");
    let err = myelin::run(stretch::system(
        Path::new("/nonexistent/access.log"),
        &csv,
        &Settings::default(),
        &stretch::Shares::default(),
    ))
    .unwrap_err();
    let run = err.report().expect("a run report");
    let read = run.component("read").expect("reported");
    assert!(
        matches!(&read.outcome, Outcome::Failed(reason) if reason.contains("/nonexistent/access.log")),
        "{run}"
    );
    assert!(!csv.exists());
}
