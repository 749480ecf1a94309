//! The `casebook` command: parse arguments, call the library, map the result to an exit code
//! (0 ok, 1 content errors, 2 usage or I/O errors). Nothing else lives here.

use casebook::diag::{self, Diagnostic};
use casebook::render::budget::Budgeted;
use casebook::{console, Error};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: rendering and indexing allocate many small strings from two threads, and glibc's
/// allocator spent a large share of the build in malloc/free (the README has the measurements).
/// [`Budgeted`] keeps the memory budget of a page rendered by a library's own templates.
#[global_allocator]
static GLOBAL: Budgeted<mimalloc::MiMalloc> = Budgeted(mimalloc::MiMalloc);

/// `mi_option_purge_delay` in mimalloc.h (the same in mimalloc 2 and 3, which the locked
/// libmimalloc-sys 0.1.49 builds); libmimalloc-sys has no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A build allocates and frees hundreds of megabytes of page buffers, token vectors and
/// template values; by default mimalloc hands freed memory back to the system within
/// milliseconds and the kernel zeroes it again on the next allocation, a noticeable share of a
/// large build's CPU. A build is a batch that ends: keep the memory for reuse until then (the
/// README has the measurements). `serve`, which lives on, keeps the default.
fn keep_freed_memory() {
    // SAFETY: mi_option_set only stores the option's value; any value is valid for this option,
    // and no other thread runs yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    no_huge_pages();
}

/// mimalloc asks Linux for transparent huge pages on its arenas; a build's memory, touched a
/// little at a time by many short-lived buffers, then costs 2 MiB per first touch, zeroed at
/// once: without them the build's peak memory is clearly lower at the same speed. Elsewhere
/// this is a no-op.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        let off: libc::c_ulong = 0;
        // SAFETY: PR_SET_THP_DISABLE takes four integer arguments and only sets a flag of this
        // process; a kernel without it returns an error, which changes nothing.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1 as libc::c_ulong, off, off, off);
        }
    }
}

