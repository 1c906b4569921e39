//! The fuzz targets of `milepost::fuzzing` on the stable toolchain: each
//! test replays its target's committed corpus and regressions, then a batch
//! of inputs mutated from them with a fixed seed, each within a time bound.
//! A panic or a case over its bound fails the test and saves the input.
//! Long runs (a fresh seed, for as long as asked): see docs/FUZZING.md.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use milepost::fuzzing;

/// Mutated inputs per target in `cargo test`: two or three seconds each,
/// half a minute in all, in a debug build (milepost unoptimised).
fn cases(target: &str) -> usize {
    match target {
        "template" => 600,
        "gpx" => 2_500,
        "hashtags" | "markdown" => 5_000,
        "post" | "instagram" => 8_000,
        // Each case writes its zip to a file and copies entries out.
        "instagram_zip" => 1_500,
        "image" => 20_000,
        "date" | "site_toml" => 30_000,
        _ => 50_000,
    }
}

/// How long one case may take: generous for a debug build on a busy
/// machine; a hang or a quadratic blow-up is far over it.
fn case_limit() -> Duration {
    let seconds = std::env::var("FUZZ_CASE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    Duration::from_secs_f64(seconds)
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

/// The files of `dir`, sorted by name; none when it does not exist.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.into_iter().filter_map(|p| Some((p.clone(), std::fs::read(&p).ok()?))).collect()
}

/// The tokens of a libFuzzer dictionary (`name="value"` lines, `\xNN`,
/// `\"` and `\\` escapes), so both fuzzers share them.
fn dictionary(target: &str) -> Vec<Vec<u8>> {
    let Ok(text) = std::fs::read_to_string(fuzz_dir().join("dict").join(format!("{target}.dict"))) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let quoted = &line[line.find('"')? + 1..line.rfind('"')?];
            let mut token = Vec::new();
            let mut bytes = quoted.bytes();
            while let Some(b) = bytes.next() {
                match (b, b == b'\\') {
                    (_, false) => token.push(b),
                    (_, true) => match bytes.next() {
                        Some(b'x') => {
                            let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                            let hex = std::str::from_utf8(&hex).ok()?;
                            token.push(u8::from_str_radix(hex, 16).ok()?);
                        }
                        Some(other) => token.push(other),
                        None => {}
                    },
                }
            }
            Some(token)
        })
        .collect()
}

/// splitmix64: small, fast, and the same everywhere for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 { 0 } else { (self.next() % bound as u64) as usize }
    }
}

/// Values near the edges that parsers of numbers and lengths get wrong.
const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x00\x00\x00\x00",
    b"\x00\x00\x00\x01",
    b"\xff\xff\xff\xff\xff\xff\xff\xff",
    b"-1",
    b"0",
    b"99999999999999999999",
    b"1e308",
    b"NaN",
    b"-0",
    b"\xc3\xa9",
    b"\xe2\x80\xae",
    b"\xf0\x9f\x87\xa7",
    b"\xef\xbc\x83",
    b"\r\n",
];

/// Stacks one to eight havoc mutations on `input`: bit flips, edge values,
/// dictionary tokens, deletions, duplications, long repeats (for slow
/// paths) and splices from another corpus entry.
fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>], dict: &[Vec<u8>]) -> Vec<u8> {
    const MAX_LEN: usize = 64 * 1024;
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(11) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 => {
                let value = INTERESTING[rng.below(INTERESTING.len())];
                if rng.below(2) == 0 && at + value.len() <= out.len() {
                    out[at..at + value.len()].copy_from_slice(value);
                } else {
                    out.splice(at..at, value.iter().copied());
                }
            }
            3 | 4 if !dict.is_empty() => {
                let token = &dict[rng.below(dict.len())];
                out.splice(at..at, token.iter().copied());
            }
            5 if !out.is_empty() => {
                let len = 1 + rng.below((out.len() - at.min(out.len() - 1)).min(256));
                let start = at.min(out.len() - 1);
                out.drain(start..(start + len).min(out.len()));
            }
            6 if !out.is_empty() => {
                let start = rng.below(out.len());
                let len = 1 + rng.below((out.len() - start).min(128));
                let piece: Vec<u8> = out[start..start + len].to_vec();
                out.splice(at..at, piece);
            }
            7 if !out.is_empty() => {
                // A run repeated many times: nesting, long lines, many tokens.
                let start = rng.below(out.len());
                let len = 1 + rng.below((out.len() - start).min(8));
                let piece: Vec<u8> = out[start..start + len].repeat(1 + rng.below(2000));
                out.splice(at..at, piece);
            }
            8 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let len = 1 + rng.below(other.len() - start);
                    out.splice(at.., other[start..start + len].iter().copied());
                }
            }
            9 => {
                let len = rng.below(16);
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            _ => out.truncate(at),
        }
        out.truncate(MAX_LEN);
    }
    out
}

