//! The search page in a real browser, behind `cargo test --features browser-tests`.
//!
//! Builds the shipped library with the real binary, then drives Debian's headless Chromium
//! through `tests/cli/browser.mjs` (Node with the playwright-core of `scripts/node_modules`,
//! launched with the flags of `scripts/axe.mjs`), from `file://` and over HTTP under a sub-path
//! (`python3 -m http.server` serving a parent folder, the site at `/kb/`). It checks that every
//! case is found in English and in Chinese, that filters, links to sections, typing and the URL
//! state work, that the page breaks no rule of its Content-Security-Policy and requests nothing
//! outside the site, and that the page ranks like `casebook search --json`.
//!
//! With the feature on, a missing Chromium, Node or `scripts/node_modules` is a failure with a
//! message saying what to install — never a skip. `CHROMIUM=path` overrides `/usr/bin/chromium`.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use crate::support::{build_ok, BIN, MANIFEST_DIR};

/// Shard names of tokens, `[["token", "shard"], …]`: the table `browser_index` checks its
/// `shard_of` against, run here through the page's `shardOf`.
fn shard_examples() -> Vec<(String, String)> {
    serde_json::from_str(include_str!("../fixtures/shard_examples.json")).expect("shard_examples.json")
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// The shipped library, built once into a temporary folder: `<tmp>/site`.
fn site() -> &'static Path {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SITE
        .get_or_init(|| {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("site");
            // The search index goes beside the site, not into the repository's library.
            let index = tmp.path().join("index");
            build_ok(Path::new(MANIFEST_DIR), &out, &["--index-dir", index.to_str().unwrap()]);
            (tmp, out)
        })
        .1
}

/// The tantivy index of [`site`].
fn index() -> PathBuf {
    site().with_file_name("index")
}

