//! Properties of whole builds, over generated sites and edits: after any
//! sequence of edits, a build that reuses the last one (`.milepost/build/`)
//! writes exactly what a clean build of the same sources writes.

use proptest::prelude::*;

use milepost::BuildOptions;

use crate::fixture::Fixture;

/// A post as the test writes it.
#[derive(Debug, Clone)]
struct Post {
    /// Its file: `content/<folder>/<name>.md`.
    folder: &'static str,
    name: String,
    title: String,
    date: String,
    tags: Vec<String>,
    body: String,
}

impl Post {
    fn file(&self) -> String {
        match self.folder {
            "" => format!("content/{}.md", self.name),
            folder => format!("content/{folder}/{}.md", self.name),
        }
    }

    fn text(&self) -> String {
        let tags: Vec<String> = self.tags.iter().map(|t| format!("{t:?}")).collect();
        format!(
            "---\ntitle: {:?}\ndate: {}\ntags: [{}]\n---\n{}\n",
            self.title,
            self.date,
            tags.join(", "),
            self.body
        )
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Body(usize, String),
    Title(usize, String),
    Tags(usize, Vec<String>),
    Date(usize, String),
    Add(Post),
    Remove(usize),
}

fn title() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["Race day", "Arrival", "Tram 28", "Fado night", "Sintra", "Café ☕", "A", "Z"])
        .prop_map(str::to_string)
}

fn date() -> impl Strategy<Value = String> {
    let day =
        prop::sample::select(vec!["2017-04-09", "2017-04-10", "2017-04-13", "2017-05-01", "2018-01-01"]);
    let offset = prop::sample::select(vec!["+09:00", "-05:00", "Z", "+14:00"]);
    (day, 0..24u8, offset).prop_map(|(day, hour, offset)| format!("{day}T{hour:02}:30:00{offset}"))
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    let tag = prop::sample::select(vec!["run", "Run", "food", "café", "CAFÉ", "north korea", "north-korea"]);
    prop::collection::vec(tag.prop_map(str::to_string), 0..3)
}

fn body() -> impl Strategy<Value = String> {
    let part = prop::sample::select(vec![
        "We ran along the river.",
        "A long day #marathon.",
        "Dinner by the sea #food",
        "[Back to the start](../)",
        "## A heading",
        "Rain, then sun.",
    ]);
    prop::collection::vec(part, 1..4).prop_map(|parts| parts.join("\n\n"))
}

fn post() -> impl Strategy<Value = Post> {
    (prop::sample::select(vec!["", "trip"]), 0..1000u32, title(), date(), tags(), body()).prop_map(
        |(folder, n, title, date, tags, body)| Post {
            folder,
            name: format!("post-{n}"),
            title,
            date,
            tags,
            body,
        },
    )
}

fn edit() -> impl Strategy<Value = Edit> {
    let which = 0..16usize;
    prop_oneof![
        (which.clone(), body()).prop_map(|(i, b)| Edit::Body(i, b)),
        (which.clone(), title()).prop_map(|(i, t)| Edit::Title(i, t)),
        (which.clone(), tags()).prop_map(|(i, t)| Edit::Tags(i, t)),
        (which.clone(), date()).prop_map(|(i, d)| Edit::Date(i, d)),
        post().prop_map(Edit::Add),
        which.prop_map(Edit::Remove),
    ]
}

/// Writes the site's posts: every file of `content/` but the trip's.
fn write(site: &Fixture, posts: &[Post]) {
    for post in posts {
        site.write(&post.file(), post.text());
    }
}

fn apply(site: &Fixture, posts: &mut Vec<Post>, edit: Edit) {
    let count = posts.len().max(1);
    match edit {
        Edit::Body(i, body) => posts[i % count].body = body,
        Edit::Title(i, title) => posts[i % count].title = title,
        Edit::Tags(i, tags) => posts[i % count].tags = tags,
        Edit::Date(i, date) => posts[i % count].date = date,
        Edit::Add(post) => {
            if posts.iter().any(|p| p.name == post.name) {
                return;
            }
            posts.push(post);
        }
        Edit::Remove(i) => {
            // One post is kept: a journal of none is another case.
            if posts.len() > 1 {
                let post = posts.remove(i % count);
                std::fs::remove_file(site.path(&post.file())).unwrap();
            }
        }
    }
    write(site, posts);
}

/// The incremental build into `public/` equals a clean build into a fresh folder.
fn check_against_a_clean_build(site: &Fixture, step: usize) -> Result<(), TestCaseError> {
    milepost::build(&site.site(), &BuildOptions::default())
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let clean = format!("clean-{step}");
    let options = BuildOptions { output: Some(site.path(&clean)), ..BuildOptions::default() };
    milepost::build(&site.site(), &options).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let (clean_files, public) = (site.files(&clean), site.files("public"));
    prop_assert_eq!(
        clean_files.keys().collect::<Vec<_>>(),
        public.keys().collect::<Vec<_>>(),
        "after edit {}",
        step
    );
    for (path, bytes) in &clean_files {
        prop_assert!(public[path] == *bytes, "{} differs from a clean build after edit {}", path, step);
    }
    std::fs::remove_dir_all(site.path(&clean)).unwrap();
    Ok(())
}

proptest! {
    // Each case builds the site twice an edit: few cases keep it to seconds.
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn an_incremental_build_after_any_edits_equals_a_clean_build(
        start in prop::collection::vec(post(), 1..4),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let site = Fixture::empty();
        site.write(
            "site.toml",
            "title = \"Edits\"\nbase_url = \"https://example.org/j/\"\ntimezone = \"Asia/Pyongyang\"\nposts_per_page = 2\n",
        );
        site.write("content/trip/_trip.md", "---\ntitle: The trip\n---\nWhere we went.\n");
        let mut posts: Vec<Post> = Vec::new();
        for post in start {
            if !posts.iter().any(|p| p.name == post.name) {
                posts.push(post);
            }
        }
        write(&site, &posts);
        milepost::build(&site.site(), &BuildOptions::default()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        for (step, edit) in edits.into_iter().enumerate() {
            apply(&site, &mut posts, edit);
            check_against_a_clean_build(&site, step + 1)?;
        }
    }
}
