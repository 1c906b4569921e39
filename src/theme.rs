//! The look of the site: Tera templates and static files, layered so that the
//! site's `templates/` and `static/` override the theme's file by file, and the
//! theme's override the default theme built into milepost (so `milepost init`
//! and a site without `themes/` work).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::Tera;
use walkdir::WalkDir;

use crate::disk;
use crate::error::{Problem, Problems, Result};
use crate::output::{Body, OutputFile};
use crate::site::Site;
use crate::suggest;

mod card_fields;

const DEFAULT_THEME: &str = "default";

/// The default theme's templates, built into the binary.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../themes/default/templates/base.html")),
    ("home.html", include_str!("../themes/default/templates/home.html")),
    ("post.html", include_str!("../themes/default/templates/post.html")),
    ("page.html", include_str!("../themes/default/templates/page.html")),
    ("trip.html", include_str!("../themes/default/templates/trip.html")),
    ("trips.html", include_str!("../themes/default/templates/trips.html")),
    ("tags.html", include_str!("../themes/default/templates/tags.html")),
    ("tag.html", include_str!("../themes/default/templates/tag.html")),
    ("timeline.html", include_str!("../themes/default/templates/timeline.html")),
    ("map.html", include_str!("../themes/default/templates/map.html")),
    ("404.html", include_str!("../themes/default/templates/404.html")),
    ("search.html", include_str!("../themes/default/templates/search.html")),
    ("card.html", include_str!("../themes/default/templates/card.html")),
    ("macros.html", include_str!("../themes/default/templates/macros.html")),
];

/// The default theme's static files, built into the binary.
const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../themes/default/static/style.css")),
    ("milepost.js", include_bytes!("../themes/default/static/milepost.js")),
    ("search.js", include_bytes!("../themes/default/static/search.js")),
    ("favicon.svg", include_bytes!("../themes/default/static/favicon.svg")),
];

/// The parsed templates: the costly part of a theme, kept by a `serve`
/// session until a template changes.
pub struct Templates {
    pub(crate) tera: Tera,
    /// A hash of every template's text: it changes when any template does.
    pub(crate) fingerprint: u64,
    /// Whether lists must hand each post's fields beside its rendered card.
    pub(crate) lists_read_card_fields: bool,
    /// The file of each template not built in, for messages about it.
    files: BTreeMap<String, PathBuf>,
}

impl Templates {
    /// A problem rendering a page with these templates, naming the file of
    /// the template at fault (the site's `templates/page.html`, say).
    pub(crate) fn problem(&self, err: &tera::Error) -> Problem {
        template_problem(err, |name| match self.files.get(name) {
            Some(path) => path.clone(),
            None => PathBuf::from(format!("(built-in template {name})")),
        })
    }
}

pub struct Theme {
    pub templates: Arc<Templates>,
    /// Static files to publish, the site's over the theme's.
    pub(crate) static_files: Vec<OutputFile>,
}

/// Where a template came from, for messages.
enum TemplateSource {
    Builtin,
    File(PathBuf),
}

pub fn load(site: &Site) -> Result<Theme> {
    load_with(site, None)
}

/// Loads the theme, reusing `kept` templates when given (the static files
/// are always looked at again: one may have been added).
fn load_with(site: &Site, kept: Option<Arc<Templates>>) -> Result<Theme> {
    let theme_name = &site.config.theme;
    let theme_dir = site.root.join("themes").join(theme_name);
    if theme_name != DEFAULT_THEME && !theme_dir.is_dir() {
        let available = installed_themes(&site.root);
        let hint = match suggest::nearest(theme_name, available.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("put the theme in themes/{theme_name}/, or use theme = \"default\""),
        };
        return Err(Problem::in_file("site.toml", format!("the theme `{theme_name}` is not in themes/"))
            .at_line(suggest::line_of_key(
                &disk::read_to_string(&site.root.join("site.toml"))?,
                "theme",
                '=',
                0,
            ))
            .hint(hint)
            .into());
    }

    let templates = match kept {
        Some(templates) => templates,
        None => Arc::new(templates(site, &theme_dir)?),
    };

    let mut statics: BTreeMap<String, OutputFile> = BTreeMap::new();
    for (name, bytes) in BUILTIN_STATIC {
        // Without search, no search script: no file of it is published.
        if *name == "search.js" && !site.config.search.enabled {
            continue;
        }
        statics.insert(
            name.to_string(),
            OutputFile {
                path: (*name).into(),
                origin: format!("the default theme's {name}"),
                body: Body::Builtin(bytes),
            },
        );
    }
    for dir in [theme_dir.join("static"), site.root.join("static")] {
        for (name, path) in files_under(&dir) {
            let origin = site.relative(&path).display().to_string();
            statics.insert(name.clone(), OutputFile { path: name.into(), origin, body: Body::Copy(path) });
        }
    }
    Ok(Theme { templates, static_files: statics.into_values().collect() })
}