enum Outcome {
    Done,
    Panicked(String),
}

/// Runs a target's cases on a thread of its own, so a case that hangs can
/// be noticed (and left behind) instead of stopping the test forever.
struct Runner {
    target: &'static str,
    send: mpsc::Sender<Vec<u8>>,
    done: mpsc::Receiver<Outcome>,
}

impl Runner {
    fn new(target: &'static str) -> Runner {
        let run = fuzzing::target(target).unwrap_or_else(|| panic!("no fuzz target {target}"));
        let (send, inputs) = mpsc::channel::<Vec<u8>>();
        let (report, done) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("fuzz-{target}"))
            // The stack of a build's worker thread (rayon's default), where the parsers run.
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                for input in inputs {
                    let outcome = match std::panic::catch_unwind(|| run(&input)) {
                        Ok(()) => Outcome::Done,
                        Err(payload) => Outcome::Panicked(
                            payload
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default(),
                        ),
                    };
                    if report.send(outcome).is_err() {
                        return;
                    }
                }
            })
            .unwrap_or_else(|e| panic!("cannot start a fuzz thread: {e}"));
        Runner { target, send, done }
    }

    /// Runs one case; a failure is described, its input saved.
    fn run(&self, input: &[u8], limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        let failure = |what: String| {
            let saved = save_failure(self.target, input);
            format!(
                "fuzz target `{}` {what}\ninput ({} bytes) saved to {}\nreplay: FUZZ_REPLAY={} cargo test --test fuzz replay -- --nocapture",
                self.target,
                input.len(),
                saved.display(),
                saved.display()
            )
        };
        self.send.send(input.to_vec()).map_err(|_| failure("lost its thread".into()))?;
        match self.done.recv_timeout(limit) {
            Ok(Outcome::Done) => Ok(started.elapsed()),
            Ok(Outcome::Panicked(message)) => Err(failure(format!("panicked: {message}"))),
            Err(_) => Err(failure(format!("took over {limit:?} on one input"))),
        }
    }
}

/// Where failing (and the slowest) inputs are saved.
fn failure_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn save_failure(target: &str, input: &[u8]) -> PathBuf {
    let dir = failure_dir();
    let hash =
        input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let path = dir.join(format!("{target}-{hash:016x}"));
    let _ = std::fs::write(&path, input);
    path
}

/// The committed inputs of a target: its corpus, then the inputs that once
/// failed (named for what they broke).
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = fuzz_dir();
    let mut seeds: Vec<Vec<u8>> =
        files(&dir.join("corpus").join(target)).into_iter().map(|(_, b)| b).collect();
    seeds.extend(files(&dir.join("regressions").join(target)).into_iter().map(|(_, b)| b));
    seeds
}

/// What a run did, for its summary line.
struct Run {
    cases: usize,
    slowest: Duration,
}

