//! The library's named places: its provinces and cities, each of which has a page, with every
//! name a reader may call it by. The place pages, the search index and the answer cards of
//! search all read them from here, so a place's file name and names are worked out once.

use super::{slug, Case};
use std::collections::BTreeMap;

/// A province or city of the library.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NamedPlace {
    /// The province, and the city for a city, as the cases write them (English).
    pub path: Vec<String>,
    /// Relative to the site root: `places/PROVINCE.html` or `places/PROVINCE/CITY.html`.
    pub url: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name_zh: Option<String>,
    /// Where it is, in English (`Zhengzhou, Henan`) and in Chinese when the cases give it (`河南省郑州市`).
    pub within: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub within_zh: Option<String>,
    /// Every name a query may give it: the names, their [short forms](short_name), and the
    /// other names of `place_aliases`; each once, in that order.
    pub names: Vec<String>,
    pub cases: usize,
}

/// The file name of a province or city (`fallback` when the name has no letters to keep).
pub fn place_slug(name: &str, fallback: &str) -> String {
    let s = slug(name);
    if s.is_empty() {
        slug(fallback)
    } else {
        s
    }
}

/// Chinese administrative suffixes, longest first: 河南省 is also called 河南.
const SUFFIXES_ZH: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "街道",
    "社区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "州",
    "盟",
    "旗",
    "镇",
    "乡",
    "村",
];

/// English administrative words at the end of a name: Erqi District is also called Erqi.
const SUFFIXES_EN: &[&str] = &[
    "autonomous region",
    "special administrative region",
    "province",
    "city",
    "prefecture",
    "district",
    "county",
    "subdistrict",
    "street",
    "community",
    "town",
    "township",
    "village",
];

/// The name without its administrative suffix (河南省 → 河南, `Erqi District` → `Erqi`), when
/// what is left is still a name: at least two Chinese characters, or a whole English word.
pub fn short_name(name: &str) -> Option<&str> {
    let name = name.trim();
    for suffix in SUFFIXES_ZH {
        if let Some(rest) = name.strip_suffix(suffix) {
            if rest.chars().count() >= 2 && !rest.ends_with(char::is_whitespace) {
                return Some(rest);
            }
        }
    }
    let lower = name.to_lowercase();
    for suffix in SUFFIXES_EN {
        if lower.ends_with(suffix) && lower.len() == name.len() {
            let rest = name[..name.len() - suffix.len()].trim_end();
            if rest.len() < name.len() - suffix.len() && rest.chars().any(char::is_alphabetic) {
                return Some(rest);
            }
        }
    }
    None
}

/// Every name of one place: the given names, their short forms, and their aliases.
pub fn all_names<'a>(given: &[&'a str], aliases: &'a BTreeMap<String, Vec<String>>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let mut add = |n: &'a str| {
        if !n.trim().is_empty() && !out.contains(&n) {
            out.push(n);
        }
    };
    for &n in given {
        add(n);
    }
    for &n in given {
        if let Some(short) = short_name(n) {
            add(short);
        }
    }
    for &n in given {
        for alias in aliases.get(n).into_iter().flatten() {
            add(alias);
        }
    }
    out
}

/// The provinces and cities of `cases`, each province before its cities, in file-name order.
/// A name's Chinese form and the case count come from every case filed there.
pub fn named_places(cases: &[Case], aliases: &BTreeMap<String, Vec<String>>) -> Vec<NamedPlace> {
    #[derive(Default)]
    struct Gathered {
        path: Vec<String>,
        name: String,
        name_zh: Option<String>,
        within_zh: Option<String>,
        cases: usize,
    }
    let mut found: BTreeMap<(String, String), Gathered> = BTreeMap::new();
    for case in cases {
        let p = &case.place;
        let pk = place_slug(&p.province, "province");
        let province = found.entry((pk.clone(), String::new())).or_default();
        province.path = vec![p.province.clone()];
        province.name.clone_from(&p.province);
        if province.name_zh.is_none() {
            province.name_zh.clone_from(&p.province_zh);
            province.within_zh.clone_from(&p.province_zh);
        }
        province.cases += 1;
        if let Some(city) = &p.city {
            let entry = found.entry((pk, place_slug(city, "city"))).or_default();
            entry.path = vec![p.province.clone(), city.clone()];
            entry.name.clone_from(city);
            if entry.name_zh.is_none() {
                entry.name_zh.clone_from(&p.city_zh);
                entry.within_zh = p.city_zh.as_ref().map(|c| {
                    let province = p.province_zh.as_deref().unwrap_or("");
                    if c.starts_with(province) {
                        c.clone()
                    } else {
                        format!("{province}{c}")
                    }
                });
            }
            entry.cases += 1;
        }
    }
    found
        .into_iter()
        .map(|((pk, ck), g)| {
            let url = if ck.is_empty() { format!("places/{pk}.html") } else { format!("places/{pk}/{ck}.html") };
            let mut within: Vec<&str> = g.path.iter().rev().map(String::as_str).collect();
            within.dedup();
            let given: Vec<&str> = std::iter::once(g.name.as_str()).chain(g.name_zh.as_deref()).collect();
            NamedPlace {
                names: all_names(&given, aliases).into_iter().map(str::to_string).collect(),
                within: within.join(", "),
                path: g.path,
                url,
                name: g.name,
                name_zh: g.name_zh,
                within_zh: g.within_zh,
                cases: g.cases,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_an_administrative_suffix_only_when_a_name_is_left() {
        assert_eq!(short_name("河南省"), Some("河南"));
        assert_eq!(short_name("乌鲁木齐市"), Some("乌鲁木齐"));
        assert_eq!(short_name("新疆维吾尔自治区"), Some("新疆"));
        assert_eq!(short_name("淮河路街道"), Some("淮河路"));
        assert_eq!(short_name("Erqi District"), Some("Erqi"));
        assert_eq!(short_name("Zhengzhou City"), Some("Zhengzhou"));
        assert_eq!(short_name("Xinjiang Uygur Autonomous Region"), Some("Xinjiang Uygur"));
        // Too short to stand alone, or the suffix is the whole word.
        assert_eq!(short_name("沙市"), None);
        assert_eq!(short_name("City"), None);
        assert_eq!(short_name("Velocity"), None);
        assert_eq!(short_name("Henan"), None);
    }

    #[test]
    fn all_names_keep_each_name_once_with_short_forms_and_aliases() {
        let aliases = BTreeMap::from([("Urumqi".to_string(), vec!["Urumchi".to_string(), "Urumqi".to_string()])]);
        assert_eq!(all_names(&["Urumqi", "乌鲁木齐市"], &aliases), ["Urumqi", "乌鲁木齐市", "乌鲁木齐", "Urumchi"]);
    }
}
