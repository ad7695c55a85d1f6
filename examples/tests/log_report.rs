//! The main demo's analysis, checked against the bundled log.

use myelin::Outcome;
use myelin_examples::logs::analyse;

fn bundled() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log").to_owned()
}

#[test]
fn every_line_is_either_counted_or_rejected_with_its_reason() {
    let (report, _) = analyse(bundled()).unwrap();
    let lines = std::fs::read_to_string(bundled()).unwrap().lines().count() as u64;
    assert_eq!(report.status.total() + report.rejected.len() as u64, lines);
    let rejected: Vec<_> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (1235, "unterminated request"),
            (20002, "no client address"),
            (33334, "bad status `abc`"),
        ]
    );
}

#[test]
fn finds_the_incident_between_two_and_twenty_to_three() {
    let (report, _) = analyse(bundled()).unwrap();
    let windows: Vec<u16> = report.spikes.iter().map(|s| s.from_minute).collect();
    assert_eq!(windows, [14 * 60, 14 * 60 + 10, 14 * 60 + 20, 14 * 60 + 30]);
    assert!(report.spikes.iter().all(|s| s.rate() > 0.05));
}

#[test]
fn ranks_endpoints_by_p95_and_folds_ids() {
    let (report, _) = analyse(bundled()).unwrap();
    assert!(report.endpoints.windows(2).all(|w| w[0].p95 >= w[1].p95));
    assert!(
        report
            .endpoints
            .iter()
            .any(|e| e.endpoint == "/api/items/{id}")
    );
    assert!(
        !report
            .endpoints
            .iter()
            .any(|e| e.endpoint.contains(char::is_numeric))
    );
    let requests: usize = report.endpoints.iter().map(|e| e.requests).sum();
    assert_eq!(requests as u64, report.status.total());
}

#[test]
fn every_component_finishes_and_nothing_is_left_unread() {
    let (_, run) = analyse(bundled()).unwrap();
    assert_eq!(run.components().len(), 10);
    assert!(
        run.components()
            .iter()
            .all(|c| c.outcome == Outcome::Finished),
        "{run}"
    );
    assert_eq!(run.undelivered(), 0, "{run}");
}

#[test]
fn a_missing_file_fails_the_reader_with_the_path() {
    let err = analyse("/nonexistent/access.log").unwrap_err();
    let run = err.report().expect("a run report");
    let reader = &run.components()[0];
    assert!(
        matches!(&reader.outcome, Outcome::Failed(reason) if reason.contains("/nonexistent/access.log")),
        "{run}"
    );
}

/// The book shows the demo's picture from checked-in files; they must be
/// what the export draws now. Regenerate with
/// `cargo run --example picture -- /tmp/pictures` and copy `log_report.dot`
/// and `log_report.mmd` to `book/src/pictures/`.
#[test]
fn the_books_picture_of_the_demo_is_what_the_export_draws() {
    use myelin::Part;
    let (system, _) = myelin_examples::logs::system(bundled());
    let picture = system.snapshot();
    let book = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../book/src/pictures/log_report"
    );
    let dot = std::fs::read_to_string(format!("{book}.dot")).unwrap();
    let mermaid = std::fs::read_to_string(format!("{book}.mmd")).unwrap();
    assert_eq!(
        picture.to_dot(),
        dot,
        "stale: book/src/pictures/log_report.dot"
    );
    assert_eq!(
        picture.to_mermaid(),
        mermaid,
        "stale: book/src/pictures/log_report.mmd"
    );
}
