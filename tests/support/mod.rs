//! The one harness of the integration tests: a library in a temporary folder, the real
//! `casebook` binary run on it, and what the user saw compared with a reviewed snapshot.
//!
//! Every feature file under `tests/cli/` builds on this module; none defines its own copy of a
//! library, a runner or a snapshot. It holds no test of a feature and no expectation about
//! casebook's output: those belong to the feature files. `html` reads built pages the way a
//! browser would, `generate` writes libraries too big to commit.

pub mod generate;
pub mod html;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test, built by cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_casebook");
/// The repository: the shipped library (`cases/`), fixtures and snapshots are found from here.
pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Where a library's tantivy index lives (not in its site, which is byte-deterministic whole;
/// tantivy's segment files are not).
pub const INDEX_DIR: &str = ".casebook/index";

// ---------------------------------------------------------------------------------------------
// A library in a temporary folder
// ---------------------------------------------------------------------------------------------

/// A library folder in a temporary directory: `<tmp>/lib`, so that `<tmp>` itself is "outside".
pub struct Lib {
    pub tmp: tempfile::TempDir,
}

impl Lib {
    fn new() -> Lib {
        Lib { tmp: tempfile::tempdir().expect("temp dir") }
    }

    /// No library yet: `<lib>` does not exist (for `casebook init`, which makes it).
    pub fn not_yet() -> Lib {
        Lib::new()
    }

    /// A library with an empty `cases/` folder.
    pub fn empty() -> Lib {
        let lib = Lib::new();
        fs::create_dir_all(lib.root().join("cases")).unwrap();
        lib
    }

    /// A copy of the shipped library: `cases/`, `static/`, its settings and its about page.
    pub fn shipped() -> Lib {
        let lib = Lib::new();
        copy_dir(&Path::new(MANIFEST_DIR).join("cases"), &lib.root().join("cases"));
        // The shipped library's settings (its vocabulary roles) and documents are part of it.
        fs::copy(Path::new(MANIFEST_DIR).join("casebook.toml"), lib.root().join("casebook.toml")).unwrap();
        for about in ["about.md", "about.zh.md"] {
            fs::copy(Path::new(MANIFEST_DIR).join(about), lib.root().join(about)).unwrap();
        }
        copy_dir(&Path::new(MANIFEST_DIR).join("static"), &lib.root().join("static"));
        lib
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Lib {
        let lib = Lib::new();
        copy_dir(&Path::new(MANIFEST_DIR).join("tests/fixtures").join(name), &lib.root());
        lib
    }

    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("lib")
    }

    /// A path inside the library.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// A path outside the library, inside the temporary folder.
    pub fn outside(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// Writes a file the way an editor saves it: a new file renamed over the old one, so that a
    /// watcher never sees it half written.
    pub fn save(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut name = path.file_name().unwrap().to_os_string();
        name.push(".tmp~");
        let tmp = path.with_file_name(name);
        fs::write(&tmp, content).unwrap();
        fs::rename(&tmp, &path).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) -> &Self {
        fs::remove_file(self.path(rel)).unwrap();
        self
    }

    /// Replaces `from` (which must occur) by `to` in the file `rel`.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        self.write(rel, self.replaced(rel, from, to))
    }

