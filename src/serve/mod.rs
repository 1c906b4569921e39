//! `milepost serve`: build, serve the site from memory (on 127.0.0.1 unless
//! `--bind` says otherwise) within limits on every connection, watch the
//! sources, rebuild what a change touches, and reload the browser. A broken
//! edit keeps the last good site served and shows its problems in the page;
//! fixing it clears them. Nothing is written to the output folder.

mod connections;
mod http;
mod live;
mod session;
mod snapshot;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use crate::error::{Error, Problem, Result};
use crate::site::Site;
pub use session::Session;
pub use snapshot::Snapshot;
pub use watch::ChangeKind;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub drafts: bool,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

pub(crate) const DEFAULT_PORT: u16 = 4747;

/// Runs the server until Ctrl-C.
pub fn run(site: &Site, options: &ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the server's runtime", std::path::Path::new("."), e))?;
    runtime.block_on(serve(site, options))
}

async fn serve(site: &Site, options: &ServeOptions) -> Result<()> {
    let session = Arc::new(Session::new(site, options.drafts));
    let started = Instant::now();
    let first = {
        let session = session.clone();
        tokio::task::spawn_blocking(move || session.build(ChangeKind::Content, None))
            .await
            .expect("the build task ran")
    };
    let (snapshot, problems) = match first {
        Ok((snapshot, _)) => (snapshot, Vec::new()),
        Err(err) => {
            eprint!("{}", crate::error::report(&err, false));
            (Snapshot::default(), err.problems())
        }
    };
    let base_path = site.config.base_path().to_string();
    let state = live::State::new(snapshot, problems, base_path.clone());

    // Said before binding, so it is seen even when the address cannot be had.
    if let Some(warning) = exposure_warning(options.bind, options.drafts) {
        eprintln!("warning: {warning}");
    }
    let requested = SocketAddr::new(options.bind, options.port);
    let listener = match connections::listen(requested) {
        Ok(listener) => listener,
        Err(_) if options.port != 0 => {
            let listener = connections::listen(SocketAddr::new(options.bind, 0))
                .map_err(|e| Error::io("open a port to serve on", std::path::Path::new("."), e))?;
            eprintln!("Port {} is taken; serving on another.", options.port);
            listener
        }
        Err(e) => return Err(Error::io("open a port to serve on", std::path::Path::new("."), e)),
    };
    let address =
        listener.local_addr().map_err(|e| Error::io("open a port", std::path::Path::new("."), e))?;
    // Watch before saying where to look: an edit made right after must not be missed.
    let _watcher = watch::start(site, state.clone(), session.clone())?;
    let root_url = format!("http://{address}/");
    let base_url = format!("http://{address}{base_path}");
    println!("Built in {} ms.", started.elapsed().as_millis());
    let reach = if is_private(options.bind) { "only on this computer" } else { "open to other machines" };
    if base_path == "/" {
        println!("Serving {} at {root_url} ({reach})", site.config.title);
    } else {
        println!(
            "Serving {} at {root_url} and at {base_url} (as it will be published; {reach})",
            site.config.title
        );
    }
    println!("Watching for changes; press Ctrl-C to stop.");
    if options.open {
        open_browser(&base_url);
    }

    let app = http::router(state);
    connections::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    println!("Stopped.");
    Ok(())
}

/// Whether only this computer can reach the server at `bind`.
fn is_private(bind: IpAddr) -> bool {
    bind.to_canonical().is_loopback()
}

/// What to tell someone serving at `bind` when other machines can reach it.
fn exposure_warning(bind: IpAddr, drafts: bool) -> Option<String> {
    if is_private(bind) {
        return None;
    }
    let at = if bind.is_unspecified() {
        format!("{bind} (every network this computer is on)")
    } else {
        bind.to_string()
    };
    let what = if drafts { "the site, drafts included," } else { "the site" };
    Some(format!(
        "serving on {at}: {what} can be read from other machines while it runs. \
         Leave out --bind to keep it to this computer."
    ))
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(command).arg(url).spawn().is_err() {
        eprintln!("Could not open a browser; open {url} yourself.");
    }
}

/// The problems of a failed rebuild, for the terminal.
fn print_problems(problems: &[Problem]) {
    for problem in problems {
        eprintln!("error: {problem}");
    }
}

#[cfg(test)]
mod tests {
    use super::exposure_warning;

    #[test]
    fn only_loopback_goes_without_a_warning() {
        for private in ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(exposure_warning(private.parse().unwrap(), true), None, "{private}");
        }
        let everywhere = exposure_warning("0.0.0.0".parse().unwrap(), false).unwrap();
        assert!(
            everywhere
                .starts_with("serving on 0.0.0.0 (every network this computer is on): the site can be read"),
            "{everywhere}"
        );
        assert!(
            exposure_warning("::".parse().unwrap(), true).unwrap().contains("the site, drafts included,")
        );
        assert!(exposure_warning("192.168.1.20".parse().unwrap(), false).is_some());
    }
}
