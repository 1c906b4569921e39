//! Reads the content tree: every Markdown file under `content/` as text, sorted
//! into posts, pages and trips, and every other file as an asset to copy. It
//! only reads; what the files mean is for `parse`. Symbolic links are followed
//! only while they stay inside the site, and a link loop is reported, not walked.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use walkdir::WalkDir;

use crate::error::{Problem, Problems, Result, line_at};
use crate::paths::ContentPath;
use crate::site::Site;

pub(crate) const TRIP_FILE: &str = "_trip.md";
pub(crate) const PAGES_DIR: &str = "pages";

/// A Markdown file of the content tree.
#[derive(Debug, Clone)]
pub struct Source {
    pub(crate) rel: ContentPath,
    pub(crate) text: String,
}

impl Source {
    pub fn new(rel: ContentPath, text: String) -> Source {
        Source { rel, text }
    }
}

/// A file of the content tree that is not Markdown (a photo, a GPX track),
/// copied to the output at its content path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub(crate) rel: ContentPath,
    /// Where it is on disk.
    pub(crate) path: PathBuf,
}

#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub posts: Vec<Source>,
    pub(crate) pages: Vec<Source>,
    pub trips: Vec<Source>,
    pub assets: Vec<Asset>,
}

enum Kind {
    Post,
    Page,
    Trip,
    Asset,
}

/// Reads `content/` of `site`. Every unreadable file, link out of the site or
/// link loop is reported, all together.
pub fn content(site: &Site) -> Result<Sources> {
    let content_dir = site.content_dir();
    let mut problems = Problems::default();
    let mut sources = Sources::default();
    if !content_dir.is_dir() {
        return Ok(sources);
    }

    // Each Markdown file is read on another core while the walk goes on.
    let read: Mutex<Vec<Result<(Kind, Source), Problem>>> = Mutex::default();
    rayon::scope(|scope| {
        let mut walk = WalkDir::new(&content_dir).follow_links(true).sort_by_file_name().into_iter();
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    problems.push(walk_problem(site, &err));
                    continue;
                }
            };
            let name = entry.file_name().to_string_lossy();
            if entry.depth() > 0 && (name.starts_with('.') || name.ends_with('~')) {
                if entry.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                continue;
            }
            if entry.path_is_symlink() && !stays_inside(site, entry.path()) {
                problems.push(
                    Problem::in_file(
                        site.relative(entry.path()),
                        "this link leads outside the site folder, so it is not read",
                    )
                    .hint("copy the file into the site instead of linking to it"),
                );
                if entry.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                continue;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            let rel_path = entry.path().strip_prefix(&content_dir).unwrap_or(entry.path());
            let Some(rel) = rel_path.to_str().map(|r| ContentPath::new(r.replace('\\', "/"))) else {
                problems.push(
                    Problem::in_file(site.relative(entry.path()), "this file name is not valid UTF-8")
                        .hint("rename the file using plain letters, digits and dashes"),
                );
                continue;
            };
            match classify(rel.as_str()) {
                Kind::Asset => sources.assets.push(Asset { rel, path: entry.into_path() }),
                kind => {
                    let read = &read;
                    scope.spawn(move |_| {
                        let path = entry.into_path();
                        let file = read_text(site, &path).map(|text| (kind, Source::new(rel, text)));
                        read.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(file);
                    });
                }
            }
        }
    });
    for file in read.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
        match file {
            Ok((kind, source)) => {
                if let Some(list) = sources.list(kind) {
                    list.push(source);
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    sources.sort();
    problems.into_result(sources)
}

impl Sources {
    /// The list a Markdown file of `kind` belongs in (assets are not Markdown).
    fn list(&mut self, kind: Kind) -> Option<&mut Vec<Source>> {
        match kind {
            Kind::Post => Some(&mut self.posts),
            Kind::Page => Some(&mut self.pages),
            Kind::Trip => Some(&mut self.trips),
            Kind::Asset => None,
        }
    }

    /// By content path, so a refreshed tree is in the same order as a walked one.
    fn sort(&mut self) {
        for list in [&mut self.posts, &mut self.pages, &mut self.trips] {
            list.sort_by(|a, b| a.rel.cmp(&b.rel));
        }
        self.assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    }
}

/// Brings `sources` up to date with the files in `changed`, without walking
/// the tree: for `serve`, which is told what changed. `None` when only a
/// walk can tell (a folder or a link changed, or a file cannot be read).
pub(crate) fn refresh(site: &Site, sources: &mut Sources, changed: &[PathBuf]) -> Option<()> {
    let content_dir = site.content_dir();
    for path in changed {
        let Ok(rel_path) = path.strip_prefix(&content_dir) else { continue };
        let rel = rel_path.to_str()?.replace('\\', "/");
        let hidden = rel.split('/').any(|part| part.starts_with('.') || part.ends_with('~'));
        if rel.is_empty() || hidden {
            continue;
        }
        // Whatever was at `rel` (a file, or everything below a removed folder) goes.
        let folder = format!("{rel}/");
        let gone = |r: &ContentPath| r.as_str() == rel || r.as_str().starts_with(&folder);
        for list in [&mut sources.posts, &mut sources.pages, &mut sources.trips] {
            list.retain(|s| !gone(&s.rel));
        }
        sources.assets.retain(|a| !gone(&a.rel));
        let rel = ContentPath::new(rel);
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Ok(meta) if meta.is_file() => match classify(rel.as_str()) {
                Kind::Asset => sources.assets.push(Asset { rel, path: path.clone() }),
                kind => {
                    let text = read_text(site, path).ok()?;
                    sources.list(kind)?.push(Source::new(rel, text));
                }
            },
            _ => return None,
        }
    }
    sources.sort();
    Some(())
}

fn classify(rel: &str) -> Kind {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let is_markdown = Path::new(name)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"));
    if name == TRIP_FILE {
        Kind::Trip
    } else if !is_markdown {
        Kind::Asset
    } else if rel.starts_with("pages/") {
        Kind::Page
    } else {
        Kind::Post
    }
}

fn read_text(site: &Site, path: &Path) -> Result<String, Problem> {
    let shown = site.relative(path);
    let could_not = |e: std::io::Error| Problem::in_file(shown, format!("could not read this file: {e}"));
    // Posts are small: a buffer of a few pages reads most in one call, and
    // asking the file's size first would cost a call of its own.
    let mut bytes = Vec::with_capacity(16 * 1024);
    std::fs::File::open(path).and_then(|mut file| file.read_to_end(&mut bytes)).map_err(could_not)?;
    bytes.shrink_to_fit();
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let line = line_at(&String::from_utf8_lossy(&err.as_bytes()[..valid]), valid);
        Problem::in_file(shown, "this file is not UTF-8 text")
            .at_line(line)
            .hint("open it in your editor and save it with the UTF-8 encoding")
    })
}

fn stays_inside(site: &Site, path: &Path) -> bool {
    path.canonicalize().is_ok_and(|target| target.starts_with(&site.root))
}

fn walk_problem(site: &Site, err: &walkdir::Error) -> Problem {
    let path = err.path().map(|p| site.relative(p).to_path_buf()).unwrap_or_default();
    if let Some(ancestor) = err.loop_ancestor() {
        return Problem::in_file(
            path,
            format!("this link loops back to {}, so the folder would never end", site.describe(ancestor)),
        )
        .hint("remove the link, or point it at a folder that does not contain it");
    }
    let broken = err.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound);
    if broken {
        Problem::in_file(path, "this link points to a file that does not exist")
            .hint("remove the link or fix its target")
    } else {
        Problem::in_file(path, format!("could not read this: {err}"))
    }
}
