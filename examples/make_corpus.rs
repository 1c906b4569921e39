//! Writes one generated travel journal as two equivalent sites, for the speed
//! suite (`benches/compare.sh`): `OUT/milepost/` in milepost's format and
//! `OUT/hugo/` with the same posts and minimal Hugo layouts that make the same
//! pages (posts with photo variants, paginated home and tag pages, trip lists,
//! feeds). Same arguments, same bytes.
//!
//! ```sh
//! cargo run --release --example make_corpus -- OUT --posts 10000 [--photos 3] [--seed 1]
//! ```
//!
//! Trips hold 15 to 25 posts; each trip has its own UTC offset. A post is a
//! bundle (`<trip>/<slug>/index.md`) with a title, a dated time with offset, a
//! place, coordinates, 2 to 4 tags from a skewed vocabulary, 300 to 600 words
//! of Markdown (a heading, a list, a link, emphasis) and 2 or 3 inline
//! `#hashtags`, one of them a front-matter tag, sometimes capitalised. Hugo
//! does not read hashtags, so its front matter lists the merged tags.
//!
//! With `--photos K`, each post shows K photos of `--photo-size` (4000x3000).
//! They are copies of a pool of distinct synthetic photos, each with its own
//! JPEG comment, so no two files have the same bytes; the two sites share each
//! file through a hard link.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use clap::Parser;
use image::{ImageEncoder, RgbImage, codecs::jpeg::JpegEncoder};

