//! The `milepost` command: parses the arguments, calls the library, and prints
//! the outcome or every problem for a person to act on.

use std::process::ExitCode;

use clap::Parser;
use milepost::cli::{Cli, Command, ImportCommand};
use milepost::{BuildOptions, Site, error, scaffold};

#[global_allocator]
static ALLOCATOR: milepost::allocator::Allocator = milepost::allocator::Allocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(message) => {
            if !message.is_empty() {
                println!("{message}");
            }
            ExitCode::SUCCESS
        }
        Err((err, output_untouched)) => {
            eprint!("{}", error::report(&err, output_untouched));
            ExitCode::FAILURE
        }
    };
    if let Some(peak) = milepost::peak_memory_if_timed() {
        eprintln!("{peak}");
    }
    code
}

fn warn(warnings: &[milepost::Problem]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// The command's summary line, or its error and whether the output was left as it was.
fn run(cli: Cli) -> Result<String, (milepost::Error, bool)> {
    let site = |touched: bool| Site::open(cli.site.as_deref()).map_err(|e| (e, touched));
    match cli.command {
        Command::Build(args) => {
            let site = site(true)?;
            let options = BuildOptions {
                drafts: args.drafts,
                base_url: args.base_url,
                output: args.output,
                for_disk: args.for_disk,
            };
            let report = milepost::build(&site, &options).map_err(|e| (e, true))?;
            warn(&report.warnings);
            Ok(report.summary())
        }
        Command::Check(args) => {
            let site = site(false)?;
            let options = BuildOptions { drafts: args.drafts, ..BuildOptions::default() };
            let report = milepost::check(&site, &options).map_err(|e| (e, false))?;
            warn(&report.warnings);
            Ok(report.summary())
        }
        Command::New(args) => {
            let site = site(false)?;
            let path =
                scaffold::new_post(&site, &args.title, args.trip.as_deref()).map_err(|e| (e, false))?;
            Ok(format!("Wrote {}. Add photos beside it and write away.", path.display()))
        }
        Command::Serve(args) => {
            let site = site(false)?;
            let options = milepost::serve::ServeOptions {
                bind: args.bind,
                port: args.port,
                drafts: args.drafts,
                open: args.open,
            };
            milepost::serve::run(&site, &options).map_err(|e| (e, false))?;
            Ok(String::new())
        }
        Command::Import(ImportCommand::Instagram(args)) => {
            let site = site(false)?;
            let options = milepost::import::ImportOptions { trip: args.trip, dry_run: args.dry_run };
            let report =
                milepost::import::instagram(&site, &args.export, &options).map_err(|e| (e, false))?;
            warn(&report.warnings);
            Ok(report.summary())
        }
        Command::Init(args) => {
            let dir = args.dir.unwrap_or_else(|| ".".into());
            scaffold::init_site(&dir).map_err(|e| (e, false))?;
            Ok(format!(
                "Made a new site in {}. Build it with `milepost build --site {}`, then open public/index.html.",
                dir.display(),
                dir.display()
            ))
        }
    }
}