/// `python3 -m http.server` serving a parent folder of the site, which appears at `/kb/`.
struct Server {
    child: Child,
    origin: String,
    _parent: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(site: &Path) -> Server {
    use std::io::{BufRead, BufReader};
    let parent = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(site, parent.path().join("kb")).unwrap();
    let mut child = Command::new("python3")
        .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
        .arg(parent.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("browser tests need python3 to serve the site over HTTP: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
    let port = line
        .split("port ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("http.server said: {line}"));
    Server { child, origin: format!("http://127.0.0.1:{port}"), _parent: parent }
}

/// Runs the driver on `tasks`; returns one result per task (see browser.mjs).
fn drive(tasks: Vec<Value>) -> Vec<Value> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    assert!(
        Path::new(&chromium).is_file(),
        "browser tests need Chromium at {chromium} (Debian: apt-get install chromium; or set CHROMIUM=path)"
    );
    let playwright = Path::new(MANIFEST_DIR).join("scripts/node_modules/playwright-core/index.mjs");
    assert!(
        playwright.is_file(),
        "browser tests need playwright-core: run `npm ci` in scripts/ ({} is missing)",
        playwright.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tasks.json");
    let config = json!({"chromium": chromium, "playwright": playwright, "tasks": tasks});
    std::fs::write(&file, serde_json::to_vec(&config).unwrap()).unwrap();
    let o = Command::new("node")
        .arg(Path::new(MANIFEST_DIR).join("tests/cli/browser.mjs"))
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("browser tests need Node.js (node) on the PATH: {e}"));
    assert!(o.status.success(), "the browser driver failed:\n{}", String::from_utf8_lossy(&o.stderr));
    let results: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("driver output: {e}"));
    for r in &results {
        let problems = r["problems"].as_array().unwrap();
        assert!(problems.is_empty(), "{}: {problems:#?}", r["name"]);
    }
    results
}

/// The search page's URL with a query string, from file:// or from the server.
fn page(base: &str, query: &[(&str, &str)]) -> String {
    let mut url = format!("{base}search.html");
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(k);
        url.push('=');
        url.push_str(&encode(v));
    }
    url
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn file_base() -> String {
    format!("file://{}/", site().display())
}

fn hits(state: &Value) -> Vec<String> {
    state["hits"].as_array().unwrap().iter().map(|h| h["case"].as_str().unwrap().to_string()).collect()
}

/// `casebook search QUERY --json` on the built site: the case ids, best first.
fn cli(query: &str, flags: &[&str], limit: usize) -> Vec<String> {
    cli_scored(query, flags, limit).into_iter().map(|(id, _)| id).collect()
}

/// [`cli`] with each case's score.
fn cli_scored(query: &str, flags: &[&str], limit: usize) -> Vec<(String, f64)> {
    let o = Command::new(BIN)
        .arg("search")
        .arg(query)
        .arg("--root")
        .arg(MANIFEST_DIR)
        .arg("--index-dir")
        .arg(index())
        .arg("--json")
        .arg("--limit")
        .arg(limit.to_string())
        .args(flags)
        .output()
        .unwrap();
    assert!(o.status.success(), "casebook search {query}: {}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap().iter();
    hits.map(|h| (h["id"].as_str().unwrap().to_string(), h["score"].as_f64().unwrap())).collect()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// A phrase of each case, in English and in Chinese, and the case it finds first.
const FINDS: &[(&str, &str)] = &[
    ("red wall consciousness", "west-changan"),
    ("红墙", "west-changan"),
    ("party building alliance", "guigang"),
    ("党建联盟", "guigang"),
    ("Tianhu", "tianhu"),
    ("天湖", "tianhu"),
    ("Urumqi", "urumqi"),
    ("乌鲁木齐", "urumqi"),
    ("Huaihe Road", "huaihe-road"),
    ("淮河路", "huaihe-road"),
];

#[test]
fn every_case_is_found_in_english_and_chinese_from_file_and_http() {
    let server = serve(site());
    let bases = [file_base(), format!("{}/kb/", server.origin)];
    let mut tasks = Vec::new();
    for base in &bases {
        for (q, _) in FINDS {
            tasks.push(json!({"name": format!("{base} {q}"), "url": page(base, &[("q", q)])}));
        }
    }
    let results = drive(tasks);
    for (r, (q, want)) in results.iter().zip(FINDS.iter().cycle()) {
        let got = hits(&r["final"]);
        assert_eq!(got.first().map(String::as_str), Some(*want), "{}: {got:?}", r["name"]);
        assert!(
            !r["final"]["hits"][0]["marked"].as_array().unwrap().is_empty() || q.contains(' '),
            "{}: nothing marked",
            r["name"]
        );
    }
}

#[test]
fn filters_links_typing_and_the_url_state() {
    let server = serve(site());
    let http = format!("{}/kb/", server.origin);
    let table = shard_examples();
    let examples: Vec<String> = table.iter().map(|(t, _)| serde_json::to_string(t).unwrap()).collect();
    let mut tasks = Vec::new();
    for base in [file_base(), http.clone()] {
        tasks.extend([
            // Browse everything, then tick a facet.
            json!({"name": format!("{base} facet"), "url": page(&base, &[]), "steps": [{"check": "forces=mass-cohesion"}, {"check": "level=street"}]}),
            // Follow the first hit to its section.
            json!({"name": format!("{base} follow"), "url": page(&base, &[("q", "红墙")]), "steps": [{"follow": 0}]}),
            // A shared link restores the query and the boxes.
            json!({"name": format!("{base} restore"), "url": page(&base, &[("q", "community"), ("forces", "mass-cohesion"), ("forces", "self-innovation")])}),
            // Typing searches as you type and keeps the state in the URL.
            json!({"name": format!("{base} typing"), "url": page(&base, &[]), "steps": [{"type": "alliance"}]}),
        ]);
    }
    tasks.push(json!({"name": "shardOf", "url": page(&http, &[]), "steps": [{"eval": format!("[{}].map((t) => window.CASEBOOK_SEARCH.shardOf(t))", examples.join(","))}]}));
    let results = drive(tasks);
    let by = |name: &str| results.iter().find(|r| r["name"].as_str().unwrap().ends_with(name)).unwrap();
    for base in [file_base(), http.clone()] {
        let r = results.iter().find(|r| r["name"] == format!("{base} facet")).unwrap();
        let all = &r["final"];
        let (first, second) = (&r["steps"][0], &r["steps"][1]);
        let cohesion = cli("", &["--force", "mass-cohesion"], 100);
        let both = cli("", &["--force", "mass-cohesion", "--level", "street"], 100);
        assert_eq!(hits(first), cohesion, "{base}: forces=mass-cohesion");
        assert_eq!(hits(second), both, "{base}: and level=street");
        assert!(all["url"].as_str().unwrap().contains("forces=mass-cohesion&level=street"), "{}", all["url"]);
        // Counts describe the results: the level facet counts within the chosen force.
        assert_eq!(first["counts"]["level:street"], format!("({})", both.len()));
        assert_eq!(first["counts"]["forces:mass-cohesion"], format!("({})", cohesion.len()));

        let r = results.iter().find(|r| r["name"] == format!("{base} follow")).unwrap();
        assert_eq!(r["final"]["hash"], "#red-wall-consciousness", "{}", r["final"]);
        assert_eq!(r["final"]["target"], true);
        // It opens the case with the query's words marked in its text.
        let url = r["final"]["url"].as_str().unwrap();
        assert!(url.contains("/cases/west-changan.html?highlight=%E7%BA%A2%E5%A2%99#"), "{url}");
        let marked = r["final"]["highlights"].as_array().unwrap();
        assert!(!marked.is_empty() && marked.iter().all(|m| m == "红墙"), "{marked:?}");

        let r = results.iter().find(|r| r["name"] == format!("{base} restore")).unwrap();
        assert_eq!(r["final"]["q"], "community");
        assert_eq!(r["final"]["checked"], json!(["forces=mass-cohesion", "forces=self-innovation"]));
        assert_eq!(
            hits(&r["final"]),
            cli("community", &["--force", "mass-cohesion", "--force", "self-innovation"], 10)
        );

        let r = results.iter().find(|r| r["name"] == format!("{base} typing")).unwrap();
        assert_eq!(r["final"]["q"], "alliance");
        assert!(r["final"]["url"].as_str().unwrap().ends_with("search.html?q=alliance"), "{}", r["final"]["url"]);
        assert_eq!(hits(&r["final"]), cli("alliance", &[], 10));
    }
    let shards = &by("shardOf")["steps"][0];
    let want: Vec<&str> = table.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(shards, &json!(want));
}

/// `casebook search QUERY`'s first result, in process (the CLI is `render_json` of the same
/// search): `term:VOCAB/ID` for an answer card, else `case:ID` (see `search::eval::ranked`).
fn cli_first(searcher: &casebook::search::Searcher, query: &str) -> Option<String> {
    let r = searcher.search(&casebook::search::Query::new(query)).unwrap();
    crate::search::eval::ranked(&r).into_iter().next()
}

/// The page's first result, named as [`cli_first`] names it.
fn page_first(state: &Value) -> Option<String> {
    match state["card"].as_str() {
        Some(term) => Some(format!("term:{term}")),
        None => hits(state).first().map(|id| format!("case:{id}")),
    }
}

#[test]
fn every_question_of_the_evaluation_set_gets_the_first_result_of_casebook_search() {
    let server = serve(site());
    let questions = crate::search::eval::questions();
    let bases = [file_base(), format!("{}/kb/", server.origin)];
    let texts: Vec<&str> = questions.iter().map(|q| q.q.as_str()).collect();
    // Typed in one after the other on one page (each question alone in the URL gives the same:
    // `every_case_is_found…` loads pages with a query).
    let tasks = bases
        .iter()
        .map(|base| json!({"name": base, "url": page(base, &[]), "steps": [{"queries": &texts}]}))
        .collect();
    let results = drive(tasks);
    let searcher = casebook::search::Searcher::open(&index()).unwrap();
    let mut differ = Vec::new();
    for r in &results {
        let firsts: Vec<Option<String>> = r["steps"][0].as_array().unwrap().iter().map(page_first).collect();
        for (q, got) in texts.iter().zip(&firsts) {
            let want = cli_first(&searcher, q);
            if *got != want {
                differ.push(format!("{} {q:?}: page {got:?}, casebook search {want:?}", r["name"]));
            }
        }
    }
    assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), 2 * texts.len(), differ.join("\n"));
}

#[test]
fn a_place_named_alone_is_the_answer_card_and_leads_to_its_page() {
    let server = serve(site());
    let mut tasks = Vec::new();
    for base in [file_base(), format!("{}/kb/", server.origin)] {
        tasks.push(json!({"name": format!("{base} card"), "url": page(&base, &[]), "steps": [{"queries": ["Urumchi"]}, {"follow_card": true}]}));
        tasks.push(json!({"name": format!("{base} more"), "url": page(&base, &[("q", "乌鲁木齐 党建")])}));
    }
    let results = drive(tasks);
    for r in &results {
        assert_eq!(r["problems"], json!([]), "{}: {}", r["name"], r["problems"]);
    }
    for pair in results.chunks(2) {
        // An English misspelling gives the city's card: its names, where it is, its one case.
        let card = &pair[0]["steps"][0][0];
        assert_eq!(card["card"], "places/xinjiang/urumqi", "{}", pair[0]["name"]);
        let text = card["cardText"].as_str().unwrap();
        assert!(text.contains("乌鲁木齐") && text.contains("Urumqi") && text.contains('1'), "{text}");
        let landed = pair[0]["final"]["url"].as_str().unwrap();
        assert!(landed.ends_with("/places/xinjiang/urumqi.html"), "{landed}");
        // Asking for more than the place: no card, the case first, as casebook search has it.
        assert_eq!(pair[1]["final"]["card"], Value::Null, "{}", pair[1]["name"]);
        assert_eq!(hits(&pair[1]["final"]), cli("乌鲁木齐 党建", &[], 10));
    }
}

#[test]
fn the_language_switch_leads_to_the_same_section_and_query_in_the_other_language() {
    let server = serve(site());
    let mut tasks = Vec::new();
    for base in [file_base(), format!("{}/kb/", server.origin)] {
        let case = format!("{base}cases/west-changan.html#red-wall-consciousness");
        let steps = json!([{"switch_to": "en"}, {"switch_to": "zh-CN"}]);
        tasks.push(json!({"name": format!("{base} case"), "url": case, "base": base, "steps": steps}));
        let steps = json!([{"queries": ["红墙"]}, {"switch_to": "en"}]);
        tasks.push(json!({"name": format!("{base} search"), "url": page(&base, &[]), "steps": steps}));
    }
    let results = drive(tasks);
    for r in &results {
        assert_eq!(r["problems"], json!([]), "{}: {}", r["name"], r["problems"]);
    }
    for pair in results.chunks(2) {
        let (there, back) = (&pair[0]["steps"][0], &pair[0]["steps"][1]);
        let url = there["url"].as_str().unwrap();
        assert!(url.ends_with("/en/cases/west-changan.html#red-wall-consciousness"), "{url}");
        assert_eq!((there["lang"].as_str(), there["target"].as_bool()), (Some("en"), Some(true)), "{there}");
        // The English original: no notice, no lang of its own.
        assert_eq!((&there["bodyLang"], &there["notice"]), (&Value::Null, &Value::Null));
        let url = back["url"].as_str().unwrap();
        assert!(url.ends_with("/cases/west-changan.html#red-wall-consciousness") && !url.contains("/en/"), "{url}");
        assert_eq!((back["lang"].as_str(), back["target"].as_bool()), (Some("zh-CN"), Some(true)), "{back}");
        // On the Chinese page the result shows the case's Chinese text, the query marked in it.
        let zh = &pair[1]["steps"][0][0];
        assert!(zh["hits"][0]["marked"].as_array().unwrap().contains(&json!("红墙")), "{zh}");
        // The English search page, the same query, the same first result.
        let search = &pair[1]["final"];
        assert!(search["url"].as_str().unwrap().ends_with("/en/search.html?q=%E7%BA%A2%E5%A2%99"), "{}", search["url"]);
        assert_eq!((search["lang"].as_str(), search["q"].as_str()), (Some("en"), Some("红墙")));
        assert_eq!(hits(search).first(), cli("红墙", &[], 10).first());
    }
}

/// Scores closer than this are ties for the page: its weights are rounded to hundredths, so
/// up to half of one per text field and word of a two-word query (8 × 2 × 0.005 = 0.08) apart.
const TIED: f64 = 0.1;

#[test]
fn ranks_like_casebook_search() {
    let queries = [
        "alliance",
        "red wall",
        "political function",
        "grassroots governance",
        "community",
        "红墙意识",
        "组织力",
        "形式主义",
        "社区",
        "党建联盟",
        "formalism",
        "party building",
    ];
    // Each language's page ranks as `casebook search --lang` does: its own language's text first.
    let readers = [("zh-CN", file_base()), ("en", format!("{}en/", file_base()))];
    let asked: Vec<(&str, &str, String)> = readers
        .iter()
        .flat_map(|(lang, base)| queries.iter().map(move |q| (*lang, *q, page(base, &[("q", q)]))))
        .collect();
    // The English pages load the site's one set of assets, from the folder above them.
    let tasks = asked
        .iter()
        .map(|(lang, q, url)| json!({"name": format!("{lang} {q}"), "url": url, "base": file_base()}))
        .collect();
    let results = drive(tasks);
    for ((lang, q, _), r) in asked.iter().zip(&results) {
        let page: Vec<String> = hits(&r["final"]).into_iter().take(3).collect();
        let want = cli_scored(q, &["--lang", lang], 10);
        // The page's weights are whole hundredths (browser_index::postings::WEIGHT_SCALE), so
        // cases whose scores differ by less than that per field may come in either order.
        let score = |id: &str| want.iter().find(|(w, _)| w == id).map(|(_, s)| *s);
        let agree = page.len() == want.len().min(3)
            && page
                .iter()
                .zip(&want)
                .all(|(got, (id, s))| got == id || score(got).is_some_and(|g| (g - s).abs() < TIED));
        assert!(agree, "{lang} {q}: the page's top 3 {page:?} differ from casebook search's {want:?}");
    }
}

/// What a phone's screen shows: the layout of the page, as the test reads it in the page.
const LAYOUT: &str = r##"(() => {
  const top = (sel) => { const e = document.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect(); return r.width || r.height ? r.top + scrollY : null; };
  const wide = Array.from(document.querySelectorAll("body *")).filter((e) => {
    if (e.closest(".table-scroll")) return false; // a table scrolls in its own box
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > innerWidth + 1;
  }).map((e) => e.tagName + "." + e.className);
  const small = Array.from(document.querySelectorAll("#filters-toggle, .facets.open label, .search-page button")).filter((e) => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height < 44;
  }).map((e) => e.tagName + "." + e.className + " " + e.getBoundingClientRect().height);
  const toggle = document.getElementById("filters-toggle");
  return { results: top("#results li[data-case]"), facets: top("#facets"), wide, small,
           toggle: toggle && !toggle.hidden ? toggle.textContent.trim() : null,
           expanded: toggle ? toggle.getAttribute("aria-expanded") : null };
})()"##;

