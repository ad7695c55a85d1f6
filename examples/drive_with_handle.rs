//! A calculator service driven from ordinary code through a handle.
//!
//! `main` spawns a small graphline in the background (one component parses
//! lines such as `6 * 7`, another evaluates them), sends it questions through
//! a [`Sender`], reads each answer from a [`Receiver`] and checks it. Then it
//! drops the sender, which ends the input: the calculator sends a summary
//! line and finishes, and `main` joins it and prints its report. Any wrong
//! answer makes it exit with an error.
//!
//! ```text
//! cargo run --example drive_with_handle
//! ```

use myelin::prelude::*;
use myelin::{Part, Receiver, Sender};

/// A question the parser understood: left operand, operator, right operand.
type Sum = (i64, char, i64);

/// Parses `<integer> <operator> <integer>` lines.
#[component]
pub struct Parse {
    /// Lines of text.
    inbox: Inbox<String>,
    /// What each line asks, or why it could not be read.
    outbox: Outbox<Result<Sum, String>>,
}

impl Component for Parse {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        while let Some(line) = self.inbox.recv().await {
            self.outbox.send(parse(&line)).await?;
        }
        Ok(())
    }
}

/// Reads one line: two integers around one of `+ - * /`.
fn parse(line: &str) -> Result<Sum, String> {
    let number = |word: &str| {
        word.parse::<i64>()
            .map_err(|_| format!("`{word}` is not a number"))
    };
    match line.split_whitespace().collect::<Vec<_>>()[..] {
        [a, op @ ("+" | "-" | "*" | "/"), b] => {
            Ok((number(a)?, op.chars().next().unwrap_or('?'), number(b)?))
        }
        _ => Err(format!("cannot read `{line}`: expected `a + b`")),
    }
}

/// Evaluates parsed questions, one answer per question; at the end of the
/// input, sends a summary line.
#[component]
pub struct Evaluate {
    /// Parsed questions, or parse errors.
    inbox: Inbox<Result<Sum, String>>,
    /// One answer per question (`42`, or `error: ...`), then the summary.
    outbox: Outbox<String>,
}

impl Component for Evaluate {
    async fn main(&mut self, _cx: &mut Context) -> Result<(), Error> {
        let (mut answered, mut failed) = (0, 0);
        while let Some(question) = self.inbox.recv().await {
            let answer = question.and_then(|(a, op, b)| {
                let value = match op {
                    '+' => a.checked_add(b),
                    '-' => a.checked_sub(b),
                    '*' => a.checked_mul(b),
                    _ if b == 0 => return Err("division by zero".to_owned()),
                    _ => a.checked_div(b),
                };
                value.ok_or_else(|| "overflow".to_owned())
            });
            let line = match answer {
                Ok(value) => {
                    answered += 1;
                    value.to_string()
                }
                Err(why) => {
                    failed += 1;
                    format!("error: {why}")
                }
            };
            self.outbox.send(line).await?;
        }
        self.outbox
            .send(format!("{answered} answered, {failed} errors"))
            .await?;
        Ok(())
    }
}

/// Each question, with the answer the calculator must give.
const QUESTIONS: [(&str, &str); 6] = [
    ("6 * 7", "42"),
    ("100 - 58", "42"),
    ("-84 / -2", "42"),
    ("7 / 0", "error: division by zero"),
    ("two + two", "error: `two` is not a number"),
    ("9223372036854775807 + 1", "error: overflow"),
];

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let calculator = graphline! {
        components {
            parse: Parse::new(),
            evaluate: Evaluate::new(),
        }
        links {
            self.inbox -> parse.inbox,
            parse.outbox -> evaluate.inbox,
            evaluate.outbox -> self.outbox,
        }
    };
    // Handles are made from the port handles before the system starts.
    let ports = calculator.handles();
    let mut questions = Sender::new(&ports.inbox)?;
    let mut answers = Receiver::new(&ports.outbox)?;
    let handle = myelin::spawn(calculator);

    for (question, expected) in QUESTIONS {
        questions.send(question.to_owned())?;
        let answer = answers.recv().ok_or("the calculator stopped early")?;
        println!("{question:>25}  =>  {answer}");
        if answer != expected {
            return Err(format!("`{question}`: expected `{expected}`, got `{answer}`").into());
        }
    }

    // End of input: the calculator sends its summary and finishes.
    drop(questions);
    let summary = answers.recv().ok_or("no summary")?;
    println!("{summary}");
    if summary != "3 answered, 3 errors" {
        return Err(format!("unexpected summary `{summary}`").into());
    }
    if let Some(extra) = answers.recv() {
        return Err(format!("unexpected output after the summary: `{extra}`").into());
    }

    let report = handle.join()?;
    print!("{report}");
    Ok(())
}