/// Replays `target`'s seeds, then mutates them with `seed` until `cases`
/// cases ran or `until` passed.
fn fuzz(target: &'static str, seed: u64, cases: usize, until: Option<Instant>) -> Result<Run, String> {
    let runner = Runner::new(target);
    let limit = case_limit();
    let corpus = seeds(target);
    let dict = dictionary(target);
    let mut slowest = Duration::ZERO;
    let mut keep_slowest = |took: Duration, input: &[u8]| {
        if took > slowest {
            slowest = took;
            // Kept for a look at what is slow: a near-hang is a bug too.
            let _ = std::fs::write(failure_dir().join(format!("{target}-slowest")), input);
        }
    };
    for input in &corpus {
        keep_slowest(runner.run(input, limit)?, input);
    }
    let mut rng = Rng(seed ^ target.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let mut ran = corpus.len();
    for _ in 0..cases {
        if until.is_some_and(|until| Instant::now() >= until) {
            break;
        }
        let base: &[u8] = if corpus.is_empty() { b"" } else { &corpus[rng.below(corpus.len())] };
        let input = mutate(&mut rng, base, &corpus, &dict);
        if until.is_some() {
            // A stack overflow aborts the process before any report: on a
            // long run, the input that did it is left here.
            let _ = std::fs::write(failure_dir().join(format!("{target}-current")), &input);
        }
        keep_slowest(runner.run(&input, limit)?, &input);
        ran += 1;
    }
    Ok(Run { cases: ran, slowest })
}

/// The bounded run of `cargo test`: the same cases every time.
fn short(target: &'static str) {
    let started = Instant::now();
    match fuzz(target, 0x6d69_6c65_706f_7374, cases(target), None) {
        Ok(run) => eprintln!(
            "fuzz {target}: {} cases in {:.1} s, slowest {:?}",
            run.cases,
            started.elapsed().as_secs_f64(),
            run.slowest
        ),
        Err(failure) => panic!("{failure}"),
    }
}

#[test]
fn post() {
    short("post");
}

#[test]
fn date() {
    short("date");
}

#[test]
fn hashtags() {
    short("hashtags");
}

#[test]
fn markdown() {
    short("markdown");
}

#[test]
fn site_toml() {
    short("site_toml");
}

#[test]
fn template() {
    short("template");
}

#[test]
fn gpx() {
    short("gpx");
}

#[test]
fn instagram() {
    short("instagram");
}

#[test]
fn instagram_zip() {
    short("instagram_zip");
}

#[test]
fn image() {
    short("image");
}

#[test]
fn video() {
    short("video");
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let source = include_str!("fuzz.rs");
    for (name, _) in fuzzing::TARGETS {
        assert!(source.contains(&format!("short(\"{name}\")")), "no test runs the fuzz target {name}");
        assert!(!seeds(name).is_empty(), "the fuzz target {name} has no corpus in tests/fuzz/corpus/{name}/");
    }
}

/// A long run with a fresh seed: `FUZZ_SECONDS` in all (default 60), shared
/// by the targets of `FUZZ_TARGETS` (comma-separated; default all). Run it
/// optimised: `FUZZ_SECONDS=600 cargo test --release --test fuzz -- --ignored --nocapture`.
#[test]
#[ignore = "long: run on purpose, see docs/FUZZING.md"]
fn long() {
    let seconds: f64 = std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60.0);
    let chosen = std::env::var("FUZZ_TARGETS").unwrap_or_default();
    let targets: Vec<&'static str> = fuzzing::TARGETS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| chosen.is_empty() || chosen.split(',').any(|c| c.trim() == *name))
        .collect();
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("fuzz: seed {seed}, {seconds} s over {}", targets.join(", "));
    let share = Duration::from_secs_f64(seconds / targets.len().max(1) as f64);
    let mut failures = Vec::new();
    for target in targets {
        let started = Instant::now();
        match fuzz(target, seed, usize::MAX, Some(started + share)) {
            Ok(run) => eprintln!(
                "fuzz {target}: {} cases in {:.0} s, slowest {:?}",
                run.cases,
                started.elapsed().as_secs_f64(),
                run.slowest
            ),
            Err(failure) => {
                eprintln!("{failure}");
                failures.push(failure);
            }
        }
    }
    assert!(failures.is_empty(), "{} target(s) failed; seed {seed}", failures.len());
}

/// Runs one saved input: `FUZZ_REPLAY=path` (its file name starts with the
/// target's name, as saved failures' do; or name it with `FUZZ_TARGETS`).
#[test]
fn replay() {
    let Some(path) = std::env::var_os("FUZZ_REPLAY").map(PathBuf::from) else { return };
    let input = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let target = std::env::var("FUZZ_TARGETS").ok().filter(|t| !t.is_empty()).unwrap_or_else(|| {
        let mut by_length: Vec<&str> = fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
        by_length.sort_by_key(|n| std::cmp::Reverse(n.len()));
        by_length.into_iter().find(|n| name.starts_with(n)).unwrap_or("").to_string()
    });
    let run = fuzzing::target(&target).unwrap_or_else(|| panic!("name the target with FUZZ_TARGETS"));
    run(&input);
    eprintln!("{target}: {} bytes, no panic", input.len());
}
