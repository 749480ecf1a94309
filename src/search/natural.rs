//! Natural queries looked up and ranked: the [`plan`](super::plan)'s words found in the index
//! (exactly, as completions of the unfinished last word, or as the library's words one or two
//! letters away), the terms they name, and every case holding at least one unit, ranked.
//!
//! **Ranked fallback.** A case's score is the sum of its units' BM25 scores (tantivy's, with
//! the fields' boosts; a term unit adds [`TAG_BOOST`] for a tagged case; stop words add theirs
//! where they occur). Cases holding every unit come first, by score. When fewer than `limit`
//! cases hold every unit, the cases holding some follow, by how many units they hold and then
//! by score; otherwise only the cases holding every unit are results. Among cases holding as
//! many units, those tagged with more of the terms the query named come first: a cadre who
//! names a problem wants the cases filed under it before those that only mention its words.
//! A unit no case holds is reported as not found. Filters stay strict.

use super::collect::{Candidate, CaseCollector};
use super::plan::{self, Word, PREFIX_TOKENS, TAG_BOOST, TYPO_WEIGHT};
use super::{Corrected, Expanded, Searcher};
use crate::config::Language;
use crate::error::Result;
use std::collections::{HashMap, HashSet};
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TantivyQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::Term;

/// One way a case may hold a unit.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Alt {
    /// A word or name, analyzed as the index's text was.
    Text(String),
    /// A token of the index, with a weight (a completion, a misspelling's replacement).
    Token(String, f32),
    /// Being tagged with a term: (vocabulary, id).
    Tagged(String, String),
}

/// What a case must hold (any one of its alternatives) to count as holding it.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    /// The words of the query it stands for, as typed (folded).
    pub shown: String,
    pub alts: Vec<Alt>,
}

/// A query planned and looked up.
pub(super) struct Planned {
    pub units: Vec<Unit>,
    /// Stop words: scored where they occur, never required.
    pub soft: Vec<String>,
    pub ignored: Vec<String>,
    pub corrected: Vec<Corrected>,
    pub expanded: Vec<Expanded>,
    /// The term of the answer card: an index into [`Searcher::names`].
    pub card: Option<usize>,
    /// The reader's language, which the ranking weighs the fields by.
    pub lang: Language,
}

/// A case found, with how many units it holds and its score.
pub(super) struct Ranked {
    pub candidate: Candidate,
    pub held: usize,
    /// How many of the terms the query named the case is tagged with.
    pub tagged: usize,
}

impl Searcher {
    /// How many cases hold `query`.
    fn count(&self, searcher: &tantivy::Searcher, query: &dyn TantivyQuery) -> Result<usize> {
        Ok(searcher.search(query, &Count)?)
    }

