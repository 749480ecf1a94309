//! One case checked against the taxonomy: its front-matter fields ([`fields`]), its tags
//! ([`tags`]), its body's sections and their tags ([`sections`]). [`check_case`] runs them in
//! that order and builds the [`Case`]; its links are checked by the caller, once every case is
//! known.

use super::taxonomy::{resolve, unknown_id};
use super::{bad_id, dates, levels, names, unknown_key};
use crate::config::{Config, Language};
use crate::diag::{Diagnostic, Suggestion};
use crate::load::SourceFile;
use crate::model::vocabulary::valid_id;
use crate::model::{slug, Case, Place, Section, Taxonomy, TermId};
use crate::parse::{At, RawCase};
use std::collections::BTreeMap;

/// Checks one case on its own (not its links); returns it when its required fields are there.
/// Its diagnostics are added to `diags`; the caller decides whether they reject it. Messages
/// about its level are in the library's language.
pub(super) fn check_case(
    file: &SourceFile,
    raw: &RawCase,
    (taxonomy, config): (&Taxonomy, &Config),
    known_keys: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Option<Case> {
    let fields = fields(file, raw, (taxonomy, config.language), known_keys, diags);
    let tags = tags(file, raw, taxonomy, diags);
    let sections = sections(file, raw, (taxonomy, config), &tags, diags);
    raw_text_blocks(file, raw, diags);
    let at = (file.path.as_str(), file.text.as_str());
    let (date, updated) = dates::check_dates(at, (raw.date.as_ref(), raw.updated.as_ref()), config.language, diags);
    let Fields { id, title, level, summary, place, sources } = fields;
    let (id, title, level, summary, place) = (id?, title?, level?, summary?, place?);
    Some(Case {
        id: id.value.clone(),
        path: file.path.clone(),
        title: title.value.trim().to_string(),
        title_zh: raw.title_zh.as_ref().map(|t| t.value.trim().to_string()).filter(|t| !t.is_empty()),
        place,
        level,
        summary: summary.value.trim().to_string(),
        summary_zh: raw.summary_zh.as_ref().map(|t| t.value.trim().to_string()).filter(|t| !t.is_empty()),
        date,
        updated,
        sources,
        tags: tags.terms,
        text: String::new(), // moved in by the caller
        body_start: raw.body.offset,
        sections,
        translations: Vec::new(),
        attachments: Vec::new(), // the second pass finds them, with the translations' links
    })
}

/// The required front-matter fields, each `None` when it is missing or wrong (and reported).
struct Fields<'a> {
    id: Option<&'a At<String>>,
    title: Option<&'a At<String>>,
    /// The case's level: `Some(None)` in a library without levels.
    level: Option<Option<String>>,
    summary: Option<&'a At<String>>,
    place: Option<Place>,
    sources: Vec<String>,
}

