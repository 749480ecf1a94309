//! `feed.xml`: an Atom feed of the first cases, rendered by the `feed.xml` template.

use crate::error::Result;
use crate::render::{Renderer, FEED_ENTRIES};
use serde::Serialize;

/// No dates are invented: every `updated` is this fixed epoch, so that builds stay
/// byte-identical.
const UPDATED: &str = "1970-01-01T00:00:00Z";

/// What `feed.xml` gets.
#[derive(Serialize)]
struct Feed<'a> {
    title: &'a str,
    self_url: String,
    home_url: String,
    updated: &'static str,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    title: &'a str,
    url: String,
    summary: &'a str,
}

impl Renderer<'_> {
    /// The feed holds the first cases in id order (the library has no dates to sort by).
    pub(crate) fn feed(&self) -> Result<()> {
        if !self.wants("feed.xml") {
            return Ok(());
        }
        let feed = Feed {
            title: &self.lib.config.title,
            self_url: self.absolute("feed.xml"),
            home_url: self.absolute("index.html"),
            updated: UPDATED,
            entries: (self.lib.cases.iter().take(FEED_ENTRIES))
                .map(|c| FeedEntry {
                    title: &c.title,
                    url: self.absolute(&format!("cases/{}.html", c.id)),
                    summary: &c.summary,
                })
                .collect(),
        };
        self.data_file("feed.xml", "feed.xml", &feed)
    }
}
