//! Output: the results as `casebook search --json` (and `/api/search`) writes them, keys in
//! the documented order, and as the human listing of `casebook search`.

use super::{Card, Corrected, Expanded, FacetCounts, Hit, Results};
use crate::diag::plural;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// One facet's counts as a JSON object: `{"id": n, …}`, in the facet's order.
struct CountsView<'a>(&'a [(String, usize)]);

impl Serialize for CountsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, n) in self.0 {
            m.serialize_entry(k, n)?;
        }
        m.end()
    }
}

/// The facets as a JSON object: `{"force": {…}, …}`, in the facets' order.
struct FacetsView<'a>(&'a [FacetCounts]);

impl Serialize for FacetsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for f in self.0 {
            m.serialize_entry(&f.name, &CountsView(&f.counts))?;
        }
        m.end()
    }
}

impl Serialize for Hit {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("title", &self.title)?;
        m.serialize_entry("title_zh", &self.title_zh)?;
        m.serialize_entry("url", &self.url)?;
        m.serialize_entry("section", &self.section)?;
        m.serialize_entry("score", &self.score)?;
        m.serialize_entry("held", &self.held)?;
        m.serialize_entry("snippet_html", &self.snippet_html())?;
        for (vocabulary, ids) in &self.tags {
            m.serialize_entry(vocabulary, ids)?;
        }
        m.serialize_entry("place", &self.place)?;
        if !self.date.is_empty() {
            m.serialize_entry("date", &self.date)?;
        }
        m.end()
    }
}

impl Serialize for Card {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("vocabulary", &self.vocabulary)?;
        m.serialize_entry("singular", &self.singular)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("label", &self.label)?;
        m.serialize_entry("label_zh", &self.label_zh)?;
        m.serialize_entry("definition", &self.definition)?;
        m.serialize_entry("definition_zh", &self.definition_zh)?;
        m.serialize_entry("countermeasure", &self.countermeasure)?;
        m.serialize_entry("countermeasure_zh", &self.countermeasure_zh)?;
        let links: Vec<serde_json::Value> = self
            .links
            .iter()
            .map(|(v, terms)| {
                let terms: Vec<serde_json::Value> =
                    terms.iter().map(|(id, label)| serde_json::json!({"id": id, "label": label})).collect();
                serde_json::json!({"vocabulary": v, "terms": terms})
            })
            .collect();
        m.serialize_entry("links", &links)?;
        m.serialize_entry("cases", &self.cases)?;
        m.serialize_entry("url", &self.url)?;
        m.end()
    }
}

impl Serialize for Corrected {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("word", &self.word)?;
        m.serialize_entry("to", &self.to)?;
        m.end()
    }
}

impl Serialize for Expanded {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("vocabulary", &self.vocabulary)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("label", &self.label)?;
        m.serialize_entry("names", &self.names)?;
        m.end()
    }
}

impl Serialize for Results {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("query", &self.query)?;
        m.serialize_entry("total", &self.total)?;
        m.serialize_entry("complete", &self.complete)?;
        m.serialize_entry("card", &self.card)?;
        m.serialize_entry("not_found", &self.not_found)?;
        m.serialize_entry("ignored", &self.ignored)?;
        m.serialize_entry("corrected", &self.corrected)?;
        m.serialize_entry("expanded", &self.expanded)?;
        m.serialize_entry("facets", &FacetsView(&self.facets))?;
        m.serialize_entry("hits", &self.hits)?;
        m.end()
    }
}

/// `--json`: `{"query", "total", "complete", "card", "not_found", "ignored", "corrected",
/// "expanded", "facets": {"force": {"id": n}, …}, "hits": [...]}`.
pub fn render_json(results: &Results) -> String {
    serde_json::to_string_pretty(results).unwrap_or_else(|e| error_json(&e.to_string()))
}

/// `{"error": "…"}`, the message quoted as JSON (it may hold quotes and backslashes).
fn error_json(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}

