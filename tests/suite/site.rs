//! The qualities of `casebook build` (issue 3): the site is self-contained, satisfies its own
//! Content-Security-Policy, never lets a case's raw HTML script or style a page, is
//! byte-identical from build to build, is replaced atomically, can be themed by a library's own
//! templates, works under any sub-path, speaks both UI languages, has every page kind, paginates
//! long lists and picks up a fourth vocabulary with no code change.
//!
//! Each test builds a real library (the shipped `cases/`, a fixture under
//! `tests/fixtures/site-*/`, or one generated here into a temporary folder) with the real
//! binary and inspects the files it wrote. Pages are read with a small attribute scanner below,
//! not a browser: the browser and validator checks live in `scripts/check-html.sh`.
//!
//! Self-contained on purpose: this module shares no helper with the rest of `tests/cli.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

const BIN: &str = env!("CARGO_BIN_EXE_casebook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The search engine's own index files are not byte-deterministic (tantivy segment files);
/// everything else in the output is.
const TANTIVY_DIR: &str = "_search/tantivy/";

/// Runs `casebook build --root ROOT --out OUT [extra]`, colour off.
fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run casebook")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds and panics with casebook's stderr if the build fails.
fn build_ok(root: &Path, out: &Path, extra: &[&str]) {
    let o = build(root, out, extra);
    assert!(o.status.success(), "build of {} failed ({:?}):\n{}", root.display(), o.status.code(), stderr(&o));
}

use crate::copy_dir;

/// A temporary folder holding a library at `<tmp>/lib` (so `<tmp>` itself is "outside" it).
struct Lib {
    tmp: tempfile::TempDir,
}

impl Lib {
    fn empty() -> Lib {
        let lib = Lib { tmp: tempfile::tempdir().expect("temp dir") };
        fs::create_dir_all(lib.root().join("cases")).unwrap();
        lib
    }

    /// A copy of the shipped library: `cases/` and nothing else.
    fn shipped() -> Lib {
        let lib = Lib { tmp: tempfile::tempdir().expect("temp dir") };
        copy_dir(&Path::new(MANIFEST_DIR).join("cases"), &lib.root().join("cases"));
        lib
    }

    /// A copy of `tests/fixtures/<name>`.
    fn fixture(name: &str) -> Lib {
        let lib = Lib { tmp: tempfile::tempdir().expect("temp dir") };
        copy_dir(&Path::new(MANIFEST_DIR).join("tests/fixtures").join(name), &lib.root());
        lib
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("lib")
    }

    /// A path outside the library, inside the temporary folder.
    fn outside(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    /// Builds into `<tmp>/<name>` and returns that folder.
    fn build(&self, name: &str, extra: &[&str]) -> PathBuf {
        let out = self.outside(name);
        build_ok(&self.root(), &out, extra);
        out
    }
}

/// Every file under `dir` by `/`-separated relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The HTML pages of a built site: relative path → text.
fn pages(site: &Path) -> BTreeMap<String, String> {
    tree(site)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).expect("pages are UTF-8")))
        .collect()
}

fn read(site: &Path, rel: &str) -> String {
    fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Files that differ between two trees (or exist in one only), ignoring the tantivy index.
fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).filter(|k| !k.starts_with(TANTIVY_DIR)).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

fn fail_if_any(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s), first ones:\n  {}",
        problems.len(),
        problems.iter().take(25).cloned().collect::<Vec<_>>().join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// A small HTML scanner: start tags, their attributes (entities decoded) and raw-text contents
// ---------------------------------------------------------------------------------------------

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// The tag's own source, `<name ...>`.
    raw: String,
    /// Contents of raw-text elements (script, style, textarea, title); empty otherwise.
    text: String,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The start tags of `html`, in order. Comments, doctypes and end tags are skipped.