/// Reads and parses the templates: built-in, then the theme's, then the site's.
fn templates(site: &Site, theme_dir: &Path) -> Result<Templates> {
    let mut templates: BTreeMap<String, (String, TemplateSource)> = BUILTIN_TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), (text.to_string(), TemplateSource::Builtin)))
        .collect();
    let mut problems = Problems::default();
    for dir in [theme_dir.join("templates"), site.root.join("templates")] {
        for (name, path) in files_under(&dir) {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    templates.insert(name, (text, TemplateSource::File(site.relative(&path).to_path_buf())));
                }
                Err(e) => problems.push(Problem::in_file(
                    site.relative(&path),
                    format!("could not read this template: {e}"),
                )),
            }
        }
    }
    problems.into_result(())?;

    let raw: Vec<(&str, &str)> =
        templates.iter().map(|(name, (text, _))| (name.as_str(), text.as_str())).collect();
    let mut compiled = compile(&raw).map_err(|err| {
        crate::Error::from(template_problem(&err, |name| match templates.get(name) {
            Some((_, TemplateSource::File(path))) => path.clone(),
            _ => PathBuf::from(format!("(built-in template {name})")),
        }))
    })?;
    compiled.files = templates
        .into_iter()
        .filter_map(|(name, (_, source))| match source {
            TemplateSource::File(path) => Some((name, path)),
            TemplateSource::Builtin => None,
        })
        .collect();
    Ok(compiled)
}

/// Parses the templates (name, text) into one Tera, as the theme is
/// loaded: the part of loading that reads no disk.
pub(crate) fn compile(raw: &[(&str, &str)]) -> std::result::Result<Templates, tera::Error> {
    for (name, text) in raw {
        let depth = nesting(text);
        if depth > MAX_NESTING {
            // Tera's parser recurses once a level: far deeper overflowed the stack.
            return Err(tera::Error::msg(format!(
                "Failed to parse '{name}': it nests {depth} deep (blocks in blocks, or brackets in brackets), over the {MAX_NESTING} milepost reads"
            )));
        }
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(crate::html::escape);
    tera.add_raw_templates(raw.iter().copied())?;
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (name, text) in raw {
            (name, text).hash(&mut hasher);
        }
        hasher.finish()
    };
    let lists_read_card_fields = card_fields::lists_read_card_fields(&tera);
    Ok(Templates { tera, fingerprint, lists_read_card_fields, files: BTreeMap::new() })
}

/// The deepest a template's blocks, or the brackets of one of its tags, may nest.
const MAX_NESTING: usize = 64;

