//! Which pages show what: serve's page-dependency graph. When a case, a tag or a place changes,
//! these say which pages and data files must be rendered again (with
//! [`crate::render::render_only`]), so that an edit re-renders exactly the pages it changes.
//! They read where render puts each page ([`crate::render::page_path`] and the page sizes), so
//! they agree with what the page kinds show.

use crate::model::{Case, Library, Place};
use crate::render::{page_path, place_slug, shown, FEED_ENTRIES, MATRIX_PAGE, RELATED};

/// The pages and data files whose content shows case `case`: its own page, the page of each of
/// its terms' lists it is on, its page of the list of all cases, its province's and city's
/// pages, the home page and the feed when it is among the first cases, its matrix page, and
/// `cases.json`. (Other cases' pages show it among their [`related`] cases.)
pub fn pages_showing(lib: &Library, case: usize) -> Vec<String> {
    let c = &lib.cases[case];
    let size = lib.config.page_size;
    let mut out = vec![
        format!("cases/{}.html", c.id),
        page_path("cases/index", case / size),
        page_path("matrix", case / MATRIX_PAGE),
        "cases.json".to_string(),
    ];
    if case < size {
        out.push("index.html".to_string());
    }
    if case < FEED_ENTRIES {
        out.push("feed.xml".to_string());
    }
    for v in shown(lib) {
        let voc = &lib.taxonomy.vocabularies[v];
        for &t in &c.tags[v] {
            if let Some(at) = lib.usage[v][t].iter().position(|&x| x == case) {
                out.push(page_path(&format!("{}/{}", voc.name, voc.terms[t].id), at / size));
            }
        }
    }
    let pk = place_slug(&c.place.province, "province");
    let province = |o: &Case| place_slug(&o.place.province, "province") == pk;
    let before = lib.cases[..case].iter().filter(|o| province(o)).count();
    out.push(page_path(&format!("places/{pk}"), before / size));
    if let Some(city) = &c.place.city {
        let ck = place_slug(city, "city");
        let before = lib.cases[..case]
            .iter()
            .filter(|o| province(o) && o.place.city.as_deref().is_some_and(|oc| place_slug(oc, "city") == ck))
            .count();
        out.push(page_path(&format!("places/{pk}/{ck}"), before / size));
    }
    out
}

/// The pages that count or list the cases of term `t` of vocabulary `v`: every page of the
/// term, its vocabulary's index, the home page, and the matrix pages (their totals row).
pub fn pages_of_term(lib: &Library, v: usize, t: usize) -> Vec<String> {
    if !shown(lib).contains(&v) {
        return Vec::new();
    }
    let voc = &lib.taxonomy.vocabularies[v];
    let stem = format!("{}/{}", voc.name, voc.terms[t].id);
    let mut out: Vec<String> =
        (0..lib.usage[v][t].len().div_ceil(lib.config.page_size).max(1)).map(|p| page_path(&stem, p)).collect();
    out.push(format!("{}/index.html", voc.name));
    out.push("index.html".to_string());
    out.extend((0..lib.cases.len().div_ceil(MATRIX_PAGE).max(1)).map(|p| page_path("matrix", p)));
    out
}

/// The pages that list or count the cases of `place`'s province and city: the index of places,
/// every page of the province and of the city, and the search page (it lists the provinces).
pub fn pages_of_place(lib: &Library, place: &Place) -> Vec<String> {
    let size = lib.config.page_size;
    let pk = place_slug(&place.province, "province");
    let ck = place.city.as_deref().map(|c| place_slug(c, "city"));
    let (mut in_province, mut in_city) = (0usize, 0usize);
    for c in &lib.cases {
        if place_slug(&c.place.province, "province") == pk {
            in_province += 1;
            if ck.is_some() && c.place.city.as_deref().map(|c| place_slug(c, "city")) == ck {
                in_city += 1;
            }
        }
    }
    let mut out = vec!["places/index.html".to_string(), "search.html".to_string()];
    out.extend((0..in_province.div_ceil(size).max(1)).map(|p| page_path(&format!("places/{pk}"), p)));
    if let Some(ck) = ck {
        out.extend((0..in_city.div_ceil(size).max(1)).map(|p| page_path(&format!("places/{pk}/{ck}"), p)));
    }
    out
}

/// The related cases a case page shows: (case, number of shared tags).
pub fn related(lib: &Library, case: usize) -> Vec<(usize, usize)> {
    lib.related(case, RELATED)
}
