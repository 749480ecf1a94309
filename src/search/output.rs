//! Output: the results as `casebook search --json` (and `/api/search`) writes them, keys in
//! the documented order, and as the human listing of `casebook search`.

use super::{FacetCounts, Hit, Results};
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
        m.serialize_entry("snippet_html", &self.snippet_html())?;
        for (vocabulary, ids) in &self.tags {
            m.serialize_entry(vocabulary, ids)?;
        }
        m.serialize_entry("place", &self.place)?;
        m.end()
    }
}

impl Serialize for Results {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("query", &self.query)?;
        m.serialize_entry("total", &self.total)?;
        m.serialize_entry("facets", &FacetsView(&self.facets))?;
        m.serialize_entry("hits", &self.hits)?;
        m.end()
    }
}

/// `--json`: `{"query", "total", "facets": {"force": {"id": n}, …}, "hits": [...]}`.
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
    for (i, hit) in results.hits.iter().enumerate() {
        out.push('\n');
        out.push_str(&format!("{:>2}. {bold}{}{reset}\n", i + 1, hit.title));
        if let Some(zh) = &hit.title_zh {
            out.push_str(&format!("    {zh}\n"));
        }
        out.push_str(&format!("    {dim}{} · {}{reset}\n", hit.place, hit.level));
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
