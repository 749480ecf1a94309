//! `casebook check`: clean libraries, one kind of error at a time, warnings, many errors in many
//! files, the JSON format, exit codes, a fourth vocabulary (files on disk and output paths are in
//! `files.rs`). Each test compares the whole transcript — stdout, stderr, the exit code — with a
//! reviewed snapshot in `tests/snapshots/`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{alpha, case_like_alpha, run_with, snapshot, Lib, MANIFEST_DIR};

// ---------------------------------------------------------------------------------------------
// Clean libraries
// ---------------------------------------------------------------------------------------------

#[test]
fn shipped_library_checks_clean() {
    let root = Path::new(MANIFEST_DIR);
    let files = walk_files(&root.join("cases"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md") || p.ends_with("cases/taxonomy.yaml"))
        .count();
    // With the about page's text and its translation.
    let files = files + ["about.md", "about.zh.md"].iter().filter(|f| root.join(f).is_file()).count();
    let cases = walk_files(&root.join("cases"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.to_string_lossy().ends_with(".zh.md"))
        .count();
    let run = run_with(root, &["check", "--root", MANIFEST_DIR], &[root.to_path_buf()]);
    assert_eq!(run.stdout, "");
    // Every case is translated into Chinese, the site's default language.
    assert_eq!(
        run.stderr,
        format!("translations into zh-CN: {cases} of {cases} cases\n0 errors, 0 warnings in {files} files\n")
    );
    assert_eq!(run.code, 0);
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn basic_fixture_checks_clean() {
    let run = Lib::fixture("basic").check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 3 files\n");
}

#[test]
fn check_runs_in_the_current_folder_by_default() {
    let lib = Lib::fixture("basic");
    let run = lib.run_in(&lib.root(), &["check"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"));
}

// ---------------------------------------------------------------------------------------------
// One error kind at a time
// ---------------------------------------------------------------------------------------------

#[test]
fn yaml_syntax_errors() {
    let lib = Lib::fixture("basic");
    // A missing colon; an unquoted value containing ": " (a classic); an unclosed list.
    lib.edit("cases/alpha.md", "level: street", "level street");
    lib.edit(
        "cases/district/beta.md",
        "title: \"Beta Community: red wall consciousness\"",
        "title: Beta Community: red wall",
    );
    lib.write(
        "cases/gamma.md",
        case_like_alpha("gamma").replace("practices: [party-building-alliance]", "practices: [party-building-alliance"),
    );
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("yaml_syntax_errors", &run.transcript());
}

#[test]
fn an_error_far_along_a_long_line_is_shown_around_its_column() {
    let lib = Lib::fixture("basic");
    let long =
        format!("summary: {} Result: the units meet monthly.", "The street joined its units in an alliance.".repeat(6));
    lib.edit(
        "cases/alpha.md",
        "summary: Alpha Street joined the Party organizations of its units in an alliance.",
        &long,
    );
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("long_line", &run.transcript());
}

#[test]
fn missing_required_fields() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "title: \"Alpha Street: a party building alliance\"\n", "");
    lib.edit(
        "cases/alpha.md",
        "summary: Alpha Street joined the Party organizations of its units in an alliance.\n",
        "",
    );
    lib.edit("cases/district/beta.md", "  province: Beijing\n", "  city: Beijing\n");
    lib.edit("cases/district/beta.md", "id: beta", "id:");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("missing_required_fields", &run.transcript());
}

#[test]
fn wrong_types() {
    let lib = Lib::fixture("basic");
    lib.edit(
        "cases/alpha.md",
        "forces: [organizational-coverage, political-leadership]",
        "forces: political-leadership",
    );
    lib.edit("cases/district/beta.md", "title: \"Beta Community: red wall consciousness\"", "title: [a]");
    lib.write(
        "cases/gamma.md",
        case_like_alpha("gamma").replace("  province: Henan\n  city: Zhengzhou\n  unit: Alpha Street\n", " Henan\n"),
    );
    lib.write(
        "cases/delta.md",
        case_like_alpha("delta").replace("sources:\n  - \"Field notes, 2024\"", "sources: Field notes"),
    );
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("wrong_types", &run.transcript());
}

#[test]
fn unknown_keys_get_did_you_mean() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "title: ", "titel: ");
    lib.edit("cases/alpha.md", "  city: Zhengzhou", "  ctiy: Zhengzhou\n  colour: red");
    lib.edit("cases/district/beta.md", "forces: [", "forcse: [");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("unknown_keys", &run.transcript());
}

#[test]
fn unknown_ids_get_hints_by_spelling_label_and_alias() {
    let lib = Lib::fixture("basic");
    // A typo, a Chinese label, an English label, an alias, and something unrelated.
    lib.edit(
        "cases/alpha.md",
        "forces: [organizational-coverage, political-leadership]",
        "forces: [组织覆盖力, Mass cohesion, politcal-leadership, 领导核心, zzz]",
    );
    lib.edit("cases/alpha.md", "practices: [party-building-alliance]", "practices: [party-buildin-alliance]");
    lib.edit("cases/alpha.md", "problems: [governance-synergy-not-formed]", "problems: [nope]");
    lib.edit("cases/district/beta.md", "practices: [red-wall-consciousness]", "practices: [红墙意识]");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("hint: `组织覆盖力` is a name of `organizational-coverage`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: `Mass cohesion` is a name of `mass-cohesion`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `political-leadership`?"), "{}", run.stderr);
    snapshot("unknown_ids", &run.transcript());
}

#[test]
fn duplicate_case_id_names_both_files() {
    let lib = Lib::fixture("basic");
    lib.write("cases/copy/alpha.md", alpha());
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--> cases/copy/alpha.md:2:5"), "{}", run.stderr);
    assert!(run.stderr.contains("`cases/alpha.md` (line 2) already uses this id"), "{}", run.stderr);
    snapshot("duplicate_case_id", &run.transcript());
}

#[test]
fn bad_case_ids() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "id: alpha", "id: Alpha_Street");
    lib.edit("cases/district/beta.md", "id: beta", "id: 淮河路");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("bad_case_ids", &run.transcript());
}

