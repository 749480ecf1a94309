//! The place pages: the tree of provinces and cities (`places/index.html`), a page per province
//! (its cities, then its cases) and a page per city (its cases by unit), paginated.

use crate::config::Language;
use crate::error::Result;
use crate::model::places::place_slug;
use crate::model::{Library, Place};
use crate::render::views::{page_path, pager, Link, Pager};
use crate::render::Renderer;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What `places.html` gets besides the page base.
#[derive(Serialize)]
struct PlacesPage {
    nodes: Vec<PlaceNode>,
}

/// A province (with its cities as children) or a city on the index of places.
#[derive(Serialize)]
struct PlaceNode {
    label: String,
    href: String,
    count: usize,
    children: Vec<PlaceNode>,
}

/// What `place.html` gets besides the page base: a province page has `children` and `cases`,
/// a city page `units`.
#[derive(Serialize)]
struct PlacePage {
    label: String,
    children: Vec<Link>,
    /// The city's cases by unit (district, street).
    units: Vec<Unit>,
    cases: Vec<tera::Value>,
    pager: Pager,
}

/// The cases of one unit of a city (a district, a street), on the city's page.
#[derive(Serialize)]
struct Unit {
    name: String,
    cases: Vec<tera::Value>,
}

/// One page of a province (no `city`) or of a city.
struct PlacePageJob<'a> {
    province: &'a String,
    city: Option<&'a String>,
    page: usize,
    total_pages: usize,
}