    /// Like `edit`, saved the way an editor saves (see `save`).
    pub fn save_edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        self.save(rel, self.replaced(rel, from, to))
    }

    fn replaced(&self, rel: &str, from: &str, to: &str) -> String {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        text.replacen(from, to, 1)
    }

    /// `casebook check --root <lib>` with extra arguments.
    pub fn check(&self, extra: &[&str]) -> Run {
        let root = self.root();
        let mut args = vec!["check", "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run_in(&root, &args)
    }

    /// Runs the binary with `args` in the folder `cwd`; the library and the temporary folder
    /// show as `[ROOT]` and `[TMP]` in the output.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        run_with(cwd, args, &[self.root(), self.tmp.path().to_path_buf()])
    }

    /// `casebook build --root <lib>` run in the library, so that the site is `<lib>/site`, the
    /// folder `search` uses by default (panics with casebook's stderr if it fails).
    pub fn build_in_place(&self) {
        let root = self.root();
        let run = self.run_in(&root, &["build", "--root", root.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }

    /// `casebook search QUERY --root <lib>` with extra arguments, run in the library.
    pub fn search(&self, query: &str, extra: &[&str]) -> Run {
        let root = self.root();
        let mut args = vec!["search", query, "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run_in(&root, &args)
    }

    /// `casebook build` into `<tmp>/<name>` (panics with casebook's stderr if it fails);
    /// returns that folder.
    pub fn build(&self, name: &str, extra: &[&str]) -> PathBuf {
        let out = self.outside(name);
        build_ok(&self.root(), &out, extra);
        out
    }
}

/// `cases/alpha.md` of the basic fixture: a valid case to mutate.
pub fn alpha() -> String {
    fs::read_to_string(Path::new(MANIFEST_DIR).join("tests/fixtures/basic/cases/alpha.md")).unwrap()
}

/// A valid case that uses the same tags as alpha, with the given id.
pub fn case_like_alpha(id: &str) -> String {
    alpha().replacen("id: alpha", &format!("id: {id}"), 1)
}

/// Copies the folder `from` to `to`, in name order.
pub fn copy_dir(from: &Path, to: &Path) {
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

// ---------------------------------------------------------------------------------------------
// Running the binary, snapshots
// ---------------------------------------------------------------------------------------------

/// What one run of the binary showed the user.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The whole transcript, as stored in a snapshot.
    pub fn transcript(&self) -> String {
        format!("exit code: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }

    /// Asserts no panic and a content exit code (0 or 1), never 101 or a signal.
    pub fn assert_no_panic(&self, what: &str) {
        assert!(
            !self.stderr.contains("panicked") && (self.code == 0 || self.code == 1),
            "{what}: exit code {}, stderr:\n{}",
            self.code,
            tail(&self.stderr, 3000)
        );
    }

    /// Asserts the human report ended properly, with the summary line.
    pub fn assert_summary_last(&self, what: &str) {
        let last = self.stderr.lines().last().unwrap_or("");
        assert!(
            last.contains(" in ") && last.contains("error") && last.contains("warning"),
            "{what}: the summary is not the last line:\n{}",
            tail(&self.stderr, 3000)
        );
    }
}

/// The last `n` bytes of `s` (or a little fewer, on a character boundary).
pub fn tail(s: &str, n: usize) -> &str {
    let mut i = s.len().saturating_sub(n);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

/// Runs the binary, colour off; every path in `roots` is replaced by a placeholder in the
/// output (the first by `[ROOT]`, the second by `[TMP]`).
pub fn run_with(cwd: &Path, args: &[&str], roots: &[PathBuf]) -> Run {
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
pub fn snapshot(name: &str, actual: &str) {
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

// ---------------------------------------------------------------------------------------------
// Fuzzing
// ---------------------------------------------------------------------------------------------

/// A tiny deterministic random generator (xorshift64*), so fuzzing is reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How many random files the fuzz tests write and from which seed.
pub struct FuzzPlan {
    pub iterations: usize,
    pub seed: u64,
}

/// 200 files by default; `FUZZ_ITERATIONS=5000` for a longer run, `FUZZ_SEED=n` to vary the
/// inputs. Failures print the seed to reproduce them.
pub fn fuzz_plan(default_seed: u64) -> FuzzPlan {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let iterations = env("FUZZ_ITERATIONS").unwrap_or(200) as usize;
    let seed = env("FUZZ_SEED").map_or(default_seed, |s| s.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    FuzzPlan { iterations, seed }
}

// ---------------------------------------------------------------------------------------------
// Building a site and reading it back
// ---------------------------------------------------------------------------------------------

/// Runs `casebook build --root ROOT --out OUT [extra]`, colour off.
pub fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
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

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds and panics with casebook's stderr if the build fails.
pub fn build_ok(root: &Path, out: &Path, extra: &[&str]) {
    let o = build(root, out, extra);
    assert!(o.status.success(), "build of {} failed ({:?}):\n{}", root.display(), o.status.code(), stderr(&o));
}

/// Every file under `dir` by `/`-separated relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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
pub fn pages(site: &Path) -> BTreeMap<String, String> {
    tree(site)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).expect("pages are UTF-8")))
        .collect()
}

/// The text of the file `rel` of a built site.
pub fn read(site: &Path, rel: &str) -> String {
    fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Files that differ between two trees (or exist in one only).
pub fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

/// Fails with the first problems if there are any.
pub fn fail_if_any(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s), first ones:\n  {}",
        problems.len(),
        problems.iter().take(25).cloned().collect::<Vec<_>>().join("\n  ")
    );
}
