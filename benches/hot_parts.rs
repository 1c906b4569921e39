//! Criterion benches of the parts a build spends its time in: reading front
//! matter, Markdown with hashtags, rendering one post page (on the demo
//! journal at the repository root), and indexing 10,000 posts.
//!
//! ```sh
//! cargo bench --bench hot_parts
//! ```

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use milepost::images::{self, Survey};
use milepost::load::{Source, Sources};
use milepost::parse::front_matter::{self, POST_KEYS, PostMatter};
use milepost::parse::markdown::{self, Links};
use milepost::parse::{self, ParseOptions};
use milepost::paths::ContentPath;
use milepost::route::{self, Units};
use milepost::url::UrlPath;
use milepost::{Site, config::Config, index, render, theme};

const POST: &str = "---
title: \"Race day\"
date: 2017-04-09T08:30:00+09:00
location: \"Kim Il Sung Stadium, Pyongyang\"
coords: [39.0437, 125.7553]
tags: [marathon, Pyongyang, running]
photos:
  - src: stadium.jpg
    caption: \"50,000 people clapping us in #pyongyang\"
    alt: A stadium full of spectators
  - finish.jpg
---
";

/// About 400 words of Markdown: paragraphs, a heading, a list, a link,
/// emphasis and hashtags, as a day's post is.
fn body(seed: usize) -> String {
    let words = "we ran through the wide streets before breakfast and the light was soft over the \
        roofs while a tram rattled past the bakery smelled of bread coffee and the crowd clapped"
        .split(' ')
        .collect::<Vec<_>>();
    let sentence = |n: usize| -> String {
        (0..12).map(|i| words[(n * 7 + i * 3 + seed) % words.len()]).collect::<Vec<_>>().join(" ") + "."
    };
    let paragraph = |n: usize| (0..7).map(|i| sentence(n * 7 + i)).collect::<Vec<_>>().join(" ");
    format!(
        "{} #Marathon day {}.\n\n{} See [the route](https://example.com/route).\n\n## Kilometre {}\n\n\
         - **Water** at every 5 km\n- Gels at 15 and 30\n- A #selfie at the arch\n\n{} *So* tired #run{}.\n",
        paragraph(0),
        seed % 30,
        paragraph(1),
        seed % 42,
        paragraph(2),
        seed % 50
    )
}

fn front_matter(c: &mut Criterion) {
    c.bench_function("front matter: split and read one post's YAML", |b| {
        b.iter(|| {
            let split = front_matter::split(black_box(POST)).expect("front matter");
            front_matter::parse::<PostMatter>(&split, POST_KEYS).expect("valid")
        })
    });
}

fn markdown_with_hashtags(c: &mut Criterion) {
    let text = body(1);
    let page = UrlPath::page(["pyongyang-2017", "race-day"]);
    let resolve = |_: &str| None;
    let links = Links { page: &page, resolve: &resolve, profiles: None };
    c.bench_function("markdown: a 400-word post with hashtags to HTML", |b| {
        b.iter(|| markdown::render(black_box(&text), &links))
    });
}

fn render_one_post(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = Site::open(Some(root)).expect("the demo journal");
    let sources = milepost::load::content(&site).expect("its content");
    let cache = images::Cache::open(&site.root, false);
    let survey = images::survey(&sources.assets, &cache).expect("its photos");
    let routes = route::survey(&sources.assets, &cache);
    let content =
        parse::content(&sources, &site.config, ParseOptions::default(), &survey, &routes).expect("parsed");
    let index = index::build(&content);
    let theme = theme::load(&site).expect("the theme");
    let photos = render::photos::PhotoSet::new(&content, &survey, &site.config.photos);
    let inputs = render::Inputs {
        config: &site.config,
        content: &content,
        index: &index,
        templates: &theme.templates,
        photos: &photos,
        cards: render::Cards::new(content.posts.len()),
    };
    let id = index.newest_first[0];
    c.bench_function("render: one post page of the demo journal", |b| {
        b.iter(|| render::post(&inputs, black_box(id)).expect("rendered"))
    });
}