fn scan(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| start + e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = rest.find('>').map_or(html.len(), |e| start + e + 1);
            continue;
        }
        if !b.get(start + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        let mut j = start + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[start + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            let name_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr = html[name_start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j] as char;
                    let value_start = j + 1;
                    let value_end = html[value_start..].find(quote).map_or(html.len(), |e| value_start + e);
                    value = decode_entities(&html[value_start..value_end]);
                    j = (value_end + 1).min(html.len());
                } else {
                    let value_start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[value_start..j]);
                }
            }
            attrs.push((attr, value));
        }
        let raw = html[start..j].to_string();
        let mut text = String::new();
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            // ASCII lower-casing keeps byte offsets.
            let close = format!("</{name}");
            let end = html[j..].to_ascii_lowercase().find(&close).map_or(html.len(), |e| j + e);
            text = html[j..end].to_string();
            j = end;
        }
        out.push(Tag { name, attrs, raw, text });
        i = j;
    }
    out
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let decoded = after.find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let n = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (e, c))
        });
        match decoded {
            Some((e, c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Attributes whose value is a URL the browser may follow or load.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "cite",
    "background",
    "xlink:href",
    "manifest",
    "icon",
    "ping",
];

/// `javascript:`, as a browser would read it: case and white space/control characters ignored.
fn is_script_url(url: &str) -> bool {
    let squeezed: String =
        url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    squeezed.starts_with("javascript:") || squeezed.starts_with("vbscript:")
}

/// The scheme of a URL (`https`, `data`, ...), if it has one.
fn scheme(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let first_sep = url.find(['/', '?', '#']).unwrap_or(url.len());
    (colon < first_sep).then(|| url[..colon].trim().to_ascii_lowercase())
}

/// Resolves a relative `path` against the page at `page` (both `/`-separated, inside the site).
fn resolve(page: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The ids of every element of every page.
fn ids_of(pages: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    pages
        .iter()
        .map(|(p, html)| (p.clone(), scan(html).iter().filter_map(|t| t.attr("id").map(str::to_string)).collect()))
        .collect()
}

/// Checks every URL of every page but 404.html: relative, no scheme, resolving to a file of the
/// site, and any `#fragment` naming an id of its target page.
fn link_problems(site: &Path) -> Vec<String> {
    let pages = pages(site);
    let ids = ids_of(&pages);
    let mut problems = Vec::new();
    for (page, html) in &pages {
        if page == "404.html" {
            continue;
        }
        for tag in scan(html) {
            for (attr, value) in &tag.attrs {
                if !URL_ATTRS.contains(&attr.as_str()) {
                    continue;
                }
                let url = if attr == "srcset" { value.split_whitespace().next().unwrap_or("") } else { value.as_str() };
                let at = format!("{page}: <{} {attr}=\"{value}\">", tag.name);
                if url.trim().is_empty() {
                    problems.push(format!("{at}: empty URL"));
                    continue;
                }
                if url.starts_with('/') || url.starts_with('\\') {
                    problems
                        .push(format!("{at}: not relative (the site must work under any sub-path and from file://)"));
                    continue;
                }
                if let Some(s) = scheme(url) {
                    problems.push(format!("{at}: has a scheme `{s}:` (no external resource, no absolute link)"));
                    continue;
                }
                let (before_fragment, fragment) = url.split_once('#').map_or((url, None), |(a, f)| (a, Some(f)));
                let path = before_fragment.split('?').next().unwrap_or("");
                let target = if path.is_empty() {
                    page.clone()
                } else {
                    match resolve(page, path) {
                        Some(t) => t,
                        None => {
                            problems.push(format!("{at}: leaves the site"));
                            continue;
                        }
                    }
                };
                if path.ends_with('/') || !site.join(&target).is_file() {
                    problems.push(format!(
                        "{at}: {target} is not a file of the site (file:// serves no index.html for a folder)"
                    ));
                    continue;
                }
                if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                    match ids.get(&target) {
                        Some(set) if set.contains(f) => {}
                        Some(_) => problems.push(format!("{at}: no element with id `{f}` in {target}")),
                        None => problems.push(format!("{at}: fragment `#{f}` into {target}, which is not a page")),
                    }
                }
            }
        }
    }
    problems
}

/// Checks that every page satisfies a strict Content-Security-Policy of its own: a CSP meta
/// before anything it governs, without unsafe sources, and nothing inline for it to forbid.
fn csp_problems(site: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, html) in pages(site) {
        let tags = scan(&html);
        let csp: Vec<(usize, &Tag)> = tags
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.name == "meta"
                    && t.attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy"))
            })
            .collect();
        match csp.as_slice() {
            [(at, meta)] => {
                let content = meta.attr("content").unwrap_or("");
                for bad in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"] {
                    if content.contains(bad) {
                        problems.push(format!("{page}: the CSP allows {bad}: {content}"));
                    }
                }
                if !content.contains("default-src") {
                    problems.push(format!("{page}: the CSP has no default-src: {content}"));
                }
                if let Some(first) =
                    tags.iter().position(|t| matches!(t.name.as_str(), "script" | "link" | "style" | "img"))
                {
                    if first < *at {
                        problems.push(format!(
                            "{page}: <{}> comes before the CSP meta, which does not govern it",
                            tags[first].name
                        ));
                    }
                }
            }
            [] => problems.push(format!("{page}: no <meta http-equiv=\"Content-Security-Policy\">")),
            _ => problems.push(format!("{page}: {} CSP metas", csp.len())),
        }
        for t in &tags {
            match t.name.as_str() {
                "script" if t.attr("src").is_none() || !t.text.trim().is_empty() => problems.push(format!(
                    "{page}: inline script {}{}",
                    t.raw,
                    t.text.chars().take(60).collect::<String>()
                )),
                "style" => problems.push(format!("{page}: <style> element")),
                _ => {}
            }
            for (attr, value) in &t.attrs {
                if attr.starts_with("on") {
                    problems.push(format!("{page}: event handler attribute in {}", t.raw));
                }
                if attr == "style" {
                    problems.push(format!("{page}: style attribute in {}", t.raw));
                }
                if URL_ATTRS.contains(&attr.as_str()) && is_script_url(value) {
                    problems.push(format!("{page}: javascript: URL in {}", t.raw));
                }
            }
        }
    }
    problems
}