#[derive(Parser)]
#[command(name = "casebook", version, about = "Validated, searchable, self-contained case-study reference sites")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the library and report every problem with file, line and a fix.
    Check {
        /// The library folder (holding cases/ and optionally casebook.toml and templates/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build the static site (and its search indexes) from the library.
    Build {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder, replaced as a whole, atomically [default: site/ in the library folder].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The path the site will be served under, e.g. /kb/ (used by sitemap.xml, the feed and 404.html).
        #[arg(long)]
        base_path: Option<String>,
    },
    /// Search the library (Chinese and English) with facet filters; builds the index if needed.
    Search {
        /// Words to look for; may include filters such as force:ID, place:NAME, level:LEVEL.
        query: Vec<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The built site holding the index [default: site/ in the library folder].
        #[arg(long)]
        site: Option<PathBuf>,
        /// Only cases tagged VOCABULARY=ID (repeatable; values of one vocabulary are ORed).
        #[arg(long, value_name = "VOCABULARY=ID")]
        filter: Vec<String>,
        /// Only cases with this force (same as --filter forces=ID).
        #[arg(long, value_name = "ID")]
        force: Vec<String>,
        /// Only cases with this practice.
        #[arg(long, value_name = "ID")]
        practice: Vec<String>,
        /// Only cases answering this problem.
        #[arg(long, value_name = "ID")]
        problem: Vec<String>,
        /// Only cases in this province, city or unit (English or Chinese name).
        #[arg(long, value_name = "NAME")]
        place: Vec<String>,
        /// Only cases of this level: street, community or city.
        #[arg(long)]
        level: Vec<String>,
        #[arg(long, default_value_t = casebook::search::DEFAULT_LIMIT)]
        limit: usize,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// The reader's language (zh-CN or en): snippets from the cases' text in it, links to its pages.
        #[arg(long, value_parser = parse_language)]
        lang: Option<casebook::config::Language>,
    },
    /// Show how the taxonomy is used; with --suggest, tags each case probably misses.
    Tags {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Also list terms a case mentions but is not tagged with, with the sentence.
        #[arg(long)]
        suggest: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Preview the site over HTTP: rebuilds on every change, open pages reload, /api/search answers.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address or host name to listen on (e.g. localhost); 0.0.0.0 serves the whole
        /// network (e.g. an intranet).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// The port; 0 picks a free one (the address is printed).
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
    /// Write a new case file skeleton, cases/ID.md.
    New {
        /// The new case's id: lower-case letters, digits and '-'.
        id: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { root, format } => check(root, format),
        Command::Build { root, out, base_path } => {
            keep_freed_memory();
            build(root, out, base_path)
        }
        Command::Search { query, root, site, filter, force, practice, problem, place, level, limit, json, lang } => {
            let mut filters = Vec::new();
            for f in filter {
                match f.split_once(['=', ':']) {
                    Some((k, v)) => filters.push((k.to_string(), v.to_string())),
                    None => {
                        eprint("error: --filter takes VOCABULARY=ID, e.g. --filter forces=mass-cohesion\n");
                        return ExitCode::from(2);
                    }
                }
            }
            let flags =
                [("force", force), ("practice", practice), ("problem", problem), ("place", place), ("level", level)];
            for (k, values) in flags {
                filters.extend(values.into_iter().map(|v| (k.to_string(), v)));
            }
            let site = site.unwrap_or_else(|| root.join("site"));
            let query = casebook::search::Query { text: query.join(" "), filters, limit, lang };
            casebook::search(&root, &site, &query).and_then(|searched| {
                if let Some(note) = &searched.note {
                    eprint(&format!("note: {note}\n"));
                }
                if json {
                    print(&(casebook::search::render_json(&searched.results) + "\n"))?;
                } else {
                    print(&casebook::search::render_human(&searched.results, console::stdout_color()))?;
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Tags { root, suggest, json } => casebook::tags(&root, suggest).and_then(|report| {
            if json {
                print(&(casebook::tags::render_json(&report) + "\n"))?;
            } else {
                print(&casebook::tags::render_human(&report, console::stdout_color()))?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Serve { root, bind, port } => {
            casebook::serve(&casebook::serve::ServeOptions { root, bind, port }).map(|()| ExitCode::SUCCESS)
        }
        Command::New { id, root } => casebook::new_case(&root, &id).and_then(|path| {
            print(&format!("wrote {}: fill in the fields, then run `casebook check`\n", path.display()))?;
            Ok(ExitCode::SUCCESS)
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Error::Content(diags) = &e {
                print_diagnostics(diags);
            }
            // An error may quote a file name or a query: nothing in it acts on the terminal.
            eprint(&format!("error: {}\n", diag::escape_controls(&e.to_string())));
            ExitCode::from(e.code() as u8)
        }
    }
}

/// Writes to stdout; a reader that stopped reading (`| head -1`) is not an error.
fn print(text: &str) -> Result<(), Error> {
    console::quiet_if_closed(console::print(text)).map_err(|e| Error::io("write to", "standard output", e))
}

/// Writes to stderr. `eprint!` would panic when stderr is a closed pipe; there is nowhere left
/// to report that, so it is ignored.
fn eprint(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn print_diagnostics(diags: &[Diagnostic]) {
    let color = console::stderr_color();
    let text: String = diags.iter().map(|d| diag::render_human(d, color) + "\n").collect();
    eprint(&text);
}

fn check(root: PathBuf, format: Format) -> Result<ExitCode, Error> {
    let checked = casebook::check(&root)?;
    match format {
        Format::Json => {
            let coverage = checked.library.as_ref().map(|l| l.translation_coverage()).unwrap_or_default();
            let report = serde_json::json!({"diagnostics": checked.diagnostics, "translations": coverage});
            print(&(serde_json::to_string_pretty(&report).map_err(|e| Error::internal(e.to_string()))? + "\n"))?
        }
        Format::Human => {
            print_diagnostics(&checked.diagnostics);
            for coverage in checked.library.iter().flat_map(|l| l.translation_coverage()) {
                eprint(&format!("{coverage}\n"));
            }
            eprint(&(diag::summary(&checked.diagnostics, checked.files) + "\n"));
        }
    }
    // The diagnostics are printed already: exit 1 without printing them twice.
    Ok(if checked.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn build(root: PathBuf, out: Option<PathBuf>, base_path: Option<String>) -> Result<ExitCode, Error> {
    let out = out.unwrap_or_else(|| root.join("site"));
    let summary = casebook::build(&casebook::BuildOptions { root, out, base_path, progress: true })?;
    print_diagnostics(&summary.warnings);
    eprint(&format!(
        "built {} in {:.2} s → {}\n",
        diag::plural(summary.cases, "case", "cases") + ", " + &diag::plural(summary.pages, "page", "pages"),
        summary.seconds,
        summary.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// `--lang`: a language of casebook's (`zh` stands for `zh-CN`).
fn parse_language(text: &str) -> Result<casebook::config::Language, String> {
    casebook::config::Language::ALL
        .into_iter()
        .find(|l| l.tag().eq_ignore_ascii_case(text) || (text == "zh" && *l == casebook::config::Language::ZhCn))
        .ok_or_else(|| format!("`{text}` is not a language casebook knows: zh-CN or en"))
}
