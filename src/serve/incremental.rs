//! Incremental rebuilds: an edited case is checked alone and only the pages that show it are
//! re-rendered, at once; what the edit changes further away (other cases' related cases, the
//! matrix pages) follows in a second pass, a few pages per step, once the edits pause, and
//! `cases.json` when a request asks for it.

use super::builder::{open_searcher, Builder, Current};
use super::dependencies::{pages_of_place, pages_of_term, pages_showing, related};
use super::overlay::render_into;
use super::state::ServedSite;
use super::timing_enabled;
use crate::diag;
use crate::model::{Case, Library};
use crate::{load, parse, validate};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pages rendered per step of the second pass (a new change interrupts it between steps).
const SECOND_PASS_STEP: usize = 4;
/// Cases whose related cases are recomputed per step of the second pass.
const RELATED_STEP: usize = 256;
/// Data files re-rendered only when asked for (the whole library: slow to render at every edit).
pub(super) const ON_DEMAND: &[&str] = &["cases.json"];

impl Builder {
    /// Rebuilds after edits of known case files (`paths`, relative to the root): each is read,
    /// parsed and validated alone, the pages that show it are re-rendered over the site and its
    /// document in the search index is replaced. What is further away goes to the second pass.
    /// A removed case, a new id, other linked files or a template error fall back to a full rebuild.
    pub(super) fn incremental(&mut self, paths: BTreeSet<String>) {
        let started = Instant::now();
        let Some(mut cur) = self.current.take() else { return };
        let names: Vec<String> = cur.library.taxonomy.vocabularies.iter().map(|v| v.name.clone()).collect();
        let mut first_pass: BTreeSet<String> = BTreeSet::new();
        let mut changed: Vec<usize> = Vec::new();
        let mut rebuild_all = false;
        for rel in &paths {
            // `classify` found it known, but say so rather than trust it: rebuild if not.
            let Some(&i) = cur.by_path.get(rel) else {
                rebuild_all = true;
                break;
            };
            if !self.root.join(rel).is_file() {
                rebuild_all = true; // removed
                break;
            }
            let file = match read_retrying(&self.root, rel, cur.library.config.max_file_size) {
                Ok(f) => f,
                Err(d) => {
                    self.broken.insert(rel.clone(), vec![d]);
                    continue;
                }
            };
            if file.text == cur.library.cases[i].text {
                if self.broken.remove(rel).is_some() {
                    eprintln!("{} is back to its last good version", diag::escape_controls(rel));
                }
                continue;
            }
            let before = Before::of(&cur.library, i);
            let parsed = parse::parse_case(&file.path, &file.text, &names, cur.library.config.language);
            match validate::replace_case(cur.library, i, file, parsed) {
                validate::Replacement::Valid { library, old, warnings } => {
                    cur.library = library;
                    self.broken.remove(rel);
                    self.print_diagnostics(&warnings);
                    let lib = &cur.library;
                    let new = &lib.cases[i];
                    let Affected { pages, moved } = before.affected(lib, i, &old);
                    // Other cases' pages list it among their related cases (title, place and
                    // shared tags); a tag added or removed changes the lists of the cases
                    // sharing that tag.
                    if old.title != new.title
                        || old.title_zh != new.title_zh
                        || old.place != new.place
                        || !moved.is_empty()
                    {
                        for (j, list) in cur.related.iter().enumerate() {
                            if list.iter().any(|&(o, _)| o == i) {
                                self.second_pass.insert(format!("cases/{}.html", lib.cases[j].id));
                            }
                        }
                    }
                    self.related_queue.insert(i);
                    self.related_queue.extend(moved.iter().flat_map(|&(v, t)| lib.usage[v][t].iter().copied()));
                    first_pass.extend(pages);
                    changed.push(i);
                }
                validate::Replacement::Invalid { library, diagnostics } => {
                    cur.library = library;
                    self.print_diagnostics(&diagnostics);
                    self.broken.insert(rel.clone(), diagnostics);
                }
                validate::Replacement::Rebuild { library } => {
                    cur.library = library;
                    rebuild_all = true;
                    break;
                }
            }
        }
        if rebuild_all {
            self.current = Some(cur);
            let _ = self.full_rebuild(false);
            return;
        }
        // The matrix is slow to render: it follows in the second pass; cases.json when asked for.
        let (later, now): (BTreeSet<String>, BTreeSet<String>) =
            first_pass.into_iter().partition(|p| ON_DEMAND.contains(&p.as_str()) || p.starts_with("matrix"));
        let (deferred, later): (BTreeSet<String>, BTreeSet<String>) =
            later.into_iter().partition(|p| ON_DEMAND.contains(&p.as_str()));
        self.second_pass.extend(later);
        self.deferred.extend(deferred);
        // Render the pages and update the search index at the same time.
        let checked_at = started.elapsed();
        let Current { library, templates, served, updater, .. } = &mut cur;
        let (rendering, indexing, rendered_at) = std::thread::scope(|scope| {
            let indexing = scope.spawn(|| {
                let started = Instant::now();
                let result = match updater.as_mut() {
                    Some(updater) if !changed.is_empty() => Some(updater.update(library, &changed)),
                    _ => None,
                };
                (result, started.elapsed())
            });
            let rendering = render_into(library, templates, served, &now);
            let rendered_at = started.elapsed();
            (rendering, indexing.join(), rendered_at)
        });
        let rendered = match rendering {
            Ok(r) => r,
            Err(e) => {
                // A template error cannot come from a case: rebuild everything to be sure.
                eprintln!("error: {e}");
                self.current = Some(cur);
                let _ = self.full_rebuild(false);
                return;
            }
        };
        let indexed_in = match indexing {
            Ok((Some(Ok(())), took)) => {
                let searcher = open_searcher(&cur.served.site.dir.index);
                cur.served.site = Arc::new(ServedSite { searcher, ..ServedSite::clone(&cur.served.site) });
                took
            }
            Ok((Some(Err(e)), took)) => {
                eprintln!("warning: the search index did not take the edit: {e}");
                took
            }
            _ => Duration::ZERO,
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if timing_enabled() {
            eprintln!(
                "timing: incremental: check {:.0} ms, then render {:.0} ms and index {:.0} ms side by side",
                checked_at.as_secs_f64() * 1000.0,
                (rendered_at - checked_at).as_secs_f64() * 1000.0,
                indexed_in.as_secs_f64() * 1000.0
            );
        }
        let names: Vec<&str> = changed.iter().map(|&i| cur.library.cases[i].path.as_str()).collect();
        if !names.is_empty() {
            eprintln!(
                "rebuilt {}: {} in {ms:.0} ms",
                diag::escape_controls(&names.join(", ")),
                diag::plural(rendered.len(), "page", "pages")
            );
        }
        self.current = Some(cur);
        self.publish(rendered.join("\n"));
    }

    /// One step of the second pass: recompute related cases, then render a few pages.
    pub(super) fn second_pass_step(&mut self) {
        let started = Instant::now();
        let Some(mut cur) = self.current.take() else {
            self.second_pass.clear();
            self.related_queue.clear();
            return;
        };
        if !self.related_queue.is_empty() {
            let step: Vec<usize> = self.related_queue.iter().take(RELATED_STEP).copied().collect();
            for j in &step {
                self.related_queue.remove(j);
            }
            self.second_pass.extend(update_related(&mut cur, step));
            self.current = Some(cur);
            return;
        }
        let step: Vec<String> = self.second_pass.iter().take(SECOND_PASS_STEP).cloned().collect();
        for p in &step {
            self.second_pass.remove(p);
        }
        let wanted: BTreeSet<String> = step.into_iter().collect();
        let result = render_into(&cur.library, &cur.templates, &mut cur.served, &wanted);
        self.current = Some(cur);
        if timing_enabled() {
            eprintln!(
                "timing: second pass step {:?} {:.0} ms",
                wanted.iter().take(3).collect::<Vec<_>>(),
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        match result {
            Ok(rendered) if !rendered.is_empty() => self.publish(rendered.join("\n")),
            Ok(_) => {}
            Err(e) => eprintln!("error: {e}"),
        }
    }
}

/// What showed a case before its edit, taken while the library still holds the old version
/// (the pages of its old tags and place, whose positions and counts the edit changes).
struct Before {
    pages: BTreeSet<String>,
    terms: Vec<(usize, usize)>,
    pages_of_terms: BTreeMap<(usize, usize), Vec<String>>,
    pages_of_place: Vec<String>,
}

/// What an edit of a case changes at once.
struct Affected {
    /// The pages to re-render now (and, for the matrix and `cases.json`, later).
    pages: BTreeSet<String>,
    /// The (vocabulary, term) tags added or removed.
    moved: Vec<(usize, usize)>,
}

impl Before {
    fn of(lib: &Library, case: usize) -> Before {
        let old = &lib.cases[case];
        let terms = tag_pairs(&old.tags);
        Before {
            pages: pages_showing(lib, case).into_iter().collect(),
            pages_of_terms: terms.iter().map(|&(v, t)| ((v, t), pages_of_term(lib, v, t))).collect(),
            terms,
            pages_of_place: pages_of_place(lib, &old.place),
        }
    }

    /// The pages that showed the case (`old`) or show it now (case `case` of `lib`): its own,
    /// those of every tag it gained or lost, and, when it moved, those of both places.
    fn affected(self, lib: &Library, case: usize, old: &Case) -> Affected {
        let Before { mut pages, terms: old_terms, mut pages_of_terms, pages_of_place: old_place_pages } = self;
        let new = &lib.cases[case];
        let new_terms = tag_pairs(&new.tags);
        pages.extend(pages_showing(lib, case));
        let moved: Vec<(usize, usize)> = old_terms
            .iter()
            .filter(|x| !new_terms.contains(x))
            .chain(new_terms.iter().filter(|x| !old_terms.contains(x)))
            .copied()
            .collect();
        for &(v, t) in &moved {
            pages.extend(pages_of_term(lib, v, t));
            pages.extend(pages_of_terms.remove(&(v, t)).unwrap_or_default());
        }
        if old.place != new.place {
            pages.extend(old_place_pages);
            pages.extend(pages_of_place(lib, &old.place));
            pages.extend(pages_of_place(lib, &new.place));
        }
        Affected { pages, moved }
    }
}

/// (vocabulary, term) pairs of a case's tags.
fn tag_pairs(tags: &[Vec<usize>]) -> Vec<(usize, usize)> {
    tags.iter().enumerate().flat_map(|(v, ts)| ts.iter().map(move |&t| (v, t))).collect()
}

/// Recomputes the related cases of `cases`; returns the pages of those whose list changed.
fn update_related(cur: &mut Current, cases: Vec<usize>) -> Vec<String> {
    use rayon::prelude::*;
    let lib = &cur.library;
    let fresh: Vec<(usize, Vec<(usize, usize)>)> = cases.into_par_iter().map(|j| (j, related(lib, j))).collect();
    let mut pages = Vec::new();
    for (j, list) in fresh {
        if cur.related[j] != list {
            cur.related[j] = list;
            pages.push(format!("cases/{}.html", lib.cases[j].id));
        }
    }
    pages
}

/// [`load::read_file`], tried again a few times (with a short, growing pause) while the
/// process is out of file descriptors: a file that cannot be opened for that reason is not
/// broken, and counting it so would hide the edit until it is saved again.
fn read_retrying(
    root: &std::path::Path,
    rel: &str,
    max: u64,
) -> std::result::Result<load::SourceFile, diag::Diagnostic> {
    let mut pause = std::time::Duration::from_millis(25);
    for _ in 0..6 {
        match load::read_file(root, rel, max) {
            Err(_) if out_of_descriptors(&root.join(rel)) => std::thread::sleep(pause),
            done => return done,
        }
        pause *= 2;
    }
    load::read_file(root, rel, max)
}

/// Whether opening `path` fails for want of file descriptors (of the process or the system).
fn out_of_descriptors(path: &std::path::Path) -> bool {
    match std::fs::File::open(path) {
        Ok(_) => false,
        #[cfg(unix)]
        Err(e) => matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)),
        #[cfg(not(unix))]
        Err(_) => false,
    }
}
