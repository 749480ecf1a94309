//! The `casebook` command: parse arguments, call the library, map the result to an exit code
//! (0 ok, 1 content errors, 2 usage or I/O errors). Nothing else lives here.

use casebook::diag::{self, Diagnostic};
use casebook::render::budget::Budgeted;
use casebook::{console, Error};
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
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
    /// Start a new library in DIR: settings, a small taxonomy, a sample case and an about page.
    Init {
        /// The library's folder, created if missing [default: the current folder].
        dir: Option<PathBuf>,
        /// The language of the library and its site (zh-CN or en).
        #[arg(long, value_parser = parse_language, default_value = "zh-CN")]
        lang: casebook::config::Language,
    },
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
        /// Where `search`'s index goes, replaced as a whole [default: .casebook/index in the library folder].
        #[arg(long)]
        index_dir: Option<PathBuf>,
    },
    /// Search the library (Chinese and English) with facet filters; builds the index if needed.
    #[command(after_help = "Each vocabulary of the library also gives a flag of its own, named by its singular: \
        --approach ID is --filter approaches=ID. They are listed above when the command runs in a library \
        (or with --root).")]
    Search {
        /// Words to look for; may include filters such as SINGULAR:ID (a vocabulary's), place:NAME, level:ID, year:YYYY.
        query: Vec<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The search index, (re)built there when missing or stale [default: .casebook/index in the library folder].
        #[arg(long)]
        index_dir: Option<PathBuf>,
        /// Only cases tagged VOCABULARY=ID (repeatable; values of one vocabulary are ORed).
        #[arg(long, value_name = "VOCABULARY=ID")]
        filter: Vec<String>,
        /// Only cases in this province, city or unit (English or Chinese name).
        #[arg(long, value_name = "NAME")]
        place: Vec<String>,
        /// Only cases of this level (one of the taxonomy's `levels`).
        #[arg(long)]
        level: Vec<String>,
        /// Only cases whose `date` is in this year (repeatable; ORed).
        #[arg(long, value_name = "YYYY")]
        year: Vec<String>,
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
    /// Write the library for a search server: OpenSearch/Elasticsearch bulk, Meilisearch or NDJSON.
    Export {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The documents' file [default: standard output].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write the index settings there (OpenSearch: the create-index body with its
        /// mapping; Meilisearch: the settings).
        #[arg(long)]
        settings: Option<PathBuf>,
        /// OpenSearch's analysis of Chinese text: smartcn or icu (plugins), or cjk (built in).
        #[arg(long, value_enum, default_value = "smartcn")]
        chinese_analyzer: ChineseAnalyzer,
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
enum ExportFormat {
    Opensearch,
    Meilisearch,
    Ndjson,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChineseAnalyzer {
    Smartcn,
    Icu,
    Cjk,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // `casebook search` takes a flag per vocabulary of the library (`--approach ID`), so the
    // library's taxonomy is read before the command line is parsed.
    let filters =
        if args.get(1).is_some_and(|a| a == "search") { search_filters(&args[2..]) } else { Default::default() };
    let vocabularies = &filters.vocabularies;
    let mut command = Cli::command();
    if !vocabularies.is_empty() {
        command = command.mut_subcommand("search", |search| {
            vocabularies.iter().fold(search, |search, (singular, name)| {
                search.arg(
                    clap::Arg::new(singular.clone())
                        .long(singular.clone())
                        .value_name("ID")
                        .action(clap::ArgAction::Append)
                        .help(format!("Only cases tagged with this {singular} (same as --filter {name}=ID)")),
                )
            })
        });
    }
    let matches = match command.try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => exit_with(e, &filters),
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Init { dir, lang } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
            casebook::init(&dir, lang).and_then(|written| {
                let list: String = written.iter().map(|p| format!("  {}\n", p.display())).collect();
                let cd = if dir == Path::new(".") { String::new() } else { format!("cd {} && ", dir.display()) };
                // In the new library's language, as every message about it will be.
                let text = match lang {
                    casebook::config::Language::ZhCn => format!(
                        "已创建新的案例库：\n{list}下一步：{cd}casebook check && casebook build（或用 casebook new ID \
                         新建自己的案例）\n"
                    ),
                    casebook::config::Language::En => format!(
                        "wrote a new library:\n{list}next: {cd}casebook check && casebook build (or casebook new ID \
                         for a case of your own)\n"
                    ),
                };
                print(&text)?;
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Check { root, format } => check(root, format),
        Command::Build { root, out, base_path, index_dir } => {
            keep_freed_memory();
            build(root, out, base_path, index_dir)
        }
        Command::Search { query, root, index_dir, filter, place, level, year, limit, json, lang } => {
            let mut filters = Vec::new();
            for f in filter {
                match f.split_once(['=', ':']) {
                    Some((k, v)) => filters.push((k.to_string(), v.to_string())),
                    None => {
                        eprint("error: --filter takes VOCABULARY=ID, the name of one of the library's vocabularies and the id of a term of it\n");
                        return ExitCode::from(2);
                    }
                }
            }
            let search = matches.subcommand_matches("search");
            for (singular, _) in vocabularies {
                let values = search.and_then(|m| m.get_many::<String>(singular)).into_iter().flatten();
                filters.extend(values.map(|v| (singular.clone(), v.clone())));
            }
            for (k, values) in [("place", place), ("level", level), ("year", year)] {
                filters.extend(values.into_iter().map(|v| (k.to_string(), v)));
            }
            let index_dir = casebook::index::index_dir(&root, index_dir.as_deref());
            let query = casebook::search::Query { text: query.join(" "), filters, limit, lang };
            casebook::search(&root, &index_dir, &query).and_then(|searched| {
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
        Command::Export { root, format, out, settings, chinese_analyzer } => {
            use casebook::export::{ChineseAnalyzer as Zh, Format as F};
            let format = match format {
                ExportFormat::Opensearch => F::OpenSearch,
                ExportFormat::Meilisearch => F::Meilisearch,
                ExportFormat::Ndjson => F::Ndjson,
            };
            let chinese = match chinese_analyzer {
                ChineseAnalyzer::Smartcn => Zh::Smartcn,
                ChineseAnalyzer::Icu => Zh::Icu,
                ChineseAnalyzer::Cjk => Zh::Cjk,
            };
            let opts = casebook::ExportOptions { root, format, out: out.clone(), settings, chinese };
            casebook::export(&opts, &mut std::io::stdout().lock()).map(|exported| {
                if let Some(out) = &out {
                    eprint(&format!(
                        "exported {} → {}\n",
                        diag::plural(exported.cases, "case", "cases"),
                        out.display()
                    ));
                }
                if exported.settings_skipped {
                    eprint("note: the index settings were not written (add --settings FILE)\n");
                }
                ExitCode::SUCCESS
            })
        }
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

/// The filters `casebook search` takes as flags for the library that `args` (the arguments after
/// `search`) name with `--root` (default: the current folder).
fn search_filters(args: &[OsString]) -> casebook::commands::search::LibraryFilters {
    let mut root = PathBuf::from(".");
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            break;
        } else if arg == "--root" {
            if let Some(value) = rest.next() {
                root = PathBuf::from(value);
            }
        } else if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--root=")) {
            root = PathBuf::from(value);
        }
    }
    let mut filters = casebook::commands::search::library_filters(&root);
    // A singular that is a flag of its own (`--root`) is reported by the taxonomy's check; it
    // is left out here, so that the command line still parses.
    filters
        .vocabularies
        .retain(|(singular, _)| !casebook::model::vocabulary::RESERVED_KEYS.contains(&singular.as_str()));
    filters
}

/// Prints clap's error and exits; a flag `search` does not know is answered with the filter
/// flags the library gives.
fn exit_with(mut e: clap::Error, filters: &casebook::commands::search::LibraryFilters) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let in_search = std::env::args_os().nth(1).is_some_and(|a| a == "search");
    if in_search && e.kind() == ErrorKind::UnknownArgument {
        let mut flags: Vec<String> = filters.vocabularies.iter().map(|(s, _)| format!("--{s} ID")).collect();
        flags.push("--place NAME".to_string());
        if filters.levels || filters.vocabularies.is_empty() {
            flags.push("--level ID".to_string());
        }
        flags.push("--year YYYY".to_string());
        flags.push("--filter VOCABULARY=ID".to_string());
        let note = if filters.vocabularies.is_empty() {
            format!("the filters of search: {} (and --SINGULAR ID per vocabulary, in a library)", flags.join(", "))
        } else {
            format!("the filters of this library: {}", flags.join(", "))
        };
        e.insert(ContextKind::Suggested, ContextValue::StyledStrs(vec![note.into()]));
    }
    e.exit()
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

fn build(
    root: PathBuf,
    out: Option<PathBuf>,
    base_path: Option<String>,
    index_dir: Option<PathBuf>,
) -> Result<ExitCode, Error> {
    let out = out.unwrap_or_else(|| root.join("site"));
    let summary = casebook::build(&casebook::BuildOptions { root, out, base_path, progress: true, index: index_dir })?;
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
    casebook::config::Language::from_tag(text)
        .ok_or_else(|| format!("`{text}` is not a language casebook knows: zh-CN or en"))
}
