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
/// Records counted together, in one map: parallel work, and a term's string
/// made once per group rather than once per record.
const GROUP: usize = 128;
/// BM25's usual constants: how fast a term's repeats stop counting, and
/// how much a long text's length discounts them.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// The maps' hasher: foldhash, several times faster than the std one
/// (SipHash) on short terms, which at 10,000 posts counted for a tenth of a
/// cold build. Fixed seed: the maps are read in sorted order anyway.
type Quick = foldhash::fast::FixedState;

/// A term's documents, in id order: each id with how often the term is in
/// that document's text, and in its title.
type Counts = Vec<(u32, u32, u32)>;
/// A term's documents, in id order, each with its score there.
type Postings = Vec<(u32, u8)>;

/// Each file: its name in the index's folder (no `.js`) and its bytes.
pub(crate) fn build(records: &[Record]) -> Vec<(String, Vec<u8>)> {
    // Groups of records counted apart, in parallel: one map per group,
    // each term's list in id order, its string made once per group.
    let groups: Vec<(HashMap<String, Counts, Quick>, Vec<u32>)> = records
        .par_chunks(GROUP)
        .enumerate()
        .map(|(g, group)| {
            let mut counts = HashMap::default();
            let lens = group
                .iter()
                .enumerate()
                .map(|(k, r)| count(&mut counts, r, (g * GROUP + k) as u32))
                .collect();
            (counts, lens)
        })
        .collect();
    let lens: Vec<u32> = groups.iter().flat_map(|(_, lens)| lens.iter().copied()).collect();
    let total: u64 = lens.iter().map(|&len| u64::from(len)).sum();
    let average = (total as f32 / lens.len().max(1) as f32).max(1.0);
    // Groups in order: each term's documents stay in id order (newest post first).
    let mut merged: HashMap<String, Counts, Quick> = HashMap::default();
    for (counts, _) in groups {
        for (term, docs) in counts {
            merged.entry(term).or_default().extend(docs);
        }
    }
    let mut postings: Vec<(String, Postings)> = merged
        .into_par_iter()
        .map(|(term, docs)| {
            let scored = docs
                .into_iter()
                .map(|(id, body, title)| (id, score(body, title, lens[id as usize], average)));
            (term, scored.collect())
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
    // The files keep their names from build to build: the script asks for
    // them with this version, so a browser never pairs a new manifest with
    // a shard it cached from an older index (the manifest itself is asked
    // for afresh each time).
    let version = {
        let mut hasher = blake3::Hasher::new();
        for (name, bytes) in &files {
            hasher.update(name.as_bytes()).update(&(bytes.len() as u64).to_le_bytes()).update(bytes);
        }
        hasher.finalize().to_hex()[..16].to_string()
    };
    let manifest = serde_json::json!({
        "docs": records.len(),
        "chunk": CHUNK,
        "shards": shards,
        "filters": listed,
        "v": version,
    });
    files.push(("manifest".to_string(), wrap("manifest", &manifest.to_string())));
    files
}

/// Counts the terms of record `id` into its group's `counts`: its text's
/// (with its place and trip) and its title's. Returns the text's length in terms.
fn count(counts: &mut HashMap<String, Counts, Quick>, record: &Record, id: u32) -> u32 {
    let mut len = 0;
    let mut add = |term: &str, title: bool| {
        let docs = match counts.get_mut(term) {
            Some(docs) => docs,
            None => counts.entry(term.to_string()).or_default(),
        };
        if docs.last().is_none_or(|doc| doc.0 != id) {
            docs.push((id, 0, 0));
        }
        if let Some(doc) = docs.last_mut() {
            if title {
                doc.2 += 1;
            } else {
                doc.1 += 1;
            }
        }
    };
    terms(&record.title, |t| add(t, true));
    for text in [Some(&record.text), record.place.as_ref(), record.trip.as_ref()].into_iter().flatten() {
        terms(text, |t| {
            len += 1;
            add(t, false);
        });
    }
    len
}

/// A term's score in one document, in a byte: BM25's part for the term
/// (repeats count less and less, a long text's less than a short one's),
/// a word of the title counting as three of the text, and a little more.
fn score(body: u32, title: u32, len: u32, average: f32) -> u8 {
    let norm = K1 * (1.0 - B + B * len as f32 / average);
    let tf = (body + 3 * title) as f32;
    let score = 20.0 * tf * (K1 + 1.0) / (tf + norm) + if title > 0 { 10.0 } else { 0.0 };
    score.round().clamp(1.0, 255.0) as u8
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
    fn the_manifest_names_a_version_that_follows_the_index() {
        let version = |records: &[Record]| {
            let files = build(records);
            let manifest = String::from_utf8_lossy(&files.last().unwrap().1).into_owned();
            manifest.split("\"v\":\"").nth(1).unwrap()[..16].to_string()
        };
        let one = [record("Harbour", "boats at dawn")];
        let other = [record("Harbour", "boats at dusk")];
        assert_eq!(version(&one), version(&one));
        assert_ne!(version(&one), version(&other));
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

    proptest::proptest! {
        /// Any records make an index without a panic, byte-identical when made again.
        #[test]
        fn any_records_make_an_index(texts in proptest::collection::vec("\\PC{0,60}", 0..40)) {
            let records: Vec<Record> = texts.iter().map(|t| record(t, t)).collect();
            let files = build(&records);
            assert!(files.iter().any(|(name, _)| name == "manifest"));
            assert_eq!(files, build(&records));
        }
    }
}
