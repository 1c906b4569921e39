//! The command line: commands and their options, as clap parses them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "milepost",
    version,
    about = "Turns a folder of Markdown trip posts into a static travel journal"
)]
pub struct Cli {
    /// The site folder (default: the nearest folder upwards holding site.toml)
    #[arg(long, global = true, value_name = "DIR")]
    pub site: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into its output folder (public/ by default)
    Build(BuildArgs),
    /// Run every check of a build, writing nothing
    Check(CheckArgs),
    /// Start a new post with its front matter filled in
    New(NewArgs),
    /// Make a new site with a sample trip
    Init(InitArgs),
    /// Build, serve on 127.0.0.1, rebuild on every change and reload the browser
    Serve(ServeArgs),
    /// Bring posts from elsewhere into content/
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Instagram's "Download your information" export (JSON), a folder or the .zip
    Instagram(InstagramArgs),
}

#[derive(Debug, Args)]
pub struct InstagramArgs {
    /// The export: its folder, or the .zip as downloaded
    pub export: PathBuf,
    /// Put the posts in this trip (a folder under content/, made if new)
    #[arg(long, value_name = "SLUG")]
    pub trip: Option<String>,
    /// List what would be made, writing nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to serve on (another free one is taken when it is busy; 0 picks any)
    #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
    pub port: u16,
    /// The address to serve on (127.0.0.1 keeps it to this computer; others open it to other machines)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Include posts and pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the browser
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Include posts and pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// The address the site will live at, instead of site.toml's base_url
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The folder to build into, instead of site.toml's output_dir
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write links that name each page's index.html, so the output can be
    /// read from disk (file://) even with JavaScript off
    #[arg(long)]
    pub for_disk: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check drafts too
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The post's title
    pub title: String,
    /// Put the post in this trip (the folder name of the trip under content/)
    #[arg(long, value_name = "SLUG")]
    pub trip: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to make the site (default: the current folder)
    pub dir: Option<PathBuf>,
}