#[test]
fn section_attributes_must_match_the_front_matter() {
    let lib = Lib::fixture("basic");
    // A force the case does not list; a practice the case does not list; a misspelt attribute.
    lib.edit("cases/district/beta.md", "forces=mass-cohesion", "forces=\"mass-cohesion organizational-coverage\"");
    lib.edit("cases/alpha.md", "practice=party-building-alliance", "practice=red-wall-consciousness");
    lib.write(
        "cases/gamma.md",
        case_like_alpha("gamma").replace("practice=party-building-alliance", "practise=party-building-alliance"),
    );
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("section_attributes", &run.transcript());
}

#[test]
fn links_to_unknown_cases() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "(case:beta)", "(case:nope), [B](case:bet#red-wall)");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("broken_links", &run.transcript());
}

#[test]
fn empty_body() {
    let lib = Lib::fixture("basic");
    let text = alpha();
    let front = &text[..text.find("\n---\n").unwrap() + 5];
    lib.write("cases/alpha.md", format!("{front}\n  \n"));
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("empty_body", &run.transcript());
}

#[test]
fn missing_or_unclosed_front_matter_and_empty_files() {
    let lib = Lib::fixture("basic");
    lib.write("cases/gamma.md", "# Gamma\n\nNo front matter.\n");
    lib.write("cases/delta.md", "---\nid: delta\ntitle: Delta\n\n## Body\n\nText.\n");
    lib.write("cases/empty.md", "");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("front_matter_missing_or_unclosed", &run.transcript());
}

#[test]
fn invalid_utf8() {
    let lib = Lib::fixture("basic");
    let mut bytes = alpha().into_bytes();
    let at = bytes.windows(5).position(|w| w == b"Alpha").unwrap();
    bytes[at + 2] = 0xE9; // Latin-1 "é" in the title
    lib.write("cases/alpha.md", bytes);
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("invalid_utf8", &run.transcript());
}

#[test]
fn file_too_large() {
    let lib = Lib::fixture("basic");
    lib.write("casebook.toml", "max_file_size = 200\n");
    lib.write("cases/tiny.md", "---\nid: tiny\n---\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("file_too_large", &run.transcript());
}

#[test]
fn taxonomy_errors() {
    let lib = Lib::fixture("basic");
    let t = "cases/taxonomy.yaml";
    lib.edit(t, "    - id: organizational-coverage", "    - id: mass-cohesion"); // duplicate id
    lib.edit(t, "    forces: [mass-cohesion]", "    forces: [nope]"); // link to an unknown force
    lib.edit(t, "      label: Political leadership\n", ""); // missing label
    lib.edit(t, "    label: Party building alliance", "    lable: Party building alliance"); // misspelt key
    lib.edit(t, "    definition: Political awareness of serving the centre.\n", "");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("taxonomy_errors", &run.transcript());
}

#[test]
fn taxonomy_yaml_error_and_missing_taxonomy() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/taxonomy.yaml", "  - id: mass-cohesion-weak", "  - id: mass-cohesion-weak\n   label: oops");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("taxonomy_yaml_error", &run.transcript());

    let lib = Lib::fixture("basic");
    lib.remove("cases/taxonomy.yaml");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("taxonomy_missing", &run.transcript());
}

