//! The journal's structure on a trip written in three time zones: hashtags
//! and tags, trips told day by day, the timeline, feeds, sitemap and share
//! tags. Local days and the order of instants disagree here on purpose:
//! "New York, same day" is 1 March where it was written, 2 March in UTC.

use std::collections::BTreeSet;

use crate::fixture::Fixture;
use crate::links::assert_all_resolve;

const BASE: &str = "https://example.org/zones/";

fn built() -> (Fixture, String) {
    let site = Fixture::copy("three-zones");
    let run = site.milepost(&["build"]);
    run.succeeded();
    (site, run.stderr)
}

/// The titles in the order a page lists them, from the given candidates.
fn order(html: &str, titles: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, &str)> =
        titles.iter().filter_map(|t| html.find(&format!("<strong>{t}</strong>")).map(|i| (i, *t))).collect();
    found.sort();
    found.into_iter().map(|(_, t)| t.to_string()).collect()
}

const ALL: &[&str] = &["Packing", "Tokyo night", "London evening", "New York, same day", "Two days later"];

#[test]
fn each_post_shows_its_local_time() {
    let (site, _) = built();
    let read = |slug: &str| site.read(&format!("public/roundtrip/{slug}/index.html"));
    assert!(read("tokyo").contains(">Wed 1 Mar 2023, 23:30</time>"));
    assert!(read("london").contains(">Wed 1 Mar 2023, 20:00</time>"));
    let ny = read("new-york");
    assert!(ny.contains(">Wed 1 Mar 2023, 22:00</time>"), "{ny}");
    assert!(ny.contains("datetime=\"2023-03-01T22:00:00-05:00\""));
}

#[test]
fn home_and_tag_pages_order_by_the_absolute_instant() {
    let (site, _) = built();
    let home: String = ["public/index.html", "public/page/2/index.html", "public/page/3/index.html"]
        .iter()
        .map(|p| site.read(p))
        .collect();
    assert_eq!(
        order(&home, ALL),
        ["Two days later", "New York, same day", "London evening", "Tokyo night", "Packing"]
    );
    let travel =
        site.read("public/tags/travel/index.html") + &site.read("public/tags/travel/page/2/index.html");
    assert_eq!(order(&travel, ALL), ["New York, same day", "London evening", "Tokyo night"]);
}

#[test]
fn the_trip_is_told_day_by_day_from_its_start() {
    let (site, stderr) = built();
    let trip = site.read("public/roundtrip/index.html");
    let days: Vec<&str> = trip.match_indices("<h2 id=\"").map(|(i, _)| &trip[i..i + 100]).collect();
    assert_eq!(days.len(), 3, "{days:?}");
    assert!(days[0].contains("Before the trip · Mon 27 Feb 2023"), "{days:?}");
    assert!(days[1].contains("Day 1 · Wed 1 Mar 2023"), "{days:?}");
    assert!(days[2].contains("Day 3 · Fri 3 Mar 2023"), "{days:?}");
    // Day 1 holds the three posts written on 1 March, local time, oldest first.
    let day1 = &trip[trip.find("Day 1 ·").unwrap()..trip.find("Day 3 ·").unwrap()];
    assert_eq!(order(day1, ALL), ["Tokyo night", "London evening", "New York, same day"]);
    // Posted before the trip's start: a warning, not a failure.
    assert!(stderr.contains("warning: content/roundtrip/packing.md: this post (Mon 27 Feb 2023, 10:00) is dated before its trip starts"), "{stderr}");
    let post = site.read("public/roundtrip/nyc-again/index.html");
    assert!(post.contains("Day 3 of Around the world"));
    assert!(post.contains("rel=\"prev\" href=\"../new-york/\""), "previous in the trip");
}

#[test]
fn the_trips_page_counts_posts_photos_and_days() {
    let (site, _) = built();
    let trips = site.read("public/trips/index.html");
    assert!(trips.contains("5 posts · 1 photo · 3 days"), "{trips}");
    assert!(trips.contains("href=\"../roundtrip/\""));
}

#[test]
fn the_timeline_groups_by_local_day() {
    let (site, _) = built();
    let timeline = site.read("public/timeline/index.html");
    let headings: Vec<&str> =
        timeline.match_indices("<h4><time datetime=\"").map(|(i, _)| &timeline[i + 20..i + 30]).collect();
    assert_eq!(headings, ["2023-02-27", "2023-03-01", "2023-03-03"], "no 2 March: New York wrote on the 1st");
    let first_of_march =
        &timeline[timeline.find("2023-03-01\"").unwrap()..timeline.find("2023-03-03\"").unwrap()];
    assert_eq!(order(first_of_march, ALL), ["Tokyo night", "London evening", "New York, same day"]);
    assert!(timeline.contains("<h2>2023</h2>") && timeline.contains("<h3>February 2023</h3>"));
    assert!(timeline.contains("Trip begins: <a href=\"../roundtrip/\">Around the world</a>"));
}

