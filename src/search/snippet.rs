//! Snippets: the passage of a hit's text with the most (and rarest) query words, cut on
//! character boundaries and never inside a Latin word, with the matched words marked. Cut here
//! rather than by tantivy's `SnippetGenerator`, which measures in bytes and assumes token
//! offsets only grow.

use super::Segment;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The passage of `text` of about `max_chars` characters with the most (and rarest) query
/// words, cut into plain and marked segments. Empty when no query word is in `text`.
pub fn snippet_of(text: &str, terms: &HashMap<String, f32>, max_chars: usize) -> Vec<Segment> {
    if terms.is_empty() || text.is_empty() {
        return Vec::new();
    }
    // Matched byte ranges, merged; each with the weight of its word.
    let mut matches: Vec<(Range<usize>, String)> = crate::analysis::analyze(text)
        .into_iter()
        .filter(|t| {
            terms.contains_key(&t.text) && text.is_char_boundary(t.range.start) && text.is_char_boundary(t.range.end)
        })
        .map(|t| (t.range, t.text))
        .collect();
    if matches.is_empty() {
        return Vec::new();
    }
    matches.sort_by_key(|(r, _)| (r.start, r.end));
    // Char index of every byte offset we need: walk the text once.
    let char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let char_of = |byte: usize| char_starts.partition_point(|&b| b < byte);
    let byte_of = |ch: usize| char_starts.get(ch).copied().unwrap_or(text.len());
    let total_chars = char_starts.len();
    let lead_in = max_chars / 5;

    // Windows start a little before each match; the best holds the heaviest set of words.
    let mut best: Option<Window> = None;
    for (r, _) in &matches {
        let start = char_of(r.start).saturating_sub(lead_in);
        // Prefer to start at a sentence or line start inside the lead-in.
        let start = (start..char_of(r.start))
            .rev()
            .find(|&ch| ch > 0 && is_break(text[byte_of(ch - 1)..].chars().next().unwrap_or(' ')))
            .unwrap_or(start);
        let end = (start + max_chars).min(total_chars);
        let (lo, hi) = (byte_of(start), byte_of(end));
        let mut seen = HashSet::new();
        let mut score = 0.0;
        for (m, t) in &matches {
            if m.start >= lo && m.end <= hi && seen.insert(t.as_str()) {
                score += terms.get(t).copied().unwrap_or(0.0) + 1.0;
            }
        }
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(Window { score, start, end });
        }
    }
    let Some(Window { mut start, mut end, .. }) = best else { return Vec::new() };
    // Never cut a Latin word in two: move the ends to word boundaries (within the window).
    let char_at = |ch: usize| text[byte_of(ch)..].chars().next().unwrap_or(' ');
    let word = |c: char| c.is_ascii_alphanumeric();
    let first_match = matches.iter().map(|(m, _)| char_of(m.start)).filter(|&c| c >= start).min().unwrap_or(start);
    while start > 0 && start < first_match && word(char_at(start - 1)) && word(char_at(start)) {
        start += 1;
    }
    let mut back = end;
    while back > start && back < total_chars && word(char_at(back - 1)) && word(char_at(back)) {
        back -= 1;
    }
    if back > start {
        end = back;
    }
    let (lo, mut hi) = (byte_of(start), byte_of(end));
    // Never end inside a marked word.
    for (m, _) in &matches {
        if m.start < hi && m.end > hi {
            hi = m.end;
        }
    }
    let mut marks: Vec<Range<usize>> = Vec::new();
    for (m, _) in matches.iter().filter(|(m, _)| m.start >= lo && m.end <= hi) {
        match marks.last_mut() {
            Some(last) if m.start <= last.end => last.end = last.end.max(m.end),
            _ => marks.push(m.clone()),
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |s: &str, marked: bool| {
        let s = squeeze(s);
        if !s.is_empty() {
            out.push((s, marked));
        }
    };
    let mut at = lo;
    if lo > 0 {
        push("…", false);
    }
    for m in &marks {
        push(&text[at..m.start], false);
        push(&text[m.clone()], true);
        at = m.end;
    }
    push(&text[at..hi], false);
    if hi < text.len() {
        push("…", false);
    }
    // Merge neighbouring plain segments ("…" and the text after it).
    let mut merged: Vec<Segment> = Vec::new();
    for (s, m) in out {
        match merged.last_mut() {
            Some((prev, false)) if !m => prev.push_str(&s),
            _ => merged.push((s, m)),
        }
    }
    if let Some((first, false)) = merged.first_mut() {
        *first = first.trim_start().to_string();
    }
    merged
}

fn is_break(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '；' | '\n')
}

/// Runs of white space become one space (snippets are one line).
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    if space {
        out.push(' ');
    }
    out
}

/// The start of `text`, one line, at most `max_chars` characters, with `…` when cut.
pub fn shorten(text: &str, max_chars: usize) -> String {
    let flat = squeeze(text.trim());
    match flat.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", flat[..i].trim_end()),
        None => flat,
    }
}

/// A candidate snippet: its characters `start..end` of the text, and the weight of the query
/// words it holds.
struct Window {
    score: f32,
    start: usize,
    end: usize,
}
