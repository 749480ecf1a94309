//! Vocabularies and levels are the library's data: a library on another subject (waste sorting,
//! with `approaches` and `obstacles` and no levels) checks, builds and searches with its own
//! singulars as section attributes, inline filters and `--SINGULAR` flags, and its own roles;
//! a level a case uses that the taxonomy does not declare is an error in the library's language.

use crate::support::{read, snapshot, Lib};

/// The ids of the hits of `casebook search --json`.
fn ids(stdout: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_library_of_its_own_vocabularies_checks_builds_and_shows_its_roles() {
    let lib = Lib::fixture("waste-sorting");
    let run = lib.check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 3 files\n");
    let site = lib.build("site", &[]);
    // The roles of casebook.toml name its vocabularies: the profile and "start from".
    let home = read(&site, "index.html");
    assert!(home.contains("<h2 id=\"h-start-from\">Start from obstacles</h2>"), "{home}");
    assert!(home.contains("class=\"profile-card tag v-approaches t0 v-profile\""), "{home}");
    // Sections tagged `approach=` (the derived singular) are the approaches' excerpts.
    let term = read(&site, "approaches/sorting-at-source.html");
    assert!(term.contains("cases/greenhill.html#four-bins"), "{term}");
    let term = read(&site, "obstacles/low-return-rate.html");
    assert!(term.contains("cases/bottle-bank.html#deposit"), "{term}");
    // No levels declared: no level anywhere, no level facet.
    let case = read(&site, "cases/greenhill.html");
    assert!(!case.contains("<dt>Level</dt>"), "{case}");
    assert!(!read(&site, "search.html").contains("data-facet=\"level\""));
    assert!(!read(&site, "cases/index.html").contains("class=\"level\""));
    let meta = read(&site, "_search/meta.js");
    assert!(meta.contains("\"singular\":\"approach\"") && meta.contains("\"levels\":[]"), "{meta}");
}

#[test]
fn each_singular_is_a_flag_and_an_inline_filter_of_search() {
    let lib = Lib::fixture("waste-sorting");
    lib.build_in_place();
    let run = lib.search("", &["--approach", "sorting-at-source", "--json"]);
    assert_eq!((run.code, ids(&run.stdout)), (0, vec!["greenhill".to_string()]), "{}", run.stderr);
    let run = lib.search("", &["--obstacle", "low-return-rate", "--json"]);
    assert_eq!(ids(&run.stdout), ["bottle-bank"], "{}", run.stderr);
    // Values of one flag are ORed; the generic --filter and inline filters say the same.
    let run = lib.search("", &["--approach", "sorting-at-source", "--approach", "deposit-refund", "--json"]);
    assert_eq!(ids(&run.stdout).len(), 2, "{}", run.stderr);
    let run = lib.search("", &["--filter", "approaches=deposit-refund", "--json"]);
    assert_eq!(ids(&run.stdout), ["bottle-bank"], "{}", run.stderr);
    let run = lib.search("approach:sorting-at-source", &["--json"]);
    assert_eq!(ids(&run.stdout), ["greenhill"], "{}", run.stderr);
    // The facets are named by the singulars, and no level facet is counted.
    let v: serde_json::Value = serde_json::from_str(&lib.search("", &["--json"]).stdout).unwrap();
    let facets: Vec<&str> = v["facets"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(facets, ["approach", "obstacle", "place"]);

    // The help lists the library's flags; a flag it does not have is an error naming them.
    let help = lib.search("", &["--help"]);
    assert!(help.stdout.contains("--approach <ID>") && help.stdout.contains("--obstacle <ID>"), "{}", help.stdout);
    let mut out = lib.search("", &["--force", "x"]).transcript();
    out.push_str(&lib.search("", &["--approach", "sorting-at-sorce"]).transcript());
    out.push_str(&lib.search("", &["--level", "street"]).transcript());
    snapshot("search_vocabulary_flags", &out);
}

#[test]
fn the_shipped_library_keeps_its_flags() {
    let lib = Lib::shipped();
    lib.build_in_place();
    let run = lib.search("", &["--force", "political-leadership", "--practice", "red-wall-consciousness", "--json"]);
    assert_eq!(ids(&run.stdout), ["west-changan"], "{}", run.stderr);
    let run = lib.search("", &["--level", "city", "--json"]);
    let mut found = ids(&run.stdout);
    found.sort();
    assert_eq!(found, ["guigang", "urumqi"], "{}", run.stderr);
}

#[test]
fn a_level_the_taxonomy_does_not_declare_is_an_error_in_the_librarys_language() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "level: street", "level: streets");
    lib.edit("cases/district/beta.md", "level: community", "level: village");
    let mut out = lib.check(&[]).transcript();
    lib.edit("casebook.toml", "profile =", "language = \"en\"\nprofile =");
    out.push_str(&lib.check(&[]).transcript());
    // A library without levels: a case may not have one.
    let lib = Lib::fixture("waste-sorting");
    lib.edit("cases/greenhill.md", "approaches:", "level: street\napproaches:");
    out.push_str(&lib.check(&[]).transcript());
    lib.edit("casebook.toml", "language = \"en\"", "language = \"zh-CN\"");
    out.push_str(&lib.check(&[]).transcript());
    snapshot("levels_not_declared", &out);
}

#[test]
fn a_library_declares_its_own_levels() {
    let lib = Lib::fixture("waste-sorting");
    let taxonomy = lib.read("cases/taxonomy.yaml");
    let levels = "levels:\n  - id: town\n    label: Town\n    label_zh: 镇\n  - id: county\n    label: County\n";
    lib.write("cases/taxonomy.yaml", format!("{taxonomy}\n{levels}"));
    let run = lib.check(&[]);
    assert_eq!(run.code, 1, "declared levels are required");
    assert!(run.stderr.contains("missing required field `level`"), "{}", run.stderr);
    assert!(run.stderr.contains("add `level: town` to the front matter"), "{}", run.stderr);
    lib.edit("cases/greenhill.md", "approaches:", "level: town\napproaches:");
    lib.edit("cases/bottle-bank.md", "approaches:", "level: county\napproaches:");
    assert_eq!(lib.check(&[]).code, 0);
    let site = lib.build("site", &[]);
    assert!(read(&site, "cases/greenhill.html").contains("<dt>Level</dt>\n      <dd>Town</dd>"));
    let search = read(&site, "search.html");
    assert!(search.contains("value=\"town\"> Town") && search.contains("value=\"county\"> County"), "{search}");
    lib.build_in_place();
    let run = lib.search("", &["--level", "County", "--json"]);
    assert_eq!(ids(&run.stdout), ["bottle-bank"], "a level is named by its id or its label: {}", run.stderr);
}

#[test]
fn a_singular_that_names_two_things_is_an_error() {
    let lib = Lib::fixture("waste-sorting");
    lib.edit(
        "cases/taxonomy.yaml",
        "obstacles:\n  label: Obstacles",
        "obstacles:\n  singular: approach\n  label: Obstacles",
    );
    let mut out = lib.check(&[]).transcript();
    lib.edit("cases/taxonomy.yaml", "singular: approach", "singular: level");
    out.push_str(&lib.check(&[]).transcript());
    snapshot("singular_clashes", &out);
}
