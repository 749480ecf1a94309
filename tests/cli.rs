//! The integration tests of `casebook`: one binary, run the way an editor runs it.
//!
//! Each test copies a small fixture library from `tests/fixtures/` into a temporary folder,
//! changes what the test is about, runs the real `casebook` binary and compares what the user
//! sees — stdout, stderr and the exit code — with a reviewed snapshot in `tests/snapshots/`.
//! Paths are normalised (the temporary folder becomes `[ROOT]`) and colour is off.
//!
//! To review a change of output: `UPDATE_SNAPSHOTS=1 cargo test --test cli`, then read the
//! diff of `tests/snapshots/` before committing it. Big or random inputs (fuzzing, alias bombs,
//! deep nesting, a 10 MB value) are generated here into temporary folders, not committed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

const BIN: &str = env!("CARGO_BIN_EXE_casebook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// A library folder in a temporary directory: `<tmp>/lib`, so that `<tmp>` itself is "outside".
struct Lib {
    tmp: tempfile::TempDir,
}

impl Lib {
    /// A copy of `tests/fixtures/<name>`.
    fn fixture(name: &str) -> Lib {
        let lib = Lib { tmp: tempfile::tempdir().expect("temp dir") };
        copy_dir(&Path::new(MANIFEST_DIR).join("tests/fixtures").join(name), &lib.root());
        lib
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("lib")
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    fn remove(&self, rel: &str) -> &Self {
        fs::remove_file(self.path(rel)).unwrap();
        self
    }

    /// Replaces `from` (which must occur) by `to` in the file `rel`.
    fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replacen(from, to, 1))
    }

    /// `casebook check --root <lib>` with extra arguments.
    fn check(&self, extra: &[&str]) -> Run {
        let root = self.root();
        let mut args = vec!["check", "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run_in(&root, &args)
    }

    /// Runs the binary with `args` in the folder `cwd`.
    fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        run_with(cwd, args, &[self.root(), self.tmp.path().to_path_buf()])
    }
}