#[derive(Parser)]
struct Args {
    /// The folder to write (emptied first if it holds an earlier corpus).
    out: PathBuf,
    #[arg(long, default_value_t = 1000)]
    posts: usize,
    /// Photos per post.
    #[arg(long, default_value_t = 0)]
    photos: usize,
    #[arg(long, default_value = "4000x3000")]
    photo_size: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// SplitMix64: a generator whose stream is fixed here, so a seed makes the
/// same corpus on any machine and with any version of any crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const TAGS: &str = "travel roadtrip hiking trekking marathon running cycling swimming kayaking sailing \
    surfing climbing skiing camping backpacking vanlife railway trains ferry bus tram metro flight \
    border hostel homestay market streetfood noodles dumplings coffee tea wine beer bakery breakfast \
    dinner picnic seafood spices cheese festival concert museum gallery cathedral temple monastery \
    castle palace ruins bridge harbour lighthouse island beach coast cliffs desert dunes canyon \
    glacier volcano mountains valley forest jungle lake river waterfall steppe sunrise sunset stars \
    aurora rain snow storm fog wildlife birds whales camels horses penguins photography film \
    architecture streetart bookshop library nightlife dancing music opera theatre football chess \
    friends family solo slowtravel budget winter spring summer autumn lisbon porto madrid seville \
    paris lyon rome naples venice berlin vienna prague budapest krakow tallinn riga helsinki oslo \
    bergen reykjavik dublin edinburgh istanbul athens cairo marrakech nairobi zanzibar tokyo kyoto \
    osaka seoul busan pyongyang taipei hanoi bangkok kathmandu delhi goa colombo singapore bali \
    sydney auckland lima cusco quito havana oaxaca patagonia ushuaia anchorage vancouver montreal";

const PLACES: &[(&str, &str)] = &[
    ("Lisbon", "Portugal"),
    ("Porto", "Portugal"),
    ("Seville", "Spain"),
    ("Lyon", "France"),
    ("Naples", "Italy"),
    ("Vienna", "Austria"),
    ("Prague", "Czechia"),
    ("Tallinn", "Estonia"),
    ("Bergen", "Norway"),
    ("Reykjavik", "Iceland"),
    ("Istanbul", "Turkey"),
    ("Marrakech", "Morocco"),
    ("Zanzibar", "Tanzania"),
    ("Kyoto", "Japan"),
    ("Busan", "South Korea"),
    ("Pyongyang", "North Korea"),
    ("Hanoi", "Vietnam"),
    ("Kathmandu", "Nepal"),
    ("Colombo", "Sri Lanka"),
    ("Auckland", "New Zealand"),
    ("Cusco", "Peru"),
    ("Havana", "Cuba"),
    ("Ushuaia", "Argentina"),
    ("Montreal", "Canada"),
];

/// Offsets in minutes east of UTC.
const OFFSETS: &[i32] = &[540, -300, 330, 60, 0, -180, 765, -480, 120, 480, 180, -240, 600, 345, -150];

const LANDMARKS: &[&str] = &[
    "Old Town",
    "Harbour",
    "Central Market",
    "North Station",
    "Castle Hill",
    "River Walk",
    "Main Square",
    "Lighthouse",
    "Night Market",
    "Waterfront",
    "Trailhead",
    "Ferry Terminal",
    "Old Bridge",
    "Viewpoint",
];

const ADJECTIVES: &str = "quiet long early late golden grey windy bright slow steep crowded empty \
    endless narrow warm cold salty green blue dusty misty wild gentle final first rainy sunny hidden";
const NOUNS: &str = "morning afternoon evening night road trail climb ferry train market harbour \
    bridge tower temple garden street alley square coast ridge summit valley river lake beach \
    island station cafe kitchen festival race walk ride crossing detour border view storm";
const WORDS: &str = "we walked through the old streets before breakfast and light was soft over \
    roofs while a tram rattled past bakery smelled of bread coffee locals greeted us with smiles \
    market stalls were full fruit fish spices our legs ached after long climb but view from top \
    made it worth every step clouds drifted across hills river below shimmered boats moved slowly \
    toward harbour an old woman sold tea on corner children played football in square dogs slept \
    under benches bells rang noon train left late again so waited on platform reading map \
    planning next day route dinner was simple noodles soup bread cheese wine laughter with \
    travellers from everywhere stars appeared over sea wind picked up cold night slept well";

struct Trip {
    slug: String,
    title: String,
    location: String,
    start: Date,
    offset: i32,
    summary: String,
    posts: Vec<Post>,
}

struct Post {
    slug: String,
    title: String,
    /// Local date and time, and the trip's offset.
    date: Date,
    minute: u32,
    location: String,
    coords: [f64; 2],
    tags: Vec<String>,
    /// Front-matter tags and hashtags merged, lower case: what Hugo is given.
    all_tags: Vec<String>,
    photos: Vec<Photo>,
    body: String,
}

struct Photo {
    src: String,
    caption: String,
    alt: String,
}

#[derive(Clone, Copy)]
struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    fn days_in_month(year: i32, month: u32) -> u32 {
        match month {
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
    fn plus_days(mut self, days: u32) -> Date {
        for _ in 0..days {
            self.day += 1;
            if self.day > Date::days_in_month(self.year, self.month) {
                self.day = 1;
                self.month += 1;
                if self.month > 12 {
                    self.month = 1;
                    self.year += 1;
                }
            }
        }
        self
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A YAML double-quoted string (the generated text holds no `"` or `\`).
fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

struct Gen {
    rng: Rng,
    tags: Vec<&'static str>,
    /// Cumulative weights: a few tags are on many posts, most on few.
    tag_weights: Vec<f64>,
    adjectives: Vec<&'static str>,
    nouns: Vec<&'static str>,
    words: Vec<&'static str>,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let tags: Vec<&str> = TAGS.split_whitespace().collect();
        let mut total = 0.0;
        let tag_weights = (0..tags.len())
            .map(|i| {
                total += 1.0 / ((i + 1) as f64).powf(0.8);
                total
            })
            .collect();
        Gen {
            rng: Rng(seed),
            tags,
            tag_weights,
            adjectives: ADJECTIVES.split_whitespace().collect(),
            nouns: NOUNS.split_whitespace().collect(),
            words: WORDS.split_whitespace().collect(),
        }
    }

    fn tag(&mut self) -> &'static str {
        let total = *self.tag_weights.last().unwrap_or(&1.0);
        let at = (self.rng.next() as f64 / u64::MAX as f64) * total;
        let i = self.tag_weights.partition_point(|&w| w < at).min(self.tags.len() - 1);
        self.tags[i]
    }

    fn distinct_tags(&mut self, n: usize, taken: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        while out.len() < n {
            let tag = self.tag().to_string();
            if !out.contains(&tag) && !taken.contains(&tag) {
                out.push(tag);
            }
        }
        out
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut out = Vec::with_capacity(words);
        for i in 0..words {
            let word = *self.rng.pick(&self.words);
            out.push(if i == 0 { capitalise(word) } else { word.to_string() });
        }
        out.join(" ") + "."
    }

    fn paragraph(&mut self, words: usize) -> String {
        let mut sentences = Vec::new();
        let mut count = 0;
        while count < words {
            let n = self.rng.range(8, 18);
            sentences.push(self.sentence(n));
            count += n;
        }
        sentences.join(" ")
    }

    /// 300 to 600 words: paragraphs, a heading and a list, a link, emphasis,
    /// and the hashtags spread over the paragraphs (never starting a line).
    fn body(&mut self, hashtags: &[String]) -> String {
        let words = self.rng.range(300, 600);
        let paragraphs = (words / 90).max(3);
        let mut parts: Vec<String> = (0..paragraphs).map(|_| self.paragraph(words / paragraphs)).collect();
        for tag in hashtags {
            let at = self.rng.range(0, paragraphs - 1);
            let p = &mut parts[at];
            p.pop();
            p.push_str(&format!(" #{tag}."));
        }
        let emphasised = self.rng.pick(&self.words).to_string();
        parts[0] = parts[0].replacen(&format!(" {emphasised} "), &format!(" *{emphasised}* "), 1);
        let anchor = format!("{} {}", self.rng.pick(&self.words), self.rng.pick(&self.words));
        parts[1].push_str(&format!(" See [{anchor}](https://example.com/guide/{}).", slugify(&anchor)));
        let heading = format!("## {}", capitalise(&self.paragraph(3).replace('.', "")));
        let items: Vec<String> = (0..self.rng.range(3, 5))
            .map(|i| {
                let words = self.rng.range(4, 9);
                let item = self.sentence(words);
                if i == 0 { format!("- **{}**", item.trim_end_matches('.')) } else { format!("- {item}") }
            })
            .collect();
        parts.insert(2, heading);
        parts.insert(3, items.join("\n"));
        parts.join("\n\n") + "\n"
    }

    fn trip(&mut self, size: usize, photos: usize, taken: &mut Vec<String>) -> Trip {
        let (city, country) = *self.rng.pick(PLACES);
        let start = Date { year: 2008, month: 1, day: 1 }.plus_days(self.rng.range(0, 365 * 17) as u32);
        let offset = *self.rng.pick(OFFSETS);
        let season = ["winter", "spring", "summer", "autumn"][(start.month as usize % 12) / 3];
        let base = slugify(&format!("{city}-{}", start.year));
        let mut slug = base.clone();
        let mut n = 2;
        while taken.contains(&slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        taken.push(slug.clone());
        let centre =
            [self.rng.range(0, 1200) as f64 / 10.0 - 55.0, self.rng.range(0, 3580) as f64 / 10.0 - 179.0];
        let mut trip = Trip {
            slug,
            title: format!("{city}, {season} {}", start.year),
            location: format!("{city}, {country}"),
            start,
            offset,
            summary: self.sentence(12),
            posts: Vec::new(),
        };
        let mut day = 0;
        let mut slugs: Vec<String> = Vec::new();
        for _ in 0..size {
            day += *self.rng.pick(&[0, 1, 1, 1, 2]);
            let (adjective, noun) = (*self.rng.pick(&self.adjectives), *self.rng.pick(&self.nouns));
            let title = match self.rng.range(0, 3) {
                0 => format!("{} {noun} in {city}", capitalise(adjective)),
                1 => format!("The {adjective} {noun}"),
                2 => format!("Day {}: {adjective} {noun}", day + 1),
                _ => format!("{} at the {}", capitalise(noun), self.rng.pick(LANDMARKS).to_lowercase()),
            };
            let base = slugify(&title);
            let mut slug = base.clone();
            let mut n = 2;
            while slugs.contains(&slug) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            slugs.push(slug.clone());
            let count = self.rng.range(2, 4);
            let tags = self.distinct_tags(count, &[]);
            // One hashtag repeats a front-matter tag, at times capitalised; the others may be new.
            let mut hashtags = vec![self.rng.pick(&tags).clone()];
            let count = self.rng.range(1, 2);
            hashtags.extend(self.distinct_tags(count, &hashtags));
            for tag in &mut hashtags {
                if self.rng.chance(50) {
                    *tag = capitalise(tag);
                }
            }
            let mut all_tags = tags.clone();
            for tag in &hashtags {
                if !all_tags.contains(&tag.to_lowercase()) {
                    all_tags.push(tag.to_lowercase());
                }
            }
            let photos = (1..=photos)
                .map(|i| Photo {
                    src: format!("photo-{i}.jpg"),
                    caption: {
                        let words = self.rng.range(5, 10);
                        self.sentence(words)
                    },
                    alt: capitalise(&self.paragraph(4).replace('.', "")),
                })
                .collect();
            let spread = |rng: &mut Rng| (rng.range(0, 1000) as f64 - 500.0) / 1000.0;
            trip.posts.push(Post {
                slug,
                title,
                date: start.plus_days(day),
                minute: self.rng.range(6 * 60, 22 * 60) as u32,
                location: format!("{}, {city}", self.rng.pick(LANDMARKS)),
                coords: [centre[0] + spread(&mut self.rng), centre[1] + spread(&mut self.rng)],
                tags,
                all_tags,
                photos,
                body: self.body(&hashtags),
            });
        }
        trip
    }
}

fn timestamp(date: Date, minute: u32, offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:00{sign}{:02}:{:02}",
        date.year,
        date.month,
        date.day,
        minute / 60,
        minute % 60,
        offset / 60,
        offset % 60
    )
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(", "))
}

/// The front matter both sites share; `tags` differ.
fn post_front_matter(post: &Post, trip: &Trip, tags: &[String]) -> String {
    let mut text = format!(
        "---\ntitle: {}\ndate: {}\nlocation: {}\ncoords: [{:.4}, {:.4}]\ntags: {}\n",
        quoted(&post.title),
        timestamp(post.date, post.minute, trip.offset),
        quoted(&post.location),
        post.coords[0],
        post.coords[1],
        list(tags)
    );
    if !post.photos.is_empty() {
        text.push_str("photos:\n");
        for photo in &post.photos {
            let _ = writeln!(
                text,
                "  - src: {}\n    caption: {}\n    alt: {}",
                quoted(&photo.src),
                quoted(&photo.caption),
                quoted(&photo.alt)
            );
        }
    }
    text + "---\n"
}

fn write(path: &Path, text: &str) {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).unwrap_or_else(|e| panic!("create {}: {e}", folder.display()));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

const BASE_URL: &str = "https://example.org/";
const TITLE: &str = "Bench Journal";

fn write_milepost(root: &Path, trips: &[Trip]) {
    write(
        &root.join("site.toml"),
        &format!(
            "title = \"{TITLE}\"\nbase_url = \"{BASE_URL}\"\ndescription = \"A generated journal\"\n\
             author = \"Bench Runner\"\ntimezone = \"UTC\"\nposts_per_page = 12\n\n\
             [photos]\nwidths = [480, 960, 1600]\nquality = 80\n"
        ),
    );
    for trip in trips {
        let folder = root.join("content").join(&trip.slug);
        let start = trip.start;
        write(
            &folder.join("_trip.md"),
            &format!(
                "---\ntitle: {}\nstart: {:04}-{:02}-{:02}\nlocation: {}\nsummary: {}\n---\n{}\n",
                quoted(&trip.title),
                start.year,
                start.month,
                start.day,
                quoted(&trip.location),
                quoted(&trip.summary),
                trip.summary
            ),
        );
        for post in &trip.posts {
            let text = post_front_matter(post, trip, &post.tags) + &post.body;
            write(&folder.join(&post.slug).join("index.md"), &text);
        }
    }
}

const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "baseof.html",
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a> · <a href="{{ "tags/" | relURL }}">tags</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"#,
    ),
    (
        "partials/cards.html",
        r#"<ul>{{ range . }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "Mon 2 Jan 2006" }}</time>{{ with .Params.location }} · {{ . }}{{ end }}
<p>{{ .Summary }}</p>{{ range .GetTerms "tags" }} <a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a>{{ end }}</li>{{ end }}
</ul>
"#,
    ),
    (
        "partials/pager.html",
        r#"<nav>{{ with .Prev }}<a href="{{ .URL }}">newer</a>{{ end }} page {{ .PageNumber }} of {{ .TotalPages }} {{ with .Next }}<a href="{{ .URL }}">older</a>{{ end }}</nav>
"#,
    ),
    (
        "single.html",
        r#"{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time>{{ .Date.Format "Mon 2 Jan 2006 15:04" }}</time>{{ with .Params.location }} · {{ . }}{{ end }}{{ with .Parent }} · <a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</p>
{{ range .Params.photos }}{{ $p := . }}{{ with $.Resources.Get .src }}{{ $s := .Resize "480x" }}{{ $m := .Resize "960x" }}{{ $l := .Resize "1600x" }}
<figure><img src="{{ $m.RelPermalink }}" srcset="{{ $s.RelPermalink }} 480w, {{ $m.RelPermalink }} 960w, {{ $l.RelPermalink }} 1600w" width="{{ $m.Width }}" height="{{ $m.Height }}" alt="{{ $p.alt }}"><figcaption>{{ $p.caption }}</figcaption></figure>{{ end }}{{ end }}
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a></li>{{ end }}</ul></article>{{ end }}
"#,
    ),
    (
        "list.html",
        r#"{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ if .IsHome }}{{ $pag := .Paginate site.RegularPages }}{{ partial "cards.html" $pag.Pages }}{{ partial "pager.html" $pag }}{{ else }}{{ partial "cards.html" .Pages.ByDate }}{{ end }}{{ end }}
"#,
    ),
    (
        "taxonomy.html",
        r#"{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">#{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
"#,
    ),
    (
        "term.html",
        r#"{{ define "main" }}<h1>#{{ .Title }}</h1>{{ $pag := .Paginate .Pages }}{{ partial "cards.html" $pag.Pages }}{{ partial "pager.html" $pag }}{{ end }}
"#,
    ),
    ("404.html", "{{ define \"main\" }}<h1>Not found</h1>{{ end }}\n"),
];

fn write_hugo(root: &Path, trips: &[Trip]) {
    // Feeds as milepost makes them by default: the newest 20 entries.
    write(
        &root.join("hugo.toml"),
        &format!(
            "baseURL = \"{BASE_URL}\"\ntitle = \"{TITLE}\"\nlanguageCode = \"en\"\n\
             [pagination]\npagerSize = 12\n[taxonomies]\ntag = \"tags\"\n[services.rss]\nlimit = 20\n\
             [imaging]\nquality = 80\n"
        ),
    );
    for (name, text) in HUGO_LAYOUTS {
        write(&root.join("layouts").join(name), text);
    }
    write(&root.join("content/_index.md"), &format!("---\ntitle: {}\n---\n", quoted(TITLE)));
    for trip in trips {
        let folder = root.join("content").join(&trip.slug);
        write(
            &folder.join("_index.md"),
            &format!("---\ntitle: {}\n---\n{}\n", quoted(&trip.title), trip.summary),
        );
        for post in &trip.posts {
            let text = post_front_matter(post, trip, &post.all_tags) + &post.body;
            write(&folder.join(&post.slug).join("index.md"), &text);
        }
    }
}

/// A smooth, grainy picture: costly to encode as real photos are.
fn pool_photo(width: u32, height: u32, rng: &mut Rng) -> Vec<u8> {
    let corners: Vec<[f32; 3]> = (0..4).map(|_| [0, 1, 2].map(|_| (rng.next() % 256) as f32)).collect();
    let mut grain = Rng(rng.next());
    let image = RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let noise = (grain.next() % 24) as f32 - 12.0;
        image::Rgb([0, 1, 2].map(|c| {
            let top = corners[0][c] * (1.0 - fx) + corners[1][c] * fx;
            let bottom = corners[2][c] * (1.0 - fx) + corners[3][c] * fx;
            (top * (1.0 - fy) + bottom * fy + noise).clamp(0.0, 255.0) as u8
        }))
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("encode a pool photo");
    bytes
}

/// The same picture with a comment of its own: other bytes, same pixels.
fn with_comment(jpeg: &[u8], comment: &str) -> Vec<u8> {
    let len = (comment.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(comment.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn write_photos(out: &Path, trips: &[Trip], size: &str, seed: u64) {
    let (width, height) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .expect("--photo-size is WIDTHxHEIGHT");
    let mut rng = Rng(seed ^ 0x5EED);
    let pool: Vec<Vec<u8>> = (0..12).map(|_| pool_photo(width, height, &mut rng)).collect();
    let mut n = 0;
    for trip in trips {
        for post in &trip.posts {
            for photo in &post.photos {
                let bytes = with_comment(&pool[n % pool.len()], &format!("corpus photo {n}"));
                n += 1;
                let rel = Path::new("content").join(&trip.slug).join(&post.slug).join(&photo.src);
                let first = out.join("milepost").join(&rel);
                write_bytes(&first, &bytes);
                let second = out.join("hugo").join(&rel);
                if fs::hard_link(&first, &second).is_err() {
                    write_bytes(&second, &bytes);
                }
            }
        }
    }
}

fn write_bytes(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn main() {
    let args = Args::parse();
    let mut generator = Gen::new(args.seed);
    let mut trips = Vec::new();
    let mut trip_slugs = Vec::new();
    let mut left = args.posts;
    while left > 0 {
        let mut size = generator.rng.range(15, 25);
        if left < size + 5 {
            size = left;
        }
        left -= size;
        trips.push(generator.trip(size, args.photos, &mut trip_slugs));
    }
    for site in ["milepost", "hugo"] {
        let dir = args.out.join(site);
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("empty {}: {e}", dir.display()));
        }
    }
    write_milepost(&args.out.join("milepost"), &trips);
    write_hugo(&args.out.join("hugo"), &trips);
    if args.photos > 0 {
        write_photos(&args.out, &trips, &args.photo_size, args.seed);
    }
    let posts: usize = trips.iter().map(|t| t.posts.len()).sum();
    let mut tags: Vec<&String> = trips.iter().flat_map(|t| &t.posts).flat_map(|p| &p.all_tags).collect();
    tags.sort();
    tags.dedup();
    println!(
        "{}: {posts} posts in {} trips, {} tags, {} photos of {}, seed {}",
        args.out.display(),
        trips.len(),
        tags.len(),
        posts * args.photos,
        args.photo_size,
        args.seed
    );
}