#[test]
fn tags_merge_without_regard_to_case_and_show_the_most_used_spelling() {
    let (site, _) = built();
    let tags = site.read("public/tags/index.html");
    // Travel, #Travel, #travel, #travel: four mentions on three posts, "Travel" twice.
    assert!(tags.contains("<a href=\"travel/\">#Travel <span class=\"count\">3</span>"), "{tags}");
    // #Tokyo (first seen) and #tokyo once each: the tie goes to the first seen.
    assert!(tags.contains("<a href=\"tokyo/\">#Tokyo <span class=\"count\">2</span>"), "{tags}");
    assert!(tags.find("#Travel").unwrap() < tags.find("#Tokyo").unwrap(), "most used first");
    assert!(!tags.contains("notacode"), "code spans hold no tags");
    // A caption's hashtag is a tag; a hashtag in a body is a link with its text as written.
    assert!(site.exists("public/tags/skyline/index.html"));
    let tokyo = site.read("public/roundtrip/tokyo/index.html");
    assert!(tokyo.contains("<a class=\"hashtag\" href=\"../../tags/tokyo/\">#Tokyo</a>"), "{tokyo}");
    let ny = site.read("public/roundtrip/nyc-again/index.html");
    assert!(ny.contains("<figcaption>Morning over the river <a class=\"hashtag\" href=\"../../tags/skyline/\">#skyline</a></figcaption>"));
    // A trip's hashtag of a tag no post has stays text.
    let trip = site.read("public/roundtrip/index.html");
    assert!(trip.contains("<span class=\"hashtag\">#nowhere</span>"));
    assert!(!site.exists("public/tags/nowhere"));
}

#[test]
fn tags_in_other_scripts_get_working_pages() {
    let (site, _) = built();
    assert!(site.exists("public/tags/東京/index.html"));
    let tokyo = site.read("public/roundtrip/tokyo/index.html");
    assert!(tokyo.contains("href=\"../../tags/%E6%9D%B1%E4%BA%AC/\">#東京</a>"), "{tokyo}");
}

#[test]
fn two_tags_that_would_share_a_slug_get_their_own_pages_and_a_warning() {
    let (site, stderr) = built();
    assert!(
        stderr.contains("warning: the tags `new york` and `new-york` would share the page /tags/new-york/, so `new-york` is at /tags/new-york-2/"),
        "{stderr}"
    );
    assert!(order(&site.read("public/tags/new-york/index.html"), ALL) == ["New York, same day"]);
    assert!(order(&site.read("public/tags/new-york-2/index.html"), ALL) == ["Two days later"]);
}

#[test]
fn every_feed_is_atom_with_absolute_links() {
    let (site, _) = built();
    let feeds: Vec<String> = site.files("public").into_keys().filter(|p| p.ends_with("feed.xml")).collect();
    assert!(feeds.contains(&"feed.xml".to_string()));
    assert!(feeds.contains(&"roundtrip/feed.xml".to_string()));
    assert!(feeds.contains(&"tags/travel/feed.xml".to_string()));
    for path in &feeds {
        let text = site.read(&format!("public/{path}"));
        let feed: atom_syndication::Feed = text.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(feed.entries().len() <= 3, "{path}: feed_limit is 3");
        for link in feed.links().iter().chain(feed.entries().iter().flat_map(|e| e.links())) {
            assert!(link.href().starts_with(BASE), "{path}: {}", link.href());
        }
        for entry in feed.entries() {
            assert!(entry.id().starts_with(BASE));
            let html = entry.content().and_then(|c| c.value()).unwrap_or("");
            for attr in ["href=\"", "src=\""] {
                for (i, _) in html.match_indices(attr) {
                    let value = &html[i + attr.len()..];
                    assert!(value.starts_with(BASE), "{path}: {}", &value[..value.find('"').unwrap()]);
                }
            }
        }
    }
    let site_feed: atom_syndication::Feed = site.read("public/feed.xml").parse().unwrap();
    let titles: Vec<&str> = site_feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["Two days later", "New York, same day", "London evening"]);
    assert_eq!(site_feed.updated().to_rfc3339(), "2023-03-03T09:00:00-05:00");
    let newest = &site_feed.entries()[0];
    let content = newest.content().unwrap().value().unwrap();
    assert!(content.contains(&format!("<img src=\"{BASE}roundtrip/nyc-again/skyline-60.jpg\"")), "{content}");
    assert!(content.contains(&format!("href=\"{BASE}roundtrip/tokyo/\"")), "{content}");
    assert!(content.contains(&format!("href=\"{BASE}tags/skyline/\"")), "{content}");
}

