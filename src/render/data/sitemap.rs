//! `sitemap.xml`: the URL of every page a search engine should know (the first page of each
//! list), rendered by the `sitemap.xml` template.

use crate::error::Result;
use crate::render::Renderer;
use serde::Serialize;

/// What `sitemap.xml` gets.
#[derive(Serialize)]
struct Sitemap {
    /// Absolute URLs, in the order of the file.
    urls: Vec<String>,
}

impl Renderer<'_> {
    pub(crate) fn sitemap(&self) -> Result<()> {
        if !self.wants("sitemap.xml") {
            return Ok(());
        }
        let mut pages = vec!["index.html".to_string()];
        pages.extend(self.lib.cases.iter().map(|c| format!("cases/{}.html", c.id)));
        for &v in &self.shown {
            let voc = &self.lib.taxonomy.vocabularies[v];
            pages.push(format!("{}/index.html", voc.name));
            pages.extend(voc.terms.iter().map(|t| format!("{}/{}.html", voc.name, t.id)));
        }
        pages.extend(["places/index.html", "matrix.html", "about.html"].map(String::from));
        let urls = pages.iter().map(|rel| self.absolute(rel)).collect();
        self.data_file("sitemap.xml", "sitemap.xml", &Sitemap { urls })
    }
}
