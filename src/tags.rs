//! Tags: how a library uses its taxonomy — coverage per term, and tags a case probably misses.
//!
//! **Coverage** counts, per vocabulary and term, the cases tagged with it and the sections that
//! carry it as an excerpt; an unused term shows 0.
//!
//! **Suggestions** (`--suggest`): for each case, the terms whose label or alias (English or
//! Chinese) occurs in its title, summary or body but that the case is not tagged with, with the
//! sentence as evidence and the file and line where the words stand. Names and text are cut by
//! the search analyzer ([`crate::analysis::analyze`]) and matched as a phrase is in search —
//! the name's tokens at the same relative positions — so `Party building alliance` matches
//! "party-building alliances" but not "party building work and the alliance", and 红墙 does not
//! match inside an unrelated word. Heading attributes, link targets and HTML tags are not text.
//!
//! Pure: reads the validated [`Library`], writes nothing.

use crate::analysis::{self, Analyzed};
use crate::model::{Case, Library};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// How often one term is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermUse {
    pub id: String,
    pub label: String,
    pub label_zh: Option<String>,
    /// Cases tagged with the term.
    pub cases: usize,
    /// Sections (excerpts) tagged with the term.
    pub sections: usize,
}

/// The coverage of one vocabulary, terms in taxonomy order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub vocabulary: String,
    pub label: String,
    pub terms: Vec<TermUse>,
}

/// A tag a case probably misses, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The case id.
    pub case: String,
    /// The case file, relative to the library root.
    pub file: String,
    /// Line of the matched words in the file (1-based).
    pub line: usize,
    pub vocabulary: String,
    /// The vocabulary's singular, as the report names the tag (`add practice X`).
    #[serde(skip)]
    pub singular: String,
    pub term: String,
    /// The label or alias found in the text.
    pub name: String,
    /// The sentence, on one line.
    pub sentence: String,
}

/// What `casebook tags` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub coverage: Vec<Coverage>,
    /// Present when suggestions were asked for; by file, then line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<Suggestion>>,
}

/// Coverage, and suggestions when `suggest` is set.
pub fn report(library: &Library, suggest: bool) -> Report {
    Report { coverage: coverage(library), suggestions: suggest.then(|| suggestions(library)) }
}

/// Cases and sections per term.
pub fn coverage(library: &Library) -> Vec<Coverage> {
    let mut sections: Vec<Vec<usize>> = library.taxonomy.vocabularies.iter().map(|v| vec![0; v.terms.len()]).collect();
    for case in &library.cases {
        for s in &case.sections {
            for (v, terms) in s.tags.iter().enumerate() {
                for &t in terms {
                    sections[v][t] += 1;
                }
            }
        }
    }
    library
        .taxonomy
        .vocabularies
        .iter()
        .enumerate()
        .map(|(v, vocab)| Coverage {
            vocabulary: vocab.name.clone(),
            label: vocab.label.clone(),
            terms: vocab
                .terms
                .iter()
                .enumerate()
                .map(|(t, term)| TermUse {
                    id: term.id.clone(),
                    label: term.label.clone(),
                    label_zh: term.label_zh.clone(),
                    cases: library.usage[v][t].len(),
                    sections: sections[v][t],
                })
                .collect(),
        })
        .collect()
}

/// A name of a term as a pattern: tokens with positions relative to the first.
struct Pattern {
    vocabulary: usize,
    term: usize,
    name: String,
    /// (relative position, token); the first is at 0.
    tokens: Vec<(usize, String)>,
}

fn patterns(library: &Library) -> Vec<Pattern> {
    let mut out = Vec::new();
    for (v, vocab) in library.taxonomy.vocabularies.iter().enumerate() {
        for (t, term) in vocab.terms.iter().enumerate() {
            let names = std::iter::once(&term.label).chain(&term.label_zh).chain(&term.aliases);
            let mut seen = HashSet::new();
            for name in names {
                let tokens = pattern_of(name);
                if !tokens.is_empty() && seen.insert(tokens.clone()) {
                    out.push(Pattern { vocabulary: v, term: t, name: name.clone(), tokens });
                }
            }
        }
    }
    out
}

/// The tokens of a name with positions relative to its first. A hyphenated word is also
/// emitted whole; its parts suffice (so "red-wall" also matches "red wall").
fn pattern_of(name: &str) -> Vec<(usize, String)> {
    let tokens: Vec<Analyzed> =
        analysis::analyze(name).into_iter().filter(|a| a.text.chars().all(char::is_alphanumeric)).collect();
    let Some(base) = tokens.iter().map(|a| a.position).min() else { return Vec::new() };
    let mut rel: Vec<(usize, String)> = tokens.into_iter().map(|a| (a.position - base, a.text)).collect();
    rel.sort();
    rel
}

