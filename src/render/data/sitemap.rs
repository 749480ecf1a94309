//! `sitemap.xml`: the URL of every page a search engine should know (the first page of each
//! list) in every language, rendered by the `sitemap.xml` template.

use crate::error::Result;
use crate::render::Renderer;
use serde::Serialize;

/// What `sitemap.xml` gets.
#[derive(Serialize)]
struct Sitemap {
    /// In the order of the file.
    urls: Vec<SitemapUrl>,
}

#[derive(Serialize)]
struct SitemapUrl {
    /// Absolute.
    loc: String,
    /// A case page's last revision (`updated`, else `date`), as precise as written: the
    /// sitemap's W3C datetime takes a year, a month or a day. Other pages have none.
    lastmod: Option<String>,
}

impl Renderer<'_> {
    pub(crate) fn sitemap(&self) -> Result<()> {
        if !self.wants("sitemap.xml") {
            return Ok(());
        }
        let mut pages = vec![("index.html".to_string(), None)];
        pages.extend(
            self.lib
                .cases
                .iter()
                .map(|c| (format!("cases/{}.html", c.id), c.updated.or(c.date).map(|d| d.to_string()))),
        );
        for &v in &self.shown {
            let voc = &self.lib.taxonomy.vocabularies[v];
            pages.push((format!("{}/index.html", voc.name), None));
            pages.extend(voc.terms.iter().map(|t| (format!("{}/{}.html", voc.name, t.id), None)));
        }
        pages.extend(["places/index.html", "matrix.html", "about.html"].map(|p| (p.to_string(), None)));
        // Every language's tree, the default first.
        let trees: Vec<String> =
            self.lib.config.languages.iter().map(|&l| crate::render::tree_prefix(self.lib, l)).collect();
        let urls = (trees.iter())
            .flat_map(|tree| {
                pages.iter().map(move |(rel, lastmod)| SitemapUrl {
                    loc: self.absolute(&format!("{tree}{rel}")),
                    lastmod: lastmod.clone(),
                })
            })
            .collect();
        self.data_file("sitemap.xml", "sitemap.xml", &Sitemap { urls })
    }
}
