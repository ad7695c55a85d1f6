//! The user's expressions as text, for quoting them in messages
//! ("stage 2 (`Double::new()`)").
//!
//! `TokenStream::to_string` spaces every token (`Double :: new ()`), and
//! stable `proc_macro` cannot join spans to ask for the source text. Token
//! locations are available, though, so the original spacing is rebuilt from
//! them: a space wherever the source had whitespace, none elsewhere.

use proc_macro2::{Delimiter, LineColumn, Span, TokenStream, TokenTree};

/// Longest quoted expression; longer ones are shortened.
const MAX: usize = 40;

/// `tokens` as the user wrote them (whitespace collapsed), shortened past
/// [`MAX`] characters by eliding the contents of brackets, else by cutting.
pub(crate) fn quote_expr(tokens: TokenStream) -> String {
    let full = render(tokens.clone(), usize::MAX);
    if full.chars().count() <= MAX {
        return full;
    }
    let short = render(tokens, 0);
    // Eliding brackets helps only if something is left to recognise:
    // `Split::new(..)` does, a bare `{..}` does not.
    let recognisable = short.chars().any(char::is_alphanumeric);
    if recognisable && short.chars().count() <= MAX {
        return short;
    }
    let text = if recognisable { short } else { full };
    let cut: String = text.chars().take(MAX - 1).collect();
    format!("{cut}…")
}

/// Renders `tokens`; groups nested deeper than `depth` show as `(..)`.
fn render(tokens: TokenStream, depth: usize) -> String {
    let mut out = Writer::default();
    out.stream(tokens, depth);
    out.text
}

#[derive(Default)]
struct Writer {
    text: String,
    /// Where the previous token ended, if known.
    end: Option<LineColumn>,
    /// Whether the previous token was an identifier or literal (which need a
    /// space before another when locations are unknown).
    wordlike: bool,
}

impl Writer {
    fn stream(&mut self, tokens: TokenStream, depth: usize) {
        for token in tokens {
            match token {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::None => ("", ""),
                    };
                    // `span_open`/`span_close` cover the whole group on
                    // stable; a delimiter is one character at either end.
                    let (start, end) = (g.span().start(), g.span().end());
                    let after_open = LineColumn {
                        column: start.column + 1,
                        ..start
                    };
                    let before_close = LineColumn {
                        column: end.column.saturating_sub(1),
                        ..end
                    };
                    self.word(open, start, after_open, false);
                    if depth == 0 && !g.stream().is_empty() {
                        self.text.push_str("..");
                        self.end = None;
                    } else {
                        self.stream(g.stream(), depth.saturating_sub(1));
                    }
                    self.word(close, before_close, end, false);
                }
                TokenTree::Ident(i) => self.token(&i.to_string(), i.span(), true),
                TokenTree::Literal(l) => self.token(&l.to_string(), l.span(), true),
                TokenTree::Punct(p) => self.token(&p.as_char().to_string(), p.span(), false),
            }
        }
    }

    fn token(&mut self, text: &str, span: Span, wordlike: bool) {
        self.word(text, span.start(), span.end(), wordlike);
    }

    fn word(&mut self, text: &str, start: LineColumn, end: LineColumn, wordlike: bool) {
        if text.is_empty() {
            return;
        }
        let known = start.line > 0;
        let gap = match self.end {
            Some(end) if known => end != start,
            // Locations unknown (tokens made by another macro): separate
            // words only.
            _ => self.wordlike && wordlike,
        };
        if gap && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(text);
        self.end = known.then_some(end);
        self.wordlike = wordlike;
    }
}

#[cfg(test)]
mod tests {
    use super::quote_expr;

    fn quoted(source: &str) -> String {
        quote_expr(source.parse().unwrap())
    }

    #[test]
    fn keeps_the_source_spacing() {
        assert_eq!(quoted("Numbers::new(1..=10)"), "Numbers::new(1..=10)");
        assert_eq!(quoted("Split::new( 3 , \"x\" )"), "Split::new( 3 , \"x\" )");
        assert_eq!(
            quoted("pipeline![A::new(), B::new()]"),
            "pipeline![A::new(), B::new()]"
        );
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(
            quoted("Numbers\n    ::new(\n  1,\n  2)"),
            "Numbers ::new( 1, 2)"
        );
    }

    #[test]
    fn shortens_long_expressions_by_eliding_brackets() {
        assert_eq!(
            quoted("Numbers::with_range(first_number_to_send, last_number_to_send)"),
            "Numbers::with_range(..)"
        );
    }

    #[test]
    fn cuts_what_eliding_would_empty() {
        let text =
            quoted("{ let numbers_for_the_pipeline = Numbers::new(); numbers_for_the_pipeline }");
        assert_eq!(text, "{ let numbers_for_the_pipeline = Number…");
    }
}
