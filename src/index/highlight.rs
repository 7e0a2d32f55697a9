//! Query words marked in a hit's text, as HTML: the claim's own analysis
//! (`text::analyze_spans`) decides what a word is, so `اللقاحات` marks
//! `باللقاح` exactly when the search matched it.

use std::collections::HashSet;
use std::ops::Range;

use crate::text::{self, Lang};

/// Characters of text shown around the first mark when a text is longer.
pub const WINDOW_CHARS: usize = 300;
/// Characters kept before the first mark in a window.
const LEAD_CHARS: usize = 60;

/// The analyzed terms of a query in one language, as the search asked for
/// them (`ClaimIndex::word_query`): Arabizi also in Arabic script.
pub fn query_terms(q: &str, lang: Lang) -> HashSet<String> {
    let mut terms: HashSet<String> = text::analyze(lang, q).into_iter().collect();
    if lang == Lang::Ar && text::detect(q).arabizi {
        terms.extend(text::analyze(Lang::Ar, &text::arabizi_to_arabic_all(q)));
    }
    terms
}

/// The byte ranges of `text` whose term is one of `terms`, in order, not overlapping.
pub fn spans(text: &str, lang: Lang, terms: &HashSet<String>) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut found: Vec<Range<usize>> = text::analyze_spans(lang, text)
        .into_iter()
        .filter(|(term, _)| terms.contains(term))
        .map(|(_, range)| range)
        .collect();
    found.sort_by_key(|r| (r.start, r.end));
    for r in found {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `text` HTML-escaped with each span in `<mark>`; cut to about
/// `window` characters around the first span (with `…`) when longer.
pub fn mark(text: &str, spans: &[Range<usize>], window: usize) -> String {
    let (from, to) = match spans.first() {
        Some(first) if text.chars().count() > window => cut(text, spans, first.start, window),
        _ => (0, text.len()),
    };
    let mut out = String::with_capacity(to - from + 16);
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for span in spans.iter().filter(|s| s.start >= from && s.end <= to) {
        escape_into(&text[at..span.start], &mut out);
        out.push_str("<mark>");
        escape_into(&text[span.clone()], &mut out);
        out.push_str("</mark>");
        at = span.end;
    }
    escape_into(&text[at..to], &mut out);
    if to < text.len() {
        out.push('…');
    }
    out
}

/// Byte bounds of a window of about `window` characters starting a little
/// before `first`, moved to word boundaries and never inside a span.
fn cut(text: &str, spans: &[Range<usize>], first: usize, window: usize) -> (usize, usize) {
    let before: Vec<usize> = text[..first].char_indices().map(|(i, _)| i).collect();
    let mut from = before
        .len()
        .checked_sub(LEAD_CHARS)
        .map_or(0, |i| before[i]);
    if from > 0 {
        // Start at the next word when one begins before the mark.
        if let Some(space) = text[from..first].find(char::is_whitespace) {
            from += space;
            from += text[from..].chars().next().map_or(0, char::len_utf8);
        }
    }
    let mut to = text[from..]
        .char_indices()
        .nth(window)
        .map_or(text.len(), |(i, _)| from + i);
    if let Some(inside) = spans.iter().find(|s| s.start < to && to < s.end) {
        to = inside.end;
    } else if to < text.len() {
        // End after the last whole word.
        let last_span_end = spans
            .iter()
            .filter(|s| s.end <= to)
            .map(|s| s.end)
            .max()
            .unwrap_or(from);
        if let Some(space) = text[last_span_end..to].rfind(char::is_whitespace) {
            to = last_span_end + space;
        }
    }
    (from, to)
}

/// Escapes the five characters that matter in HTML text and attributes.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlight(q: &str, lang: Lang, text: &str) -> String {
        let terms = query_terms(q, lang);
        mark(text, &spans(text, lang, &terms), WINDOW_CHARS)
    }

    #[test]
    fn query_words_are_marked_in_their_analyzed_forms() {
        assert_eq!(
            highlight("fences", Lang::En, "The border fence was moved."),
            "The border <mark>fence</mark> was moved."
        );
        // Harakat in the text, none in the query; a prefixed form.
        assert_eq!(
            highlight("اللقاح", Lang::Ar, "لا علاقة بين اللَّقاح والعقم"),
            "لا علاقة بين <mark>اللَّقاح</mark> والعقم"
        );
    }

    #[test]
    fn html_in_the_text_is_escaped_around_the_marks() {
        assert_eq!(
            highlight("fence", Lang::En, "<b>fence</b> & \"wall\" 'x'"),
            "&lt;b&gt;<mark>fence</mark>&lt;/b&gt; &amp; &quot;wall&quot; &#39;x&#39;"
        );
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_mark() {
        let text = format!("{} the fence {}", "word ".repeat(200), "tail ".repeat(200));
        let out = highlight("fence", Lang::En, &text);
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(out.contains("<mark>fence</mark>"));
        let shown = out.chars().count();
        assert!((200..=WINDOW_CHARS + 20).contains(&shown), "{shown}: {out}");
        assert!(!out.contains(" wor…") && !out.starts_with("…ord"), "{out}");
    }

    #[test]
    fn a_text_without_marks_stays_whole() {
        let text = "x ".repeat(400);
        assert_eq!(highlight("fence", Lang::En, &text), text);
    }
}
