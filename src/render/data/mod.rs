//! The machine-readable outputs beside the pages: `sitemap.xml` and `feed.xml` (Tera templates
//! a library can override) and `cases.json` (the validated library as data, streamed).

mod cases_json;
mod feed;
mod sitemap;

use super::Renderer;

impl Renderer<'_> {
    /// The absolute URL of `rel` (a path inside the site): `base_url` and `base_path` of
    /// casebook.toml before it.
    fn absolute(&self, rel: &str) -> String {
        let cfg = &self.lib.config;
        let origin = cfg.base_url.as_deref().unwrap_or("").trim_end_matches('/');
        format!("{origin}{}{rel}", cfg.base_path)
    }
}