    /// A token of the index searched over every text field, with the fields' boosts.
    pub(super) fn token_query(&self, token: &str, weight: f32, lang: Language) -> Box<dyn TantivyQuery> {
        let fields = self.opened.fields.text_fields();
        let clauses = fields
            .into_iter()
            .zip(*self.boosts(lang))
            .map(|(field, boost)| {
                let q = TermQuery::new(Term::from_field_text(field, token), IndexRecordOption::WithFreqs);
                let q: Box<dyn TantivyQuery> = Box::new(BoostQuery::new(Box::new(q), boost * weight));
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The query of one alternative; `None` for text the analysis leaves nothing of.
    pub(super) fn alt_query(&self, alt: &Alt, lang: Language) -> Option<Box<dyn TantivyQuery>> {
        match alt {
            Alt::Text(text) => {
                let (q, errors) = self.parser(lang).parse_query_lenient(text);
                errors.is_empty().then_some(q)
            }
            Alt::Token(token, weight) => Some(self.token_query(token, *weight, lang)),
            Alt::Tagged(vocabulary, id) => {
                let facet = Facet::from_path([vocabulary.as_str(), id.as_str()]);
                let q = TermQuery::new(Term::from_facet(self.opened.fields.facet, &facet), IndexRecordOption::Basic);
                Some(Box::new(ConstScoreQuery::new(Box::new(q), TAG_BOOST)))
            }
        }
    }

    /// The index's words that start with `prefix` — its tokens, and the English words whose
    /// token is another ([`crate::index::surfaces`]) — each with its token, sorted.
    fn words_starting(&self, searcher: &tantivy::Searcher, prefix: &str) -> Result<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        for segment in searcher.segment_readers() {
            for field in self.opened.fields.text_fields() {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()
                    .map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                    if !key.starts_with(prefix) {
                        break;
                    }
                    if seen.insert(key.to_string()) {
                        out.push((key.to_string(), key.to_string()));
                    }
                }
            }
        }
        let surfaces = self.surfaces()?;
        let from = surfaces.partition_point(|(w, _)| w.as_str() < prefix);
        for (w, t) in surfaces[from..].iter().take_while(|(w, _)| w.starts_with(prefix)) {
            out.push((w.clone(), t.clone()));
        }
        out.sort();
        Ok(out)
    }

    /// Tokens with their number of cases, most cases first, then by token.
    fn by_cases(&self, searcher: &tantivy::Searcher, tokens: HashSet<String>) -> Result<Vec<(String, usize)>> {
        let mut out = Vec::new();
        for t in tokens {
            let n = self.count(searcher, self.token_query(&t, 1.0, Language::ALL[0]).as_ref())?;
            if n > 0 {
                out.push((t, n));
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// The words of the index an unfinished `word` may become: at most [`PREFIX_TOKENS`] tokens.
    fn completions(&self, searcher: &tantivy::Searcher, word: &str) -> Result<Vec<String>> {
        let found = self.words_starting(searcher, word)?;
        let tokens = found.into_iter().filter(|(w, _)| w.len() > word.len()).map(|(_, t)| t).collect();
        let ranked = self.by_cases(searcher, tokens)?;
        Ok(ranked.into_iter().take(PREFIX_TOKENS).map(|(t, _)| t).collect())
    }

    /// The words of the library a misspelt English `word` may stand for: those sharing its
    /// first two letters at the smallest edit distance within [`plan::typo_budget`], as
    /// (word, token), at most [`PREFIX_TOKENS`] tokens.
    fn misspelt(&self, searcher: &tantivy::Searcher, word: &str) -> Result<Vec<(String, String)>> {
        let budget = plan::typo_budget(word);
        if budget == 0 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Ok(Vec::new());
        }
        let words = self.words_starting(searcher, &word[..2])?;
        let mut best: Vec<(String, String)> = Vec::new();
        let mut best_distance = budget + 1;
        for (w, t) in words {
            if !w.bytes().all(|b| b.is_ascii_alphabetic()) {
                continue;
            }
            let d = strsim::osa_distance(word, &w);
            if d < best_distance {
                best_distance = d;
                best.clear();
            }
            if d == best_distance {
                best.push((w, t));
            }
        }
        let tokens: HashSet<String> = best.iter().map(|(_, t)| t.clone()).collect();
        let ranked = self.by_cases(searcher, tokens)?;
        let keep: Vec<String> = ranked.into_iter().take(PREFIX_TOKENS).map(|(t, _)| t).collect();
        // One word shown per token kept: the shortest (the plainest spelling).
        let mut out: Vec<(String, String)> = Vec::new();
        for t in keep {
            let shown = best.iter().filter(|(_, x)| *x == t).min_by_key(|(w, _)| (w.len(), w.clone()));
            if let Some((w, _)) = shown {
                out.push((w.clone(), t));
            }
        }
        Ok(out)
    }

    /// Plans `text` (filters taken out) and looks its words up. `open`: the last word may be
    /// unfinished (the text does not end in a space).
    /// Plans `text` for a reader of `lang`, whose ranking [`Searcher::rank`] then uses.
    pub(super) fn plan(&self, searcher: &tantivy::Searcher, text: &str, open: bool, lang: Language) -> Result<Planned> {
        let words = plan::words(text);
        let mut planned = Planned {
            units: Vec::new(),
            soft: Vec::new(),
            ignored: Vec::new(),
            corrected: Vec::new(),
            expanded: Vec::new(),
            card: None,
            lang,
        };
        let last = words.len().saturating_sub(1);
        // Each content word with its alternatives, and the keys the query holds.
        let mut content: Vec<(Word, Vec<Alt>)> = Vec::new();
        let mut keys: HashSet<String> = HashSet::new();
        for (i, w) in words.into_iter().enumerate() {
            if w.stop {
                planned.ignored.push(w.text.clone());
                planned.soft.push(w.text);
                continue;
            }
            keys.insert(w.key.clone());
            let exact = Alt::Text(w.text.clone());
            let found = match self.alt_query(&exact, lang) {
                Some(q) => self.count(searcher, q.as_ref())? > 0,
                None => false,
            };
            let mut alts = vec![exact];
            if !found {
                let completed = if open && i == last { self.completions(searcher, &w.text)? } else { Vec::new() };
                if !completed.is_empty() {
                    keys.extend(completed.iter().cloned());
                    alts.extend(completed.into_iter().map(|t| Alt::Token(t, 1.0)));
                } else if w.latin {
                    let replacements = self.misspelt(searcher, &w.text)?;
                    if !replacements.is_empty() {
                        keys.extend(replacements.iter().map(|(_, t)| t.clone()));
                        planned.corrected.push(Corrected {
                            word: w.text.clone(),
                            to: replacements.iter().map(|(w, _)| w.clone()).collect(),
                        });
                        alts.extend(replacements.into_iter().map(|(_, t)| Alt::Token(t, TYPO_WEIGHT)));
                    }
                }
            }
            content.push((w, alts));
        }

        // The terms the query names, the one covering most keys first.
        let mut named: Vec<(usize, usize, f32, Vec<&str>)> = Vec::new();
        for (t, term) in self.names.iter().enumerate() {
            let mut best: Option<(usize, f32)> = None;
            let mut covered: Vec<&str> = Vec::new();
            for name in &term.keys {
                let held = name.iter().filter(|k| keys.contains(k.as_str())).count();
                if plan::names_term(held, name.len()) {
                    let ratio = held as f32 / name.len() as f32;
                    if best.is_none_or(|(h, r)| (held, ratio) > (h, r)) {
                        best = Some((held, ratio));
                    }
                    covered.extend(name.iter().map(String::as_str).filter(|k| keys.contains(*k)));
                }
            }
            if let Some((held, ratio)) = best {
                named.push((t, held, ratio, covered));
            }
        }
        // Ties: a term before a place, a city before its province ("广西贵港" is Guigang).
        let depth = |t: usize| match self.names[t].at {
            super::Named::Term(..) => 0,
            super::Named::Place(p) => self.opened.meta.places[p].path.len(),
        };
        named.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.2.total_cmp(&a.2))
                .then((depth(a.0) > 0).cmp(&(depth(b.0) > 0)))
                .then(depth(b.0).cmp(&depth(a.0)))
                .then(a.0.cmp(&b.0))
        });
        // A place is the card only when the query names nothing but places ("郑州", "广西贵港"):
        // "郑州淮河路街道" asks for the case, which ranks first by holding every word.
        let by_places: HashSet<&str> =
            named.iter().filter(|n| depth(n.0) > 0).flat_map(|n| n.3.iter().copied()).collect();
        let only_places = content.iter().all(|(w, alts)| {
            by_places.contains(w.key.as_str())
                || alts.iter().any(|a| matches!(a, Alt::Token(t, _) if by_places.contains(t.as_str())))
        });
        planned.card = named.iter().find(|n| depth(n.0) == 0 || only_places).map(|n| n.0);

        // Each named term gathers the words it covers into one unit.
        let mut taken = vec![false; content.len()];
        for (t, _, _, covered) in &named {
            let mut unit = Unit { shown: String::new(), alts: Vec::new() };
            for (i, (w, alts)) in content.iter().enumerate() {
                let holds = alts.iter().any(|a| match a {
                    Alt::Token(token, _) => covered.contains(&token.as_str()),
                    _ => false,
                });
                if !taken[i] && (covered.contains(&w.key.as_str()) || holds) {
                    taken[i] = true;
                    if !unit.shown.is_empty() {
                        unit.shown.push(' ');
                    }
                    unit.shown.push_str(&w.text);
                    unit.alts.extend(alts.iter().cloned());
                }
            }
            if unit.alts.is_empty() {
                continue;
            }
            let term = &self.names[*t];
            let mut also = Vec::new();
            for (name, keys) in term.names.iter().zip(&term.keys) {
                // A one-word name the query does not hold already (as typed or completed).
                if keys.len() == 1
                    && !covered.contains(&keys[0].as_str())
                    && !unit.alts.contains(&Alt::Text(name.clone()))
                {
                    unit.alts.push(Alt::Text(name.clone()));
                    also.push(name.clone());
                }
            }
            // A term's cases are found by their tag too; a place's hold its names already.
            if let super::Named::Term(..) = term.at {
                unit.alts.push(Alt::Tagged(term.vocabulary.clone(), term.id.clone()));
            }
            planned.expanded.push(Expanded {
                vocabulary: term.vocabulary.clone(),
                id: term.id.clone(),
                label: term.names[0].clone(),
                names: also,
            });
            planned.units.push(unit);
        }
        for (i, (w, alts)) in content.into_iter().enumerate() {
            if !taken[i] {
                planned.units.push(Unit { shown: w.text, alts });
            }
        }
        Ok(planned)
    }

