//! `cases.json`: the whole validated library as data (schema in README.md), written as one
//! stream so that a large library never becomes one JSON tree in memory.

use crate::error::Result;
use crate::model::Case;
use crate::render::Renderer;

impl Renderer<'_> {
    /// `cases.json`: the whole validated library as data (schema in README.md).
    pub(crate) fn cases_json(&self) -> Result<()> {
        if !self.wants("cases.json") {
            return Ok(());
        }
        let lib = self.lib;
        let tax = &lib.taxonomy;
        let vocabularies: Vec<serde_json::Value> = tax
            .vocabularies
            .iter()
            .map(|voc| {
                serde_json::json!({
                    "name": voc.name,
                    "label": voc.label,
                    "label_zh": voc.label_zh,
                    "terms": voc.terms.iter().map(|t| {
                        let links: serde_json::Map<String, serde_json::Value> = t.links.iter().map(|(lv, ids)| {
                            (tax.vocabularies[*lv].name.clone(), ids.iter().map(|&i| tax.vocabularies[*lv].terms[i].id.clone()).collect::<Vec<_>>().into())
                        }).collect();
                        serde_json::json!({
                            "id": t.id, "label": t.label, "label_zh": t.label_zh,
                            "definition": t.definition, "definition_zh": t.definition_zh,
                            "aliases": t.aliases, "countermeasure": t.countermeasure,
                            "countermeasure_zh": t.countermeasure_zh, "links": links,
                        })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        // One case at a time: a 100,000-case library never becomes one JSON tree in memory.
        let case_value = |c: &Case| {
            let tags: serde_json::Map<String, serde_json::Value> = tax
                .vocabularies
                .iter()
                .enumerate()
                .map(|(v, voc)| {
                    (voc.name.clone(), c.tags[v].iter().map(|&t| voc.terms[t].id.clone()).collect::<Vec<_>>().into())
                })
                .collect();
            let sections: Vec<serde_json::Value> = c
                .sections
                .iter()
                .map(|s| {
                    let stags: serde_json::Map<String, serde_json::Value> = tax
                        .vocabularies
                        .iter()
                        .enumerate()
                        .filter(|(v, _)| !s.tags[*v].is_empty())
                        .map(|(v, voc)| {
                            (
                                voc.name.clone(),
                                s.tags[v].iter().map(|&t| voc.terms[t].id.clone()).collect::<Vec<_>>().into(),
                            )
                        })
                        .collect();
                    serde_json::json!({"anchor": s.anchor, "title": s.title, "level": s.level, "tags": stags})
                })
                .collect();
            serde_json::json!({
                "id": c.id, "url": format!("cases/{}.html", c.id), "title": c.title, "title_zh": c.title_zh,
                "place": c.place, "level": c.level, "summary": c.summary, "summary_zh": c.summary_zh,
                "date": c.date.map(|d| d.to_string()), "updated": c.updated.map(|d| d.to_string()),
                "sources": c.sources, "tags": tags, "sections": sections, "body_markdown": c.body(),
                "language": lib.config.content_language.tag(),
                // Each translation's text, by language (its sections are the original's).
                "translations": c.translations.iter().map(|t| (t.lang.tag().to_string(), serde_json::json!({
                    "title": t.title, "summary": t.summary, "sources": t.sources,
                    "body_markdown": &t.text[t.body_start..],
                }))).collect::<serde_json::Map<_, _>>(),
            })
        };
        let head = serde_json::json!({
            "format": "casebook/cases.json",
            "language": lib.config.language.tag(),
            "languages": lib.config.languages.iter().map(|l| l.tag()).collect::<Vec<_>>(),
            "title": lib.config.title,
            "version": 1,
            "vocabularies": vocabularies,
        });
        self.staging.write_with("cases.json", |w| {
            // The head's keys, then "cases" last (keys stay in alphabetical order but for it).
            let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
            w.write_all(&head.as_bytes()[..head.len() - 1])?;
            w.write_all(b",\"cases\":[")?;
            for (i, c) in lib.cases.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut *w, &case_value(c)).map_err(std::io::Error::other)?;
            }
            w.write_all(b"]}")
        })
    }
}
