//! `case:` links checked by `check`: the `#anchor` of a link must name a section of its case in
//! one of its languages (its headings' ids, written `{#anchor}` or made from the title), with a
//! "did you mean" among that case's anchors; and a case that cannot be read is still known by
//! its id, so that the links to it add no error to its own.

use crate::support::{snapshot, Lib};

#[test]
fn an_anchor_must_name_a_section_of_the_case_in_one_of_its_languages() {
    let lib = Lib::fixture("bilingual");
    // A heading of the translation alone, with an id made from its title.
    lib.write("cases/alpha.zh.md", format!("{}\n## 讨论\n\n各单位怎样分工？\n", lib.read("cases/alpha.zh.md")));
    let beta = lib.read("cases/district/beta.md");
    let links = "\nSee [the alliance](case:alpha#alliance), [its discussion](case:alpha#讨论), \
                 [the same](case:alpha#%E8%AE%A8%E8%AE%BA) and [the page](case:alpha#).\n";
    lib.write("cases/district/beta.md", format!("{beta}{links}"));
    let run = lib.check(&[]);
    assert_eq!(run.code, 0, "every anchor is there: {}", run.stderr);

    let wrong = "\nSee [the alliance](case:alpha#aliance), [its discussion](case:alpha#讨轮) and \
                 [itself](case:beta#red-wal).\n";
    lib.write("cases/district/beta.md", format!("{beta}{wrong}"));
    let zh = lib.check(&[]);
    assert_eq!(zh.code, 1);
    assert_eq!(zh.stderr.matches("error[broken-anchor]").count(), 3, "{}", zh.stderr);
    lib.edit("casebook.toml", "languages = [\"zh-CN\", \"en\"]", "languages = [\"en\", \"zh-CN\"]");
    let en = lib.check(&[]);
    snapshot("broken_anchor", &format!("{}{}", zh.transcript(), en.transcript()));
}

#[test]
fn a_case_that_cannot_be_read_is_still_known_by_its_id() {
    let lib = Lib::fixture("basic");
    // alpha links to beta; each way of breaking beta's YAML is beta's one error.
    let beta = lib.read("cases/district/beta.md");
    for (what, broken) in [
        ("a tab", beta.replace("  province: Beijing", "\tprovince: Beijing")),
        ("bad indentation", beta.replace("  province: Beijing", "  province: Beijing\n    city: x")),
        ("a full-width colon", beta.replace("level: community", "level： community")),
        ("a full-width colon on the id's line", beta.replace("id: beta", "id： beta")),
        // The id itself unreadable: the file is named after the case.
        ("an unreadable id", beta.replace("id: beta", "id: [beta")),
    ] {
        lib.write("cases/district/beta.md", &broken);
        let run = lib.check(&[]);
        assert_eq!(run.code, 1, "{what}");
        assert!(!run.stderr.contains("link to unknown case"), "{what}:\n{}", run.stderr);
        assert!(run.stderr.ends_with("1 error, 0 warnings in 3 files\n"), "{what}:\n{}", run.stderr);
    }
    // A page bundle is named after its folder.
    lib.remove("cases/district/beta.md");
    lib.write("cases/beta/index.md", beta.replace("id: beta", "id: [beta"));
    let run = lib.check(&[]);
    assert!(run.stderr.ends_with("1 error, 0 warnings in 3 files\n"), "{}", run.stderr);
    snapshot("parse_failed_case_linked", &run.transcript());
}