/// A minimal well-formedness check of an XML document: balanced, properly nested elements under
/// one root, quoted attributes, and only the five predefined or numeric entities.
fn xml_root(text: &str) -> Result<String, String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut stack: Vec<String> = Vec::new();
    let mut root = None;
    let mut i = 0;
    let check_text = |s: &str| -> Result<(), String> {
        let mut rest = s;
        while let Some(p) = rest.find('&') {
            let after = &rest[p + 1..];
            let e = after.find(';').ok_or_else(|| format!("bare & in {s:?}"))?;
            let name = &after[..e];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name.strip_prefix("#x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name.strip_prefix('#').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("unknown entity &{name};"));
            }
            rest = &after[e + 1..];
        }
        Ok(())
    };
    while let Some(off) = body[i..].find('<') {
        let text_part = &body[i..i + off];
        if stack.is_empty() && !text_part.trim().is_empty() {
            return Err(format!("text outside the root element: {text_part:?}"));
        }
        check_text(text_part)?;
        let start = i + off;
        let rest = &body[start..];
        if let Some(r) = rest.strip_prefix("<?") {
            let e = r.find("?>").ok_or("unclosed <?")?;
            i = start + 2 + e + 2;
            continue;
        }
        if let Some(r) = rest.strip_prefix("<!--") {
            let e = r.find("-->").ok_or("unclosed comment")?;
            i = start + 4 + e + 3;
            continue;
        }
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let e = r.find("]]>").ok_or("unclosed CDATA")?;
            i = start + 9 + e + 3;
            continue;
        }
        // Find the end of the tag, skipping quoted attribute values.
        let mut end = None;
        let mut quote = None;
        for (k, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => return Err(format!("< in an attribute value at byte {start}")),
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '<') => return Err(format!("< inside a tag at byte {start}")),
                (None, '>') => {
                    end = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| format!("unclosed tag at byte {start}"))?;
        let inner = &rest[1..end];
        i = start + end + 1;
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name = inner.split(|c: char| c.is_whitespace()).next().unwrap_or("").to_string();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.')) {
            return Err(format!("bad element name {name:?}"));
        }
        // Attributes: name="value" pairs.
        let mut attrs = inner[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs.find('=').ok_or_else(|| format!("attribute without value in <{inner}>"))?;
            let after = attrs[eq + 1..].trim_start();
            let q = after
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or_else(|| format!("unquoted attribute in <{inner}>"))?;
            let close = after[1..].find(q).ok_or("unclosed attribute value")?;
            check_text(&after[1..1 + close])?;
            attrs = after[1 + close + 1..].trim_start();
        }
        if stack.is_empty() {
            if root.is_some() {
                return Err(format!("a second root element <{name}>"));
            }
            root = Some(name.clone());
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if !body[i..].trim().is_empty() {
        return Err("text after the root element".into());
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    root.ok_or_else(|| "no root element".into())
}

// ---------------------------------------------------------------------------------------------
// Generated libraries
// ---------------------------------------------------------------------------------------------

const GEN_TAXONOMY: &str = r#"# Generated by tests/suite/site.rs.
forces:
  label: Forces
  label_zh: 五力
  terms:
    - {id: political-leadership, label: Political leadership, label_zh: 政治领导力, definition: Leading core.}
    - {id: ideological-leadership, label: Ideological leadership, label_zh: 思想引领力, definition: Shaping thinking.}
    - {id: mass-cohesion, label: Mass cohesion, label_zh: 群众凝聚力, definition: Uniting residents.}
    - {id: organizational-coverage, label: Organizational coverage, label_zh: 组织覆盖力, definition: Reach of the organization.}
    - {id: self-innovation, label: Self-innovation, label_zh: 自我革新力, definition: Reforming itself.}
practices:
  - {id: shared-practice, label: Shared practice, label_zh: 共同做法, definition: Used by many cases., forces: [mass-cohesion]}
  - {id: party-building-alliance, label: Party building alliance, label_zh: 党建联盟, definition: Units join forces., forces: [organizational-coverage]}
  - {id: red-property, label: Red property management, label_zh: 红色物业, definition: Party building leads property management., forces: [mass-cohesion]}
  - {id: grid-governance, label: Grid governance, label_zh: 网格化治理, definition: The community is divided into grids., forces: [organizational-coverage]}
  - {id: theory-study, label: Theory study, label_zh: 理论学习, definition: Members study together., forces: [ideological-leadership]}
  - {id: pilot-reform, label: Pilot reform, label_zh: 试点改革, definition: Trying a new way first., forces: [self-innovation]}
problems:
  - {id: mass-cohesion-weak, label: Mass cohesion weak, label_zh: 群众凝聚力有待加强, definition: Residents are not united., forces: [mass-cohesion]}
  - {id: governance-synergy-not-formed, label: Governance synergy not formed, label_zh: 多元共治合力尚未形成, definition: Actors work separately., forces: [organizational-coverage]}
  - {id: formalism, label: Formalism, label_zh: 形式主义, definition: Form over substance., forces: [self-innovation]}
"#;

const GEN_FORCES: &[&str] =
    &["political-leadership", "ideological-leadership", "mass-cohesion", "organizational-coverage", "self-innovation"];
const GEN_PRACTICES: &[&str] =
    &["party-building-alliance", "red-property", "grid-governance", "theory-study", "pilot-reform"];
const GEN_PROBLEMS: &[&str] = &["mass-cohesion-weak", "governance-synergy-not-formed", "formalism"];
/// (province, Chinese name, [(city, Chinese name)]).
type GenPlace = (&'static str, &'static str, &'static [(&'static str, &'static str)]);
const GEN_PLACES: &[GenPlace] = &[
    ("Henan", "河南省", &[("Zhengzhou", "郑州市"), ("Luoyang", "洛阳市")]),
    ("Fujian", "福建省", &[("Fuzhou", "福州市"), ("Fuding", "福鼎市"), ("Xiamen", "厦门市")]),
    ("Guangxi", "广西壮族自治区", &[("Guigang", "贵港市")]),
    ("Beijing", "北京市", &[("Beijing", "北京市")]),
];

/// Writes `n` small valid cases (and a taxonomy) into `lib`. With `shared`, every case is
/// tagged with the practice `shared-practice` (in a section, so each has an excerpt).
fn generate(lib: &Lib, n: usize, shared: bool) {
    lib.write("cases/taxonomy.yaml", GEN_TAXONOMY);
    for i in 0..n {
        let f1 = GEN_FORCES[i % 5];
        let f2 = GEN_FORCES[(i / 5 + i + 1) % 5];
        let forces = if f1 == f2 || i % 3 == 0 { format!("[{f1}]") } else { format!("[{f1}, {f2}]") };
        let practice = if shared { "shared-practice" } else { GEN_PRACTICES[(i / 3) % GEN_PRACTICES.len()] };
        let problem = GEN_PROBLEMS[i % GEN_PROBLEMS.len()];
        let (province, province_zh, cities) = GEN_PLACES[i % GEN_PLACES.len()];
        let (city, city_zh) = cities[(i / GEN_PLACES.len()) % cities.len()];
        let level = ["street", "community", "city"][i % 3];
        let text = format!(
            "---\nid: gen-{i:04}\ntitle: \"Generated case {i}: community number {i}\"\ntitle_zh: \"生成案例 {i}：第 {i} 号社区\"\n\
             place:\n  province: {province}\n  province_zh: {province_zh}\n  city: {city}\n  city_zh: {city_zh}\n  unit: Unit {i}\n  unit_zh: 第{i}社区\n\
             level: {level}\nforces: {forces}\npractices: [{practice}]\nproblems: [{problem}]\n\
             summary: \"Case {i} joined the Party organizations of its units; residents took part in governance.\"\n\
             summary_zh: \"案例 {i}：社区党组织联合辖区单位，居民参与社区治理。\"\n\
             sources:\n  - \"Generated for a test\"\n---\n\n\
             ## Background {{#background}}\n\n社区党组织在第 {i} 号社区开展工作。The community had many units that worked separately.\n\n\
             ## Practice {{#practice practice={practice} forces=\"{f1}\"}}\n\n党建引领，共建共治共享。The units now meet every month (case {i}).\n\n\
             ## Results {{#results}}\n\nResidents are more satisfied.\n"
        );
        let folder = province.to_ascii_lowercase();
        lib.write(&format!("cases/{folder}/gen-{i:04}.md"), text);
    }
}

/// The distinct case ids a page links to (`../cases/ID.html`, with or without a fragment).
fn linked_cases(html: &str, prefix: &str) -> BTreeSet<String> {
    scan(html)
        .iter()
        .filter(|t| t.name == "a")
        .filter_map(|t| t.attr("href"))
        .filter_map(|h| h.strip_prefix(prefix))
        .filter_map(|h| h.split('#').next().and_then(|h| h.strip_suffix(".html")))
        .filter(|id| *id != "index" && !id.starts_with("index-"))
        .map(str::to_string)
        .collect()
}

fn hrefs(html: &str) -> BTreeSet<String> {
    scan(html).iter().filter_map(|t| t.attr("href").map(str::to_string)).collect()
}

fn slug(s: &str) -> String {
    let lower: String = s.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    lower.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

// ---------------------------------------------------------------------------------------------
// 1. Self-contained
// ---------------------------------------------------------------------------------------------

/// Every link of the shipped site is relative and resolves, every anchor exists, and nothing is
/// loaded from outside: the site works from a shared drive and under any sub-path.
#[test]
fn site_is_self_contained() {
    let lib = Lib::shipped();
    let site = lib.build("site", &[]);
    assert!(site.join("404.html").is_file(), "404.html is missing");
    fail_if_any("links", &link_problems(&site));

    let mut problems = Vec::new();
    for (page, html) in pages(&site) {
        for t in scan(&html) {
            for (attr, value) in &t.attrs {
                let lower = value.to_ascii_lowercase();
                if URL_ATTRS.contains(&attr.as_str())
                    && (lower.contains("http:") || lower.contains("https:") || lower.trim_start().starts_with("//"))
                {
                    problems.push(format!("{page}: external URL in {}", t.raw));
                }
            }
        }
    }
    for (path, bytes) in tree(&site) {
        let text = String::from_utf8_lossy(&bytes);
        if path.starts_with("assets/") && path.ends_with(".css") {
            if text.contains("@import") {
                problems.push(format!("{path}: @import"));
            }
            for (k, _) in text.match_indices("url(") {
                let target = text[k + 4..].trim_start_matches(['"', '\'', ' ']);
                if !target.starts_with("data:") && (scheme(target).is_some() || target.starts_with('/')) {
                    problems.push(format!("{path}: non-relative url({})", target.chars().take(40).collect::<String>()));
                }
            }
        }
        if path.starts_with("assets/") && path.ends_with(".js") {
            // The search index is loaded by <script> (file:// allows nothing else): no network API.
            for api in
                ["fetch(", "XMLHttpRequest", "WebAssembly", "WebSocket", "EventSource", "sendBeacon", "importScripts"]
            {
                // A whole identifier only: `prefetch(` is not `fetch(`.
                let used = text.match_indices(api).any(|(i, _)| {
                    !text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
                });
                if used {
                    problems.push(format!("{path}: uses {api}"));
                }
            }
        }
    }
    fail_if_any("external resources", &problems);
}

// ---------------------------------------------------------------------------------------------
// 2. Content-Security-Policy
// ---------------------------------------------------------------------------------------------

/// Every page declares a strict CSP and has nothing inline that the CSP would block.
#[test]
fn site_pages_satisfy_their_strict_csp() {
    let lib = Lib::shipped();
    let site = lib.build("site", &[]);
    fail_if_any("CSP", &csp_problems(&site));
}

// ---------------------------------------------------------------------------------------------
// 3. Sanitized
// ---------------------------------------------------------------------------------------------

#[test]
fn site_term_excerpts_match_the_case_page() {
    // Excerpts are cut out of the rendered case body: a reference link defined at the end of
    // the body works in them. A tagged heading inside a list still gives a whole excerpt.
    let lib = Lib::fixture("site-fields");
    let head = |id: &str| {
        format!(
            "---\nid: {id}\ntitle: {id}\nplace:\n  province: Fujian\nlevel: community\nforces: [mass-cohesion]\n\
             practices: [red-property]\nproblems: [mass-cohesion-weak]\nsummary: Excerpts.\nsources: [\"Notes\"]\n---\n\n"
        )
    };
    lib.write(
        "cases/refs.md",
        head("refs")
            + "## Property {#property practice=red-property}\n\nSee the [charter][c] and the table[^n]:\n\n\
               | a | b |\n|---|--:|\n| 1 | 2 |\n\n### Detail {#detail}\n\nAs in [the background](#other).\n\n\
               ## Other {#other}\n\nUntagged.\n\n[c]: https://example.org/charter\n\n[^n]: A note.\n",
    );
    lib.write(
        "cases/nested.md",
        head("nested")
            + "## Other {#other}\n\n- item\n\n  ### Nested {#nested practice=red-property}\n\n  Nested text.\n",
    );
    let site = lib.build("site", &[]);
    let case = read(&site, "cases/refs.html");
    let term = read(&site, "practices/red-property.html");
    let link = "<a href=\"https://example.org/charter\">charter</a>";
    assert!(case.contains(link), "the case page resolves the reference link");
    assert!(term.contains(link), "so does its excerpt on the practice page");
    assert!(term.contains("<td class=\"ar\">2</td>"), "table alignment survives in the excerpt");
    assert!(!term.contains("Untagged."), "an excerpt stops where its section ends");
    assert!(term.contains("href=\"../cases/refs.html#other\""), "a link to another section leads to the case page");
    assert!(term.contains("href=\"../cases/refs.html#n\""), "so does a footnote reference");
    assert!(case.contains("id=\"detail\"") && !term.contains("id=\"detail\""), "ids stay on the case page");
    assert!(term.contains("Nested text."), "the nested section is excerpted too");
    let nested = read(&site, "cases/nested.html");
    for page in [&case, &term, &nested] {
        assert!(!page.contains('\u{E000}'), "no internal marker leaks");
        for tag in ["ul", "li", "table", "div", "section"] {
            assert_eq!(
                page.matches(&format!("<{tag}>")).count() + page.matches(&format!("<{tag} ")).count(),
                page.matches(&format!("</{tag}>")).count(),
                "<{tag}> balanced"
            );
        }
    }
}

/// A case that tries every way to get script or style into the site gets none through; its
/// front matter is shown as text; harmless markup (details, tables, an outside link) survives.
#[test]
fn site_sanitizes_hostile_case_content() {
    let lib = Lib::fixture("site-hostile");
    let site = lib.build("site", &[]);
    fail_if_any("CSP", &csp_problems(&site));

    let mut problems = Vec::new();
    for (page, html) in pages(&site) {
        let tags = scan(&html);
        let lower = html.to_ascii_lowercase();
        let our_scripts =
            tags.iter().filter(|t| t.name == "script" && t.attr("src").is_some_and(|s| s.contains("assets/"))).count();
        if lower.matches("<script").count() != our_scripts {
            problems.push(format!(
                "{page}: {} <script, of which {our_scripts} are casebook's assets",
                lower.matches("<script").count()
            ));
        }
        for bad in ["<iframe", "<object", "<embed", "<style", "<base", "<frame", "<applet", "<svg onload", "<math"] {
            if lower.contains(bad) {
                problems.push(format!("{page}: raw {bad}"));
            }
        }
        // Front matter is escaped text, so words like `onerror` may appear between tags and in
        // attribute values (a description, a facet label); as attribute names, never.
        let names: String = tags.iter().flat_map(|t| t.attrs.iter().map(|(n, _)| format!(" {n}="))).collect();
        for bad in [" onerror=", " onload=", " onclick=", " onmouseover=", " style=", " formaction=", " xlink:href="] {
            if names.contains(bad) {
                problems.push(format!("{page}: attribute `{}` in the markup", bad.trim()));
            }
        }
        for t in &tags {
            match t.name.as_str() {
                "meta" if t.attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")) => {
                    problems.push(format!("{page}: meta refresh"))
                }
                "link" if !matches!(t.attr("rel"), Some("stylesheet" | "alternate")) => {
                    problems.push(format!("{page}: {}", t.raw))
                }
                "form" if !t.attr("action").is_some_and(|a| a.ends_with("search.html")) => {
                    problems.push(format!("{page}: {}", t.raw))
                }
                "input" | "button" if t.attr("formaction").is_some() => problems.push(format!("{page}: {}", t.raw)),
                _ => {}
            }
            for (attr, value) in &t.attrs {
                let squeezed: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if is_script_url(value)
                    || URL_ATTRS.contains(&attr.as_str())
                        && (squeezed.contains("javascript:") || squeezed.contains("vbscript:"))
                {
                    problems.push(format!("{page}: script URL in {attr} of {}", t.raw));
                }
                if URL_ATTRS.contains(&attr.as_str()) && scheme(value).is_some_and(|s| s == "data") {
                    problems.push(format!("{page}: data: URL in {}", t.raw));
                }
            }
        }
    }
    for xml in ["feed.xml", "sitemap.xml"] {
        let text = read(&site, xml).to_ascii_lowercase();
        for bad in ["<script", "<img", "<iframe", "<svg", "<style", "<a "] {
            if text.contains(bad) {
                problems.push(format!("{xml}: raw {bad}"));
            }
        }
        if let Err(e) = xml_root(&read(&site, xml)) {
            problems.push(format!("{xml} is not well-formed: {e}"));
        }
    }
    fail_if_any("hostile content", &problems);

    let case = read(&site, "cases/hostile.html");
    for escaped in [
        "&lt;script&gt;alert(",                  // title
        "&lt;img src=x onerror=",                // title_zh and summary
        "&lt;svg onload=",                       // place.province
        "&lt;a href=&#39;javascript:",           // place.unit (escaped, harmless text)
        "&lt;a href=&quot;javascript:",          // sources
        "&lt;p style=&quot;color:red&quot;&gt;", // sources
    ] {
        assert!(case.contains(escaped), "front matter should appear escaped as {escaped:?} in cases/hostile.html");
    }
    assert!(
        case.contains("<details><summary>More detail</summary>Hidden detail text.</details>"),
        "details/summary should survive"
    );
    assert!(
        case.contains("<table>") && case.contains("cell one") && case.contains("cell two"),
        "the table should survive"
    );
    assert!(case.contains("href=\"https://example.org/ok\""), "a plain outside link in the body should survive");
    assert!(case.contains("A styled paragraph."), "the text of a styled paragraph should survive without its style");
    let plain = read(&site, "cases/markdown-only.html");
    assert!(plain.contains("href=\"https://example.org/fine\""), "an outside link in plain Markdown survives");
    assert!(plain.contains("href=\"../cases/hostile.html#alliance\""), "a case: link becomes a relative link");
    let practice = read(&site, "practices/party-building-alliance.html");
    assert!(practice.contains("cell one"), "the practice excerpt should be the sanitized section");
}

// ---------------------------------------------------------------------------------------------
// 4. Deterministic
// ---------------------------------------------------------------------------------------------

/// Two builds of the shipped library, a second apart, give byte-identical trees.
#[test]
fn site_build_is_deterministic_for_the_shipped_library() {
    let lib = Lib::shipped();
    let a = lib.build("a", &[]);
    // A second apart, so that a timestamp with one-second resolution shows up.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = lib.build("b", &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 40, "suspiciously few files: {}", ta.len());
    fail_if_any("files that differ between two builds", &differences(&ta, &tb));
}

/// The same for 300 generated cases (parallel rendering, many pages, pagination).
#[test]
fn site_build_is_deterministic_for_300_cases() {
    let lib = Lib::empty();
    generate(&lib, 300, false);
    let a = lib.build("a", &[]);
    let b = lib.build("b", &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.keys().filter(|k| k.starts_with("cases/gen-")).count() == 300, "expected 300 case pages");
    fail_if_any("files that differ between two builds", &differences(&ta, &tb));
}

// ---------------------------------------------------------------------------------------------
// 5. Atomic
// ---------------------------------------------------------------------------------------------

/// What a folder holds: names of its entries (to see leftovers of a failed build).
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// A failed build — content error, template error, write error — leaves the previous site
/// byte-for-byte intact and no temporary folder behind.
#[test]
fn site_failed_build_leaves_previous_site_intact() {
    let lib = Lib::shipped();
    let parent = lib.outside("out");
    fs::create_dir_all(&parent).unwrap();
    let site = parent.join("site");
    build_ok(&lib.root(), &site, &[]);
    let before = tree(&site);
    assert!(before.contains_key(".casebook-site"), "the output carries its marker");
    let intact = |what: &str| {
        let now = tree(&site);
        let diff: Vec<String> =
            before.keys().chain(now.keys()).filter(|k| before.get(*k) != now.get(*k)).cloned().collect();
        fail_if_any(&format!("after {what}, files changed"), &diff);
        assert_eq!(entries(&parent), BTreeSet::from(["site".to_string()]), "after {what}, leftovers next to the site");
    };

    // A content error.
    let case = lib.root().join("cases/fujian/tianhu.md");
    let original = fs::read_to_string(&case).unwrap();
    fs::write(&case, original.replacen("forces: [", "forces: [no-such-force, ", 1)).unwrap();
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(o.status.code(), Some(1), "a content error exits 1:\n{}", stderr(&o));
    assert!(stderr(&o).contains("cases/fujian/tianhu.md"), "the error names the file:\n{}", stderr(&o));
    intact("a content error");
    fs::write(&case, &original).unwrap();

    // A broken template override.
    lib.write("templates/base.html", "<!DOCTYPE html>\n<html>\n{% if %}\n</html>\n");
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(o.status.code(), Some(1), "a template syntax error exits 1:\n{}", stderr(&o));
    assert!(stderr(&o).contains("templates/base.html:3"), "the error names the template and its line:\n{}", stderr(&o));
    intact("a template error");
    fs::remove_dir_all(lib.root().join("templates")).unwrap();

    // A write error late in the build: a theme file whose folder takes the place of cases.json.
    lib.write("templates/cases.json/readme.txt", "in the way");
    let o = build(&lib.root(), &site, &[]);
    assert!(!o.status.success(), "a write error fails the build");
    intact("a write error");
    fs::remove_dir_all(lib.root().join("templates")).unwrap();

    // The site can still be rebuilt.
    build_ok(&lib.root(), &site, &[]);
    assert!(differences(&before, &tree(&site)).is_empty(), "the rebuilt site is the same");
}

/// `--out` below a regular file is an I/O error (exit 2) that touches nothing.
#[test]
fn site_out_under_a_file_is_an_io_error() {
    let lib = Lib::shipped();
    let file = lib.outside("notes.txt");
    fs::write(&file, "mine").unwrap();
    let o = build(&lib.root(), &file.join("site"), &[]);
    assert_eq!(o.status.code(), Some(2), "exit 2:\n{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    let o = build(&lib.root(), &file, &[]);
    assert_eq!(o.status.code(), Some(2), "--out naming a file: exit 2:\n{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
}

/// `build` never replaces a non-empty folder it did not write.
#[test]
fn site_build_refuses_a_foreign_folder() {
    let lib = Lib::shipped();
    let mine = lib.outside("mine");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("precious.txt"), "my own file").unwrap();
    let o = build(&lib.root(), &mine, &[]);
    assert_eq!(o.status.code(), Some(2), "exit 2:\n{}", stderr(&o));
    assert_eq!(entries(&mine), BTreeSet::from(["precious.txt".to_string()]));
    assert_eq!(fs::read_to_string(mine.join("precious.txt")).unwrap(), "my own file");
    assert_eq!(entries(lib.tmp.path()), BTreeSet::from(["lib".to_string(), "mine".to_string()]), "no leftovers");
}

// ---------------------------------------------------------------------------------------------
// 6. Template overrides
// ---------------------------------------------------------------------------------------------

/// A library's `templates/about.html` replaces the built-in one; a template error names the
/// template file and line, and no site is written.
#[test]
fn site_template_override() {
    let lib = Lib::shipped();
    lib.write(
        "templates/about.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1 id=\"our-about\">About our own library</h1>\n{% endblock content %}\n",
    );
    let site = lib.build("site", &[]);
    let about = read(&site, "about.html");
    assert!(about.contains("<h1 id=\"our-about\">About our own library</h1>"), "the override is used");
    assert!(about.contains("assets/style.css"), "the override still extends the built-in base.html");
    assert!(read(&site, "index.html").contains("about.html"), "other pages are built as usual");

    lib.write(
        "templates/about.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>fine</p>\n<p>{{ no_such_variable }}</p>\n{% endblock content %}\n",
    );
    let out = lib.outside("site2");
    let o = build(&lib.root(), &out, &[]);
    assert_eq!(o.status.code(), Some(1), "a template error is a content error:\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("templates/about.html:4"), "names the template and line 4:\n{err}");
    assert!(err.contains("no_such_variable"), "names the variable:\n{err}");
    assert!(!out.exists(), "no site is written");
}

// ---------------------------------------------------------------------------------------------
// 7. Sub-path
// ---------------------------------------------------------------------------------------------

/// `--base-path /kb/` changes only what needs absolute URLs: sitemap, feed and 404 page.
#[test]
fn site_base_path_changes_only_sitemap_feed_and_404() {
    let lib = Lib::shipped();
    let plain = lib.build("plain", &[]);
    let kb = lib.build("kb", &["--base-path", "/kb/"]);
    let diff = differences(&tree(&plain), &tree(&kb));
    let allowed = ["sitemap.xml", "feed.xml", "404.html"];
    let unexpected: Vec<String> = diff.iter().filter(|d| !allowed.contains(&d.as_str())).cloned().collect();
    fail_if_any("files that depend on the base path", &unexpected);

    let sitemap = read(&kb, "sitemap.xml");
    assert!(sitemap.contains("/kb/cases/"), "sitemap.xml uses the base path:\n{sitemap}");
    assert!(!read(&plain, "sitemap.xml").contains("/kb/"));
    assert!(read(&kb, "feed.xml").contains("/kb/cases/"), "feed.xml uses the base path");
    for (label, site, base) in [("default", &plain, "/"), ("--base-path", &kb, "/kb/")] {
        let not_found = read(site, "404.html");
        for t in scan(&not_found) {
            for (attr, value) in &t.attrs {
                if URL_ATTRS.contains(&attr.as_str()) && !value.starts_with('#') {
                    assert!(
                        value.starts_with(base),
                        "{label}: 404.html is served at any depth, so its links start with {base}: {}",
                        t.raw
                    );
                }
            }
        }
    }
    fail_if_any("links under /kb/", &link_problems(&kb));
}

// ---------------------------------------------------------------------------------------------
// 8. Languages
// ---------------------------------------------------------------------------------------------

#[test]
fn site_ui_language() {
    let lib = Lib::shipped();
    let zh = lib.build("zh", &[]);
    let index = read(&zh, "index.html");
    assert!(index.contains("<html lang=\"zh-CN\">"), "default language zh-CN");
    assert!(index.contains(">地区</a>"), "Chinese navigation");

    lib.write("casebook.toml", "language = \"en\"\n");
    let en = lib.build("en", &[]);
    for (page, html) in pages(&en) {
        assert!(html.contains("<html lang=\"en\">"), "{page}: <html lang=\"en\">");
    }
    let index = read(&en, "index.html");
    assert!(index.contains(">Places</a>") && index.contains(">Matrix</a>"), "English navigation");
    assert!(!index.contains(">地区</a>"), "no Chinese navigation in the English UI");
}

// ---------------------------------------------------------------------------------------------
// 9. Every page kind
// ---------------------------------------------------------------------------------------------

#[test]
fn site_has_every_page_kind() {
    let lib = Lib::shipped();
    let site = lib.build("site", &[]);

    let json: serde_json::Value = serde_json::from_str(&read(&site, "cases.json")).expect("cases.json is JSON");
    let cases = json["cases"].as_array().expect("cases.json has `cases`");
    assert_eq!(cases.len(), 5, "the shipped library has five cases");
    let mut expected: Vec<String> = [
        "index.html",
        "matrix.html",
        "about.html",
        "404.html",
        "search.html",
        "sitemap.xml",
        "feed.xml",
        "cases.json",
        "places/index.html",
        "cases/index.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in cases {
        let id = c["id"].as_str().expect("case id");
        assert!(c["title"].as_str().is_some_and(|t| !t.is_empty()), "{id}: title");
        assert!(c["tags"]["forces"].as_array().is_some_and(|f| !f.is_empty()), "{id}: tags.forces");
        let sections = c["sections"].as_array().expect("sections");
        assert!(!sections.is_empty(), "{id}: sections");
        let page = read(&site, &format!("cases/{id}.html"));
        let ids: BTreeSet<String> = scan(&page).iter().filter_map(|t| t.attr("id").map(str::to_string)).collect();
        for s in sections {
            let anchor = s["anchor"].as_str().expect("sections[].anchor");
            assert!(ids.contains(anchor), "cases/{id}.html has no id {anchor}");
        }
        expected.push(format!("cases/{id}.html"));
        let province = slug(c["place"]["province"].as_str().expect("place.province"));
        expected.push(format!("places/{province}.html"));
        if let Some(city) = c["place"]["city"].as_str() {
            expected.push(format!("places/{province}/{}.html", slug(city)));
        }
    }
    let vocabularies = json["vocabularies"].as_array().expect("vocabularies");
    let mut problems = Vec::new();
    for v in vocabularies {
        let name = v["name"].as_str().unwrap();
        expected.push(format!("{name}/index.html"));
        for t in v["terms"].as_array().unwrap() {
            expected.push(format!("{name}/{}.html", t["id"].as_str().unwrap()));
        }
        if name == "problems" {
            problems = v["terms"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
        }
    }
    for name in ["forces", "practices", "problems"] {
        assert!(vocabularies.iter().any(|v| v["name"] == name), "vocabulary {name} in cases.json");
    }
    let missing: Vec<String> = expected.into_iter().filter(|p| !site.join(p).is_file()).collect();
    fail_if_any("missing pages", &missing);

    for xml in ["sitemap.xml", "feed.xml"] {
        let root = xml_root(&read(&site, xml)).unwrap_or_else(|e| panic!("{xml} is not well-formed: {e}"));
        assert_eq!(root, if xml == "feed.xml" { "feed" } else { "urlset" });
    }
    assert_eq!(read(&site, "feed.xml").matches("<entry>").count(), 5, "one feed entry per case");

    // Start from a problem: one click from the home page to the problem, a second to the
    // excerpt in its case.
    assert_eq!(problems.len(), 7, "the shipped taxonomy has seven problems");
    let home = hrefs(&read(&site, "index.html"));
    for p in &problems {
        assert!(home.contains(&format!("problems/{p}.html")), "index.html links to problems/{p}.html");
        let page = read(&site, &format!("problems/{p}.html"));
        let excerpts: Vec<String> =
            hrefs(&page).into_iter().filter(|h| h.starts_with("../cases/") && h.contains(".html#")).collect();
        assert!(!excerpts.is_empty(), "problems/{p}.html links to no excerpt (../cases/ID.html#anchor)");
        for h in excerpts {
            let (file, anchor) = h.trim_start_matches("../").split_once('#').unwrap();
            let target = read(&site, file);
            assert!(target.contains(&format!("id=\"{anchor}\"")), "problems/{p}.html → {h}: no such anchor");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 10. Pagination
// ---------------------------------------------------------------------------------------------

/// 120 cases with one practice: its page is split into pages of at most 50, linked together.
#[test]
fn site_paginates_long_term_pages() {
    let lib = Lib::empty();
    generate(&lib, 120, true);
    let site = lib.build("site", &[]);
    let files =
        ["practices/shared-practice.html", "practices/shared-practice-2.html", "practices/shared-practice-3.html"];
    assert!(!site.join("practices/shared-practice-4.html").exists(), "120 cases at 50 a page make 3 pages");
    let mut seen = BTreeSet::new();
    for (n, file) in files.iter().enumerate() {
        let html = read(&site, file);
        let linked = linked_cases(&html, "../cases/");
        assert!(!linked.is_empty() && linked.len() <= 50, "{file}: {} cases (1..=50 expected)", linked.len());
        assert!(linked.is_disjoint(&seen), "{file} repeats cases of an earlier page");
        seen.extend(linked);
        let links = hrefs(&html);
        for (m, other) in files.iter().enumerate() {
            if m != n {
                let name = other.rsplit('/').next().unwrap();
                assert!(links.contains(name), "{file} links to {name} (pager)");
            }
        }
    }
    assert_eq!(seen.len(), 120, "the three pages together list every case once");
    fail_if_any("links", &link_problems(&site));
}

// ---------------------------------------------------------------------------------------------
// 11. A fourth vocabulary
// ---------------------------------------------------------------------------------------------

#[test]
fn site_picks_up_a_fourth_vocabulary() {
    let lib = Lib::fixture("site-fields");
    let site = lib.build("site", &[]);
    for page in [
        "fields/index.html",
        "fields/residential-compound.html",
        "fields/property-management.html",
        "fields/office-building.html",
    ] {
        assert!(site.join(page).is_file(), "{page} is missing");
    }
    assert!(
        hrefs(&read(&site, "index.html")).contains("fields/index.html"),
        "the navigation links to fields/index.html"
    );
    assert!(
        hrefs(&read(&site, "cases/compound.html")).contains("../fields/property-management.html"),
        "the case links to its field"
    );
    let field = read(&site, "fields/property-management.html");
    assert!(
        hrefs(&field).contains("../cases/compound.html#red-property"),
        "the field page shows the excerpt of the tagged section"
    );
    assert!(field.contains("joint meeting every month"), "with its text");
    fail_if_any("links", &link_problems(&site));
}

// ---------------------------------------------------------------------------------------------
// The scanner itself
// ---------------------------------------------------------------------------------------------

#[test]
fn site_scanner_reads_attributes_like_a_browser() {
    let tags = scan("<!-- <a href=x> --><p class=a title='b c' data-x=\"&#106;ava&amp;\" hidden><a href=\"&#x6A;avascript:1\">x</a><script src=s.js></script><script>var a = '<b>';</script>");
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["p", "a", "script", "script"]);
    assert_eq!(tags[0].attr("class"), Some("a"));
    assert_eq!(tags[0].attr("title"), Some("b c"));
    assert_eq!(tags[0].attr("data-x"), Some("java&"));
    assert_eq!(tags[0].attr("hidden"), Some(""));
    assert!(is_script_url(tags[1].attr("href").unwrap()));
    assert!(is_script_url(" Java\tScript:x"));
    assert_eq!(tags[3].text, "var a = '<b>';");
    assert_eq!(resolve("a/b.html", "../c.html"), Some("c.html".into()));
    assert_eq!(resolve("a.html", "../c.html"), None);
    assert_eq!(scheme("https://x"), Some("https".into()));
    assert_eq!(scheme("a.html?x=1:2"), None);
    assert_eq!(xml_root("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n"), Ok("a".into()));
    assert!(xml_root("<a><b></a></b>").is_err());
    assert!(xml_root("<a>x & y</a>").is_err());
    assert!(xml_root("<a></a><b></b>").is_err());
}
