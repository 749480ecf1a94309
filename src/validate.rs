//! Validate: check raw cases against the taxonomy and build the [`Library`]. No I/O.
//!
//! Every problem of every file is collected (never just the first), each pointing at the file,
//! line and column where it was written, with a hint: an unknown id gets the nearest id by edit
//! distance and the id whose label or alias matches what was written, in either language.
//! `check` stops after this stage; `build` runs exactly the same code and goes on.

pub use crate::diag::suggest::nearest;
pub use crate::model::vocabulary::{singular, valid_id, LEVELS};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::SourceFile;
use crate::model::{slug, Case, Library, Place, Section, Taxonomy, Term, Vocabulary};
use crate::parse::{self, At, RawCase, RawTaxonomy, CASE_KEYS};
use std::collections::{BTreeMap, HashMap, HashSet};

fn normalize(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', ' '], "-")
}

/// Validates the taxonomy alone. Returns it with the diagnostics about it.
pub fn validate_taxonomy(file: &SourceFile, raw: RawTaxonomy) -> (Taxonomy, Vec<Diagnostic>) {
    let text = &file.text;
    let path = file.path.as_str();
    let mut diags = Vec::new();
    let err = |code, msg: String, line, col| Diagnostic::error(path, code, msg).at(text, line, col);
    if raw.vocabularies.is_empty() {
        diags.push(
            Diagnostic::error(path, "empty-taxonomy", "the taxonomy declares no vocabulary")
                .at(text, 1, 1)
                .hint("declare at least one vocabulary, e.g. `forces:` with a list of terms"),
        );
    }
    let names: Vec<&str> = raw.vocabularies.iter().map(|v| v.name.value.as_str()).collect();
    let mut vocabularies = Vec::new();
    for rv in &raw.vocabularies {
        if !valid_id(&rv.name.value) || CASE_KEYS.contains(&rv.name.value.as_str()) {
            diags.push(
                err("bad-id", format!("`{}` cannot name a vocabulary", rv.name.value), rv.name.line, rv.name.column)
                    .hint("a vocabulary name is lower-case letters, digits and `-`, and not a front-matter field such as `title`"),
            );
        }
        for k in &rv.unknown_keys {
            diags.push(unknown_key(path, text, k, parse::vocabulary_keys()));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut terms = Vec::new();
        for rt in &rv.terms {
            for k in &rt.unknown_keys {
                let mut known: Vec<&str> = parse::term_keys().to_vec();
                known.extend(names.iter().filter(|n| **n != rv.name.value));
                diags.push(unknown_key(path, text, k, &known));
            }
            let Some(id) = &rt.id else {
                diags.push(
                    err("missing-field", "term has no `id`".into(), rt.line, rt.column)
                        .hint("add `id: some-id` to the term"),
                );
                continue;
            };
            if !valid_id(&id.value) {
                diags.push(bad_id(path, text, id));
            }
            if let Some(first) = seen.insert(id.value.as_str(), id.line) {
                diags.push(
                    err(
                        "duplicate-id",
                        format!("duplicate term id `{}` in `{}`", id.value, rv.name.value),
                        id.line,
                        id.column,
                    )
                    .hint(format!("the same id is already used on line {first}; give one of them another id")),
                );
                continue;
            }
            let label = match &rt.label {
                Some(l) if !l.value.trim().is_empty() => l.value.clone(),
                _ => {
                    diags.push(
                        err("missing-field", format!("term `{}` has no `label`", id.value), id.line, id.column)
                            .hint("add `label: ...` (English) and `label_zh: ...` (Chinese)"),
                    );
                    id.value.clone()
                }
            };
            let definition = match &rt.definition {
                Some(d) if !d.value.trim().is_empty() => d.value.trim().to_string(),
                _ => {
                    diags.push(
                        err("missing-field", format!("term `{}` has no `definition`", id.value), id.line, id.column)
                            .hint("add `definition: ...`, one paragraph saying what the term means"),
                    );
                    String::new()
                }
            };
            terms.push(Term {
                id: id.value.clone(),
                label,
                label_zh: rt.label_zh.clone(),
                definition,
                definition_zh: rt.definition_zh.clone(),
                aliases: rt.aliases.clone(),
                countermeasure: rt.countermeasure.clone(),
                countermeasure_zh: rt.countermeasure_zh.clone(),
                links: Vec::new(),
            });
        }
        vocabularies.push(Vocabulary {
            name: rv.name.value.clone(),
            label: rv.label.clone().unwrap_or_else(|| default_label(&rv.name.value)),
            label_zh: rv.label_zh.clone().or_else(|| default_label_zh(&rv.name.value)),
            terms,
        });
    }
    let mut taxonomy = Taxonomy { vocabularies };
    // Links between terms, resolved once all terms are known.
    for (v, rv) in raw.vocabularies.iter().enumerate() {
        for rt in &rv.terms {
            let Some(id) = &rt.id else { continue };
            let Some(t) = taxonomy.term_index(v, &id.value) else { continue };
            let mut links = Vec::new();
            for (key, ids) in &rt.links {
                let Some(target) = taxonomy.vocabulary_index(&key.value) else { continue };
                let mut resolved = Vec::new();
                for written in ids {
                    match resolve(&taxonomy, target, &written.value) {
                        Ok(i) => resolved.push(i),
                        Err(hint) => {
                            diags.push(unknown_id(path, text, &taxonomy.vocabularies[target].name, written, hint))
                        }
                    }
                }
                links.push((target, resolved));
            }
            taxonomy.vocabularies[v].terms[t].links = links;
        }
    }
    (taxonomy, diags)
}

/// English labels for the vocabularies DESIGN.md names, when the taxonomy gives none.
fn default_label(name: &str) -> String {
    let mut s = name.replace('-', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn default_label_zh(name: &str) -> Option<String> {
    let zh = match name {
        "forces" => "五力",
        "problems" => "问题",
        "practices" => "做法",
        "fields" => "领域",
        _ => return None,
    };
    Some(zh.to_string())
}

/// Resolves a written id; on failure returns the hint.
fn resolve(taxonomy: &Taxonomy, v: usize, written: &str) -> Result<usize, String> {
    let vocab = &taxonomy.vocabularies[v];
    if let Some(i) = vocab.terms.iter().position(|t| t.id == written) {
        return Ok(i);
    }
    Err(unknown_id_hint(vocab, written))
}

fn unknown_id_hint(vocab: &Vocabulary, written: &str) -> String {
    let w = normalize(written);
    let by_label = vocab.terms.iter().find(|t| {
        normalize(&t.label) == w
            || t.label_zh.as_deref().is_some_and(|l| normalize(l) == w)
            || t.aliases.iter().any(|a| normalize(a) == w)
    });
    if let Some(t) = by_label {
        return format!("`{written}` is a name of `{}`; write the id: {}", t.id, t.id);
    }
    if let Some(n) = nearest(written, vocab.terms.iter().map(|t| t.id.as_str())) {
        return format!("did you mean `{n}`?");
    }
    let ids: Vec<&str> = vocab.terms.iter().map(|t| t.id.as_str()).collect();
    if ids.len() <= 12 {
        format!("known {}: {}", vocab.name, ids.join(", "))
    } else {
        format!("see the `{}` list in cases/taxonomy.yaml", vocab.name)
    }
}

fn unknown_id(path: &str, text: &str, vocabulary: &str, written: &At<String>, hint: String) -> Diagnostic {
    Diagnostic::error(path, "unknown-id", format!("unknown {} id `{}`", singular(vocabulary), written.value))
        .at(text, written.line, written.column)
        .marking(&written.value)
        .hint(hint)
}

fn unknown_key(path: &str, text: &str, key: &At<String>, known: &[&str]) -> Diagnostic {
    let hint = match nearest(&key.value, known.iter().copied()) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!("known keys: {}", known.join(", ")),
    };
    Diagnostic::error(path, "unknown-key", format!("unknown key `{}`", key.value))
        .at(text, key.line, key.column)
        .hint(hint)
}

fn bad_id(path: &str, text: &str, id: &At<String>) -> Diagnostic {
    let suggestion = slug(&id.value);
    let hint = if valid_id(&suggestion) {
        format!("ids use only a-z, 0-9 and `-`, e.g. `{suggestion}`")
    } else {
        "ids use only a-z, 0-9 and `-`".to_string()
    };
    Diagnostic::error(path, "bad-id", format!("id `{}` is not of the form [a-z0-9-]+", id.value))
        .at(text, id.line, id.column)
        .hint(hint)
}

/// Validates all cases against the taxonomy; returns the library if there is no error.
pub fn validate(
    config: Config,
    taxonomy: Taxonomy,
    cases: Vec<(SourceFile, Result<RawCase, Vec<Diagnostic>>)>,
    mut diags: Vec<Diagnostic>,
) -> (Option<Library>, Vec<Diagnostic>) {
    let vocab_names: Vec<&str> = taxonomy.vocabularies.iter().map(|v| v.name.as_str()).collect();
    let mut known_keys: Vec<&str> = CASE_KEYS.to_vec();
    known_keys.extend(vocab_names.iter().copied());

    // First pass: every case on its own.
    let mut checked: Vec<(Case, Vec<At<String>>)> = Vec::new();
    let mut first_file: HashMap<String, (String, usize)> = HashMap::new();
    let mut rejected: Vec<(SourceFile, Vec<At<String>>)> = Vec::new();
    for (file, parsed) in cases {
        let raw = match parsed {
            Ok(r) => r,
            Err(ds) => {
                diags.extend(ds);
                continue;
            }
        };
        let before = diags.len();
        let case = check_case(&file, &raw, &taxonomy, &known_keys, &mut diags);
        if let Some(id) = raw.id.as_ref().filter(|id| valid_id(&id.value)) {
            match first_file.get(&id.value) {
                Some((other, line)) => {
                    diags.push(
                        Diagnostic::error(&file.path, "duplicate-id", format!("duplicate case id `{}`", id.value))
                            .at(&file.text, id.line, id.column)
                            .hint(format!(
                                "`{other}` (line {line}) already uses this id; ids must be unique — rename one"
                            )),
                    );
                    continue;
                }
                None => {
                    first_file.insert(id.value.clone(), (file.path.clone(), id.line));
                }
            }
        }
        match case.filter(|_| diags[before..].iter().all(|d| !d.is_error())) {
            Some(case) => checked.push((Case { text: file.text, ..case }, raw.body.case_links)),
            None => rejected.push((file, raw.body.case_links)),
        }
    }

    // Second pass: links between cases.
    let ids: HashSet<&str> = first_file.keys().map(String::as_str).collect();
    let all_links = checked
        .iter()
        .map(|(c, links)| (c.path.as_str(), c.text.as_str(), links))
        .chain(rejected.iter().map(|(f, links)| (f.path.as_str(), f.text.as_str(), links)));
    for (path, text, links) in all_links {
        diags.extend(broken_links(path, text, links, &ids));
    }

    let mut cases: Vec<Case> = checked.into_iter().map(|(c, _)| c).collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));

    // Which cases use which term; unused terms are worth a warning.
    let usage = usage(&taxonomy, &cases);
    let has_errors = diags.iter().any(Diagnostic::is_error);
    if !has_errors {
        for (v, vocab) in taxonomy.vocabularies.iter().enumerate() {
            for (t, term) in vocab.terms.iter().enumerate() {
                if usage[v][t].is_empty() {
                    diags.push(
                        Diagnostic::warning(
                            "cases/taxonomy.yaml",
                            "unused-term",
                            format!("{} `{}` is used by no case", singular(&vocab.name), term.id),
                        )
                        .hint(format!(
                            "tag a case with it (`{}: [{}]`) or remove it from the taxonomy",
                            vocab.name, term.id
                        )),
                    );
                }
            }
        }
    }
    let profile = match &config.profile {
        Some(name) => taxonomy.vocabulary_index(name),
        None => (!taxonomy.vocabularies.is_empty()).then_some(0),
    };
    if let Some(name) = &config.profile {
        if profile.is_none() {
            diags.push(
                Diagnostic::error(
                    "casebook.toml",
                    "config",
                    format!("profile vocabulary `{name}` is not in the taxonomy"),
                )
                .hint(format!("one of: {}", vocab_names.join(", "))),
            );
        }
    }
    if let Some(show) = &config.vocabularies {
        for name in show {
            if taxonomy.vocabulary_index(name).is_none() {
                diags.push(
                    Diagnostic::error("casebook.toml", "config", format!("vocabulary `{name}` is not in the taxonomy"))
                        .hint(format!("one of: {}", vocab_names.join(", "))),
                );
            }
        }
    }
    crate::diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let tag_sets = crate::model::TagSets::new(&taxonomy, &cases);
    (Some(Library { config, taxonomy, cases, usage, profile, tag_sets, stamp: String::new() }), diags)
}

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
            diags.push(
                Diagnostic::error(&file.path, "empty-field", format!("`{name}` is empty"))
                    .at(&file.text, v.line, v.column)
                    .hint(format!("write it, e.g. `{name}: {example}`")),
            );
            None
        }
        None => {
            diags.push(
                Diagnostic::error(&file.path, "missing-field", format!("missing required field `{name}`"))
                    .at(&file.text, 1, 1)
                    .hint(format!("add `{name}: {example}` to the front matter")),
            );
            None
        }
    }
}

