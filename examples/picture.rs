//! Draws the main demo's system (`log_report`) from its code: a picture of
//! the pipeline before it runs, and one taken while it runs with the
//! counts of every link, each as Graphviz DOT and Mermaid, and as SVG when
//! Graphviz's `dot` is installed.
//!
//! ```text
//! cargo run --release --example picture [output directory]
//! ```
//!
//! Writes `log_report.dot`, `log_report.mmd`, `log_report_running.dot`,
//! `log_report_running.mmd` (and the `.svg`s) in the directory given, or
//! in `target/pictures`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use myelin::Part;
use myelin::view::{Snapshot, State};
use myelin_examples::logs;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let out: PathBuf = std::env::args().nth(1).map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/../target/pictures").into(),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out)?;
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log");

    // ANCHOR: before
    let (system, _) = logs::system(log);
    let picture = system.snapshot();
    write(&out, "log_report", &picture)?;
    // ANCHOR_END: before

    // ANCHOR: running
    let (system, reports) = logs::system(log);
    let handle = myelin::Runtime::new().introspect().spawn(system);
    // Snapshots until the summary has its report: the last one has every
    // link's final count.
    let mut seen = handle.snapshot()?;
    while seen
        .component("graphline.summary")
        .is_none_or(|c| c.state != Some(State::Finished))
    {
        std::thread::sleep(Duration::from_millis(5));
        seen = handle.snapshot()?;
    }
    handle.join()?;
    write(&out, "log_report_running", &seen)?;
    // ANCHOR_END: running

    // Checked, so that CI notices a picture that lost something.
    let report = reports.take().pop().ok_or("no report")?;
    let parsed = seen
        .component("graphline.split")
        .and_then(|c| c.inboxes[0].counts)
        .ok_or("no counts for the splitter")?;
    assert_eq!(parsed.taken, report.status.total());
    assert_eq!(picture.components.len(), seen.components.len());
    assert_eq!(picture.links.len(), seen.links.len());
    println!(
        "{} components, {} links: pictures in {}",
        picture.components.len(),
        picture.links.len(),
        out.display()
    );
    Ok(())
}

/// Writes `name.dot` and `name.mmd`, and `name.svg` if `dot` runs.
fn write(dir: &Path, name: &str, snapshot: &Snapshot) -> std::io::Result<()> {
    let dot = dir.join(format!("{name}.dot"));
    std::fs::write(&dot, snapshot.to_dot())?;
    std::fs::write(dir.join(format!("{name}.mmd")), snapshot.to_mermaid())?;
    let svg = dir.join(format!("{name}.svg"));
    match Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot)
        .arg("-o")
        .arg(&svg)
        .status()
    {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("dot failed ({status}): no SVG for {name}"),
        Err(_) => eprintln!("Graphviz's `dot` is not installed: no SVG for {name}"),
    }
    Ok(())
}
