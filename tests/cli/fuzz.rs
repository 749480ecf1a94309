//! Robustness of `casebook check`: random bytes, mutated and truncated cases and taxonomies, a
//! keyboard's full-width and invisible characters anywhere, alias bombs, deep nesting, a
//! ten-megabyte value, files of only dashes and page bundles with random files and links never
//! make it panic; it reports an error or checks clean (and `build` agrees). The inputs are generated into temporary folders
//! (never committed) from a seed; `FUZZ_ITERATIONS` and `FUZZ_SEED` change how many and which.

use std::fs;
use std::path::Path;

use crate::support::{
    alpha, case_like_alpha, fail_if_any, fuzz_plan, html, snapshot, tail, tree, FuzzPlan, Lib, Rng, Run, MANIFEST_DIR,
};

#[test]
fn random_bytes_never_panic() {
    let lib = Lib::fixture("basic");
    let FuzzPlan { iterations, seed } = fuzz_plan(0x5EED_CA5E_B00C_0001);
    let mut rng = Rng(seed);
    const YAMLISH: &[u8] = b"abc-_: \n\t[]{},#&*!|>'\"%@`?~=\\/0123456789\r\xE7\xBB\x84---...";
    for i in 0..iterations {
        let len = rng.below(1500);
        let mut bytes: Vec<u8> = match i % 4 {
            // Raw bytes.
            0 => (0..len).map(|_| rng.next() as u8).collect(),
            // YAML-ish characters in a front-matter block, then Markdown-ish ones.
            1 => {
                let mut b = b"---\n".to_vec();
                b.extend((0..len).map(|_| *rng.pick(YAMLISH)));
                b.extend_from_slice(b"\n---\n");
                b.extend((0..rng.below(500)).map(|_| *rng.pick(b"#{}=\"[]()case:x \n>*-`|")));
                b
            }
            // A valid front matter, then headings with random attribute blocks and links.
            2 => {
                let mut s = case_like_alpha(&format!("r{i}"));
                s.truncate(s.find("\n---\n").unwrap() + 5);
                for _ in 0..rng.below(12) {
                    s.push_str(rng.pick::<&str>(&["\n## ", "\n# ", "\n### ", "\nText ", "\n> ## "]));
                    for _ in 0..rng.below(8) {
                        s.push_str(rng.pick::<&str>(&[
                            "{",
                            "}",
                            "#",
                            "#a",
                            ".c",
                            "practice=",
                            "forces=",
                            "\"",
                            "'",
                            " ",
                            "=",
                            "party-building-alliance",
                            "组织覆盖力",
                            "political-leadership",
                            "é",
                            "{#x forces=\"",
                            "[l](case:",
                            "alpha)",
                            "\u{200B}",
                            "\r",
                            "\\",
                            "`",
                            "field=",
                            "<a href='x'>",
                        ]));
                    }
                }
                s.into_bytes()
            }
            // Random keys and values that look like a case.
            _ => {
                let mut s = String::from("---\n");
                for _ in 0..rng.below(20) {
                    let key = rng.pick(&[
                        "id",
                        "title",
                        "place",
                        "level",
                        "forces",
                        "practices",
                        "problems",
                        "sources",
                        "x",
                        "  province",
                        "- ",
                    ]);
                    let value = rng.pick(&[
                        "",
                        "a",
                        "[a, b]",
                        "[",
                        "{",
                        "&a x",
                        "*a",
                        "|",
                        ">",
                        "\"",
                        "[组织覆盖力]",
                        "~",
                        "- x",
                        "!!binary aGk=",
                    ]);
                    s.push_str(&format!("{key}: {value}\n"));
                }
                s.push_str("---\n## P {#p practice=x forces=\"a b\"}\n[l](case:");
                s.into_bytes()
            }
        };
        if i % 7 == 0 {
            bytes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
        }
        lib.write(&format!("cases/random/r{i:03}.md"), bytes);
    }
    let run = lib.check(&[]);
    let what = format!("random bytes, seed {seed:#x}");
    run.assert_no_panic(&what);
    run.assert_summary_last(&what);
    assert!(run.stderr.ends_with(&format!("in {} files\n", iterations + 3)), "{}", tail(&run.stderr, 500));
    let json = lib.check(&["--format", "json"]);
    json.assert_no_panic(&what);
    serde_json::from_str::<serde_json::Value>(&json.stdout).expect("valid JSON even for garbage");
}