fn check_case(
    file: &SourceFile,
    raw: &RawCase,
    taxonomy: &Taxonomy,
    known_keys: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Option<Case> {
    let path = file.path.as_str();
    let text = &file.text;
    for k in &raw.unknown_keys {
        diags.push(unknown_key(path, text, k, known_keys));
    }
    let id = required(file, &raw.id, "id", "my-case", diags);
    if let Some(id) = id {
        if !valid_id(&id.value) {
            diags.push(bad_id(path, text, id));
        }
    }
    let title = required(file, &raw.title, "title", "\"Unit: the practice in a few words\"", diags);
    let level = required(file, &raw.level, "level", "community", diags);
    if let Some(level) = level {
        if !LEVELS.contains(&level.value.as_str()) {
            let hint = match nearest(&level.value, LEVELS.iter().copied()) {
                Some(n) => format!("did you mean `{n}`? (one of: {})", LEVELS.join(", ")),
                None => format!("one of: {}", LEVELS.join(", ")),
            };
            diags.push(
                Diagnostic::error(path, "bad-level", format!("unknown level `{}`", level.value))
                    .at(text, level.line, level.column)
                    .hint(hint),
            );
        }
    }
    let summary = required(file, &raw.summary, "summary", "One paragraph of plain text.", diags);
    let place = match &raw.place {
        None => {
            diags.push(
                Diagnostic::error(path, "missing-field", "missing required field `place`")
                    .at(text, 1, 1)
                    .hint("add `place:` with at least `province:` (then city, district, unit)"),
            );
            None
        }
        Some(p) => {
            for k in &p.value.unknown_keys {
                diags.push(unknown_key(path, text, k, parse::place_keys()));
            }
            match &p.value.province {
                Some(province) => {
                    let r = &p.value;
                    Some(Place {
                        province: province.trim().to_string(),
                        province_zh: r.province_zh.clone(),
                        city: r.city.clone(),
                        city_zh: r.city_zh.clone(),
                        district: r.district.clone(),
                        district_zh: r.district_zh.clone(),
                        unit: r.unit.clone(),
                        unit_zh: r.unit_zh.clone(),
                    })
                }
                None => {
                    diags.push(
                        Diagnostic::error(path, "missing-field", "missing required field `place.province`")
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
            diags.push(
                Diagnostic::error(path, "empty-field", "`sources` is empty")
                    .at(text, s.line, s.column)
                    .hint("name at least one source the case is based on"),
            );
            Vec::new()
        }
        None => {
            diags.push(
                Diagnostic::error(path, "missing-field", "missing required field `sources`")
                    .at(text, 1, 1)
                    .hint("add `sources:` with at least one entry, e.g. `- \"Field notes, 2024\"`"),
            );
            Vec::new()
        }
    };

    // Tags: vocabulary keys of the front matter.
    let mut tags: Vec<Vec<usize>> = vec![Vec::new(); taxonomy.vocabularies.len()];
    // Vocabularies with an unknown id in the front matter: their section tags are not checked
    // against the list (the unknown id is reported already; "not listed" would only add noise).
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
                    diags.push(unknown_id(path, text, &taxonomy.vocabularies[v].name, written, hint));
                }
            }
        }
    }

    // The body and its sections.
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
        let mut section_tags: Vec<Vec<usize>> = vec![Vec::new(); taxonomy.vocabularies.len()];
        for (key, value) in &rs.attrs {
            let v =
                taxonomy.vocabularies.iter().position(|voc| voc.name == key.value || singular(&voc.name) == key.value);
            let Some(v) = v else {
                let mut known: Vec<&str> = taxonomy.vocabularies.iter().map(|voc| singular(&voc.name)).collect();
                known.extend(taxonomy.vocabularies.iter().map(|voc| voc.name.as_str()));
                diags.push(unknown_key(path, text, key, &known).hint(
                    match nearest(&key.value, known.iter().copied()) {
                        Some(n) => format!("did you mean `{n}=`?"),
                        None => format!("section attributes name a vocabulary: {}", known.join(", ")),
                    },
                ));
                continue;
            };
            let vname = &taxonomy.vocabularies[v].name;
            // Positions of each id inside the (possibly quoted) value.
            let mut col = value.column;
            for part in value.value.split(' ') {
                if !part.is_empty() {
                    let at = At { value: part.to_string(), line: value.line, column: col };
                    match resolve(taxonomy, v, part) {
                        Ok(t) if !tags[v].contains(&t) && !unresolved[v] => diags.push(
                            Diagnostic::error(
                                path,
                                "section-tag",
                                format!(
                                    "section tags {} `{part}`, which the case does not list in `{vname}`",
                                    singular(vname)
                                ),
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
                        Err(hint) => diags.push(unknown_id(path, text, vname, &at, hint)),
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
        let example = taxonomy
            .vocabularies
            .iter()
            .find(|v| v.name == "practices")
            .or(taxonomy.vocabularies.first())
            .map(|v| format!("`## Practice: ... {{#anchor {}=ID}}`", singular(&v.name)))
            .unwrap_or_default();
        diags.push(
            Diagnostic::warning(path, "no-practice-section", "the case has no tagged practice section")
                .at(text, raw.body.first_line + body.lines().take_while(|l| l.trim().is_empty()).count(), 1)
                .hint(format!("tag the heading that describes the practice, e.g. {example}, so practice pages can show the excerpt")),
        );
    }

    let (id, title, level, summary, place) = (id?, title?, level?, summary?, place?);
    Some(Case {
        id: id.value.clone(),
        path: path.to_string(),
        title: title.value.trim().to_string(),
        title_zh: raw.title_zh.as_ref().map(|t| t.value.trim().to_string()).filter(|t| !t.is_empty()),
        place,
        level: level.value.clone(),
        summary: summary.value.trim().to_string(),
        summary_zh: raw.summary_zh.as_ref().map(|t| t.value.trim().to_string()).filter(|t| !t.is_empty()),
        sources,
        tags,
        text: String::new(), // moved in by the caller
        body_start: raw.body.offset,
        sections,
    })
}

/// The `case:` links of a file that name no case in `ids`, as diagnostics.
fn broken_links(path: &str, text: &str, links: &[At<String>], ids: &HashSet<&str>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for link in links {
        if !ids.contains(link.value.as_str()) {
            let hint = match nearest(&link.value, ids.iter().copied()) {
                Some(n) => format!("did you mean `case:{n}`?"),
                None => "link to an existing case as [text](case:ID)".to_string(),
            };
            out.push(
                Diagnostic::error(path, "broken-link", format!("link to unknown case `{}`", link.value))
                    .at(text, link.line, link.column)
                    .hint(hint),
            );
        }
    }
    out
}

/// `usage[v][t]`: the indices of the cases tagged with term `t` of vocabulary `v`, in case order.
fn usage(taxonomy: &Taxonomy, cases: &[Case]) -> Vec<Vec<Vec<usize>>> {
    let mut usage: Vec<Vec<Vec<usize>>> =
        taxonomy.vocabularies.iter().map(|v| vec![Vec::new(); v.terms.len()]).collect();
    for (ci, case) in cases.iter().enumerate() {
        for (v, terms) in case.tags.iter().enumerate() {
            for &t in terms {
                usage[v][t].push(ci);
            }
        }
    }
    usage
}

/// What [`replace_case`] did with one changed case file.
pub enum Replacement {
    /// The file is valid: the new library, the case it replaced, and the file's warnings.
    Valid { library: Library, old: Box<Case>, warnings: Vec<Diagnostic> },
    /// The file has errors: the library, unchanged, and the file's diagnostics.
    Invalid { library: Library, diagnostics: Vec<Diagnostic> },
    /// The file is valid but now holds another case id: that changes other cases' links and the
    /// library's order, so the whole library has to be validated again.
    NewId { library: Library },
}

/// Validates one changed case file against the rest of a valid library and puts it in place of
/// the case at `index` (for `serve`, which re-parses only the files that changed). The file gets
/// the checks [`validate`] gives every file — its fields, its tags, its `case:` links against
/// the library's ids — with the same diagnostics; library-wide warnings (unused terms) are not
/// recomputed.
pub fn replace_case(
    library: Library,
    index: usize,
    file: SourceFile,
    parsed: Result<RawCase, Vec<Diagnostic>>,
) -> Replacement {
    let raw = match parsed {
        Ok(r) => r,
        Err(diagnostics) => return Replacement::Invalid { library, diagnostics },
    };
    let mut known_keys: Vec<&str> = CASE_KEYS.to_vec();
    known_keys.extend(library.taxonomy.vocabularies.iter().map(|v| v.name.as_str()));
    let mut diags = Vec::new();
    let case = check_case(&file, &raw, &library.taxonomy, &known_keys, &mut diags);
    let ids: HashSet<&str> = library.cases.iter().map(|c| c.id.as_str()).collect();
    diags.extend(broken_links(&file.path, &file.text, &raw.body.case_links, &ids));
    crate::diag::sort(&mut diags);
    let case = match case {
        Some(case) if !diags.iter().any(Diagnostic::is_error) => case,
        _ => return Replacement::Invalid { library, diagnostics: diags },
    };
    if case.id != library.cases[index].id {
        return Replacement::NewId { library };
    }
    let Library { config, taxonomy, mut cases, usage: _, profile, tag_sets: _, stamp: _ } = library;
    let old = std::mem::replace(&mut cases[index], Case { text: file.text, ..case });
    let usage = usage(&taxonomy, &cases);
    let tag_sets = crate::model::TagSets::new(&taxonomy, &cases);
    Replacement::Valid {
        library: Library { config, taxonomy, cases, usage, profile, tag_sets, stamp: String::new() },
        old: Box::new(old),
        warnings: diags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_only() {
        let ids = ["political-leadership", "mass-cohesion"];
        assert_eq!(nearest("politcal-leadership", ids), Some("political-leadership"));
        assert_eq!(nearest("zzz", ids), None);
    }

    #[test]
    fn ids() {
        assert!(valid_id("huaihe-road-2"));
        assert!(!valid_id("Huaihe"));
        assert!(!valid_id("a_b"));
        assert!(!valid_id(""));
    }

    #[test]
    fn singular_names() {
        assert_eq!(singular("forces"), "force");
        assert_eq!(singular("fields"), "field");
        assert_eq!(singular("s"), "s");
    }
}
