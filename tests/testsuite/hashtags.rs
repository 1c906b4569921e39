//! Hashtags and mentions as readers meet them: twitter-text's conformance
//! cases written as post bodies and built, and a site tagged in ten scripts
//! whose every tag link lands on a page of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::fixture::Fixture;
use crate::links::{assert_all_resolve, target};

/// The `(class, text, href)` of each hashtag and mention link or span in `html`, in order.
fn tag_links(html: &str) -> Vec<(String, String, Option<String>)> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices(" class=\"") {
        let class = &html[at + 8..];
        let class = &class[..class.find('"').unwrap()];
        if class != "hashtag" && class != "mention" {
            continue;
        }
        let element = &html[..at];
        let element = &element[element.rfind('<').unwrap() + 1..];
        let rest = &html[at..];
        let href = rest
            .split_once(" href=\"")
            .filter(|(before, _)| !before.contains('>'))
            .map(|(_, after)| after[..after.find('"').unwrap()].replace("&amp;", "&"));
        let text = &rest[rest.find('>').unwrap() + 1..];
        let text = &text[..text.find(&format!("</{element}>")).unwrap()];
        found.push((class.to_string(), text.to_string(), href));
    }
    found
}

fn differences() -> BTreeSet<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/differences.txt");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut parts = line.split(" | ");
            (parts.next().unwrap().to_string(), parts.next().unwrap().to_string())
        })
        .collect()
}

#[test]
fn twitter_text_conformance_cases_built_as_post_bodies() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/twitter-text-extract.yml");
    let file: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let site = Fixture::empty();
    site.write(
        "site.toml",
        "title = \"Conformance\"\nbase_url = \"https://example.org/\"\nmentions = \"https://www.instagram.com/{}/\"\n",
    );
    // (section, description, text, class, expected), one post each.
    let mut cases = Vec::new();
    for (section, class) in
        [("hashtags", "hashtag"), ("hashtags_from_astral", "hashtag"), ("mentions", "mention")]
    {
        for case in file["tests"][section].as_sequence().unwrap() {
            let text = case["text"].as_str().unwrap().to_string();
            let expected: Vec<String> = case["expected"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap().to_string())
                .collect();
            let n = cases.len();
            site.write(
                &format!("content/case-{n:03}.md"),
                format!("---\ntitle: Case {n}\ndate: 2024-01-01T10:00:00Z\n---\n{text}\n"),
            );
            cases.push((section, case["description"].as_str().unwrap().to_string(), text, class, expected));
        }
    }
    assert!(cases.len() > 90, "{} cases", cases.len());
    site.milepost(&["build"]).succeeded();

    let differences = differences();
    let mut wrong = Vec::new();
    for (n, (section, description, text, class, expected)) in cases.iter().enumerate() {
        let html = site.read(&format!("public/case-{n:03}/index.html"));
        let got: Vec<String> = tag_links(&html)
            .into_iter()
            .filter(|(c, _, _)| c == class)
            .map(|(_, text, _)| text.chars().skip(1).collect())
            .collect();
        let allowed = differences.contains(&(section.to_string(), description.clone()));
        if (&got == expected) == allowed {
            wrong.push(format!("{section}: {description}: {text:?} gave {got:?}, expected {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn tags_in_ten_scripts_each_have_a_page_of_their_own() {
    let site = Fixture::copy("scripts");
    let stderr = site.milepost(&["build"]).succeeded().to_string();
    assert!(!stderr.contains("share"), "{stderr}");
    let out = site.path("public");
    assert!(assert_all_resolve(&out, "https://example.org/scripts/") > 50);

    // Each hashtag as written → the tag page it links to, from every post.
    let mut pages: BTreeMap<String, BTreeSet<PathBuf>> = BTreeMap::new();
    let mut written: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for post in std::fs::read_dir(site.path("content")).unwrap() {
        let name = post.unwrap().file_name().into_string().unwrap();
        let slug = name.trim_end_matches(".md")[11..].to_string();
        let page = format!("{slug}/index.html");
        for (class, text, href) in tag_links(&site.read(&format!("public/{page}"))) {
            if class == "hashtag" {
                let href = href.unwrap_or_else(|| panic!("{page}: {text} is not linked"));
                let tag_page = target(&out, &page, &href);
                assert!(tag_page.is_file(), "{page}: {text} → {href}");
                pages.entry(text.trim_start_matches(['#', '＃']).to_string()).or_default().insert(tag_page);
                written.entry(slug.clone()).or_default().push(text);
            }
        }
    }

    assert_eq!(written["delhi"], ["#महात्मा", "#महात्मा_१२३४", "#हिन्दी"]);
    assert_eq!(written["bangkok"], ["#ผู้เริ่ม", "#เดินทาง"]);
    assert_eq!(written["tehran"], ["#می‌خواهم", "#السياحة"]);
    assert_eq!(written["jerusalem"], ["#עַל־יְדֵי", "#וכו׳"]);
    assert_eq!(written["tokyo"], ["＃東京マラソン", "#メ～テレ", "#日本語ハッシュタグ"]);
    assert_eq!(written["chennai"], ["#தமிழ்", "#ශ්‍රීලංකා"]);
    assert_eq!(written["moscow"], ["#Москва", "#москва", "#བོད་སྐད་", "#tag_", "#_tag", "#end__"]);

    // Spellings that differ only in case or in how an accent was typed share a page…
    for same in [
        ["Μαχάτμα_Γκάντι", "ΜΑΧΆΤΜΑ_ΓΚΆΝΤΙ"],
        ["café", "cafe\u{301}"],
        ["Straße", "STRASSE"],
        ["Москва", "москва"],
    ] {
        assert_eq!(pages[same[0]], pages[same[1]], "{same:?}");
        assert_eq!(pages[same[0]].len(), 1, "{same:?}");
    }
    // …and no two different tags do.
    let distinct: BTreeSet<&PathBuf> = pages.values().flatten().collect();
    assert_eq!(distinct.len(), 26, "{pages:#?}");
    for different in [["महात्मा", "महात्मा_१२३४"], ["İstanbul", "ıstanbul"], ["tag_", "_tag"]]
    {
        assert_ne!(pages[different[0]], pages[different[1]], "{different:?}");
    }
    let tag_pages = site.files("public/tags").keys().filter(|p| p.ends_with("/index.html")).count();
    assert_eq!(tag_pages, 26);

    // A tag page lists every post that used the tag, however it was spelled.
    let cafe = std::fs::read_to_string(pages["café"].first().unwrap()).unwrap();
    assert!(cafe.contains("Lisbon") && cafe.contains("Porto"), "{cafe}");

    let bangkok = site.read("public/bangkok/index.html");
    assert!(
        bangkok.contains(
            "<a class=\"mention\" href=\"https://www.instagram.com/muay_thai.fan/\">@muay_thai.fan</a>"
        ),
        "{bangkok}"
    );
}
