//! Watching the sources with notify: raw events are debounced, editor temp
//! files and milepost's own output and cache are ignored, and what is left is
//! reduced to one `ChangeKind` that says how much must be rebuilt.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::{Session, live};
use crate::error::{Error, Result};
use crate::site::Site;

/// How much a change touches, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Only stylesheets: browsers can swap them in place.
    Css,
    /// Posts, pages, photos, static files.
    Content,
    /// Templates: every page is rendered again, nothing parsed again.
    Templates,
    /// site.toml: everything again.
    Config,
}

/// What `path` (below `root`) changes, or `None` if it is not a source.
fn classify(root: &Path, output: &Path, path: &Path) -> Option<ChangeKind> {
    if path.starts_with(output)
        || path.starts_with(root.join(".milepost"))
        || path.starts_with(root.join(".git"))
    {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let temp = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name == "4913"
        || name.ends_with(".milepost-tmp");
    if temp {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let in_templates = first == "templates"
        || (first == "themes" && rel.components().nth(2).is_some_and(|c| c.as_os_str() == "templates"));
    match first {
        "site.toml" => Some(ChangeKind::Config),
        _ if in_templates => Some(ChangeKind::Templates),
        "static" | "themes" if name.ends_with(".css") => Some(ChangeKind::Css),
        "content" | "static" | "themes" => Some(ChangeKind::Content),
        _ => None,
    }
}

/// Starts watching; the returned debouncer must be kept alive.
pub(super) fn start(
    site: &Site,
    state: live::State,
    session: Arc<Session>,
) -> Result<
    notify_debouncer_full::Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>,
> {
    let root = site.root.clone();
    let output = site.output_dir();
    let handle = tokio::runtime::Handle::current();
    // Short: an editor's save is a burst of events within a millisecond or two,
    // and a save split in two only costs a second, quick rebuild.
    let mut debouncer = new_debouncer(Duration::from_millis(5), None, move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        // Reads (our own builds read every source) and bare metadata changes are
        // not edits; a file closed after writing is the end of a save.
        let edits = events.iter().filter(|event| match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => false,
            _ => true,
        });
        let changed: Vec<(PathBuf, ChangeKind)> = edits
            .flat_map(|event| event.paths.iter())
            .filter_map(|path| Some((path.clone(), classify(&root, &output, path)?)))
            .collect();
        if let Some(kind) = changed.iter().map(|(_, kind)| *kind).max() {
            let paths = changed.into_iter().map(|(path, _)| path).collect();
            let (state, session) = (state.clone(), session.clone());
            handle.spawn(async move { rebuild(state, session, kind, paths).await });
        }
    })
    .map_err(|e| Error::io("watch the site", &site.root, std::io::Error::other(e)))?;
    let mut watched: Vec<(PathBuf, RecursiveMode)> = ["content", "static", "templates", "themes"]
        .iter()
        .map(|dir| site.root.join(dir))
        .filter(|dir| dir.is_dir())
        .map(|dir| (dir, RecursiveMode::Recursive))
        .collect();
    // The root itself, not below it: for site.toml, and for folders made later.
    watched.push((site.root.clone(), RecursiveMode::NonRecursive));
    for (path, mode) in watched {
        debouncer.watch(&path, mode).map_err(|e| Error::io("watch", &path, std::io::Error::other(e)))?;
    }
    Ok(debouncer)
}

async fn rebuild(state: live::State, session: Arc<Session>, kind: ChangeKind, paths: Vec<PathBuf>) {
    // One rebuild at a time; changes that arrive meanwhile are in the next.
    let _turn = state.build_lock().await;
    let started = Instant::now();
    let build_kind = if kind == ChangeKind::Css { ChangeKind::Content } else { kind };
    let outcome = tokio::task::spawn_blocking(move || session.build(build_kind, Some(&paths))).await;
    match outcome {
        Ok(Ok((snapshot, _))) => {
            let mut watch = crate::Stopwatch::start();
            let changed = state.replace(snapshot);
            watch.lap("replace");
            println!("Rebuilt in {} ms ({changed} files changed).", started.elapsed().as_millis());
            state.clear_problems();
            if changed > 0 || kind == ChangeKind::Css {
                state.announce(if kind == ChangeKind::Css { live::Event::Css } else { live::Event::Reload });
            }
        }
        Ok(Err(err)) => {
            let problems = err.problems();
            super::print_problems(&problems);
            eprintln!("The last good version is still served; fix the problems and save again.");
            state.set_problems(problems);
        }
        Err(_) => eprintln!("The rebuild stopped unexpectedly; save again to retry."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_place_and_editor_files_ignored() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let kind = |p: &str| classify(root, out, Path::new(p));
        assert_eq!(kind("/site/site.toml"), Some(ChangeKind::Config));
        assert_eq!(kind("/site/content/trip/day.md"), Some(ChangeKind::Content));
        assert_eq!(kind("/site/templates/post.html"), Some(ChangeKind::Templates));
        assert_eq!(kind("/site/themes/default/templates/base.html"), Some(ChangeKind::Templates));
        assert_eq!(kind("/site/themes/default/static/style.css"), Some(ChangeKind::Css));
        assert_eq!(kind("/site/static/img/logo.png"), Some(ChangeKind::Content));
        for ignored in [
            "/site/public/index.html",
            "/site/.milepost/cache/x.jpg",
            "/site/content/.day.md.swp",
            "/site/content/day.md~",
            "/site/content/.#day.md",
            "/site/content/4913",
            "/site/README.md",
        ] {
            assert_eq!(kind(ignored), None, "{ignored}");
        }
    }
}