/// 10,000 posts in 500 trips, each with front-matter tags and hashtags, and
/// with `coords:` when `placed`.
fn ten_thousand_posts(placed: bool) -> Sources {
    let tags = ["travel", "running", "food", "Tokyo", "rain", "ferry", "museum", "night", "friends", "hills"];
    let mut sources = Sources::default();
    for trip in 0..500 {
        let folder = format!("trip-{trip:03}");
        sources.trips.push(Source::new(
            ContentPath::new(format!("{folder}/_trip.md")),
            format!("---\ntitle: Trip {trip}\nstart: {}-03-01\n---\n", 2000 + trip % 25),
        ));
        for day in 0..20 {
            let n = trip * 20 + day;
            // Each trip somewhere else on land, its days a few kilometres apart.
            let (lat, lon) =
                (-30.0 + (trip % 60) as f64, -100.0 + (trip * 7 % 200) as f64 + day as f64 * 0.05);
            let coords = if placed { format!("coords: [{lat:.4}, {lon:.4}]\n") } else { String::new() };
            let text = format!(
                "---\ntitle: Day {day} of trip {trip}\ndate: {}-03-{:02}T{:02}:15:00+0{}:00\n{coords}tags: [{}, {}]\n---\n{}",
                2000 + trip % 25,
                day + 1,
                6 + n % 14,
                n % 10,
                tags[n % 10],
                tags[(n / 10) % 10],
                body(n)
            );
            sources.posts.push(Source::new(ContentPath::new(format!("{folder}/day-{day:02}.md")), text));
        }
    }
    sources
}

fn indexing(c: &mut Criterion) {
    let config =
        Config::parse("title = \"Bench\"\nbase_url = \"https://example.org/\"\n", Path::new("site.toml"))
            .expect("settings");
    let parsed = |placed: bool| {
        let sources = ten_thousand_posts(placed);
        parse::content(
            &sources,
            &config,
            ParseOptions::default(),
            &Survey::default(),
            &route::Routes::default(),
        )
        .expect("parsed")
    };
    let (content, placed) = (parsed(false), parsed(true));
    assert_eq!(content.posts.len(), 10_000);
    let mut group = c.benchmark_group("index");
    group.sample_size(20);
    group.bench_function("index: tags, trips and timeline of 10,000 posts", |b| {
        b.iter(|| index::build(black_box(&content)))
    });
    group.bench_function("index: the same posts each with coords (trip maps, countries)", |b| {
        b.iter(|| index::build(black_box(&placed)))
    });
    group.finish();
}

/// A GPX track of `n` points, one a second, wandering around Pyongyang.
fn gpx_of(n: usize) -> String {
    let mut text = String::from(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"bench\"><trk><name>Long day</name><trkseg>\n",
    );
    let (mut lat, mut lon) = (39.0, 125.75);
    for i in 0..n {
        let turn = (i as f64 / 500.0).sin();
        lat += 0.00003 * turn;
        lon += 0.00003 * (1.0 - turn.abs());
        let ele = 30.0 + 20.0 * (i as f64 / 3000.0).sin() + (i % 3) as f64 * 0.5;
        let (h, m, s) = (i / 3600, i / 60 % 60, i % 60);
        text.push_str(&format!(
            "<trkpt lat=\"{lat:.6}\" lon=\"{lon:.6}\"><ele>{ele:.1}</ele><time>2017-04-{:02}T{:02}:{m:02}:{s:02}Z</time></trkpt>\n",
            13 + h / 24,
            h % 24
        ));
    }
    text.push_str("</trkseg></trk></gpx>\n");
    text
}

fn routes(c: &mut Criterion) {
    let text = gpx_of(100_000);
    let read = std::sync::Arc::new(route::read(text.as_bytes()).expect("a GPX track"));
    let drawn = route::for_post(std::slice::from_ref(&read), &[], Units::Metric, "Long day");
    println!(
        "a 100,000-point track: {} KB of GPX; map {} bytes, profile {} bytes",
        text.len() / 1024,
        drawn.map_svg().len(),
        drawn.profile_svg().map_or(0, str::len)
    );
    let mut group = c.benchmark_group("route");
    group.sample_size(10);
    group.bench_function("route: read a 100,000-point GPX", |b| {
        b.iter(|| route::read(black_box(text.as_bytes())))
    });
    group.bench_function("route: measure and draw a 100,000-point route (map, profile, splits)", |b| {
        b.iter(|| route::for_post(black_box(std::slice::from_ref(&read)), &[], Units::Metric, "Long day"))
    });
    group.finish();
}

criterion_group!(benches, front_matter, markdown_with_hashtags, render_one_post, indexing, routes);
criterion_main!(benches);