#[test]
fn on_a_phone_the_results_come_first_and_the_filters_open_on_demand() {
    let mut tasks = Vec::new();
    for base in [file_base(), format!("{}en/", file_base())] {
        let url = page(&base, &[("q", "community"), ("forces", "mass-cohesion")]);
        let steps = json!([{"eval": LAYOUT}, {"click": "#filters-toggle"}, {"eval": LAYOUT}]);
        tasks.push(json!({"name": format!("{base} phone"), "url": url, "base": file_base(), "viewport": [390, 844], "steps": steps}));
        for page in ["index.html", "matrix.html", "cases/huaihe-road.html", "forces/mass-cohesion.html"] {
            let url = format!("{base}{page}");
            tasks.push(json!({"name": url, "url": url, "base": file_base(), "viewport": [390, 844], "steps": [{"eval": LAYOUT}]}));
        }
    }
    for r in drive(tasks) {
        let name = r["name"].as_str().unwrap();
        for step in r["steps"].as_array().unwrap() {
            assert_eq!(step["wide"], json!([]), "{name}: wider than the screen");
        }
        if !name.ends_with(" phone") {
            continue;
        }
        let (closed, open) = (&r["steps"][0], &r["steps"][1]);
        // The results first: the facets are folded away, behind a button counting the ticked one.
        assert!(closed["results"].as_f64().is_some() && closed["facets"].is_null(), "{name}: {closed}");
        assert!(closed["toggle"].as_str().unwrap().ends_with("(1)"), "{name}: {closed}");
        assert_eq!(open["expanded"], "true", "{name}");
        assert!(open["facets"].as_f64().is_some(), "{name}: the facets open: {open}");
        assert_eq!(open["small"], json!([]), "{name}: tap targets under 44 px");
    }
}

