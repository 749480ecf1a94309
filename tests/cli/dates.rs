//! A case's optional `date:` and `updated:`: shown on its page and in lists in the reader's
//! words, the sitemap's `lastmod`, the feed's order and `pubDate` (no date invented for a case
//! without one); a date casebook cannot read is an error at its line and column, in the
//! library's language.

use crate::support::{read, Lib};

/// The waste-sorting library (English) with greenhill dated to the day and revised in a
/// month, bottle-bank dated to a year, and a third case with no date.
fn dated() -> Lib {
    let lib = Lib::fixture("waste-sorting");
    lib.edit("casebook.toml", "language = \"en\"", "language = \"en\"\nlanguages = [\"en\", \"zh-CN\"]");
    lib.edit("cases/greenhill.md", "sources:", "date: 2019-06-12\nupdated: 2024-03\nsources:");
    lib.edit("cases/bottle-bank.md", "sources:", "date: 2021\nsources:");
    let text = lib
        .read("cases/greenhill.md")
        .replace("id: greenhill", "id: undated")
        .replace("date: 2019-06-12\nupdated: 2024-03\n", "");
    lib.write("cases/undated.md", text);
    lib
}

#[test]
fn dates_show_where_readers_and_machines_look_and_none_is_invented() {
    let lib = dated();
    let run = lib.check(&[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let site = lib.build("site", &[]);
    let case = read(&site, "cases/greenhill.html");
    assert!(case.contains("<dt>Date</dt>\n      <dd><time datetime=\"2019-06-12\">12 June 2019</time></dd>"), "{case}");
    assert!(case.contains("<dd><time datetime=\"2024-03\">March 2024</time></dd>"), "{case}");
    assert!(!read(&site, "cases/undated.html").contains("<time"), "no date, no <time>");
    // The Chinese tree says it in Chinese.
    let zh = read(&site, "zh-CN/cases/bottle-bank.html");
    assert!(zh.contains("<dt>日期</dt>\n      <dd><time datetime=\"2021\">2021年</time></dd>"), "{zh}");
    let list = read(&site, "cases/index.html");
    assert!(list.contains("<time datetime=\"2019-06-12\">12 June 2019</time>"), "the list shows the date");

    let sitemap = read(&site, "sitemap.xml");
    assert!(sitemap.contains("cases/greenhill.html</loc><lastmod>2024-03</lastmod>"), "{sitemap}");
    assert!(sitemap.contains("cases/bottle-bank.html</loc><lastmod>2021</lastmod>"), "{sitemap}");
    assert!(sitemap.contains("cases/undated.html</loc></url>"), "{sitemap}");

    // Newest first (greenhill by its revision), the undated last, without a date.
    let feed = read(&site, "feed.xml");
    let order: Vec<&str> = ["greenhill.html", "bottle-bank.html", "undated.html"]
        .into_iter()
        .map(|p| &feed[feed.find(p).unwrap()..])
        .collect();
    assert!(order[0].len() > order[1].len() && order[1].len() > order[2].len(), "{feed}");
    assert!(feed.contains("<pubDate>Fri, 01 Mar 2024 00:00:00 +0000</pubDate>"), "{feed}");
    assert!(feed.contains("<pubDate>Fri, 01 Jan 2021 00:00:00 +0000</pubDate>"), "{feed}");
    assert_eq!(feed.matches("<pubDate>").count(), 3, "the channel's and two items': {feed}");
    assert!(!feed.contains("1970"), "{feed}");
    let json: serde_json::Value = serde_json::from_str(&read(&site, "cases.json")).unwrap();
    let greenhill = json["cases"].as_array().unwrap().iter().find(|c| c["id"] == "greenhill").unwrap();
    assert_eq!((greenhill["date"].as_str(), greenhill["updated"].as_str()), (Some("2019-06-12"), Some("2024-03")));
}

#[test]
fn a_library_without_dates_has_a_feed_without_dates() {
    let lib = Lib::fixture("waste-sorting");
    let site = lib.build("site", &[]);
    let feed = read(&site, "feed.xml");
    assert!(feed.starts_with("<?xml") && feed.contains("<rss version=\"2.0\""), "{feed}");
    assert_eq!(feed.matches("<item>").count(), 2);
    assert!(!feed.contains("<pubDate>") && !feed.contains("1970"), "{feed}");
    assert!(!read(&site, "sitemap.xml").contains("<lastmod>"));
}

#[test]
fn a_date_casebook_cannot_read_is_an_error_where_it_is_written() {
    let lib = dated();
    lib.edit("cases/bottle-bank.md", "date: 2021", "date: 2021/06/12");
    lib.edit("cases/greenhill.md", "updated: 2024-03", "updated: 2018");
    lib.edit("cases/undated.md", "sources:", "date: 2023-02-29\nsources:");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let err = &run.stderr;
    assert!(err.contains("cases/bottle-bank.md:"), "{err}");
    assert!(err.contains("`date` is not a date casebook can read: `2021/06/12`"), "{err}");
    assert!(err.contains("write `date: 2019-06-12` (year-month-day)"), "{err}");
    assert!(err.contains("`updated: 2018` is before `date: 2019-06-12`"), "{err}");
    assert!(err.contains("`date: 2023-02-29` is not a day of the calendar"), "{err}");
    // Line and column of the value.
    let line = lib.read("cases/bottle-bank.md").lines().position(|l| l.starts_with("date:")).unwrap() + 1;
    assert!(err.contains(&format!("cases/bottle-bank.md:{line}:7")), "{err}");
    run.assert_no_panic("bad dates");
}

#[test]
fn a_chinese_library_is_told_in_chinese() {
    let lib = Lib::shipped();
    lib.edit("cases/fujian/tianhu.md", "sources:", "date: 2019年6月\nsources:");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("`date` 的日期 `2019年6月` 无法识别"), "{}", run.stderr);
    assert!(run.stderr.contains("只知道月份或年份时写 `2019-06` 或 `2019`"), "{}", run.stderr);
}

#[test]
fn search_filters_and_counts_by_year_and_shows_the_date() {
    let lib = dated();
    let run = lib.search("", &["--year", "2021", "--json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{}", run.stdout);
    assert_eq!((hits[0]["id"].as_str(), hits[0]["date"].as_str()), (Some("bottle-bank"), Some("2021")));
    // Values are ORed; the inline filter says the same; the facet counts each year.
    let run = lib.search("year:2019", &["--year", "2021", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["hits"].as_array().unwrap().len(), 2, "{}", run.stdout);
    let all: serde_json::Value = serde_json::from_str(&lib.search("", &["--json"]).stdout).unwrap();
    assert_eq!(all["facets"]["year"], serde_json::json!({"2021": 1, "2019": 1}), "{all}");
    let human = lib.search("four bins", &[]).stdout;
    assert!(human.contains("Hangzhou, Zhejiang · 2019-06-12"), "{human}");
    let bad = lib.search("", &["--year", "19"]);
    assert_eq!(bad.code, 2, "{}", bad.transcript());
    assert!(bad.stderr.contains("`year` takes a year of four digits, such as 2019, not `19`"), "{}", bad.stderr);
    // A library without dates counts no years.
    let plain = Lib::fixture("waste-sorting");
    let v: serde_json::Value = serde_json::from_str(&plain.search("", &["--json"]).stdout).unwrap();
    assert!(v["facets"].get("year").is_none(), "{v}");
}