#[test]
fn mutations_and_truncations_of_a_valid_case_never_panic() {
    let lib = Lib::fixture("basic");
    let base = alpha().into_bytes();
    let FuzzPlan { iterations, seed } = fuzz_plan(0xDEAD_BEEF_0000_0002);
    let mut rng = Rng(seed);
    const SPECIAL: &[u8] = b":[]{},#&*!|>-'\" \n\t=`\xE5";
    for i in 0..iterations {
        let mut b = base.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(b.len() + 1);
            match rng.below(6) {
                0 if at < b.len() => b[at] = rng.next() as u8,
                1 => b.insert(at, *rng.pick(SPECIAL)),
                2 if at < b.len() => {
                    let end = (at + rng.below(40)).min(b.len());
                    b.drain(at..end);
                }
                3 if at < b.len() => {
                    let end = (at + rng.below(60)).min(b.len());
                    let copy: Vec<u8> = b[at..end].to_vec();
                    let to = rng.below(b.len() + 1);
                    b.splice(to..to, copy);
                }
                4 => {
                    let line = b.iter().take(at).filter(|&&c| c == b'\n').count();
                    let mut lines: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
                    let other = rng.below(lines.len());
                    let line = line.min(lines.len() - 1);
                    lines.swap(line, other);
                    b = lines.join(&b'\n');
                }
                _ => b.insert(at, b'\n'),
            }
        }
        lib.write(&format!("cases/mutated/m{i:03}.md"), b);
    }
    let mut n = 0;
    for end in (0..base.len()).step_by(37) {
        lib.write(&format!("cases/truncated/t{end:05}.md"), &base[..end]);
        n += 1;
    }
    let run = lib.check(&[]);
    let what = format!("mutations, seed {seed:#x}");
    run.assert_no_panic(&what);
    run.assert_summary_last(&what);
    assert!(run.stderr.ends_with(&format!("in {} files\n", iterations + 3 + n)), "{}", tail(&run.stderr, 500));
}

#[test]
fn keyboard_characters_anywhere_never_panic() {
    // A Chinese keyboard's characters put anywhere, in a case and in the taxonomy: every
    // file is reported on (an error or clean), and no position is out of its line.
    let lib = Lib::fixture("basic");
    let FuzzPlan { iterations, seed } = fuzz_plan(0xDEAD_BEEF_0000_0004);
    let mut rng = Rng(seed);
    const KEYBOARD: &[char] = &[
        '：', '，', '“', '”', '‘', '’', '【', '】', '（', '）', '［', '］', '\u{3000}', '\t', '\u{a0}', '\u{200b}',
        '\u{feff}', '\u{1b}', '\u{9b}', ':', '"', '\'', '\n', ' ', '-', '[',
    ];
    let base: Vec<char> = alpha().chars().collect();
    for i in 0..iterations {
        let mut chars = base.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            chars.insert(at, *rng.pick(KEYBOARD));
        }
        lib.write(&format!("cases/keyboard/k{i:03}.md"), chars.into_iter().collect::<String>());
    }
    let run = lib.check(&[]);
    let what = format!("keyboard characters, seed {seed:#x}");
    run.assert_no_panic(&what);
    run.assert_summary_last(&what);
    assert!(run.stderr.ends_with(&format!("in {} files\n", iterations + 3)), "{}", tail(&run.stderr, 500));
    let taxonomy: Vec<char> = lib.read("cases/taxonomy.yaml").chars().collect();
    for _ in 0..iterations.min(20) {
        let mut chars = taxonomy.clone();
        let at = rng.below(chars.len() + 1);
        chars.insert(at, *rng.pick(KEYBOARD));
        lib.write("cases/taxonomy.yaml", chars.into_iter().collect::<String>());
        let run = lib.check(&[]);
        run.assert_no_panic(&what);
        run.assert_summary_last(&what);
    }
}