/// How deep the blocks of `text` nest (`{% if %}` in `{% for %}` …), or the
/// brackets inside one of its tags, whichever is deeper. Text in `raw`
/// blocks and comments is not looked at, nor are quotes told apart: a
/// bracket in a string only counts against a template nesting far too deep.
fn nesting(text: &str) -> usize {
    let mut deepest = 0;
    let mut blocks: usize = 0;
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                rest = after;
                continue;
            }
        };
        let inner = &after[1..];
        let end = inner.find(close).unwrap_or(inner.len());
        let tag = &inner[..end];
        rest = inner.get(end + close.len()..).unwrap_or("");
        if close == "#}" {
            continue;
        }
        let mut brackets: usize = 0;
        for b in tag.bytes() {
            match b {
                b'(' | b'[' | b'{' => {
                    brackets += 1;
                    deepest = deepest.max(brackets);
                }
                b')' | b']' | b'}' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
        }
        if close == "%}" {
            let word = tag.trim_start_matches('-').split_whitespace().next().unwrap_or("");
            match word {
                "if" | "for" | "block" | "macro" | "filter" => {
                    blocks += 1;
                    deepest = deepest.max(blocks);
                }
                "raw" => {
                    let end = rest.find("endraw").map_or(rest.len(), |at| at + "endraw".len());
                    rest = &rest[end..];
                }
                word if word.starts_with("end") => blocks = blocks.saturating_sub(1),
                _ => {}
            }
        }
    }
    deepest
}

/// The default theme's templates, built into the binary: (name, text).
pub(crate) fn builtin_templates() -> &'static [(&'static str, &'static str)] {
    BUILTIN_TEMPLATES
}

/// Every file below `dir` as (path relative to `dir` with `/`, full path), in
/// name order, hidden files left out. A missing folder has none.
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?.to_str()?.replace('\\', "/");
            Some((rel, e.into_path()))
        })
        .collect()
}

fn installed_themes(root: &Path) -> Vec<String> {
    std::fs::read_dir(root.join("themes"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A Tera error as a problem in the template file it names, with the line when
/// Tera gives one (`--> 3:5`).
pub(crate) fn template_problem(err: &tera::Error, file_of: impl Fn(&str) -> PathBuf) -> Problem {
    let mut chain = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        chain.push(e.to_string());
        source = e.source();
    }
    let text = chain.join("\n");
    let name = text.split('\'').nth(1).unwrap_or("").to_string();
    let line =
        text.split("--> ").nth(1).and_then(|rest| rest.split(':').next()).and_then(|n| n.trim().parse().ok());
    let detail: Vec<&str> =
        chain.iter().skip(1).flat_map(|c| c.lines()).map(str::trim).filter(|l| !l.is_empty()).collect();
    let message =
        if detail.is_empty() { chain[0].clone() } else { format!("{}: {}", chain[0], detail.join(" ")) };
    Problem::in_file(file_of(&name), message)
        .at_line(line)
        .hint("fix the template, or delete it to use the theme's own")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> std::result::Result<String, String> {
        let mut raw: Vec<(&str, &str)> = BUILTIN_TEMPLATES.to_vec();
        raw.push(("t.html", template));
        let templates = compile(&raw).map_err(|e| e.to_string())?;
        templates.tera.render("t.html", &tera::Context::new()).map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn templates_that_never_end_are_errors() {
        // Found by fuzzing: each of these overflowed the stack, ran for
        // minutes or took all memory (the last two: with a 2 MB stack, where
        // a build's worker threads render).
        let cases = [
            "{% include \"t.html\" %}".to_string(),
            "{% macro m() %}{{ self::m() }}{% endmacro m %}{{ self::m() }}".to_string(),
            "{% for i in range(end=5, step_by=0) %}{% endfor %}".to_string(),
            "{% for i in range(end=100000000) %}{% endfor %}".to_string(),
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}"
                .to_string(),
            "{% if a %}".repeat(5000) + &"{% endif %}".repeat(5000),
            format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000)),
        ];
        for template in cases {
            let outcome = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || render(&template).map(|_| ()))
                .unwrap()
                .join()
                .unwrap();
            assert!(outcome.is_err(), "{outcome:?}");
        }
    }

    #[test]
    fn templates_nesting_as_deep_as_allowed_still_render() {
        let deep = "{% if true %}".repeat(MAX_NESTING) + "x" + &"{% endif %}".repeat(MAX_NESTING);
        assert_eq!(nesting(&deep), MAX_NESTING);
        assert_eq!(render(&deep).unwrap(), "x");
        let brackets = format!("{{{{ {}1{} }}}}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(render(&brackets).unwrap(), "1");
        assert_eq!(nesting("{% raw %}{{ ((( {% endraw %}{# [[[ #}{{ a }}"), 0);
    }
}