/// A library made by `casebook init`, in each language, built and searched in the browser:
/// its own vocabularies and levels are the page's facets, and the page finds its sample case
/// by words and by each facet, from file://.
#[test]
fn the_search_page_of_a_library_made_by_init() {
    for lang in ["en", "zh-CN"] {
        let lib = crate::support::Lib::not_yet();
        let run = lib.run_in(lib.tmp.path(), &["init", "lib", "--lang", lang]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let site = lib.build("site", &[]);
        let base = format!("file://{}/", site.display());
        let words = if lang == "en" { "working group" } else { "工作小组" };
        let tasks = vec![
            json!({"name": format!("{lang} words"), "url": page(&base, &[("q", words)])}),
            json!({"name": format!("{lang} facets"), "url": page(&base, &[]), "steps": [{"check": "methods=shared-budget"}, {"check": "level=local"}]}),
        ];
        let results = drive(tasks);
        assert_eq!(hits(&results[0]["final"]).first().map(String::as_str), Some("sample-case"), "{lang}");
        let (first, second) = (&results[1]["steps"][0], &results[1]["steps"][1]);
        assert_eq!(hits(first), ["sample-case"], "{lang}: methods=shared-budget");
        assert_eq!(hits(second), ["sample-case"], "{lang}: and level=local");
        assert_eq!(first["counts"]["themes:participation"], "(1)", "{lang}");
        assert_eq!(first["counts"]["level:regional"], "(0)", "{lang}");
    }
}
