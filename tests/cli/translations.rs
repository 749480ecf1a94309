//! Translations (`x.zh.md` beside `x.md`): what `check` says of a missing, a partial and a
//! broken one, and the site in each language that `build` makes of them.

use crate::support::{read, snapshot, Lib};

/// A translation of alpha that gets everything a translation can get wrong, each on its line.
const BROKEN: &str = "---
title: 甲街道
place:
  province: Henan
forces: [organizational-coverage]
---

## 背景 {#background}

见[丙](case:gamma)。

## 实践做法 {#the-alliance practice=party-building-alliance}

译文。
";

#[test]
fn a_library_with_translations_checks_clean_and_counts_them() {
    let lib = Lib::fixture("bilingual");
    let run = lib.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // beta is not translated yet: a missing translation is counted, not an error.
    assert_eq!(run.stderr, "translations into zh-CN: 1 of 2 cases (missing: beta)\n0 errors, 0 warnings in 4 files\n");
    let run = lib.check(&["--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        value["translations"],
        serde_json::json!([{"language": "zh-CN", "translated": 1, "cases": 2, "missing": ["beta"]}])
    );
    // Once beta is translated too (its title and summary only), every case counts.
    lib.write("cases/district/beta.zh.md", "---\ntitle: 乙社区\nsummary: 乙社区践行红墙意识。\n---\n");
    assert!(lib.check(&[]).stderr.starts_with("translations into zh-CN: 2 of 2 cases\n"));
}

#[test]
fn a_broken_translation_is_an_error_at_each_mistake() {
    let lib = Lib::fixture("bilingual");
    lib.write("cases/alpha.zh.md", BROKEN);
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    // Keys that are the original's, a link to no case, a tagged section that is not the
    // original's, the original's tagged section missing.
    for want in [
        "error[translation-key]: a translation may not give `place`\n --> cases/alpha.zh.md:3:",
        "error[translation-key]: a translation may not give `forces`\n --> cases/alpha.zh.md:5:1",
        "error[broken-link]: link to unknown case `gamma`\n  --> cases/alpha.zh.md:10:6",
        "error[translation-section]: tagged section {#the-alliance practice=\"party-building-alliance\"} differs from the original's {#alliance",
        "  --> cases/alpha.zh.md:12:1",
    ] {
        assert!(run.stderr.contains(want), "{want:?} is not in:\n{}", run.stderr);
    }
    snapshot("translation_broken", &run.transcript());
}

#[test]
fn a_translation_without_its_case_or_in_the_wrong_language_is_named() {
    let lib = Lib::fixture("bilingual");
    lib.write("cases/gamma.zh.md", "---\ntitle: 丙\n---\n\n正文。\n");
    lib.write("cases/district/beta.en.md", "---\ntitle: Beta\n---\n\nText.\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error[translation-original]: no case `cases/gamma.md` to translate\n --> cases/gamma.zh.md:1:1"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error[translation-language]: a translation into `en`, the language the cases are written in\n --> cases/district/beta.en.md:1:1"),
        "{}",
        run.stderr
    );
    // A translation into a language the site does not build is not lost silently.
    let lib = Lib::fixture("bilingual");
    lib.edit("casebook.toml", "languages = [\"zh-CN\", \"en\"]", "languages = [\"en\"]");
    let run = lib.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[translation-language]: a translation into `zh-CN`, which is not one of the site's languages: it is not built"), "{}", run.stderr);
}

#[test]
fn each_language_gets_its_pages_and_a_case_not_translated_says_so() {
    let lib = Lib::fixture("bilingual");
    let site = lib.build("site", &[]);
    // alpha, translated: Chinese at the root, the English original under en/.
    let zh = read(&site, "cases/alpha.html");
    assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("甲街道有许多各自为政的单位。"), "{zh}");
    assert!(zh.contains("<title>甲街道：党建联盟（译文）"), "the translation's title");
    assert!(zh.contains("实地笔记，2024 年（译）"), "the translation's sources");
    assert!(zh.contains(r#"<link rel="alternate" hreflang="en" href="../en/cases/alpha.html">"#), "{zh}");
    assert!(!zh.contains("untranslated"), "no notice on a translated case");
    // The English title beside the Chinese one says it is English.
    assert!(zh.contains(r#"<p class="alt title-alt" lang="en">Alpha Street: a party building alliance</p>"#), "{zh}");
    let en = read(&site, "en/cases/alpha.html");
    assert!(en.contains("<html lang=\"en\">") && en.contains("Alpha Street had many units that worked separately."));
    assert!(en.contains(r#"<link rel="alternate" hreflang="zh-CN" href="../../cases/alpha.html">"#), "{en}");
    assert!(en.contains(r#"href="../../assets/style.css""#), "one set of assets, at the root");
    // beta, not translated: the English original on the Chinese page, marked and announced.
    let beta = read(&site, "cases/beta.html");
    assert!(beta.contains(r#"<div class="case-body prose" lang="en">"#), "{beta}");
    assert!(beta.contains("本案例暂无中文译文，以下为英文原文。"), "{beta}");
    assert!(!read(&site, "en/cases/beta.html").contains("untranslated"));
    // Its English title stands in for a Chinese one, marked as English, wherever it shows.
    assert!(beta.contains(r#"<h1 id="case-title" lang="en">Beta Community"#), "{beta}");
    assert!(read(&site, "cases/index.html").contains(r#"<a href="../cases/beta.html" lang="en">Beta Community"#));
    assert!(read(&site, "en/cases/beta.html").contains(r#"<h1 id="case-title">Beta Community"#));
    // The excerpt of beta on the Chinese practice page says its language too.
    let practice = read(&site, "practices/red-wall-consciousness.html");
    assert!(practice.contains(r#"<div lang="en">"#), "{practice}");
    // Both trees in the sitemap; cases.json carries the translation.
    let sitemap = read(&site, "sitemap.xml");
    assert!(sitemap.contains("/cases/alpha.html</loc>") && sitemap.contains("/en/cases/alpha.html</loc>"), "{sitemap}");
    let cases: serde_json::Value = serde_json::from_str(&read(&site, "cases.json")).unwrap();
    let alpha = cases["cases"].as_array().unwrap().iter().find(|c| c["id"] == "alpha").unwrap();
    assert_eq!(alpha["translations"]["zh-CN"]["title"], "甲街道：党建联盟（译文）");
    assert!(alpha["translations"]["zh-CN"]["body_markdown"].as_str().unwrap().contains("## 背景 {#background}"));
    // The search finds the case by its translation's words.
    lib.build_in_place();
    let run = lib.search("各自为政", &["--json"]);
    let found: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(found["hits"][0]["id"], "alpha", "{}", run.stdout);
    // Its snippet is the translation's passage that holds them, not the English text.
    assert!(found["hits"][0]["snippet_html"].as_str().unwrap().contains("各自为政"), "{}", run.stdout);
    // A reader of English gets the English pages; of Chinese (the default), the root's, and the
    // Chinese passage before the English one when both hold the words.
    let json = |q: &str, lang: &str| -> serde_json::Value {
        serde_json::from_str(&lib.search(q, &["--json", "--lang", lang]).stdout).unwrap()
    };
    assert_eq!(json("alliance", "en")["hits"][0]["url"], "en/cases/alpha.html#alliance");
    assert_eq!(json("alliance", "zh-CN")["hits"][0]["url"], "cases/alpha.html#alliance");
    lib.write(
        "cases/alpha.zh.md",
        lib.read("cases/alpha.zh.md").replace("组建了一个联盟", "组建了一个联盟（alliance）"),
    );
    lib.build_in_place();
    let zh = json("alliance", "zh");
    assert!(zh["hits"][0]["snippet_html"].as_str().unwrap().contains("组建"), "{zh}");
    let en = json("alliance", "en");
    assert!(!en["hits"][0]["snippet_html"].as_str().unwrap().contains("组建"), "{en}");
    // Each reader's language ranks first: a word in beta's English text and in alpha's Chinese
    // translation finds beta first for an English reader and alpha first for a Chinese one.
    lib.edit(
        "cases/district/beta.md",
        "Members visited every household.",
        "Members visited every household, as in Fengqiao.",
    );
    lib.edit("cases/alpha.zh.md", "各单位现在每月开一次会。", "各单位现在每月开一次会，学习 Fengqiao 的做法。");
    lib.build_in_place();
    let first = |lang: &str| {
        json("Fengqiao", lang)["hits"].as_array().unwrap().iter().map(|h| h["id"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(first("en"), ["beta", "alpha"]);
    assert_eq!(first("zh-CN"), ["alpha", "beta"]);
    let run = lib.search("alliance", &["--lang", "fr"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`fr` is not a language casebook knows: zh-CN or en"), "{}", run.stderr);
}

#[test]
fn a_site_of_one_language_has_no_second_tree_and_no_switch() {
    let lib = Lib::fixture("basic");
    let site = lib.build("site", &[]);
    assert!(!site.join("en").exists());
    let page = read(&site, "cases/alpha.html");
    assert!(!page.contains("hreflang") && !page.contains("class=\"languages\""));
}