impl Renderer<'_> {
    pub(crate) fn places(&self) -> Result<()> {
        let root = "../";
        let tree = &self.place_index;
        let mut base = self.base(root, self.ui.text("places").to_string(), String::new(), "places", "places");
        base.breadcrumbs.push(self.crumb(format!("{root}places/index.html"), "places"));
        let nodes: Vec<PlaceNode> = tree
            .provinces
            .iter()
            .map(|(pk, p)| PlaceNode {
                label: p.label.clone(),
                href: format!("{}.html", pk),
                count: p.count,
                children: p
                    .cities
                    .iter()
                    .map(|(ck, c)| PlaceNode {
                        label: c.label.clone(),
                        href: format!("{pk}/{ck}.html"),
                        count: c.cases.len(),
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        self.page("places.html", "places/index.html", &base, &PlacesPage { nodes })?;

        let size = self.lib.config.page_size;
        // A province's cases: those of its cities and its own.
        let all: BTreeMap<&String, Vec<usize>> = tree
            .provinces
            .iter()
            .map(|(pk, p)| {
                let cases: BTreeSet<usize> =
                    p.cities.values().flat_map(|c| c.cases.iter().copied()).chain(p.direct.iter().copied()).collect();
                (pk, cases.into_iter().collect())
            })
            .collect();
        // Every page of every province and city, rendered in parallel.
        let mut jobs: Vec<PlacePageJob> = Vec::new();
        for (pk, p) in &tree.provinces {
            let total_pages = all[pk].len().div_ceil(size).max(1);
            jobs.extend((0..total_pages).map(|page| PlacePageJob { province: pk, city: None, page, total_pages }));
            for (ck, c) in &p.cities {
                let total_pages = c.cases.len().div_ceil(size).max(1);
                jobs.extend((0..total_pages).map(|page| PlacePageJob {
                    province: pk,
                    city: Some(ck),
                    page,
                    total_pages,
                }));
            }
        }
        jobs.into_par_iter().try_for_each(|PlacePageJob { province: pk, city, page, total_pages }| {
            let p = &tree.provinces[pk];
            let Some(ck) = city else {
                // Province page: its cities, then its cases.
                if !self.wants(&page_path(&format!("places/{pk}"), page)) {
                    return Ok(());
                }
                let root = "../";
                let mut base = self.base(root, p.label.clone(), String::new(), "place", "places");
                base.breadcrumbs.push(self.crumb(format!("{root}places/index.html"), "places"));
                let v = PlacePage {
                    label: p.label.clone(),
                    children: p
                        .cities
                        .iter()
                        .map(|(ck, c)| Link {
                            href: format!("{pk}/{ck}.html"),
                            label: format!("{} ({})", c.label, c.cases.len()),
                        })
                        .collect(),
                    units: Vec::new(),
                    cases: all[pk].iter().skip(page * size).take(size).map(|&i| self.item(i, root)).collect(),
                    pager: pager(pk, page, total_pages, ""),
                };
                return self.page("place.html", &page_path(&format!("places/{pk}"), page), &base, &v);
            };
            let c = &p.cities[ck];
            if !self.wants(&page_path(&format!("places/{pk}/{ck}"), page)) {
                return Ok(());
            }
            let root = "../../";
            let mut base = self.base(root, c.label.clone(), String::new(), "place", "places");
            base.breadcrumbs.push(self.crumb(format!("{root}places/index.html"), "places"));
            base.breadcrumbs.push(Link { href: format!("../{pk}.html"), label: p.label.clone() });
            let mut units: BTreeMap<String, Vec<tera::Value>> = BTreeMap::new();
            for &i in c.cases.iter().skip(page * size).take(size) {
                let case = &self.lib.cases[i];
                let unit = match (self.lang(), &case.place.unit_zh, &case.place.unit) {
                    (Language::ZhCn, Some(zh), _) => zh.clone(),
                    (_, _, Some(u)) => u.clone(),
                    (_, Some(zh), None) => zh.clone(),
                    _ => c.label.clone(),
                };
                units.entry(unit).or_default().push(self.item(i, root));
            }
            let v = PlacePage {
                label: c.label.clone(),
                children: Vec::new(),
                units: units.into_iter().map(|(name, cases)| Unit { name, cases }).collect(),
                cases: Vec::new(),
                pager: pager(ck, page, total_pages, ""),
            };
            self.page("place.html", &page_path(&format!("places/{pk}/{ck}"), page), &base, &v)
        })
    }
}

/// The library's provinces and cities, with their cases (for the place pages and the case pages'
/// place breadcrumbs).
pub(crate) struct PlaceTree {
    /// slug → province
    provinces: BTreeMap<String, ProvinceNode>,
}

struct ProvinceNode {
    label: String,
    count: usize,
    cities: BTreeMap<String, CityNode>,
    /// Cases with a province but no city.
    direct: Vec<usize>,
}

struct CityNode {
    label: String,
    cases: Vec<usize>,
}

impl PlaceTree {
    pub(crate) fn build(lib: &Library) -> PlaceTree {
        let zh = lib.config.language == Language::ZhCn;
        let pick = |en: &str, zh_name: &Option<String>| match (zh, zh_name) {
            (true, Some(z)) => format!("{z} {en}"),
            _ => en.to_string(),
        };
        let mut provinces: BTreeMap<String, ProvinceNode> = BTreeMap::new();
        for (i, c) in lib.cases.iter().enumerate() {
            let p = &c.place;
            let pk = place_slug(&p.province, "province");
            let node = provinces.entry(pk).or_insert_with(|| ProvinceNode {
                label: pick(&p.province, &p.province_zh),
                count: 0,
                cities: BTreeMap::new(),
                direct: Vec::new(),
            });
            node.count += 1;
            match &p.city {
                Some(city) => {
                    let ck = place_slug(city, "city");
                    node.cities
                        .entry(ck)
                        .or_insert_with(|| CityNode { label: pick(city, &p.city_zh), cases: Vec::new() })
                        .cases
                        .push(i);
                }
                None => node.direct.push(i),
            }
        }
        PlaceTree { provinces }
    }

    /// Breadcrumb links for a case's place: province page, city page.
    pub(crate) fn links(&self, p: &Place, root: &str) -> Vec<Link> {
        let pk = place_slug(&p.province, "province");
        let mut out = Vec::new();
        if let Some(node) = self.provinces.get(&pk) {
            out.push(Link { href: format!("{root}places/{pk}.html"), label: node.label.clone() });
            if let Some(city) = &p.city {
                let ck = place_slug(city, "city");
                if let Some(cn) = node.cities.get(&ck) {
                    out.push(Link { href: format!("{root}places/{pk}/{ck}.html"), label: cn.label.clone() });
                }
            }
        }
        out
    }
}
