//! The search index's files, made from the records: term shards, document
//! chunks, one list per filter value and the manifest naming them, each a
//! small script the search page loads with `<script src>` (which, unlike
//! fetch, works from a file opened on disk too). Same records, same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;

use super::Record;
use super::words::{js_order, terms};

/// A shard is cut once it holds this many bytes (one term's list may make it larger).
const SHARD_BYTES: usize = 16 * 1024;
/// Documents per chunk file: a page of ten results reads at most ten chunks.
pub(crate) const CHUNK: usize = 25;
/// The start of a document's text shown under its title, in characters.
const EXCERPT: usize = 200;
/// Groups of terms merged apart, so that the merge runs on every core.
const BUCKETS: usize = 64;
/// BM25's usual constants: how fast a term's repeats stop counting, and
/// how much a long text's length discounts them.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A document's terms: how often each is in its text, and in its title; and the text's length in terms.
type Counts = (HashMap<String, (u32, u32)>, u32);
/// A term's documents, in id order, each with its score there.
type Postings = Vec<(u32, u8)>;

/// A document's terms with their scores, in one bucket.
type Scored = Vec<(String, u8)>;

/// Each file: its name in the index's folder (no `.js`) and its bytes.
pub(crate) fn build(records: &[Record]) -> Vec<(String, Vec<u8>)> {
    // Per document: how often each term is in its text, and in its title.
    let counted: Vec<Counts> = records.par_iter().map(count).collect();
    let total: u64 = counted.iter().map(|(_, len)| u64::from(*len)).sum();
    let average = (total as f32 / counted.len().max(1) as f32).max(1.0);

    // Per document, its terms with their scores, grouped by a hash of the term.
    let scored: Vec<Vec<Scored>> = counted
        .into_par_iter()
        .map(|(terms, len)| {
            let mut buckets = vec![Vec::new(); BUCKETS];
            let norm = K1 * (1.0 - B + B * len as f32 / average);
            for (term, (body, title)) in terms {
                // A word of the title counts as three of the text, and a little more.
                let tf = (body + 3 * title) as f32;
                let score = 20.0 * tf * (K1 + 1.0) / (tf + norm) + if title > 0 { 10.0 } else { 0.0 };
                let bucket = (xxhash_rust::xxh3::xxh3_64(term.as_bytes()) % BUCKETS as u64) as usize;
                buckets[bucket].push((term, score.round().clamp(1.0, 255.0) as u8));
            }
            buckets
        })
        .collect();
    let mut buckets: Vec<Vec<(u32, Scored)>> = (0..BUCKETS).map(|_| Vec::new()).collect();
    for (id, doc) in scored.into_iter().enumerate() {
        for (bucket, terms) in doc.into_iter().enumerate() {
            buckets[bucket].push((id as u32, terms));
        }
    }
    // Every term with its documents, in document order (newest post first).
    let mut postings: Vec<(String, Postings)> = buckets
        .into_par_iter()
        .flat_map_iter(|docs| {
            let mut merged: HashMap<String, Postings> = HashMap::new();
            for (id, terms) in docs {
                for (term, score) in terms {
                    merged.entry(term).or_default().push((id, score));
                }
            }
            merged.into_iter()
        })
        .collect();
    postings.par_sort_unstable_by(|a, b| js_order(&a.0, &b.0));

    let mut files = Vec::new();
    let shards = shards(&postings, &mut files);
    for (n, docs) in records.chunks(CHUNK).enumerate() {
        let docs: Vec<_> =
            docs.iter().map(|r| (&r.url, &r.title, &r.date, &r.place, &r.trip, excerpt(&r.text))).collect();
        files.push((format!("d{n}"), wrap(&format!("d{n}"), &json(&docs))));
    }
    // Filter name → value → documents, in document order.
    let mut filters: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (id, record) in records.iter().enumerate() {
        for (name, values) in &record.filters {
            for value in values {
                filters.entry(name).or_default().entry(value).or_default().push(id as u32);
            }
        }
    }
    let mut listed: BTreeMap<&str, BTreeMap<&str, (usize, usize)>> = BTreeMap::new();
    let mut n = 0;
    for (name, values) in &filters {
        for (value, ids) in values {
            let mut list = String::from("[");
            push_deltas(&mut list, ids.iter().map(|&id| (id, None)));
            list.push(']');
            files.push((format!("f{n}"), wrap(&format!("f{n}"), &list)));
            listed.entry(name).or_default().insert(value, (n, ids.len()));
            n += 1;
        }
    }
    let manifest = serde_json::json!({
        "docs": records.len(),
        "chunk": CHUNK,
        "shards": shards,
        "filters": listed,
    });
    files.push(("manifest".to_string(), wrap("manifest", &manifest.to_string())));
    files
}

