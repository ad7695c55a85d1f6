//! Doc comments, read from `#[doc = ..]` attributes so that the generated
//! metadata (`ComponentInfo::doc`, `PortInfo::doc`) says what the source says.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The doc comment of an item or field.
pub(crate) struct Doc {
    /// The `#[doc]` attributes as written, to copy onto generated items.
    pub(crate) attrs: Vec<Attribute>,
    /// The text, unindented and trimmed; `None` when some line is not a
    /// literal (`#[doc = include_str!(..)]`) and so cannot be read here.
    text: Option<String>,
    /// The attribute values, for when `text` is `None`.
    exprs: Vec<Expr>,
}

impl Doc {
    pub(crate) fn of(attrs: &[Attribute]) -> Self {
        let attrs: Vec<Attribute> = attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        let exprs: Vec<Expr> = attrs
            .iter()
            .filter_map(|a| match &a.meta {
                Meta::NameValue(nv) => Some(nv.value.clone()),
                _ => None,
            })
            .collect();
        let lines: Option<Vec<String>> = exprs
            .iter()
            .map(|e| match e {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            })
            .collect();
        Self {
            attrs,
            text: lines.map(|l| {
                let lines: Vec<String> = l.iter().map(|v| block_as_lines(v)).collect();
                unindent(&lines.join("\n"))
            }),
            exprs,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// The text as a `&'static str` expression.
    pub(crate) fn to_str_expr(&self) -> TokenStream {
        match &self.text {
            Some(text) => quote!(#text),
            None => {
                let exprs = &self.exprs;
                quote!(::core::concat!(#(#exprs, "\n"),*))
            }
        }
    }

    /// The first paragraph, on one line, when the text is readable.
    pub(crate) fn summary(&self) -> Option<String> {
        let text = self.text.as_deref()?;
        let paragraph = text.split("\n\n").next()?;
        let summary = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        (!summary.is_empty()).then_some(summary)
    }
}

/// A `/** .. */` comment (one attribute holding several lines) laid out
/// like `///` lines, so that one `unindent` suits both. As in rustdoc, the
/// first line (beside `/**`) does not count towards the indentation, and a
/// column of leading `*` is removed.
fn block_as_lines(value: &str) -> String {
    let Some((first, rest)) = value.split_once('\n') else {
        return value.to_owned();
    };
    let rest: Vec<&str> = rest.lines().collect();
    let starred = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .all(|l| l.trim_start().starts_with('*'));
    let rest: Vec<String> = if starred {
        rest.iter()
            .map(|l| l.trim_start().trim_start_matches('*').to_owned())
            .collect()
    } else {
        let rest = unindent(&rest.join("\n"));
        rest.lines().map(|l| format!(" {l}")).collect()
    };
    let mut lines = vec![format!(" {}", first.trim())];
    lines.extend(rest);
    lines.join("\n")
}

/// Removes the indentation common to all non-blank lines (the space after
/// `///`, usually) and blank lines at either end, as rustdoc does.
fn unindent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.chars().take_while(|c| c.is_whitespace()).count())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| {
            let cut = l
                .char_indices()
                .take_while(|(_, c)| c.is_whitespace())
                .nth(indent)
                .map_or_else(|| l.len() - l.trim_start().len(), |(i, _)| i);
            l[cut..].trim_end()
        })
        .collect();
    lines.join("\n").trim_matches('\n').to_owned()
}

#[cfg(test)]
mod tests {
    use super::Doc;

    fn doc(src: &str) -> Doc {
        let item: syn::ItemStruct = syn::parse_str(src).unwrap();
        Doc::of(&item.attrs)
    }

    #[test]
    fn line_comments_lose_their_leading_space() {
        let d = doc("/// Doubles numbers.\n///\n/// Twice.\nstruct A;");
        assert_eq!(d.text.as_deref(), Some("Doubles numbers.\n\nTwice."));
        assert_eq!(d.summary().as_deref(), Some("Doubles numbers."));
    }

    #[test]
    fn nested_indentation_is_kept() {
        let d = doc("/// A list:\n///   - one\nstruct A;");
        assert_eq!(d.text.as_deref(), Some("A list:\n  - one"));
    }

    #[test]
    fn block_comments_are_unindented() {
        let d = doc("/**\n   Block doc.\n   Second line.\n*/\nstruct A;");
        assert_eq!(d.text.as_deref(), Some("Block doc.\nSecond line."));
        assert_eq!(d.summary().as_deref(), Some("Block doc. Second line."));
        let d = doc("/** Block doc,\n        on two lines.\n          indented. */\nstruct A;");
        assert_eq!(
            d.text.as_deref(),
            Some("Block doc,\non two lines.\n  indented.")
        );
        let d = doc("/**\n * Starred.\n *\n * Second.\n */\nstruct A;");
        assert_eq!(d.text.as_deref(), Some("Starred.\n\nSecond."));
    }

    #[test]
    fn no_doc() {
        let d = doc("struct A;");
        assert!(d.is_empty());
        assert_eq!(d.text.as_deref(), Some(""));
        assert_eq!(d.summary(), None);
    }

    #[test]
    fn macro_docs_are_concatenated() {
        let d = doc("#[doc = include_str!(\"x.md\")]\nstruct A;");
        assert_eq!(d.text, None);
        assert!(d.to_str_expr().to_string().contains("concat"));
    }
}