/// The human listing; `color` marks matched words in bold (ANSI) for a terminal.
pub fn render_human(results: &Results, color: bool) -> String {
    let mut out = String::new();
    let crate::console::Styles { bold, dim, reset, .. } = crate::console::Styles::new(color);
    let shown = results.hits.len();
    let what = plural(results.total, "case", "cases");
    let verb = if results.total == 1 { "matches" } else { "match" };
    let head = if results.query.trim().is_empty() { what } else { format!("{what} {verb} {:?}", results.query) };
    if shown < results.total {
        out.push_str(&format!("{head} (showing {shown}; --limit N for more)\n"));
    } else {
        out.push_str(&format!("{head}\n"));
    }
    if results.complete < results.total {
        let every = plural(results.complete, "case holds", "cases hold");
        out.push_str(&format!("{dim}{every} every word; the others hold some{reset}\n"));
    }
    for c in &results.corrected {
        out.push_str(&format!("{dim}searched {} for {:?}{reset}\n", c.to.join(", "), c.word));
    }
    for e in &results.expanded {
        if !e.names.is_empty() {
            // A place's cases are found by its names, not by a tag.
            let tagged =
                if e.vocabulary == super::PLACE { String::new() } else { format!(" (and cases tagged {})", e.label) };
            out.push_str(&format!("{dim}also searched: {}{tagged}{reset}\n", e.names.join(", ")));
        }
    }
    if !results.not_found.is_empty() {
        out.push_str(&format!("not found: {}\n", results.not_found.join(", ")));
    }
    if let Some(card) = &results.card {
        out.push('\n');
        let zh = card.label_zh.as_deref().map(|z| format!(" · {z}")).unwrap_or_default();
        out.push_str(&format!(
            " ▸ {bold}{}{zh}{reset} ({}, {})\n",
            card.label,
            card.singular,
            plural(card.cases, "case", "cases")
        ));
        out.push_str(&format!("    {}\n", card.url));
        out.push_str(&format!("    {}\n", super::shorten(&card.definition, 2 * super::SNIPPET_CHARS)));
        if let Some(c) = &card.countermeasure {
            out.push_str(&format!("    → {c}\n"));
        }
        for (v, terms) in &card.links {
            let labels: Vec<&str> = terms.iter().map(|(_, l)| l.as_str()).collect();
            out.push_str(&format!("    {dim}{v}: {}{reset}\n", labels.join(", ")));
        }
    }
    for (i, hit) in results.hits.iter().enumerate() {
        out.push('\n');
        out.push_str(&format!("{:>2}. {bold}{}{reset}\n", i + 1, hit.title));
        if let Some(zh) = &hit.title_zh {
            out.push_str(&format!("    {zh}\n"));
        }
        let mut line = hit.place.clone();
        for part in [&hit.level, &hit.date].into_iter().filter(|p| !p.is_empty()) {
            line.push_str(" · ");
            line.push_str(part);
        }
        out.push_str(&format!("    {dim}{line}{reset}\n"));
        let tags: Vec<String> = hit
            .tags
            .iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(v, ids)| format!("{v}: {}", ids.join(", ")))
            .collect();
        if !tags.is_empty() {
            out.push_str(&format!("    {dim}{}{reset}\n", tags.join(" | ")));
        }
        match &hit.section {
            Some(s) => out.push_str(&format!("    {} ({s})\n", hit.url)),
            None => out.push_str(&format!("    {}\n", hit.url)),
        }
        let mut line = String::new();
        for (text, marked) in &hit.snippet {
            if *marked && color {
                line.push_str(&format!("{bold}{text}{reset}"));
            } else {
                line.push_str(text);
            }
        }
        out.push_str(&format!("    {line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_is_real_json_whatever_its_message_holds() {
        let message = r#"cannot write "x" at C:\path"#;
        let text = super::error_json(message);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["error"], message);
    }
}