#[test]
fn config_errors() {
    let lib = Lib::fixture("basic");
    lib.write("casebook.toml", "title = \"My library\"\nlanguge = \"en\"\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("config_unknown_key", &run.transcript());

    lib.write("casebook.toml", "language = \"fr\"\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("config_bad_language", &run.transcript());

    lib.write("casebook.toml", "profile = \"forcez\"\nvocabularies = [\"forces\", \"problem\"]\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("config_unknown_vocabularies", &run.transcript());
}

#[test]
fn vocabulary_roles_must_name_vocabularies_of_the_taxonomy() {
    let lib = Lib::fixture("basic");
    lib.write("casebook.toml", "profile = \"forces\"\nstart_from = \"problemz\"\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let said = run.transcript();
    assert!(said.contains("error[config]: start_from vocabulary `problemz` is not in the taxonomy"), "{said}");
    assert!(said.contains("one of: forces, problems, practices"), "{said}");
    lib.write("casebook.toml", "profile = \"practices\"\nstart_from = \"problems\"\n");
    assert_eq!(lib.check(&[]).code, 0);
}

#[test]
fn the_home_page_starts_from_the_vocabulary_casebook_toml_names() {
    let lib = Lib::fixture("basic");
    let home = |lib: &Lib, name: &str| std::fs::read_to_string(lib.build(name, &[]).join("index.html")).unwrap();
    lib.write("casebook.toml", "start_from = \"problems\"\n");
    let with = home(&lib, "with");
    lib.write("casebook.toml", "title = \"No roles\"\n");
    let without = home(&lib, "without");
    let section = |page: &str| {
        page.split("id=\"h-start-from\"").nth(1).map(|rest| rest.split("</section>").next().unwrap().to_string())
    };
    let problems = section(&with).expect("a start-from section");
    assert!(problems.contains("href=\"problems/"), "it lists the problems: {problems}");
    assert_eq!(section(&without), None, "without start_from there is no start-from section");
    lib.write("casebook.toml", "start_from = \"practices\"\n");
    let practices = section(&home(&lib, "practices")).expect("a start-from section");
    assert!(practices.contains("href=\"practices/") && !practices.contains("href=\"problems/"), "{practices}");
}

// ---------------------------------------------------------------------------------------------
// Warnings, many errors, JSON, exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn warnings_alone_exit_zero() {
    let lib = Lib::fixture("basic");
    lib.edit(
        "cases/taxonomy.yaml",
        "practices:\n",
        "practices:\n  - id: grid-management\n    label: Grid management\n    label_zh: 网格化管理\n    definition: The community is divided into grids.\n",
    );
    // A case with no tagged practice section (a heading, but without attributes).
    lib.write(
        "cases/gamma.md",
        case_like_alpha("gamma").replace(
            " {#alliance practice=party-building-alliance forces=\"organizational-coverage political-leadership\"}",
            "",
        ),
    );
    let run = lib.check(&[]);
    assert_eq!(run.code, 0);
    snapshot("warnings_only", &run.transcript());
}

/// Errors in three files and a warning in a fourth, for the sorting and JSON tests.
fn several_problems() -> Lib {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "(case:beta)", "(case:betta)"); // line 24
    lib.edit("cases/alpha.md", "level: street", "level: streets"); // line 9
    lib.edit("cases/district/beta.md", "forces=mass-cohesion", "forces=mass-cohesio");
    lib.write("cases/delta.md", case_like_alpha("delta").replace("\n---\n", "\nbogus: 1\n---\n"));
    lib.write(
        "cases/gamma.md",
        case_like_alpha("gamma").replace(
            " {#alliance practice=party-building-alliance forces=\"organizational-coverage political-leadership\"}",
            "",
        ),
    );
    lib
}

#[test]
fn several_errors_in_several_files_sorted_by_file_then_line() {
    let run = several_problems().check(&[]);
    assert_eq!(run.code, 1);
    let locations: Vec<(String, usize)> = run
        .stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .map(|loc| {
            let mut parts = loc.split(':');
            (parts.next().unwrap().to_string(), parts.next().map_or(0, |l| l.parse().unwrap()))
        })
        .collect();
    let mut sorted = locations.clone();
    sorted.sort();
    assert_eq!(locations, sorted);
    assert_eq!(locations.len(), 5, "{}", run.stderr);
    assert_eq!(run.stderr.lines().last(), Some("4 errors, 1 warning in 5 files"));
    snapshot("several_errors", &run.transcript());
}

#[test]
fn json_format() {
    let run = several_problems().check(&["--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "", "the JSON format writes nothing else");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    // A library with errors is no library: no translation coverage to give.
    assert_eq!(value["translations"], serde_json::json!([]));
    let items = value["diagnostics"].as_array().expect("an array");
    assert_eq!(items.len(), 5);
    for item in items {
        let keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, ["code", "column", "file", "hint", "line", "message", "severity"]);
    }
    assert_eq!(
        items[0],
        serde_json::json!({
            "file": "cases/alpha.md",
            "line": 9,
            "column": 8,
            "severity": "error",
            "code": "bad-level",
            // In the library's language (Chinese, the default).
            "message": "未声明的层级 `streets`",
            "hint": "是不是 `street`？（cases/taxonomy.yaml 声明的层级：street、community、city）"
        })
    );
    let severities: Vec<&str> = items.iter().map(|i| i["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, ["error", "error", "error", "error", "warning"]);
    snapshot("several_errors_json", &run.transcript());

    // A clean library of one language: no diagnostics, no translations.
    let run = Lib::fixture("basic").check(&["--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value, serde_json::json!({"diagnostics": [], "translations": []}));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let lib = Lib::fixture("basic");
    let tmp = lib.tmp.path().to_path_buf();
    let run = lib.run_in(&tmp, &["check", "--root", tmp.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    snapshot("usage_no_cases_folder", &run.transcript());

    let run = lib.run_in(&tmp, &["check"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: no `cases/` folder in the current folder — run casebook inside a library folder, or pass --root DIR \
         (`casebook init` starts a library)\n"
    );

    let run = lib.run_in(&tmp, &["check", "--frobnicate"]);
    assert_eq!(run.code, 2);
    snapshot("usage_unknown_flag", &run.transcript());

    let run = lib.run_in(&tmp, &["check", "--root", lib.root().to_str().unwrap(), "--format", "xml"]);
    assert_eq!(run.code, 2);
    snapshot("usage_bad_format", &run.transcript());

    let run = lib.run_in(&tmp, &["chekc"]);
    assert_eq!(run.code, 2);
    snapshot("usage_unknown_subcommand", &run.transcript());
}

// ---------------------------------------------------------------------------------------------
// A fourth vocabulary
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fourth_vocabulary_checks_clean() {
    let run = Lib::fixture("fields").check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 3 files\n");
}

#[test]
fn a_fourth_vocabulary_reports_unknown_ids_like_the_others() {
    let lib = Lib::fixture("fields");
    lib.edit(
        "cases/red-property.md",
        "fields: [residential-compound, property-management]",
        "fields: [residential-compund, 物业公司]",
    );
    lib.edit("cases/red-property.md", "field=property-management", "field=小区");
    lib.edit("cases/towers.md", "fields=\"office-building enterprise\"", "fields=\"office-building factory\"");
    lib.edit("cases/taxonomy.yaml", "    fields: [property-management]", "    fields: [物业]");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("fields_taxonomy_unknown_id", &run.transcript());

    lib.edit("cases/taxonomy.yaml", "    fields: [物业]", "    fields: [property-management]");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("fields_unknown_ids", &run.transcript());
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// A library's own template that cannot be compiled, or that fails when a page is rendered
/// (a variable it does not have), or its own UI strings that cannot be read: `check` fails
/// with the error `build` gives, at the template's line.
#[test]
fn a_broken_template_fails_check_with_the_error_build_gives() {
    let lib = Lib::fixture("basic");
    let mut transcripts = String::new();
    for (file, text) in [
        (
            "templates/case.html",
            "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ case.title </p>\n{% endblock content %}\n",
        ),
        (
            "templates/about.html",
            "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ no_such_variable }}</p>\n{% endblock content %}\n",
        ),
        ("templates/i18n/zh-CN.toml", "home = \"首页\"\nno_such_string = \"x\"\n"),
    ] {
        lib.write(file, text);
        let check = lib.check(&[]);
        let out = lib.outside("site");
        let root = lib.root();
        let build = lib.run_in(&root, &["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!((check.code, build.code), (1, 1), "{file}:\n{}\n{}", check.stderr, build.stderr);
        let diagnostics = |stderr: &str| stderr.trim_end().rsplit_once('\n').map(|(d, _)| d.to_string());
        assert_eq!(diagnostics(&check.stderr), diagnostics(&build.stderr), "{file}: check and build disagree");
        assert!(check.stderr.contains(&format!("--> {file}:")), "{file}: the file and line:\n{}", check.stderr);
        assert!(!out.exists());
        transcripts.push_str(&check.transcript());
        fs::remove_file(lib.path(file)).unwrap();
    }
    snapshot("template_errors", &transcripts);
}
