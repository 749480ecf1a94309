//! The `casebook` command: parse arguments, call the library, map the result to an exit code
//! (0 ok, 1 content errors, 2 usage or I/O errors). Nothing else lives here.

use casebook::diag::{self, Diagnostic};
use casebook::Error;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

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
        Command::Build { root, out, base_path } => build(root, out, base_path),
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