#[test]
fn taxonomy_mutations_never_panic() {
    let base = fs::read(Path::new(MANIFEST_DIR).join("tests/fixtures/basic/cases/taxonomy.yaml")).unwrap();
    let FuzzPlan { iterations, seed } = fuzz_plan(0x7A70_0000_0000_0003);
    let mut rng = Rng(seed);
    let lib = Lib::fixture("basic");
    for i in 0..iterations / 5 {
        let mut b = base.clone();
        for _ in 0..1 + rng.below(3) {
            if b.is_empty() {
                break;
            }
            let at = rng.below(b.len());
            match rng.below(3) {
                0 => b[at] = *rng.pick(b":[]{}-# \n&*"),
                1 => {
                    let end = (at + rng.below(30)).min(b.len());
                    b.drain(at..end);
                }
                _ => b.truncate(at),
            }
        }
        lib.write("cases/taxonomy.yaml", &b);
        let run = lib.check(&[]);
        let what = format!("taxonomy mutation {i}, seed {seed:#x}");
        run.assert_no_panic(&what);
        run.assert_summary_last(&what);
    }
}

/// `a: &a [x, x, ...]`, `b: &b [*a, *a, ...]`, ... — each level multiplies the size by `width`.
fn billion_laughs(first_key: &str, levels: usize, width: usize) -> String {
    let mut s = format!("{first_key}: &l0 [{}]\n", vec!["\"lol\""; width].join(", "));
    for i in 1..levels {
        s.push_str(&format!("k{i}: &l{i} [{}]\n", vec![format!("*l{}", i - 1); width].join(", ")));
    }
    s
}

#[test]
fn alias_bombs_are_refused() {
    let lib = Lib::fixture("basic");
    let bomb = billion_laughs("lol", 10, 10);
    lib.write("cases/bomb.md", format!("---\nid: bomb\n{bomb}---\n\nText.\n"));
    // The expansion reaches a field the parser reads (not only an ignored unknown key).
    lib.write("cases/bomb2.md", format!("---\nid: bomb2\n{bomb}sources: *l9\n---\n\nText.\n"));
    let run = lib.check(&[]);
    run.assert_no_panic("alias bomb in a case");
    assert_eq!(run.code, 1);
    snapshot("alias_bomb_case", &run.transcript());

    let lib = Lib::fixture("basic");
    lib.edit("cases/taxonomy.yaml", "problems:\n", &format!("{}problems:\n", billion_laughs("bomb", 10, 10)));
    let run = lib.check(&[]);
    run.assert_no_panic("alias bomb in the taxonomy");
    assert_eq!(run.code, 1);
    snapshot("alias_bomb_taxonomy", &run.transcript());
}

#[test]
fn deep_nesting_is_refused() {
    const DEPTH: usize = 5000;
    let lib = Lib::fixture("basic");
    let flow = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    lib.write("cases/deep-flow.md", format!("---\nid: deep-flow\na: {flow}\n---\n\nText.\n"));
    lib.write("cases/deep-tags.md", format!("---\nid: deep-tags\nforces: {flow}\n---\n\nText.\n"));
    lib.write("cases/deep-block.md", format!("---\nid: deep-block\na:\n{}x\n---\n\nText.\n", "- ".repeat(DEPTH)));
    lib.write(
        "cases/deep-map.md",
        format!("---\nid: deep-map\nplace: {}x{}\n---\n\nText.\n", "{a: ".repeat(DEPTH), "}".repeat(DEPTH)),
    );
    lib.write(
        "cases/deep-unclosed.md",
        format!("---\nid: deep-unclosed\ntitle: {}\n---\n\nText.\n", "[".repeat(DEPTH)),
    );
    // Deep Markdown: block quotes, lists, brackets, emphasis.
    let body = format!(
        "{}x\n\n{}y\n\n{}\n\n{}z{}\n",
        "> ".repeat(DEPTH),
        "- ".repeat(DEPTH),
        "[".repeat(DEPTH),
        "*_".repeat(DEPTH),
        "_*".repeat(DEPTH)
    );
    lib.write("cases/deep-body.md", case_like_alpha("deep-body") + &body);
    let run = lib.check(&[]);
    run.assert_no_panic("deep nesting");
    assert_eq!(run.code, 1);
    snapshot("deep_nesting", &run.transcript());

    let lib = Lib::fixture("basic");
    lib.edit("cases/taxonomy.yaml", "problems:\n", &format!("deep: {flow}\nproblems:\n"));
    let run = lib.check(&[]);
    run.assert_no_panic("deep nesting in the taxonomy");
    assert_eq!(run.code, 1);
    snapshot("deep_nesting_taxonomy", &run.transcript());
}

