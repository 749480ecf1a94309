//! The `casebook` command: parse arguments, call the library, map the result to an exit code
//! (0 ok, 1 content errors, 2 usage or I/O errors). Nothing else lives here.

use casebook::diag::{self, Diagnostic};
use casebook::Error;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: rendering and indexing allocate many small strings from two threads; glibc's
/// allocator spent a third of the build in malloc/free (measured with perf).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// From the mimalloc library that the `mimalloc` crate links (its C API, `mimalloc.h`).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc.h (the same in mimalloc 2 and 3, which the locked
/// libmimalloc-sys 0.1.49 builds).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// A build allocates and frees hundreds of megabytes of page buffers, token vectors and
/// template values; by default mimalloc hands freed memory back to the system within
/// milliseconds and the kernel zeroes it again on the next allocation (a tenth of a build's CPU
/// at 100,000 cases, perf). A build is a batch that ends: keep the memory for reuse until then
/// (at 100,000 cases 56 → 49 s, peak 1.72 → 1.88 GiB). `serve`, which lives on, keeps the
/// default.
fn keep_freed_memory() {
    // SAFETY: mi_option_set only stores the option's value; any value is valid for this option.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    no_huge_pages();
}

/// mimalloc asks Linux for transparent huge pages on its arenas; a build's memory, touched a
/// little at a time by many short-lived buffers, then costs 2 MiB per first touch, zeroed at
/// once: without them the build's peak memory is a fifth lower (10,000 cases: 440 → 350 MB)
/// at the same speed. Elsewhere this is a no-op.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        extern "C" {
            fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
        }
        /// `PR_SET_THP_DISABLE` in linux/prctl.h.
        const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
        // SAFETY: PR_SET_THP_DISABLE takes four integer arguments and only sets a flag of this
        // process; a kernel without it returns an error, which changes nothing.
        unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
            );
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
        /// The address to listen on; 0.0.0.0 serves the whole network (e.g. an intranet).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
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
        Command::Search { query, root, site, filter, force, practice, problem, place, level, limit, json } => {
            let mut filters = Vec::new();
            for f in filter {
                match f.split_once(['=', ':']) {
                    Some((k, v)) => filters.push((k.to_string(), v.to_string())),
                    None => {
                        eprintln!("error: --filter takes VOCABULARY=ID, e.g. --filter forces=mass-cohesion");
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
            let query = casebook::search::Query { text: query.join(" "), filters, limit };
            casebook::search(&root, &site, &query).map(|searched| {
                if let Some(note) = &searched.rebuilt {
                    eprintln!("note: {note}");
                }
                if json {
                    println!("{}", casebook::search::render_json(&searched.results));
                } else {
                    print!("{}", casebook::search::render_human(&searched.results, stdout_color()));
                }
                ExitCode::SUCCESS
            })
        }
        Command::Tags { root, suggest, json } => casebook::tags(&root, suggest).map(|report| {
            if json {
                println!("{}", casebook::tags::render_json(&report));
            } else {
                print!("{}", casebook::tags::render_human(&report, stdout_color()));
            }
            ExitCode::SUCCESS
        }),
        Command::Serve { root, bind, port } => {
            casebook::serve(&casebook::serve::ServeOptions { root, bind, port }).map(|()| ExitCode::SUCCESS)
        }
        Command::New { id, root } => casebook::new_case(&root, &id).map(|path| {
            println!("wrote {}: fill in the fields, then run `casebook check`", path.display());
            ExitCode::SUCCESS
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Error::Content(diags) = &e {
                print_diagnostics(diags);
            }
            eprintln!("error: {e}");
            ExitCode::from(e.code() as u8)
        }
    }
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn print_diagnostics(diags: &[Diagnostic]) {
    let color = color();
    for d in diags {
        eprintln!("{}", diag::render_human(d, color));
    }
}

fn check(root: PathBuf, format: Format) -> Result<ExitCode, Error> {
    let checked = casebook::check(&root)?;
    match format {
        Format::Json => println!("{}", diag::render_json(&checked.diagnostics)),
        Format::Human => {
            print_diagnostics(&checked.diagnostics);
            eprintln!("{}", diag::summary(&checked.diagnostics, checked.files));
        }
    }
    // The diagnostics are printed already: exit 1 without printing them twice.
    Ok(if checked.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn build(root: PathBuf, out: Option<PathBuf>, base_path: Option<String>) -> Result<ExitCode, Error> {
    let out = out.unwrap_or_else(|| root.join("site"));
    let summary = casebook::build(&casebook::BuildOptions { root, out, base_path, progress: true })?;
    print_diagnostics(&summary.warnings);
    eprintln!(
        "built {} in {:.2} s → {}",
        diag::plural(summary.cases, "case", "cases") + ", " + &diag::plural(summary.pages, "page", "pages"),
        summary.seconds,
        summary.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