/// Whether the pattern stands in the tokens with its first token at `anchor`.
fn stands_at(pattern: &[(usize, String)], at: &HashSet<(usize, &str)>, anchor: usize) -> bool {
    pattern.iter().all(|(rel, text)| at.contains(&(anchor + rel, text.as_str())))
}

/// Suggested tags for every case, by file then line.
pub fn suggestions(library: &Library) -> Vec<Suggestion> {
    let patterns = patterns(library);
    let mut by_first: HashMap<&str, Vec<&Pattern>> = HashMap::new();
    for p in &patterns {
        by_first.entry(p.tokens[0].1.as_str()).or_default().push(p);
    }
    let mut out: Vec<Suggestion> =
        library.cases.par_iter().flat_map_iter(|case| suggest_case(library, case, &by_first)).collect();
    out.sort_by(|a, b| (&a.file, a.line, &a.vocabulary, &a.term).cmp(&(&b.file, b.line, &b.vocabulary, &b.term)));
    out
}

fn suggest_case(library: &Library, case: &Case, by_first: &HashMap<&str, Vec<&Pattern>>) -> Vec<Suggestion> {
    let masked = mask(case);
    let mut found: HashMap<(usize, usize), Suggestion> = HashMap::new();
    for range in sentences(&masked, case) {
        let sentence = &masked[range.clone()];
        let tokens = analysis::analyze(sentence);
        let at: HashSet<(usize, &str)> = tokens.iter().map(|a| (a.position, a.text.as_str())).collect();
        for anchor in &tokens {
            let Some(candidates) = by_first.get(anchor.text.as_str()) else { continue };
            for p in candidates {
                if case.tags[p.vocabulary].contains(&p.term) || found.contains_key(&(p.vocabulary, p.term)) {
                    continue;
                }
                if !stands_at(&p.tokens, &at, anchor.position) {
                    continue;
                }
                let offset = range.start + anchor.range.start;
                let (line, _) = crate::diag::line_col(&case.text, offset);
                let vocab = &library.taxonomy.vocabularies[p.vocabulary];
                found.insert(
                    (p.vocabulary, p.term),
                    Suggestion {
                        case: case.id.clone(),
                        file: case.path.clone(),
                        line,
                        vocabulary: vocab.name.clone(),
                        singular: vocab.singular.clone(),
                        term: vocab.terms[p.term].id.clone(),
                        name: p.name.clone(),
                        sentence: one_line(&masked[range.clone()]),
                    },
                );
            }
        }
    }
    found.into_values().collect()
}

/// The case text with everything that is not prose blanked out (same length, same lines):
/// the front matter except title, title_zh, summary and summary_zh; heading attributes
/// `{#…}`; link targets `](…)`; HTML tags.
fn mask(case: &Case) -> String {
    let text = &case.text;
    let mut bytes = text.as_bytes().to_vec();
    let blank = |r: Range<usize>, bytes: &mut Vec<u8>| {
        for b in &mut bytes[r] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    // Front matter: keep the values of the prose keys only.
    let front = &text[..case.body_start.min(text.len())];
    let mut offset = 0;
    let mut keep = false;
    for line in front.split_inclusive('\n') {
        let top = !line.starts_with([' ', '\t', '\n', '\r', '-']) || line.starts_with("---");
        if top {
            let key = line.split(':').next().unwrap_or("").trim();
            keep = matches!(key, "title" | "title_zh" | "summary" | "summary_zh") && !line.starts_with("---");
            if keep {
                // Blank the key itself.
                let colon = line.find(':').map_or(line.len(), |c| c + 1);
                blank(offset..offset + colon, &mut bytes);
            }
        }
        if !keep {
            blank(offset..offset + line.len(), &mut bytes);
        }
        offset += line.len();
    }
    // Body: attributes, link targets, tags (each closed on its own line). Only ASCII bytes are
    // replaced, so the text stays UTF-8.
    let b = text.as_bytes();
    let close =
        |from: usize, c: u8| b[from..].iter().take_while(|&&x| x != b'\n').position(|&x| x == c).map(|k| from + k + 1);
    let mut i = case.body_start.min(text.len());
    while i < b.len() {
        let span = match b[i] {
            b'{' if b.get(i + 1) == Some(&b'#') => close(i, b'}').map(|e| i..e),
            b']' if b.get(i + 1) == Some(&b'(') => close(i, b')').map(|e| i + 1..e),
            b'<' if b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/' || *c == b'!') => {
                close(i, b'>').map(|e| i..e)
            }
            _ => None,
        };
        match span {
            Some(r) => {
                i = r.end;
                blank(r, &mut bytes);
            }
            None => i += 1,
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.clone())
}

/// Byte ranges of the sentences of the (masked) text: split at blank lines, at the start of
/// headings, list items, table rows and quotes, and after sentence punctuation.
fn sentences(masked: &str, case: &Case) -> Vec<Range<usize>> {
    let mut blocks: Vec<Range<usize>> = Vec::new();
    let mut offset = 0;
    let mut current: Option<Range<usize>> = None;
    for line in masked.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let starts_block = trimmed.is_empty()
            || trimmed.starts_with(['#', '|', '>'])
            || trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed.starts_with("+ ")
            || trimmed.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
        // The front matter's keys are blanked: each kept key starts a block at its first line.
        let front_key = offset < case.body_start && !line.starts_with([' ', '\t']);
        if starts_block || front_key {
            blocks.extend(current.take());
        }
        if !trimmed.is_empty() {
            match current.as_mut() {
                Some(r) => r.end = offset + line.len(),
                None => current = Some(offset..offset + line.len()),
            }
        }
        offset += line.len();
    }
    blocks.extend(current);
    let mut out = Vec::new();
    for block in blocks {
        let text = &masked[block.clone()];
        let mut start = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            let end = match c {
                '。' | '！' | '？' | '；' => true,
                '.' | '!' | '?' | ';' => next.is_none_or(char::is_whitespace),
                _ => false,
            };
            if end {
                let e = i + c.len_utf8();
                if !text[start..e].trim().is_empty() {
                    out.push(block.start + start..block.start + e);
                }
                start = e;
            }
        }
        if !text[start..].trim().is_empty() {
            out.push(block.start + start..block.end);
        }
    }
    out
}