#[test]
fn a_ten_megabyte_value_is_read() {
    let lib = Lib::fixture("basic");
    lib.write("casebook.toml", "max_file_size = 20_000_000\n");
    let big = "x".repeat(10_000_000);
    let summary = "summary: Alpha Street joined the Party organizations of its units in an alliance.";
    lib.write("cases/plain.md", case_like_alpha("plain").replace(summary, &format!("summary: {big}")));
    lib.write("cases/quoted.md", case_like_alpha("quoted").replace(summary, &format!("summary: \"{big}\"")));
    lib.write("cases/body.md", case_like_alpha("body") + &big + "\n");
    let run = lib.check(&[]);
    run.assert_no_panic("10 MB value");
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 6 files\n"));

    // Without the raised limit, the same files are refused before parsing.
    lib.remove("casebook.toml");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr.matches("more than the limit of 1048576").count(), 3, "{}", run.stderr);
}

#[test]
fn files_of_only_dashes() {
    let lib = Lib::fixture("basic");
    lib.write("cases/a.md", "---");
    lib.write("cases/b.md", "---\n");
    lib.write("cases/c.md", "---\n---\n");
    lib.write("cases/d.md", "---\n---\n---\n");
    lib.write("cases/e.md", "---\r\n---\r\n");
    let run = lib.check(&[]);
    run.assert_no_panic("dashes");
    assert_eq!(run.code, 1);
    snapshot("only_dashes", &run.transcript());
}

/// Names of files a bundle may hold: spaces, `%`, `#`, `?`, parentheses, Chinese, folders.
const ODD_NAMES: &[&str] = &[
    "bins.png",
    "Bins.PNG",
    "my photo.png",
    "100%.png",
    "a#b.png",
    "why?.pdf",
    "x(1).jpg",
    "it's & more.txt",
    "照片.jpg",
    "docs/方案 2.pdf",
    "a/b/c.txt",
    "notes.md.bak",
    "img\\bins.png",
];

/// Addresses a link may be written with, most of them wrong.
const ODD_TARGETS: &[&str] = &[
    "bins.png",
    "./docs/plan.pdf#page=2",
    "my%20photo.png",
    "<my photo.png>",
    "100%25.png",
    "%E7%85%A7%E7%89%87.jpg",
    "a/b/../b/c.txt",
    "../alpha.md",
    "../../x.png",
    "img\\bins.png",
    "notes.md",
    "#points",
    "?q",
    "/abs.png",
    "//host/x.png",
    "case:alpha#alliance",
    "case:alpha#",
    "case:sorting#nope",
    "case:#x",
    "static:survey.txt",
    "static:",
    "file:///etc/passwd",
    "C:\\x.png",
    "a%2F..%2F..%2Fx",
    "%",
    "%zz.png",
    "%FF%FE.png",
    "..",
    ".",
    "a/",
    "",
];

