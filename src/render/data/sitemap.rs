//! `sitemap.xml`: the URL of every page a search engine should know (the first page of each
//! list) in every language, rendered by the `sitemap.xml` template.

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
        // Every language's tree, the default first.
        let trees: Vec<String> =
            self.lib.config.languages.iter().map(|&l| crate::render::tree_prefix(self.lib, l)).collect();
        let urls =
            trees.iter().flat_map(|tree| pages.iter().map(move |rel| self.absolute(&format!("{tree}{rel}")))).collect();
        self.data_file("sitemap.xml", "sitemap.xml", &Sitemap { urls })
    }
}
