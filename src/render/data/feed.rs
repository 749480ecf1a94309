//! `feed.xml`: an RSS 2.0 feed of the library's cases, newest first, rendered by the
//! `feed.xml` template.
//!
//! RSS rather than Atom because a case's date is optional: Atom requires a date on every entry,
//! and casebook invents none (it would have to print a fixed epoch, or the build's time, which
//! would make builds differ). A case with `updated:` or `date:` has that `pubDate`; one without
//! has none.

use crate::error::Result;
use crate::model::Case;
use crate::render::{Renderer, FEED_ENTRIES};
use serde::Serialize;

/// What `feed.xml` gets.
#[derive(Serialize)]
struct Feed<'a> {
    title: &'a str,
    description: String,
    language: &'static str,
    self_url: String,
    home_url: String,
    /// The newest item's date, when any case has one.
    pub_date: Option<String>,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    title: &'a str,
    url: String,
    summary: &'a str,
    pub_date: Option<String>,
}

impl Renderer<'_> {
    /// The feed holds the [`FEED_ENTRIES`] newest cases (by `updated`, else `date`), then, when
    /// fewer have dates, the undated ones in id order.
    pub(crate) fn feed(&self) -> Result<()> {
        if !self.wants("feed.xml") {
            return Ok(());
        }
        let lib = self.lib;
        let when = |c: &Case| c.updated.or(c.date);
        let mut order: Vec<&Case> = lib.cases.iter().collect();
        // Stable: cases of the same date, and the undated, stay in id order.
        order.sort_by_key(|&c| std::cmp::Reverse(when(c)));
        let entries: Vec<FeedEntry> = (order.into_iter().take(FEED_ENTRIES))
            .map(|c| FeedEntry {
                title: &c.title,
                url: self.absolute(&format!("cases/{}.html", c.id)),
                summary: &c.summary,
                pub_date: when(c).map(|d| d.rfc822()),
            })
            .collect();
        let title = &lib.config.title;
        let feed = Feed {
            title,
            description: match &lib.config.title_zh {
                Some(zh) if zh != title => format!("{title} · {zh}"),
                _ => title.clone(),
            },
            language: lib.config.content_language.tag(),
            self_url: self.absolute("feed.xml"),
            home_url: self.absolute("index.html"),
            pub_date: entries.first().and_then(|e| e.pub_date.clone()),
            entries,
        };
        self.data_file("feed.xml", "feed.xml", &feed)
    }
}
