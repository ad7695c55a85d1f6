//! A type as the user would write it, for `PortInfo::message`.
//!
//! `TokenStream::to_string` puts a space between every token
//! (`Vec < String >`); this prints the usual spacing instead
//! (`Vec<String>`, `&'a [u8; 4]`, `Box<dyn Fn(u8) -> u8 + Send>`).

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// `ty` printed with conventional spacing.
pub(crate) fn type_string(ty: &syn::Type) -> String {
    let mut out = String::new();
    write_tokens(ty.to_token_stream(), &mut out);
    out
}

/// What was last written, which decides the space before the next token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Start of the output or of a group: no space.
    Open,
    /// An identifier or literal, e.g. `Vec`, `4`, `mut`.
    Word,
    /// A keyword after which a group or punctuation is spaced: `mut (..)`.
    SpacedKeyword,
    /// Punctuation that binds to what follows: `<`, `::`, `&`, `'`.
    Tight,
    /// Punctuation followed by a space: `,`, `;`, `->`, `+`, `=`.
    Spaced,
    /// A closing `>` or a group.
    Close,
}

fn write_tokens(tokens: TokenStream, out: &mut String) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut last = Last::Open;
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                // A lifetime: the quote and the identifier after it.
                space_before_word(last, out);
                out.push('\'');
                if let Some(TokenTree::Ident(name)) = trees.get(i + 1) {
                    out.push_str(&name.to_string());
                    i += 1;
                }
                last = Last::Word;
            }
            TokenTree::Punct(p) => {
                let mut op = p.as_char().to_string();
                if p.spacing() == Spacing::Joint
                    && let Some(TokenTree::Punct(next)) = trees.get(i + 1)
                {
                    let pair = format!("{op}{}", next.as_char());
                    if matches!(pair.as_str(), "::" | "->" | "=>") {
                        op = pair;
                        i += 1;
                    }
                }
                last = write_op(&op, last, out);
            }
            TokenTree::Ident(ident) => {
                let text = ident.to_string();
                space_before_word(last, out);
                out.push_str(&text);
                last = if matches!(text.as_str(), "mut" | "dyn" | "impl" | "const" | "as") {
                    Last::SpacedKeyword
                } else {
                    Last::Word
                };
            }
            TokenTree::Literal(lit) => {
                space_before_word(last, out);
                out.push_str(&lit.to_string());
                last = Last::Word;
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                if matches!(last, Last::Spaced | Last::SpacedKeyword) {
                    out.push(' ');
                }
                out.push_str(open);
                write_tokens(group.stream(), out);
                out.push_str(close);
                last = Last::Close;
            }
        }
        i += 1;
    }
}

fn space_before_word(last: Last, out: &mut String) {
    if matches!(
        last,
        Last::Word | Last::SpacedKeyword | Last::Spaced | Last::Close
    ) {
        out.push(' ');
    }
}

/// Writes an operator and says how it binds to what follows.
fn write_op(op: &str, last: Last, out: &mut String) -> Last {
    match op {
        "," | ";" => {
            out.push_str(op);
            Last::Spaced
        }
        "->" | "+" | "=" | "=>" => {
            if last != Last::Open {
                out.push(' ');
            }
            out.push_str(op);
            Last::Spaced
        }
        ">" | ">>" => {
            out.push_str(op);
            Last::Close
        }
        _ => {
            // `<`, `::`, `&`, `*`, `!`, `?`: tight on the right; on the left,
            // spaced only after a word that is not a path (`&mut &T`, `dyn ?Sized`).
            if matches!(last, Last::SpacedKeyword | Last::Spaced)
                || (last == Last::Word && matches!(op, "&" | "&&" | "*" | "?" | "!"))
            {
                out.push(' ');
            }
            out.push_str(op);
            Last::Tight
        }
    }
}

#[cfg(test)]
mod tests {
    use super::type_string;

    fn check(src: &str, expected: &str) {
        let ty: syn::Type = syn::parse_str(src).unwrap();
        assert_eq!(type_string(&ty), expected, "from `{src}`");
    }

    #[test]
    fn conventional_spacing() {
        check("i64", "i64");
        check("Vec < String >", "Vec<String>");
        check("Vec<Vec<u8>>", "Vec<Vec<u8>>");
        check("std :: string :: String", "std::string::String");
        check("::std::string::String", "::std::string::String");
        check("(i32, String)", "(i32, String)");
        check("()", "()");
        check("[u8; 4]", "[u8; 4]");
        check("&'static str", "&'static str");
        check("&mut [u8]", "&mut [u8]");
        check("&mut (u8, u8)", "&mut (u8, u8)");
        check(
            "Box<dyn Fn(u8) -> u8 + Send>",
            "Box<dyn Fn(u8) -> u8 + Send>",
        );
        check(
            "HashMap<String, Vec<(u8, char)>>",
            "HashMap<String, Vec<(u8, char)>>",
        );
        check(
            "Box<dyn Iterator<Item = u8>>",
            "Box<dyn Iterator<Item = u8>>",
        );
        check("<T as Trait>::Out", "<T as Trait>::Out");
        check("fn(i32) -> i32", "fn(i32) -> i32");
        check("*const u8", "*const u8");
        check(
            "Arc<dyn Any + Send + 'static>",
            "Arc<dyn Any + Send + 'static>",
        );
        check("Cow<'a, str>", "Cow<'a, str>");
        check("[u8; N]", "[u8; N]");
    }
}