/// The sentence as read: white space squeezed, Markdown markers (list bullets, emphasis, link
/// brackets, code ticks) dropped, at most 300 characters.
fn one_line(s: &str) -> String {
    let plain = s.replace("**", "").replace("__", "").replace(['`', '[', ']'], "");
    let mut flat = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    // A blanked link target leaves a space before the punctuation that followed the link.
    for p in [" .", " ,", " ;", " :", " )", " !", " ?"] {
        flat = flat.replace(p, &p[1..]);
    }
    let flat = flat.trim_start_matches(['-', '*', '+', '#', '>', '|', ' ']).to_string();
    match flat.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// The tables and suggestions for a terminal (or plain text when `color` is off).
pub fn render_human(report: &Report, color: bool) -> String {
    use unicode_width::UnicodeWidthStr;
    let crate::console::Styles { bold, dim, reset, .. } = crate::console::Styles::new(color);
    let mut out = String::new();
    for cov in &report.coverage {
        let id_w = cov.terms.iter().map(|t| t.id.width()).max().unwrap_or(0).max(4);
        let label = |t: &TermUse| match &t.label_zh {
            Some(zh) => format!("{} {zh}", t.label),
            None => t.label.clone(),
        };
        let label_w = cov.terms.iter().map(|t| label(t).width()).max().unwrap_or(0).max(5);
        out.push_str(&format!("{bold}{}{reset} ({})\n", cov.vocabulary, cov.label));
        out.push_str(&format!(
            "  {dim}{:id_w$}  {:label_w$}  {:>5}  {:>8}{reset}\n",
            "term", "label", "cases", "sections"
        ));
        for t in &cov.terms {
            let l = label(t);
            let pad = " ".repeat(label_w.saturating_sub(l.width()));
            let unused = if t.cases == 0 { "  (unused)" } else { "" };
            out.push_str(&format!("  {:id_w$}  {l}{pad}  {:>5}  {:>8}{unused}\n", t.id, t.cases, t.sections));
        }
        out.push('\n');
    }
    if let Some(suggestions) = &report.suggestions {
        if suggestions.is_empty() {
            out.push_str("no suggestions: no case mentions a term it is not tagged with\n");
        }
        for s in suggestions {
            out.push_str(&format!(
                "{bold}{}:{}{reset}: {}: add {} `{}` (text says “{}”)\n    {dim}{}{reset}\n",
                s.file, s.line, s.case, s.singular, s.term, s.name, s.sentence
            ));
        }
        if !suggestions.is_empty() {
            let cases: HashSet<&str> = suggestions.iter().map(|s| s.case.as_str()).collect();
            out.push_str(&format!(
                "\n{} in {}\n",
                crate::diag::plural(suggestions.len(), "suggestion", "suggestions"),
                crate::diag::plural(cases.len(), "case", "cases")
            ));
        }
    }
    out
}

/// `--json`: `{"coverage": [{"vocabulary", "label", "terms": [{"id", "label", "label_zh",
/// "cases", "sections"}]}], "suggestions": [{"case", "file", "line", "vocabulary", "term",
/// "name", "sentence"}]}` (suggestions only with `--suggest`).
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::OnceLock;

    fn shipped() -> &'static Library {
        static LIB: OnceLock<Library> = OnceLock::new();
        LIB.get_or_init(|| crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().library.expect("valid"))
    }

    #[test]
    fn coverage_counts_cases_and_sections() {
        let lib = shipped();
        let cov = coverage(lib);
        assert_eq!(cov.iter().map(|c| c.vocabulary.as_str()).collect::<Vec<_>>(), ["forces", "problems", "practices"]);
        let practices = &cov[2];
        let alliance = practices.terms.iter().find(|t| t.id == "party-building-alliance").unwrap();
        assert_eq!((alliance.cases, alliance.sections), (1, 1));
        let v = lib.taxonomy.vocabulary_index("forces").unwrap();
        for (t, use_) in cov[v].terms.iter().enumerate() {
            assert_eq!(use_.cases, lib.usage[v][t].len());
        }
        let text = render_human(&report(lib, false), false);
        assert!(text.contains("party-building-alliance"), "{text}");
    }

    #[test]
    fn suggestions_need_the_whole_name_at_its_positions() {
        let lib = shipped();
        let all = suggestions(lib);
        // huaihe-road says 形式主义 but is not tagged `formalism`.
        let s = all.iter().find(|s| s.case == "huaihe-road" && s.term == "formalism").expect("formalism suggested");
        assert_eq!(s.vocabulary, "problems");
        // The first evidence in the file: "is often formal" (formal, formalism and formality
        // share the stem `formal`), on the line the words stand on.
        let file = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&s.file)).unwrap();
        let line = file.lines().nth(s.line - 1).unwrap();
        assert!(line.contains("formal"), "{line}");
        assert!(s.sentence.contains("is often formal"), "{}", s.sentence);
        // Chinese names are found too: west-changan says 形式主义 and is not tagged with it.
        let zh = all.iter().find(|s| s.case == "west-changan" && s.term == "formalism").expect("形式主义");
        assert!(zh.sentence.contains("形式主义"), "{}", zh.sentence);
        // Never a tag the case has.
        for s in &all {
            let case = lib.cases.iter().find(|c| c.id == s.case).unwrap();
            let v = lib.taxonomy.vocabulary_index(&s.vocabulary).unwrap();
            let t = lib.taxonomy.term_index(v, &s.term).unwrap();
            assert!(!case.tags[v].contains(&t), "{s:?}");
        }
        // Deterministic.
        assert_eq!(all, suggestions(lib));
    }

    #[test]
    fn names_match_as_phrases() {
        let found = |name: &str, text: &str| {
            let pattern = pattern_of(name);
            let tokens = analysis::analyze(text);
            let at: HashSet<(usize, &str)> = tokens.iter().map(|a| (a.position, a.text.as_str())).collect();
            tokens.iter().any(|a| a.text == pattern[0].1 && stands_at(&pattern, &at, a.position))
        };
        assert!(found("Party building alliance", "The party-building Alliances grew."));
        assert!(!found("Party building alliance", "party building work and the alliance"));
        assert!(found("red-wall awareness", "their red wall awareness"));
        assert!(found("形式主义", "防止党建工作变成形式主义。"));
        assert!(found("红墙", "践行红墙意识"));
        assert!(!found("北京市", "北京人"));
        assert!(!found("党建联盟", "党建工作联盟"));
    }

    #[test]
    fn masking_keeps_prose_and_lines() {
        let lib = shipped();
        let case = lib.cases.iter().find(|c| c.id == "guigang").unwrap();
        let masked = mask(case);
        assert_eq!(masked.len(), case.text.len());
        assert_eq!(masked.lines().count(), case.text.lines().count());
        assert!(!masked.contains("practice=party-building-alliance"));
        assert!(!masked.contains("forces: ["), "front matter tags are not prose");
        assert!(masked.contains("Guigang: the Party building alliance as the lever"));
        assert!(masked.contains("以党建联盟为抓手"));
    }

    #[test]
    fn sentence_split() {
        let lib = shipped();
        let case = lib.cases.iter().find(|c| c.id == "west-changan").unwrap();
        let masked = mask(case);
        let ss: Vec<&str> = sentences(&masked, case).into_iter().map(|r| &case.text[r]).collect();
        assert!(ss.iter().any(|s| s.trim() == "## Practice: red wall consciousness {#red-wall-consciousness practice=red-wall-consciousness forces=\"political-leadership ideological-leadership\"}"));
        assert!(ss.iter().all(|s| !s.contains("\n\n")));
    }
}