/// `name` as an editor writes it in a Markdown link: what a URL or Markdown would read otherwise
/// escaped, the rest (Chinese too) as it is.
fn markdown_address(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '(' | ')' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// `casebook build` of `lib` into `<tmp>/<name>`, whatever its outcome.
fn build_run(lib: &Lib, name: &str) -> Run {
    let (root, out) = (lib.root(), lib.outside(name));
    lib.run_in(&root, &["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()])
}

/// A run's report without its last line (check's summary, build's last word).
fn report(run: &Run) -> String {
    run.stderr.trim_end().rsplit_once('\n').map_or(String::new(), |(before, _)| before.to_string())
}

/// Page bundles (from the `bundles` fixture's) holding random files, with links to random
/// addresses in the body and the sources, some cases truncated: check and build never panic
/// and say the same; when the links are all good, build publishes exactly the files linked to
/// and every link of the site resolves.
#[test]
fn bundle_folders_with_random_files_and_links_never_panic() {
    let FuzzPlan { iterations, seed } = fuzz_plan(0xB0B0_F11E_0000_0003);
    let mut rng = Rng(seed);
    let base = Lib::fixture("bundles").read("cases/sorting/index.md");
    let case = |i: usize| base.replace("id: sorting", &format!("id: b{i}"));
    // Wrong and odd addresses, truncated files.
    let lib = Lib::fixture("bundles");
    for i in 0..iterations / 4 {
        let folder = format!("cases/b{i:03}");
        for _ in 0..rng.below(4) {
            let bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
            lib.write(&format!("{folder}/{}", rng.pick(ODD_NAMES)), bytes);
        }
        let mut text = case(i);
        for _ in 0..rng.below(6) {
            let image = if rng.below(2) == 0 { "!" } else { "" };
            text.push_str(&format!("\n{image}[x]({})\n", rng.pick(ODD_TARGETS)));
        }
        if rng.below(3) == 0 {
            text = text.replacen("(docs/plan.pdf)", &format!("({})", rng.pick(ODD_TARGETS)), 1);
        }
        if i % 4 == 3 {
            let mut cut = rng.below(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        lib.write(&format!("{folder}/index.md"), text);
    }
    let what = format!("bundles, seed {seed:#x}");
    let check = lib.check(&[]);
    check.assert_no_panic(&what);
    check.assert_summary_last(&what);
    let build = build_run(&lib, "site");
    build.assert_no_panic(&what);
    assert_eq!(check.code, build.code, "{what}: check and build disagree:\n{}", tail(&build.stderr, 2000));
    if check.code == 1 {
        assert_eq!(report(&check), report(&build), "{what}: check and build report differently");
    }
    let json = lib.check(&["--format", "json"]);
    json.assert_no_panic(&what);
    serde_json::from_str::<serde_json::Value>(&json.stdout).expect("valid JSON");

    // Odd names, each linked the way a browser or an editor writes it: all good.
    let lib = Lib::fixture("bundles");
    let mut linked: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..iterations / 4 {
        let folder = format!("cases/b{i:03}");
        // The files the case as copied links to already.
        for file in ["bins.png", "docs/plan.pdf"] {
            lib.write(&format!("{folder}/{file}"), fs::read(lib.path(&format!("cases/sorting/{file}"))).unwrap());
        }
        let mut text = case(i);
        let mut here = std::collections::HashSet::new();
        for _ in 0..1 + rng.below(3) {
            let name = rng.pick(ODD_NAMES);
            if name.contains('\\') || name.ends_with(".md.bak") || !here.insert(name) {
                continue;
            }
            let bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
            lib.write(&format!("{folder}/{name}"), &bytes);
            let written = match rng.below(3) {
                0 => percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string(),
                // In angle brackets a `#` or `?` would still start a fragment or a query, a `%`
                // an escape: only the other names are written so.
                1 if !name.contains(['#', '?', '%']) => format!("<{name}>"),
                _ => format!("./{}", markdown_address(name)),
            };
            let image = if rng.below(2) == 0 { "!" } else { "" };
            text.push_str(&format!("\n{image}[{name}]({written})\n"));
            linked.push((format!("cases/b{i}/{name}"), bytes));
        }
        lib.write(&format!("{folder}/index.md"), text);
    }
    let what = format!("odd names, seed {seed:#x}");
    let build = build_run(&lib, "site");
    assert_eq!(build.code, 0, "{what}: {}", tail(&build.stderr, 3000));
    let site = tree(&lib.outside("site"));
    for (path, bytes) in &linked {
        assert_eq!(site.get(path), Some(bytes), "{what}: {path} is published as it is");
    }
    fail_if_any(&what, &html::link_problems(&lib.outside("site")));
}
