//! All three kinds of component in one graphline, doing CPU-heavy work on
//! the bundled log: a generator cuts `data/access.log` into chunks of
//! lines, a pool of `#[component(process)]` workers (child processes of this
//! very binary) gives every line a keyed, stretched digest the way passwords
//! are hashed, generators deal the chunks out and merge the per-endpoint
//! results, and a `#[component(thread)]` writes the table as CSV with
//! blocking file I/O. The program then reads the file back and checks it
//! against the same computation done directly on one thread, without
//! myelin; it exits with an error if they differ.
//!
//! The pool's size is chosen at run time, so the pool is a graph built by
//! hand (`myelin_examples::stretch::pool`) and used as one component of the
//! graphline (`myelin_examples::stretch::system`). The work is the same
//! whatever the pool's size, so comparing the time printed for
//! `--workers 1` and `--workers 2` shows what a second process buys: on a
//! machine with two idle cores, close to twice the speed.
//!
//! ```text
//! cargo run --release --example process_pool -- --workers 2
//! ```
//!
//! Options: `--workers N` (default 2), `--chunk LINES` (default 1000),
//! `--rounds N` (hash rounds per line, default 400), `--out PATH` (where to
//! write the CSV; by default a file in the temporary directory, removed
//! after the check), and an optional path to another log.

use std::path::PathBuf;
use std::time::Instant;

use myelin::Error;
use myelin_examples::stretch::{self, Settings};

fn main() -> Result<(), Error> {
    // First thing: in a worker process this runs the worker and never returns.
    myelin::process::init();

    let mut settings = Settings::default();
    let mut log = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/access.log"));
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| Error::msg(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--workers" => settings.workers = value("--workers")?.parse()?,
            "--chunk" => settings.chunk_lines = value("--chunk")?.parse()?,
            "--rounds" => settings.rounds = value("--rounds")?.parse()?,
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            flag if flag.starts_with("--") => {
                return Err(Error::msg(format!(
                    "unknown option {flag}; expected --workers, --chunk, --rounds, --out"
                )));
            }
            path => log = PathBuf::from(path),
        }
    }
    if settings.workers == 0 || settings.chunk_lines == 0 {
        return Err(Error::msg("--workers and --chunk must be at least 1"));
    }
    let keep = out.is_some();
    let csv = out.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("myelin-process-pool-{}.csv", std::process::id()))
    });

    let shares = stretch::Shares::default();
    let started = Instant::now();
    let report = myelin::run(stretch::system(&log, &csv, &settings, &shares))?;
    let elapsed = started.elapsed();

    // The same table, computed directly on this thread.
    let text = std::fs::read_to_string(&log)?;
    let lines = text.lines().count();
    let alone = Instant::now();
    let expected = stretch::direct(&text, settings.key.as_bytes(), settings.rounds);
    let alone = alone.elapsed();

    let written = stretch::read_csv(&csv)?;
    if !keep {
        std::fs::remove_file(&csv)?;
    }
    if written != expected {
        for (key, group) in &expected {
            match written.get(key) {
                Some(got) if got == group => {}
                got => eprintln!("{key:?}: expected {group:?}, the CSV has {got:?}"),
            }
        }
        for key in written.keys().filter(|k| !expected.contains_key(*k)) {
            eprintln!("{key:?}: in the CSV only");
        }
        return Err(Error::msg(
            "the CSV does not match a direct computation of the same table",
        ));
    }

    let endpoints: std::collections::BTreeSet<_> = written.keys().map(|(e, _)| e).collect();
    let mut busiest: Vec<_> = written.iter().collect();
    busiest.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then(a.0.cmp(b.0)));
    println!(
        "{lines} lines, each stretched through {} rounds: {} endpoints, {} (endpoint, status) rows",
        settings.rounds,
        endpoints.len(),
        written.len()
    );
    for ((endpoint, status), g) in busiest.iter().take(5) {
        println!(
            "  {endpoint:<20} {status:>3} {:>6} requests {:>10} bytes  fingerprint {:016x}",
            g.requests, g.bytes, g.fingerprint
        );
    }
    let shares = stretch::shares(&shares, settings.workers);
    println!(
        "pool of {} worker process(es), {} chunks of {} lines (chunks per worker: {:?}): \
         {:.0} ms ({} components)",
        settings.workers,
        shares.iter().sum::<u32>(),
        settings.chunk_lines,
        shares,
        elapsed.as_secs_f64() * 1e3,
        report.components().len()
    );
    println!(
        "checked: {} CSV rows at {} equal a direct single-threaded computation ({:.0} ms)",
        written.len(),
        if keep {
            csv.display().to_string()
        } else {
            "a temporary file".to_owned()
        },
        alone.as_secs_f64() * 1e3
    );
    Ok(())
}