/// Checks the front matter's keys and fields.
fn fields<'a>(
    file: &SourceFile,
    raw: &'a RawCase,
    (taxonomy, lang): (&Taxonomy, Language),
    known_keys: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Fields<'a> {
    let path = file.path.as_str();
    let text = &file.text;
    for k in &raw.unknown_keys {
        diags.push(unknown_key(path, text, k, known_keys));
    }
    let id = required(file, &raw.id, "id", "my-case", diags);
    if let Some(id) = id {
        if !valid_id(&id.value) {
            diags.push(bad_id(path, text, id));
        } else if let Some(clash) = names::case_id_clash(&id.value) {
            diags.push(
                Diagnostic::error(path, "path-collision", format!("case id `{}` names a page of the site", id.value))
                    .at(text, id.line, id.column)
                    .hint(format!("{clash}; give the case another id")),
            );
        }
        diags.extend(names::too_long(path, text, "the case id", &id.value, id.line, id.column));
    }
    // Text that reaches pages and feed.xml: no control characters.
    let texts = [("title", &raw.title), ("title_zh", &raw.title_zh), ("summary", &raw.summary)];
    let texts = texts.into_iter().chain([("summary_zh", &raw.summary_zh), ("level", &raw.level)]);
    for (field, value) in texts.filter_map(|(f, v)| v.as_ref().map(|v| (f, v))) {
        diags.extend(names::control_char(path, text, field, &value.value, value.line, value.column));
    }
    for source in raw.sources.iter().flat_map(|s| &s.value) {
        diags.extend(names::control_char(path, text, "sources", &source.value, source.line, source.column));
    }
    if let Some(p) = &raw.place {
        let n = &p.value.names;
        let all = [("province", &n.province), ("province_zh", &n.province_zh), ("city", &n.city)];
        let all = all.into_iter().chain([("city_zh", &n.city_zh), ("district", &n.district)]);
        let all = all.chain([("district_zh", &n.district_zh), ("unit", &n.unit), ("unit_zh", &n.unit_zh)]);
        for (key, value) in all.filter_map(|(k, v)| v.as_deref().map(|v| (k, v))) {
            let field = format!("place.{key}");
            diags.extend(names::control_char(path, text, &field, value, p.line, p.column));
            // The province and the city name place pages (places/PROVINCE/CITY.html).
            if matches!(key, "province" | "city") {
                diags.extend(names::too_long(path, text, &format!("`{field}`"), value, p.line, p.column));
            }
        }
    }
    let title = required(file, &raw.title, "title", "\"Place: what was done, in a few words\"", diags);
    // Where the library declares levels, `level` is required like the other fields.
    let level = match taxonomy.levels.first() {
        Some(first) if raw.level.as_ref().is_none_or(|l| l.value.trim().is_empty()) => {
            required(file, &raw.level, "level", &first.id, diags);
            None
        }
        _ => levels::check_level((path, text), raw.level.as_ref(), taxonomy, lang, diags),
    };
    let summary = required(file, &raw.summary, "summary", "One paragraph of plain text.", diags);
    let place = match &raw.place {
        None => {
            diags.push(
                missing(file, "place").hint("add `place:` with at least `province:` (then city, district, unit)"),
            );
            None
        }
        Some(p) => {
            for k in &p.value.unknown_keys {
                diags.push(unknown_key(path, text, k, &Place::KEYS));
            }
            match &p.value.names.province {
                Some(province) => Some(p.value.names.clone().with_province(province.trim().to_string())),
                None => {
                    diags.push(
                        missing(file, "place.province")
                            .at(text, p.line, p.column)
                            .hint("add `province: ...` under `place:`"),
                    );
                    None
                }
            }
        }
    };
    let sources = match &raw.sources {
        Some(s) if !s.value.is_empty() => {
            for blank in s.value.iter().filter(|x| x.value.trim().is_empty()) {
                diags.push(
                    Diagnostic::error(path, "empty-field", "a source in `sources` is empty")
                        .at(text, blank.line, blank.column)
                        .hint("name the document, field notes or interview the case is based on, or remove the entry"),
                );
            }
            s.value.iter().map(|x| x.value.trim().to_string()).filter(|x| !x.is_empty()).collect()
        }
        Some(s) => {
            diags.push(empty(file, "sources", s).hint("name at least one source the case is based on"));
            Vec::new()
        }
        None => {
            diags.push(
                missing(file, "sources").hint("add `sources:` with at least one entry, e.g. `- \"Field notes, 2024\"`"),
            );
            Vec::new()
        }
    };
    Fields { id, title, level, summary, place, sources }
}

/// A text field that must be there and not be blank.
fn required<'a>(
    file: &SourceFile,
    value: &'a Option<At<String>>,
    name: &str,
    example: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a At<String>> {
    match value {
        Some(v) if !v.value.trim().is_empty() => Some(v),
        Some(v) => {
            diags.push(empty(file, name, v).hint(format!("write it, e.g. `{name}: {example}`")));
            None
        }
        None => {
            diags.push(missing(file, name).hint(format!("add `{name}: {example}` to the front matter")));
            None
        }
    }
}

/// "missing required field `name`", at the top of the file; the caller adds the hint.
fn missing(file: &SourceFile, name: &str) -> Diagnostic {
    Diagnostic::error(&file.path, "missing-field", format!("missing required field `{name}`")).at(&file.text, 1, 1)
}

/// "`name` is empty", where it was written; the caller adds the hint.
fn empty<T>(file: &SourceFile, name: &str, at: &At<T>) -> Diagnostic {
    Diagnostic::error(&file.path, "empty-field", format!("`{name}` is empty")).at(&file.text, at.line, at.column)
}

