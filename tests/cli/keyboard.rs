//! What a Chinese keyboard (or a copy from a web page) puts where YAML wants ASCII: each
//! character is named at its own line and column, in the library's language (Chinese by
//! default, English with `language = "en"`), while full-width punctuation in prose passes; and
//! control characters from a file or an argument never reach the terminal raw.

use crate::support::{alpha, snapshot, Lib};

/// One mistake each: (what the fixture's `cases/alpha.md` has, what a keyboard made of it).
const CASE_MISTAKES: &[(&str, &str)] = &[
    ("level: street", "level：street"),
    ("  city: Zhengzhou", "\u{3000}city: Zhengzhou"),
    ("  city: Zhengzhou", "\tcity: Zhengzhou"),
    ("  city: Zhengzhou", "\u{a0} city: Zhengzhou"),
    ("level: street", "\u{200b}level: street"),
    ("level: street", "level:\u{3000}street"),
    ("[organizational-coverage, political", "[organizational-coverage， political"),
    ("[party-building-alliance]", "【party-building-alliance】"),
    ("[party-building-alliance]", "[party-building-alliance\u{feff}]"),
    ("title: \"Alpha Street: a party building alliance\"", "title: “Alpha Street: a party building alliance”"),
    ("  - \"Field notes, 2024\"", "  - ‘Field notes: 2024’"),
];

/// `check` on the basic fixture with each mistake alone, in the language `toml` sets; the
/// transcripts one after the other.
fn each_mistake(toml: &str) -> String {
    let mut out = String::new();
    for (from, to) in CASE_MISTAKES {
        let lib = Lib::fixture("basic");
        lib.edit("casebook.toml", "profile", &format!("{toml}profile"));
        lib.edit("cases/alpha.md", from, to);
        let run = lib.check(&[]);
        assert_eq!(run.code, 1, "{to:?}:\n{}", run.stderr);
        assert!(run.stderr.contains("error[keyboard]"), "{to:?} is not named:\n{}", run.stderr);
        out.push_str(&run.transcript());
    }
    out
}

#[test]
fn keyboard_characters_in_a_case_are_named_in_chinese() {
    snapshot("keyboard_case_zh", &each_mistake(""));
}

#[test]
fn keyboard_characters_in_a_case_are_named_in_english() {
    snapshot("keyboard_case_en", &each_mistake("language = \"en\"\n"));
}

#[test]
fn keyboard_characters_in_the_taxonomy_are_named_in_both_languages() {
    let mut out = String::new();
    for toml in ["", "language = \"en\"\n"] {
        for (from, to) in
            [("  label: Forces", "  label：Forces"), ("      label: Mass cohesion", "\t    label: Mass cohesion")]
        {
            let lib = Lib::fixture("basic");
            lib.edit("casebook.toml", "profile", &format!("{toml}profile"));
            lib.edit("cases/taxonomy.yaml", from, to);
            let run = lib.check(&[]);
            assert_eq!(run.code, 1, "{to:?}:\n{}", run.stderr);
            out.push_str(&run.transcript());
        }
    }
    snapshot("keyboard_taxonomy", &out);
}

#[test]
fn keyboard_characters_in_section_attributes_are_named() {
    let mut out = String::new();
    for toml in ["", "language = \"en\"\n"] {
        let lib = Lib::fixture("basic");
        lib.edit("casebook.toml", "profile", &format!("{toml}profile"));
        lib.edit(
            "cases/alpha.md",
            "forces=\"organizational-coverage political",
            "forces=\"organizational-coverage，political",
        );
        let run = lib.check(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        out.push_str(&run.transcript());
    }
    snapshot("keyboard_section_attributes", &out);
}

#[test]
fn full_width_punctuation_in_prose_passes() {
    let lib = Lib::fixture("basic");
    let case = alpha()
        .replace("title_zh: \"甲街道：党建联盟\"", "title_zh: 甲街道：党建联盟（试点），“红色”引领")
        .replace(
            "summary: Alpha Street",
            "summary_zh: >-\n  甲街道：把辖区单位\u{3000}“联”起来，【试点】（一）\nsummary: Alpha Street",
        )
        .replace("  - \"Field notes, 2024\"", "  - \"调研笔记：2024，“一手”材料\"\n  - 访谈记录：2024\n  - \"第一段，\n    \u{3000}\u{3000}第二段\"\n  - 会议纪要\n    \u{3000}\u{3000}续");
    lib.write("cases/alpha.md", case);
    let run = lib.check(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"), "{}", run.stderr);
}

#[test]
fn control_characters_are_escaped_with_the_caret_under_them() {
    let lib = Lib::fixture("basic");
    // An unknown id with an escape in it: the caret covers the whole escaped id.
    lib.edit("cases/alpha.md", "[party-building-alliance]", "[\"party\u{1b}[2J\u{9b}-alliance\"]");
    let run = lib.check(&[]);
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{9b}'), "raw:\n{}", run.stderr);
    // An argument that reaches an error message.
    let bad = lib.run_in(&lib.root(), &["check", "--root", "no\u{1b}]0;T\u{7}where"]);
    assert!(!bad.stderr.contains('\u{1b}') && !bad.stderr.contains('\u{7}'), "raw:\n{}", bad.stderr);
    snapshot("control_characters_escaped", &format!("{}{}", run.transcript(), bad.transcript()));
}

#[test]
fn keyboard_characters_in_casebook_toml_are_named_in_both_languages() {
    let mut out = String::new();
    for toml in ["", "language = \"en\"\n"] {
        for line in ["title = “Casebook”", "vocabularies = [\"forces\"，\"problems\"]", "title：\"Casebook\""] {
            let lib = Lib::fixture("basic");
            lib.edit("casebook.toml", "profile", &format!("{toml}{line}\nprofile"));
            let run = lib.check(&[]);
            assert!(run.stderr.contains("error[keyboard]"), "{line:?} is not named:\n{}", run.stderr);
            out.push_str(&run.transcript());
        }
    }
    snapshot("keyboard_casebook_toml", &out);
}