#[test]
fn pages_link_their_feeds() {
    let (site, _) = built();
    let tag = site.read("public/tags/travel/index.html");
    assert!(
        tag.contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"#Travel\" href=\"feed.xml\">"
        ),
        "{tag}"
    );
    let trip = site.read("public/roundtrip/index.html");
    assert!(trip.contains("title=\"Around the world\" href=\"feed.xml\""));
    assert!(site.read("public/index.html").contains("href=\"feed.xml\""));
}

#[test]
fn the_sitemap_lists_every_page_and_robots_points_to_it() {
    let (site, _) = built();
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let listed: BTreeSet<String> =
        doc.descendants().filter(|n| n.has_tag_name("loc")).map(|n| n.text().unwrap().to_string()).collect();
    let pages: BTreeSet<String> = site
        .files("public")
        .into_keys()
        .filter(|p| p.ends_with(".html") && p != "404.html")
        .map(|p| format!("{BASE}{}", p.trim_end_matches("index.html")))
        .map(|url| url.replace("東京", "%E6%9D%B1%E4%BA%AC"))
        .collect();
    assert_eq!(listed, pages);
    assert!(xml.contains("<lastmod>2023-03-03T09:00:00-05:00</lastmod>"));
    assert_eq!(
        site.read("public/robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n")
    );
}

#[test]
fn posts_carry_share_tags_with_absolute_urls() {
    let (site, _) = built();
    let post = site.read("public/roundtrip/nyc-again/index.html");
    for tag in [
        format!("<meta property=\"og:url\" content=\"{BASE}roundtrip/nyc-again/\">"),
        format!("<meta property=\"og:image\" content=\"{BASE}roundtrip/nyc-again/skyline-60.jpg\">"),
        "<meta property=\"og:title\" content=\"Two days later\">".to_string(),
        "<meta name=\"twitter:card\" content=\"summary_large_image\">".to_string(),
    ] {
        assert!(post.contains(&tag), "{tag} missing");
    }
}

#[test]
fn every_internal_link_resolves() {
    let (site, _) = built();
    assert!(assert_all_resolve(&site.path("public"), BASE) > 100);
}

/// The `<li class="card…">` of the post titled `title` on a list page.
fn card_of<'a>(html: &'a str, title: &str) -> &'a str {
    let at =
        html.find(&format!("<strong>{title}</strong>")).unwrap_or_else(|| panic!("no {title} in {html}"));
    let start = html[..at].rfind("<li class=\"card").unwrap();
    let end = at + html[at..].find("</li>").unwrap();
    &html[start..end]
}

#[test]
fn a_card_is_the_same_on_every_list_but_for_its_way_to_the_root() {
    let (site, _) = built();
    let on_trip = site.read("public/roundtrip/index.html");
    let on_home = site.read("public/page/2/index.html");
    let on_tag = site.read("public/tags/travel/page/2/index.html");
    let trip_card = card_of(&on_trip, "Tokyo night");
    let home_card = card_of(&on_home, "Tokyo night");
    let tag_card = card_of(&on_tag, "Tokyo night");
    // Rendered once, each page puts its own way back to the root.
    assert!(trip_card.contains("href=\"../roundtrip/tokyo/\""), "{trip_card}");
    assert!(home_card.contains("href=\"../../roundtrip/tokyo/\""), "{home_card}");
    assert_eq!(tag_card.replace("../../../../", "../../"), home_card);
    // A trip's page is told day by day, so its cards leave the day out.
    assert!(home_card.contains("Day 1 · "), "{home_card}");
    assert_eq!(trip_card.replace("../", "../../"), home_card.replace("Day 1 · ", ""));
    for (path, bytes) in crate::fixture::tree(&site.path("public")) {
        if path.ends_with(".html") {
            assert!(!bytes.contains(&1u8), "{path} holds the marker cards are rendered with");
        }
    }
    assert!(assert_all_resolve(&site.path("public"), BASE) > 0);
}

#[test]
fn a_list_template_that_reads_each_posts_fields_still_gets_them() {
    let site = Fixture::copy("three-zones");
    // A theme written before card.html: its lists read the post's fields.
    site.write(
        "templates/tag.html",
        "{% extends \"base.html\" %}{% block main %}{% for post in posts %}\
         <p><a href=\"{{ post.href }}\">{{ post.title }}</a> {{ post.date }}{% if post.trip %} in {{ post.trip.title }}{% endif %}</p>\
         {% endfor %}{% endblock main %}",
    );
    site.milepost(&["build"]).succeeded();
    let tag = site.read("public/tags/travel/page/2/index.html");
    assert!(tag.contains("<a href=\"../../../../roundtrip/tokyo/\">Tokyo night</a> "), "{tag}");
    assert!(tag.contains("Tokyo night</a> Wed 1 Mar 2023, 23:30 in Around the world</p>"), "{tag}");
    // The lists that only show cards are as before.
    assert!(site.read("public/page/2/index.html").contains("<strong>Tokyo night</strong>"));
    assert!(assert_all_resolve(&site.path("public"), BASE) > 0);
}
