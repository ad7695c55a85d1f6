//! A `Carousel` that builds a fresh parser for each input file (Axon's
//! Carousel, as Kamaelia uses it for one protocol handler per request).
//!
//! The program writes three small score files to a temporary directory, in
//! three formats (`name,score`, `name=score`, `name<TAB>score`). `Files`
//! asks the carousel for a parser by sending each file's path on its
//! `next` inbox, then the file's lines. The carousel's factory picks the
//! parser by the file's extension and builds it fresh, so its state (the
//! line number its records and errors carry) starts again for each file;
//! the parser ends at the end of its file, and the carousel asks for the
//! next. The program checks every record (file, line number, name, score)
//! against what it wrote, and exits non-zero on any difference.
//!
//! ```text
//! cargo run --release --example carousel_parsers
//! ```

use std::path::{Path, PathBuf};

use myelin::components::{Carousel, Collect};
use myelin::prelude::*;

/// What `Files` sends the running parser.
#[derive(Debug)]
pub enum Line {
    /// One line of the file.
    Text(String),
    /// The end of the file.
    End,
}

/// One parsed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The file's name.
    file: String,
    /// Its line number in that file, from 1.
    line: u32,
    name: String,
    score: u32,
}

/// How a file's lines are laid out.
#[derive(Clone, Copy, Debug)]
enum Format {
    Csv,
    KeyValue,
    Tabs,
}

impl Format {
    fn for_file(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "csv" => Some(Self::Csv),
            "kv" => Some(Self::KeyValue),
            "tsv" => Some(Self::Tabs),
            _ => None,
        }
    }

    fn separator(self) -> char {
        match self {
            Self::Csv => ',',
            Self::KeyValue => '=',
            Self::Tabs => '\t',
        }
    }
}

/// Parses the lines of one file, numbering them from 1; ends at the end of
/// the file. A fresh one for each file.
#[component]
pub struct Parser {
    inbox: Inbox<Line>,
    outbox: Outbox<Record>,
    file: String,
    format: Format,
    /// Lines seen in this file.
    #[state(default)]
    line: u32,
}

impl Component for Parser {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(Line::Text(text)) = self.inbox.recv().await {
            self.line += 1;
            let (name, score) = text.split_once(self.format.separator()).ok_or_else(|| {
                Error::msg(format!(
                    "{}:{}: not a {:?} line",
                    self.file, self.line, self.format
                ))
            })?;
            let score = score
                .trim()
                .parse()
                .map_err(|e| Error::msg(format!("{}:{}: {e}", self.file, self.line)))?;
            let record = Record {
                file: self.file.clone(),
                line: self.line,
                name: name.trim().to_owned(),
                score,
            };
            self.outbox.send(record).await?;
        }
        Ok(())
    }
}

/// Builds the parser for the file at `path`.
fn parser_for(path: PathBuf) -> Parser {
    let format = Format::for_file(&path).expect("the files have known extensions");
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    Parser::new(file, format)
}

/// For each file: waits for the carousel to ask, sends the path on `next`,
/// then the file's lines and its end. Reads files, so on a thread of its
/// own.
#[component(thread)]
pub struct Files {
    /// The carousel asking for the next file.
    requests: Inbox<()>,
    next: Outbox<PathBuf>,
    lines: Outbox<Line>,
    paths: Vec<PathBuf>,
}

impl ThreadComponent for Files {
    fn main(&mut self, _cx: &mut ThreadContext) -> Result<(), Error> {
        for path in std::mem::take(&mut self.paths) {
            if self.requests.blocking_recv().is_none() {
                return Err(Error::msg("the carousel stopped asking"));
            }
            let text = std::fs::read_to_string(&path)?;
            self.next.blocking_send(path)?;
            for line in text.lines() {
                self.lines.blocking_send(Line::Text(line.to_owned()))?;
            }
            self.lines.blocking_send(Line::End)?;
        }
        Ok(())
    }
}

/// A file's lines: (name, score).
type Rows = &'static [(&'static str, u32)];

/// The files to write: name, separator, and lines.
const FILES: [(&str, char, Rows); 3] = [
    (
        "league.csv",
        ',',
        &[("ada", 31), ("brian", 12), ("cleo", 27)],
    ),
    ("cup.kv", '=', &[("dmitri", 8), ("eve", 40)]),
    (
        "friendly.tsv",
        '\t',
        &[("fatima", 19), ("gus", 3), ("hana", 22), ("ivo", 15)],
    ),
];

fn main() -> Result<(), myelin::Error> {
    let dir = std::env::temp_dir().join(format!("myelin-carousel-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut paths = Vec::new();
    let mut expected = Vec::new();
    for (file, sep, rows) in FILES {
        let mut text = String::new();
        for (line, (name, score)) in rows.iter().enumerate() {
            text.push_str(&format!("{name}{sep}{score}\n"));
            expected.push(Record {
                file: file.to_owned(),
                line: u32::try_from(line).unwrap() + 1,
                name: (*name).to_owned(),
                score: *score,
            });
        }
        let path = dir.join(file);
        std::fs::write(&path, text)?;
        paths.push(path);
    }

    let collect = Collect::<Record>::new();
    let got = collect.collected();
    let result = myelin::run(graphline! {
        components {
            files: Files::new(paths),
            parsers: Carousel::new(parser_for).request_first(),
            out: collect,
        }
        links {
            parsers.request_next -> files.requests,
            files.next -> parsers.next,
            files.lines -> parsers.inbox,
            parsers.outbox -> out.inbox,
        }
    });
    std::fs::remove_dir_all(&dir)?;
    let report = result?;

    let got = got.take();
    let parsers = report
        .components()
        .iter()
        .filter(|c| c.name.starts_with("parsers.child"))
        .count();
    println!(
        "{} records from {} files, by {parsers} parsers",
        got.len(),
        FILES.len()
    );
    if got != expected {
        eprintln!("wrong records:\n got {got:?}\nwant {expected:?}");
        std::process::exit(1);
    }
    if parsers != FILES.len() {
        eprintln!("expected a parser per file, saw {parsers}:\n{report}");
        std::process::exit(1);
    }
    Ok(())
}
