//! The main demo: analyses a day of web-server traffic (`data/access.log`,
//! bundled) with a graphline of components, and prints what an on-call
//! engineer would want to know: status mix, slowest endpoints, error spikes,
//! and the lines it could not parse.
//!
//! ```text
//! cargo run --release --example log_report [path/to/access.log]
//! ```

use myelin_examples::logs;

fn main() -> Result<(), myelin::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log").to_owned());
    let started = std::time::Instant::now();
    let (report, run) = logs::analyse(&path)?;
    print!("{report}");
    println!(
        "\n{} components ran in {:.0} ms",
        run.components().len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