/// The tags of a case's front matter, resolved.
pub(super) struct Tags {
    /// `terms[v]`: the terms of vocabulary `v`, in the order written.
    pub(super) terms: Vec<Vec<TermId>>,
    /// Vocabularies with an unknown id in the front matter: their section tags are not checked
    /// against the list (the unknown id is reported already; "not listed" would only add noise).
    pub(super) unresolved: Vec<bool>,
}

/// Resolves the vocabulary keys of the front matter.
fn tags(file: &SourceFile, raw: &RawCase, taxonomy: &Taxonomy, diags: &mut Vec<Diagnostic>) -> Tags {
    let (path, text) = (file.path.as_str(), &file.text);
    let mut tags: Vec<Vec<TermId>> = vec![Vec::new(); taxonomy.vocabularies.len()];
    let mut unresolved = vec![false; taxonomy.vocabularies.len()];
    for (key, ids) in &raw.tags {
        let Some(v) = taxonomy.vocabulary_index(&key.value) else { continue };
        for written in ids {
            match resolve(taxonomy, v, &written.value) {
                Ok(t) if tags[v].contains(&t) => diags.push(
                    Diagnostic::warning(path, "duplicate-tag", format!("`{}` is listed twice", written.value))
                        .at(text, written.line, written.column)
                        .hint("remove the second one"),
                ),
                Ok(t) => tags[v].push(t),
                Err(hint) => {
                    unresolved[v] = true;
                    diags.push(unknown_id(path, text, &taxonomy.vocabularies[v].singular, written, hint));
                }
            }
        }
    }
    Tags { terms: tags, unresolved }
}