/// What one run of the binary showed the user.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The whole transcript, as stored in a snapshot.
    fn transcript(&self) -> String {
        format!("exit code: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }

    /// Asserts no panic and a content exit code (0 or 1), never 101 or a signal.
    fn assert_no_panic(&self, what: &str) {
        assert!(
            !self.stderr.contains("panicked") && (self.code == 0 || self.code == 1),
            "{what}: exit code {}, stderr:\n{}",
            self.code,
            tail(&self.stderr, 3000)
        );
    }

    /// Asserts the human report ended properly, with the summary line.
    fn assert_summary_last(&self, what: &str) {
        let last = self.stderr.lines().last().unwrap_or("");
        assert!(
            last.contains(" in ") && last.contains("error") && last.contains("warning"),
            "{what}: the summary is not the last line:\n{}",
            tail(&self.stderr, 3000)
        );
    }
}

fn tail(s: &str, n: usize) -> &str {
    let mut i = s.len().saturating_sub(n);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

/// Runs the binary; every path in `roots` is replaced by a placeholder in the output.
fn run_with(cwd: &Path, args: &[&str], roots: &[PathBuf]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run casebook");
    let normalize = |bytes: &[u8]| {
        let mut s = String::from_utf8_lossy(bytes).into_owned();
        for (root, name) in roots.iter().zip(["[ROOT]", "[TMP]"]) {
            for form in [root.canonicalize().unwrap_or_else(|_| root.clone()), root.clone()] {
                s = s.replace(form.to_str().unwrap(), name);
            }
        }
        s
    };
    Run { code: out.status.code().unwrap_or(-1), stdout: normalize(&out.stdout), stderr: normalize(&out.stderr) }
}

/// Compares `actual` with `tests/snapshots/<name>.txt`; with `UPDATE_SNAPSHOTS=1`, rewrites it.
fn snapshot(name: &str, actual: &str) {
    let path = Path::new(MANIFEST_DIR).join("tests/snapshots").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it.\nactual:\n{actual}", path.display())
    });
    if expected != actual {
        let (e, a): (Vec<_>, Vec<_>) = (expected.lines().collect(), actual.lines().collect());
        let first = (0..e.len().max(a.len())).find(|&i| e.get(i) != a.get(i)).unwrap_or(0);
        panic!(
            "snapshot {name} differs at line {}:\n  expected: {:?}\n  actual:   {:?}\n\nwhole actual output:\n{actual}\n\
             (run with UPDATE_SNAPSHOTS=1 to accept it, then review the diff)",
            first + 1,
            e.get(first),
            a.get(first)
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = fs::read_dir(from).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A tiny deterministic random generator (xorshift64*), so fuzzing is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How many random files the fuzz tests write (default 200); `FUZZ_ITERATIONS=5000` for a longer
/// run, `FUZZ_SEED=n` to vary the inputs. Failures print the seed to reproduce them.
fn fuzz_plan(default_seed: u64) -> (usize, u64) {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let n = env("FUZZ_ITERATIONS").unwrap_or(200) as usize;
    let seed = env("FUZZ_SEED").map_or(default_seed, |s| s.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (n, seed)
}

/// `cases/alpha.md` of the basic fixture: a valid case to mutate.
fn alpha() -> String {
    fs::read_to_string(Path::new(MANIFEST_DIR).join("tests/fixtures/basic/cases/alpha.md")).unwrap()
}

/// A valid case that uses the same tags as alpha, with the given id and extra body text.
fn case_like_alpha(id: &str) -> String {
    alpha().replacen("id: alpha", &format!("id: {id}"), 1)
}

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
    let run = run_with(root, &["check", "--root", MANIFEST_DIR], &[root.to_path_buf()]);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, format!("0 errors, 0 warnings in {files} files\n"));
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
    let items = value.as_array().expect("an array");
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
            "message": "unknown level `streets`",
            "hint": "did you mean `street`? (one of: street, community, city)"
        })
    );
    let severities: Vec<&str> = items.iter().map(|i| i["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, ["error", "error", "error", "error", "warning"]);
    snapshot("several_errors_json", &run.transcript());

    // A clean library is an empty array.
    let run = Lib::fixture("basic").check(&["--format", "json"]);
    assert_eq!((run.code, run.stdout.trim(), run.stderr.as_str()), (0, "[]", ""));
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
        "error: no `cases/` folder in the current folder — run casebook inside a library folder, or pass --root DIR\n"
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
// Files on disk: symbolic links, hidden files, CRLF, BOM
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_library_are_skipped_with_a_warning() {
    use std::os::unix::fs::symlink;
    let lib = Lib::fixture("basic");
    let outside = lib.tmp.path().join("outside.md");
    fs::write(&outside, "not a case at all").unwrap();
    symlink(&outside, lib.path("cases/outside.md")).unwrap();
    symlink(lib.tmp.path(), lib.path("cases/outside-folder")).unwrap();
    symlink(lib.path("cases/missing.md"), lib.path("cases/broken.md")).unwrap();
    // A link to a folder inside the library is not walked twice.
    symlink(lib.path("cases/district"), lib.path("cases/again")).unwrap();
    let run = lib.check(&[]);
    assert_eq!(run.code, 0);
    snapshot("symlinks", &run.transcript());
}

#[test]
fn hidden_files_and_folders_are_skipped() {
    let lib = Lib::fixture("basic");
    lib.write("cases/.draft.md", "garbage \u{0} not a case");
    lib.write("cases/.drafts/x.md", "---\nid: Bad Id\n");
    lib.write("cases/notes.txt", "not markdown: ignored");
    let run = lib.check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 3 files\n");
}

#[test]
fn crlf_line_endings_work_with_correct_lines() {
    let lib = Lib::fixture("basic");
    for rel in ["cases/alpha.md", "cases/district/beta.md", "cases/taxonomy.yaml"] {
        lib.write(rel, lib.read(rel).replace('\n', "\r\n"));
    }
    let run = lib.check(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"));

    lib.edit("cases/alpha.md", "practices: [party-building-alliance]", "practices: [party-building-aliance]");
    lib.edit("cases/alpha.md", "(case:beta)", "(case:betta)");
    lib.edit("cases/district/beta.md", "forces=mass-cohesion", "forces=mass-cohesio");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains('\r'), "no carriage return reaches the report");
    snapshot("crlf", &run.transcript());
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let lib = Lib::fixture("basic");
    for rel in ["cases/alpha.md", "cases/taxonomy.yaml"] {
        lib.write(rel, format!("\u{FEFF}{}", lib.read(rel)));
    }
    let run = lib.check(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"));

    lib.edit("cases/alpha.md", "id: alpha", "id: Alpha");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--> cases/alpha.md:2:5"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Robustness: never a panic
// ---------------------------------------------------------------------------------------------

#[test]
fn random_bytes_never_panic() {
    let lib = Lib::fixture("basic");
    let (iterations, seed) = fuzz_plan(0x5EED_CA5E_B00C_0001);
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
                    s.push_str(*rng.pick(&["\n## ", "\n# ", "\n### ", "\nText ", "\n> ## "]));
                    for _ in 0..rng.below(8) {
                        s.push_str(*rng.pick(&[
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
    let (iterations, seed) = fuzz_plan(0xDEAD_BEEF_0000_0002);
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
fn taxonomy_mutations_never_panic() {
    let base = fs::read(Path::new(MANIFEST_DIR).join("tests/fixtures/basic/cases/taxonomy.yaml")).unwrap();
    let (iterations, seed) = fuzz_plan(0x7A70_0000_0000_0003);
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

// ---------------------------------------------------------------------------------------------
// casebook new
// ---------------------------------------------------------------------------------------------

#[test]
fn new_writes_a_skeleton_that_checks_once_filled_in() {
    let lib = Lib::fixture("basic");
    let run = lib.run_in(&lib.root(), &["new", "my-case"]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\nwrote ./cases/my-case.md: fill in the fields, then run `casebook check`\n--- stderr\n");
    let skeleton = lib.read("cases/my-case.md");
    snapshot("new_skeleton", &skeleton);

    // As written, the skeleton reports what is left to fill in.
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("new_skeleton_check", &run.transcript());

    // Filled in with values from the fixture's taxonomy, it passes.
    let filled = skeleton
        .replace("title: \"\"", "title: \"My Street: an alliance\"")
        .replace("province: \"\"", "province: Henan")
        .replace("forces: []", "forces: [organizational-coverage]")
        .replace("practices: []", "practices: [party-building-alliance]")
        .replace("problems: []", "problems: [governance-synergy-not-formed]")
        .replace("summary: \"\"", "summary: \"My Street formed an alliance.\"")
        .replace("  - \"\"", "  - \"Field notes, 2025\"")
        .replace("FORCE-ID", "organizational-coverage")
        .replace("## Practice: NAME", "## Practice: the alliance");
    lib.write("cases/my-case.md", filled);
    let run = lib.check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 4 files\n");
}

#[test]
fn new_never_overwrites() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    // A file of that name exists (its case has another id).
    lib.write("cases/gamma.md", case_like_alpha("delta"));
    let run = lib.run_in(&root, &["new", "gamma"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: ./cases/gamma.md already exists; casebook new never overwrites a file\n");
    assert_eq!(lib.read("cases/gamma.md"), case_like_alpha("delta"));

    // The same when the library has errors.
    lib.write("cases/gamma.md", "broken");
    let run = lib.run_in(&root, &["new", "gamma"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: ./cases/gamma.md already exists; casebook new never overwrites a file\n");
    assert_eq!(lib.read("cases/gamma.md"), "broken");
    lib.remove("cases/gamma.md");

    // An id used by a case in a sub-folder is refused too.
    let run = lib.run_in(&root, &["new", "beta", "--root", root.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: case id `beta` is already used by cases/district/beta.md\n");
    assert!(!lib.path("cases/beta.md").exists());
    let run = lib.run_in(&root, &["new", "alpha"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: case id `alpha` is already used by cases/alpha.md\n");
}

#[test]
fn new_refuses_bad_ids() {
    let lib = Lib::fixture("basic");
    let mut out = String::new();
    for id in ["My_Case", "淮河路", "a b"] {
        let run = lib.run_in(&lib.root(), &["new", id]);
        assert_eq!(run.code, 2);
        out.push_str(&run.transcript());
    }
    snapshot("new_bad_ids", &out);
    let mut names: Vec<_> = fs::read_dir(lib.path("cases")).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["alpha.md", "district", "taxonomy.yaml"], "no file was written");
}

#[test]
fn new_outside_a_library_is_a_usage_error() {
    let lib = Lib::fixture("basic");
    let run = lib.run_in(lib.tmp.path(), &["new", "x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: no `cases/` folder"), "{}", run.stderr);
}

#[test]
fn search_trusts_an_index_while_no_library_file_is_written_and_rebuilds_it_after() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    let root_arg = root.to_str().unwrap();
    let built = lib.run_in(&root, &["build", "--root", root_arg]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let meta_file = lib.path("site/_search/tantivy/casebook-index.json");
    let files = |meta: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(meta).unwrap();
        v["files"].as_str().unwrap().to_string()
    };
    let search = || lib.run_in(&root, &["search", "separately", "--root", root_arg]);

    // As built: the stamp of the files is the build's, and the index is used as it is.
    let stamp = files(&lib.read("site/_search/tantivy/casebook-index.json"));
    assert_eq!(Some(stamp.clone()), casebook::load::stamp(&root));
    let index_dir = lib.path("site/_search/tantivy");
    assert!(casebook::index::stamped(&index_dir, &stamp), "the short way is taken");
    let run = search();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("alpha") && run.stderr.is_empty(), "{}{}", run.stdout, run.stderr);

    // A file written again with the same content: the content check finds the index fresh
    // (nothing rebuilt) and the new stamp is remembered.
    lib.write("cases/alpha.md", lib.read("cases/alpha.md"));
    let restamped = casebook::load::stamp(&root).unwrap();
    assert_ne!(restamped, stamp, "a write changes the stamp");
    assert!(!casebook::index::stamped(&index_dir, &restamped), "the content is looked at");
    let run = search();
    assert!(run.code == 0 && run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(files(&fs::read_to_string(&meta_file).unwrap()), restamped);
    assert!(casebook::index::stamped(&index_dir, &restamped));

    // A changed file, then a removed one: the index is rebuilt before the search.
    lib.edit("cases/alpha.md", "worked separately", "formed a coalition");
    let run = search();
    assert!(run.stderr.contains("the library changed; rebuilt"), "{}", run.stderr);
    assert!(run.code == 0 && !run.stdout.contains("alpha"), "the old text is no longer found:\n{}", run.stdout);
    assert_eq!(files(&fs::read_to_string(&meta_file).unwrap()), casebook::load::stamp(&root).unwrap());
    let gamma = lib
        .read("cases/district/beta.md")
        .replace("id: beta", "id: gamma")
        .replace("visited every", "formed a coalition with every");
    lib.write("cases/district/gamma.md", gamma);
    let run = lib.run_in(&root, &["search", "coalition", "--root", root_arg]);
    assert!(run.stderr.contains("the library changed; rebuilt"), "{}", run.stderr);
    assert!(run.stdout.contains("alpha") && run.stdout.contains("gamma"), "{}", run.stdout);
}

// The site qualities of `casebook build` (issue 3), a self-contained module.
#[cfg(feature = "browser-tests")]
#[path = "suite/browser.rs"]
mod browser;
#[path = "suite/serve.rs"]
mod serve;
#[path = "suite/site.rs"]
mod site;