/// The term counts of one record: its text's (with its place and trip) and its title's.
fn count(record: &Record) -> Counts {
    let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
    let mut len = 0;
    let mut add = |term: &str, title: bool| {
        let entry = match counts.get_mut(term) {
            Some(entry) => entry,
            None => counts.entry(term.to_string()).or_default(),
        };
        if title {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    };
    terms(&record.title, |t| add(t, true));
    for text in [Some(&record.text), record.place.as_ref(), record.trip.as_ref()].into_iter().flatten() {
        terms(text, |t| {
            len += 1;
            add(t, false);
        });
    }
    (counts, len)
}

/// Cuts the sorted terms into shards of about `SHARD_BYTES` each, pushing
/// their files (`t0`, `t1`, …); returns each shard's first term.
fn shards(postings: &[(String, Postings)], files: &mut Vec<(String, Vec<u8>)>) -> Vec<String> {
    let entries: Vec<String> = postings
        .par_iter()
        .map(|(term, docs)| {
            let mut entry = json(term);
            entry.push_str(",[");
            push_deltas(&mut entry, docs.iter().map(|&(id, score)| (id, Some(score))));
            entry.push(']');
            entry
        })
        .collect();
    let mut firsts = Vec::new();
    let mut shard = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if shard.is_empty() {
            firsts.push(postings[i].0.clone());
            shard.push('[');
        } else {
            shard.push(',');
        }
        shard.push_str(entry);
        if shard.len() >= SHARD_BYTES || i + 1 == entries.len() {
            shard.push(']');
            let name = format!("t{}", firsts.len() - 1);
            files.push((name.clone(), wrap(&name, &shard)));
            shard.clear();
        }
    }
    firsts
}

/// Document ids as the gaps between them (small numbers, few bytes), each
/// followed by its score when there is one.
fn push_deltas(out: &mut String, ids: impl Iterator<Item = (u32, Option<u8>)>) {
    let mut last = 0;
    for (i, (id, score)) in ids.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", id - last);
        if let Some(score) = score {
            let _ = write!(out, ",{score}");
        }
        last = id;
    }
}

/// The start of a text, whitespace collapsed, cut after a whole word.
fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if chars + len > EXCERPT {
            if out.is_empty() {
                out.extend(word.chars().take(EXCERPT));
            }
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        chars += len + 1;
    }
    out
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Strings, numbers and their lists: nothing here fails to serialise.
    serde_json::to_string(value).unwrap_or_default()
}

/// A file of the index: a call of the page's loader with the file's name
/// and data. `//` inside strings is written `/\/` (the same string): a
/// text quoting an address is then no request to anyone reading the script.
fn wrap(name: &str, data: &str) -> Vec<u8> {
    format!("milepostSearch({},{});\n", json(name), data.replace("//", "/\\/")).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, text: &str) -> Record {
        Record {
            url: format!("{}/", title.to_lowercase()),
            title: title.to_string(),
            text: text.to_string(),
            date: None,
            place: None,
            trip: None,
            filters: BTreeMap::new(),
        }
    }

    #[test]
    fn excerpts_end_after_a_whole_word() {
        assert_eq!(excerpt("  a\n b  "), "a b");
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word…") && cut.chars().count() <= EXCERPT + 1, "{cut}");
        assert_eq!(excerpt(&"x".repeat(500)).chars().count(), EXCERPT + 1);
    }

    #[test]
    fn empty_and_odd_records_make_a_whole_index() {
        let files = build(&[]);
        assert_eq!(files.len(), 1);
        let odd = [record("", ""), record("\u{0}", &"é".repeat(100_000)), record("x", "https://a.b//c")];
        let files = build(&odd);
        let all: String = files.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
        assert!(!all.contains("//"), "{all}");
        assert!(files.iter().any(|(name, _)| name == "d0"));
    }

    #[test]
    fn shards_are_cut_in_order_and_every_term_is_in_one() {
        let records: Vec<Record> =
            (0..3000).map(|i| record(&format!("t{i}"), &format!("w{i} common"))).collect();
        let files = build(&records);
        let shards: Vec<_> = files.iter().filter(|(name, _)| name.starts_with('t')).collect();
        assert!(shards.len() > 1, "{}", shards.len());
        let manifest = &files.last().unwrap().1;
        let manifest = String::from_utf8_lossy(manifest);
        assert!(
            manifest.starts_with("milepostSearch(\"manifest\",{\"chunk\":25,\"docs\":3000,"),
            "{manifest}"
        );
        // The same records, the same bytes.
        assert_eq!(files, build(&records));
    }
}