/// Checks the body and its sections: each section's tags (which the front matter must list),
/// unique anchors, and that some section is tagged.
pub(super) fn sections(
    file: &SourceFile,
    raw: &RawCase,
    (taxonomy, config): (&Taxonomy, &Config),
    tags: &Tags,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Section> {
    let (path, text) = (file.path.as_str(), &file.text);
    let body = &text[raw.body.offset..];
    if body.trim().is_empty() {
        diags.push(
            Diagnostic::error(path, "empty-body", "the case has no text after the front matter")
                .at(text, raw.body.first_line.saturating_sub(1).max(1), 1)
                .hint("write the case in Markdown below the closing `---`: background, practice sections, results, lessons"),
        );
    }
    let mut sections = Vec::new();
    let mut anchors: BTreeMap<String, usize> = BTreeMap::new();
    for (n, rs) in raw.body.sections.iter().enumerate() {
        let mut section_tags: Vec<Vec<TermId>> = vec![Vec::new(); taxonomy.vocabularies.len()];
        for (key, value) in &rs.attrs {
            let Some(v) = taxonomy.vocabulary_by_key(&key.value) else {
                let mut known: Vec<&str> = taxonomy.vocabularies.iter().map(|voc| voc.singular.as_str()).collect();
                known.extend(taxonomy.vocabularies.iter().map(|voc| voc.name.as_str()));
                diags.push(unknown_key(path, text, key, &known).hint(
                    match Suggestion::closest(&key.value, known.iter().copied()) {
                        Some(suggestion) => suggestion.suffix("=").to_string(),
                        None => format!("section attributes name a vocabulary: {}", known.join(", ")),
                    },
                ));
                continue;
            };
            let (vname, vsingular) = (&taxonomy.vocabularies[v].name, &taxonomy.vocabularies[v].singular);
            // Positions of each id inside the (possibly quoted) value.
            let mut col = value.column;
            for part in value.value.split(' ') {
                if !part.is_empty() {
                    let at = At { value: part.to_string(), line: value.line, column: col };
                    match resolve(taxonomy, v, part) {
                        Ok(t) if !tags.terms[v].contains(&t) && !tags.unresolved[v] => diags.push(
                            Diagnostic::error(
                                path,
                                "section-tag",
                                format!("section tags {vsingular} `{part}`, which the case does not list in `{vname}`"),
                            )
                            .at(text, at.line, at.column)
                            .hint(format!(
                                "add `{part}` to `{vname}:` in the front matter, or remove it from this heading"
                            )),
                        ),
                        Ok(t) => {
                            if !section_tags[v].contains(&t) {
                                section_tags[v].push(t);
                            }
                        }
                        Err(hint) => diags.push(unknown_id(path, text, vsingular, &at, hint)),
                    }
                }
                col += part.chars().count() + 1;
            }
        }
        let base = rs.anchor.clone().unwrap_or_else(|| {
            let s = slug(&rs.title);
            if s.is_empty() {
                format!("section-{}", n + 1)
            } else {
                s
            }
        });
        let anchor = if rs.anchor.is_some() {
            if let Some(line) = anchors.get(&base) {
                diags.push(
                    Diagnostic::error(path, "duplicate-anchor", format!("anchor `#{base}` is used twice"))
                        .at(text, rs.line, 1)
                        .hint(format!("line {line} already uses it; links to the section would be ambiguous")),
                );
            }
            base
        } else {
            let mut a = base.clone();
            let mut k = 2;
            while anchors.contains_key(&a) {
                a = format!("{base}-{k}");
                k += 1;
            }
            a
        };
        anchors.insert(anchor.clone(), rs.line);
        sections.push(Section {
            anchor,
            title: rs.title.clone(),
            level: rs.level,
            line: rs.line,
            range: rs.range.clone(),
            content: rs.content.clone(),
            tags: section_tags,
        });
    }
    // A heading with attributes was meant to be tagged: its own errors say what is wrong.
    let attempted = raw.body.sections.iter().any(|s| !s.attrs.is_empty());
    if !body.trim().is_empty() && !attempted && !sections.iter().any(Section::is_tagged) {
        let hint = match taxonomy.section_example(config).map(|v| &taxonomy.vocabularies[v]) {
            Some(v) => format!(
                "tag the heading that describes a {s}, e.g. `## ... {{#anchor {s}=ID}}`, so the pages of {name} can \
                 show the excerpt",
                s = v.singular,
                name = v.name
            ),
            None => String::new(),
        };
        diags.push(
            Diagnostic::warning(path, "no-tagged-section", "the case has no tagged section")
                .at(text, raw.body.first_line + body.lines().take_while(|l| l.trim().is_empty()).count(), 1)
                .hint(hint),
        );
    }
    sections
}

/// Tags that open a raw HTML block of CommonMark's first kind when a line starts with them:
/// Markdown then reads every line up to the closing tag (or to the end of the file) as HTML.
const RAW_TEXT_BLOCKS: &[&str] = &["script", "style", "textarea"];

/// Warns about a line that starts with `<script`, `<style` or `<textarea` outside code: what
/// follows it is not rendered as Markdown, which an editor who wrote the tag as text does not
/// expect (the page shows the rest as HTML source, or nothing of it).
pub(super) fn raw_text_blocks(file: &SourceFile, raw: &RawCase, diags: &mut Vec<Diagnostic>) {
    let body = &file.text[raw.body.offset..];
    let mut fence: Option<&str> = None;
    for (i, line) in body.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if let Some(open) = fence {
            if indent < 4 && rest.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if indent < 4 && (rest.starts_with("```") || rest.starts_with("~~~")) {
            fence = Some(&rest[..3]);
            continue;
        }
        if indent >= 4 || !rest.starts_with('<') {
            continue;
        }
        let lower = rest.get(..12).unwrap_or(rest).to_ascii_lowercase();
        let Some(tag) = RAW_TEXT_BLOCKS.iter().find(|tag| {
            lower.strip_prefix('<').and_then(|r| r.strip_prefix(**tag)).is_some_and(|after| {
                after.is_empty() || after.starts_with(|c: char| c == '>' || c.is_ascii_whitespace())
            })
        }) else {
            continue;
        };
        let line_no = raw.body.first_line + i;
        diags.push(
            Diagnostic::warning(
                &file.path,
                "raw-html-block",
                format!("a line that starts with `<{tag}` makes Markdown read what follows, up to `</{tag}>`, as HTML"),
            )
            .at(&file.text, line_no, indent + 1)
            .hint(format!("to show the tag as text, write it in backticks (`<{tag}>`) or not at the start of a line")),
        );
    }
}