    /// Every case holding at least one unit of `planned` (and passing `filters`), ranked (see
    /// the module doc), and the units no case holds.
    pub(super) fn rank(
        &self,
        searcher: &tantivy::Searcher,
        planned: &Planned,
        filters: &[Box<dyn TantivyQuery>],
        limit: usize,
    ) -> Result<(Vec<Ranked>, Vec<String>)> {
        let with_filters = |q: Box<dyn TantivyQuery>| -> BooleanQuery {
            let mut clauses = vec![(Occur::Must, q)];
            clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
            BooleanQuery::new(clauses)
        };
        let mut found: HashMap<u64, Ranked> = HashMap::new();
        let mut not_found = Vec::new();
        for unit in &planned.units {
            let alts: Vec<(Occur, Box<dyn TantivyQuery>)> =
                unit.alts.iter().filter_map(|a| self.alt_query(a, planned.lang)).map(|q| (Occur::Should, q)).collect();
            let hits = if alts.is_empty() {
                Vec::new()
            } else {
                searcher.search(&with_filters(Box::new(BooleanQuery::new(alts))), &CaseCollector { scoring: true })?
            };
            if hits.is_empty() {
                not_found.push(unit.shown.clone());
            }
            for c in hits {
                let blank = Ranked { candidate: Candidate { score: 0.0, ..c }, held: 0, tagged: 0 };
                let r = found.entry(c.case).or_insert(blank);
                r.held += 1;
                r.candidate.score += c.score;
            }
            for alt in unit.alts.iter().filter(|a| matches!(a, Alt::Tagged(..))) {
                let Some(q) = self.alt_query(alt, planned.lang) else { continue };
                for c in searcher.search(&with_filters(q), &CaseCollector { scoring: false })? {
                    if let Some(r) = found.get_mut(&c.case) {
                        r.tagged += 1;
                    }
                }
            }
        }
        for word in &planned.soft {
            let Some(q) = self.alt_query(&Alt::Text(word.clone()), planned.lang) else { continue };
            for c in searcher.search(&with_filters(q), &CaseCollector { scoring: true })? {
                if let Some(r) = found.get_mut(&c.case) {
                    r.candidate.score += c.score;
                }
            }
        }
        let units = planned.units.len();
        let mut ranked: Vec<Ranked> = found.into_values().collect();
        if ranked.iter().filter(|r| r.held == units).count() >= limit {
            ranked.retain(|r| r.held == units);
        }
        ranked.sort_by(|a, b| {
            (b.held, b.tagged)
                .cmp(&(a.held, a.tagged))
                .then(b.candidate.score.total_cmp(&a.candidate.score))
                .then(a.candidate.case.cmp(&b.candidate.case))
        });
        Ok((ranked, not_found))
    }
}
