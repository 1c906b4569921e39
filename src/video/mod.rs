//! Video files (MP4, MOV, WebM): what a reader sees (size, length, where it was shot) and a copy with the
//! metadata that can identify people made inert, without re-encoding and without moving the media data.

mod mp4;
mod webm;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The container families milepost publishes; WebM covers Matroska files too, since both are EBML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Container {
    Mp4,
    Mov,
    Webm,
}

impl Container {
    /// The container a file name promises, from its extension (case-insensitive).
    pub fn of(name: &str) -> Option<Container> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "mp4" | "m4v" => Some(Container::Mp4),
            "mov" => Some(Container::Mov),
            "webm" => Some(Container::Webm),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Container::Mp4 => "video/mp4",
            Container::Mov => "video/quicktime",
            Container::Webm => "video/webm",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VideoFacts {
    /// As displayed: a phone's portrait video is stored landscape with a 90° rotation, and is reported
    /// here as portrait.
    pub width: u32,
    pub height: u32,
    pub duration_ms: u64,
    pub container: Container,
    /// [lat, lon] if the file carries where it was shot (©xyz, loci, com.apple.quicktime.location.ISO6709,
    /// or a WebM LOCATION tag); only for telling the user; never published.
    pub location: Option<[f64; 2]>,
}

/// Reads the facts from the file at `path` without reading the media data: only the boxes or elements
/// that describe the media are read, the rest is skipped by seeking.
pub fn read(path: &Path) -> Result<VideoFacts, String> {
    let mut file = open(path)?;
    scan(&mut file)?.facts
}

/// Names of the metadata boxes or elements still in the file at `path`, such as "moov/udta" or "Tags";
/// empty for a clean file.
pub fn metadata_left(path: &Path) -> Result<Vec<String>, String> {
    let mut file = open(path)?;
    Ok(scan(&mut file)?.metadata.into_iter().map(|spot| spot.name).collect())
}

/// Writes to `dest` a copy of `source` with every metadata box or element that can carry personal data
/// overwritten in place by padding of the same size (`free` in MP4/MOV, `Void` in WebM). Nothing moves,
/// so the chunk offsets and cue positions that point into the media data stay right. The copy is read
/// back to check it; if it is not clean and playable with the same size and length, `dest` is removed.
pub fn clean(source: &Path, dest: &Path) -> Result<(), String> {
    if same_file(source, dest) {
        return Err("the cleaned copy cannot be written over the original file".to_string());
    }
    let mut input = open(source)?;
    let scanned = scan(&mut input)?;
    let before = scanned.facts.clone()?;
    let result = write_clean_copy(&mut input, &scanned, dest).and_then(|()| check_clean_copy(dest, &before));
    if result.is_err() {
        // The half-made or unverified copy must not be mistaken for a clean one later.
        let _ = std::fs::remove_file(dest);
    }
    result
}

/// A byte range of the file that gets overwritten with padding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spot {
    pub name: String,
    pub offset: u64,
    pub len: u64,
}

/// What one pass over a file's structure found.
pub(crate) struct Scan {
    /// The facts, or why they could not be had; a file can still be walked for metadata without them.
    pub facts: Result<VideoFacts, String>,
    /// Boxes or elements that can carry personal data.
    pub metadata: Vec<Spot>,
    /// Ranges that only point at or check metadata (a WebM SeekHead entry for Tags, a CRC-32 over an
    /// Info that changes): padded along with it so the file stays consistent, but not metadata themselves.
    pub links: Vec<Spot>,
    /// The header of a padding box or element of a given total length, in this file's format.
    pub padding: fn(u64) -> Result<Vec<u8>, String>,
}

fn open(path: &Path) -> Result<File, String> {
    File::open(path).map_err(|error| format!("milepost could not open it: {error}"))
}

/// Walks the file's structure; the format is told by the content, not by the file name.
pub(crate) fn scan<R: Read + Seek>(source: &mut R) -> Result<Scan, String> {
    let len = source.seek(SeekFrom::End(0)).map_err(read_error)?;
    if len < 8 {
        return Err("it is too short to be a video file".to_string());
    }
    let mut magic = [0u8; 4];
    source.seek(SeekFrom::Start(0)).map_err(read_error)?;
    source.read_exact(&mut magic).map_err(read_error)?;
    if magic == webm::EBML_MAGIC { webm::scan(source, len) } else { mp4::scan(source, len) }
}

fn read_error(error: io::Error) -> String {
    format!("milepost could not read it: {error}")
}

fn write_error(error: io::Error) -> String {
    format!("milepost could not write the cleaned copy: {error}")
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn write_clean_copy<R: Read + Seek>(input: &mut R, scanned: &Scan, dest: &Path) -> Result<(), String> {
    // Unlinking first, rather than truncating, keeps a dest that is a hard link to the source from taking
    // the source down with it.
    match std::fs::remove_file(dest) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(write_error(error)),
        _ => {}
    }
    let mut output = File::create_new(dest).map_err(write_error)?;
    input.seek(SeekFrom::Start(0)).map_err(read_error)?;
    // io::copy streams in small buffers (or lets the kernel copy), so a file of gigabytes never sits in memory.
    io::copy(input, &mut output).map_err(write_error)?;
    for spot in scanned.metadata.iter().chain(&scanned.links) {
        pad(&mut output, spot.offset, spot.len, &(scanned.padding)(spot.len)?)?;
    }
    output.flush().map_err(write_error)
}

/// Overwrites `len` bytes at `offset` with `header` and zeros.
fn pad(output: &mut File, offset: u64, len: u64, header: &[u8]) -> Result<(), String> {
    static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];
    output.seek(SeekFrom::Start(offset)).map_err(write_error)?;
    output.write_all(header).map_err(write_error)?;
    let mut left = len.saturating_sub(header.len() as u64);
    while left > 0 {
        let now = usize::try_from(left).unwrap_or(usize::MAX).min(ZEROS.len());
        output.write_all(&ZEROS[..now]).map_err(write_error)?;
        left -= now as u64;
    }
    Ok(())
}

fn check_clean_copy(dest: &Path, before: &VideoFacts) -> Result<(), String> {
    let mut copy = open(dest)?;
    let scanned =
        scan(&mut copy).map_err(|error| format!("the cleaned copy could not be read back: {error}"))?;
    if let Some(spot) = scanned.metadata.first() {
        return Err(format!("the cleaned copy still has metadata in {}", spot.name));
    }
    let after = scanned.facts.map_err(|error| format!("the cleaned copy could not be read back: {error}"))?;
    if (after.width, after.height, after.duration_ms) != (before.width, before.height, before.duration_ms) {
        return Err(format!(
            "the cleaned copy reads as {}x{} and {} ms instead of {}x{} and {} ms",
            after.width, after.height, after.duration_ms, before.width, before.height, before.duration_ms
        ));
    }
    if after.location.is_some() {
        return Err("the cleaned copy still tells where it was shot".to_string());
    }
    Ok(())
}

/// Parses an ISO 6709 point such as "+35.6895+139.6917+000.000/" or "+3541.37+13941.50/" into [lat, lon].
pub(super) fn parse_iso6709(text: &str) -> Option<[f64; 2]> {
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    let text = text.split(['/', 'C']).next()?;
    let mut parts = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        if c == '+' || c == '-' {
            if let Some(begin) = start {
                parts.push(&text[begin..at]);
            }
            start = Some(at);
        } else if !(c.is_ascii_digit() || c == '.') {
            return None;
        }
    }
    if let Some(begin) = start {
        parts.push(&text[begin..]);
    }
    let lat = iso6709_angle(parts.first()?, 2)?;
    let lon = iso6709_angle(parts.get(1)?, 3)?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some([lat, lon])
}

/// One signed angle whose whole part has `degree_digits` digits of degrees, optionally followed by two of
/// minutes and two of seconds.
fn iso6709_angle(part: &str, degree_digits: usize) -> Option<f64> {
    let (sign, digits) = match part.split_at_checked(1)? {
        ("+", rest) => (1.0, rest),
        ("-", rest) => (-1.0, rest),
        _ => return None,
    };
    let whole_len = digits.find('.').unwrap_or(digits.len());
    let value: f64 = digits.parse().ok()?;
    let angle = if whole_len == degree_digits {
        value
    } else if whole_len == degree_digits + 2 {
        let degrees = (value / 100.0).trunc();
        degrees + (value - degrees * 100.0) / 60.0
    } else if whole_len == degree_digits + 4 {
        let degrees = (value / 10_000.0).trunc();
        let minutes = ((value - degrees * 10_000.0) / 100.0).trunc();
        degrees + minutes / 60.0 + (value - degrees * 10_000.0 - minutes * 100.0) / 3600.0
    } else {
        return None;
    };
    angle.is_finite().then_some(sign * angle)
}

/// Milliseconds from a count of `units` in a scale of `per_second`, or None if it does not fit.
pub(super) fn to_ms(units: u64, per_second: u64) -> Option<u64> {
    if per_second == 0 {
        return None;
    }
    u64::try_from(u128::from(units) * 1000 / u128::from(per_second)).ok()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    /// Where the fixtures live; milepost keeps them in tests/fixtures/media/.
    pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/media");

    pub fn fixture(name: &str) -> PathBuf {
        Path::new(FIXTURES).join(name)
    }

    /// A fresh directory for one test's output, removed again when dropped.
    pub struct Scratch(pub PathBuf);

    impl Scratch {
        pub fn new(test: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("video-test-{}-{test}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("scratch dir");
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|window| window == needle)
    }

    /// A small deterministic generator, so the fuzz-ish tests need no crate and fail the same way twice.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed)
        }

        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound.max(1) as u64) as usize
        }
    }

    /// Cleans `name` into a scratch dir and checks what every container must keep: same length, metadata
    /// gone, same facts less the location, and the bytes outside the padded ranges untouched.
    pub fn clean_fixture(name: &str, scratch: &Scratch) -> (Vec<u8>, Vec<u8>, PathBuf) {
        let source = fixture(name);
        let dest = scratch.0.join(name);
        let before = read(&source).expect("facts before");
        assert!(before.location.is_some(), "{name} should carry a location before cleaning");
        assert!(!metadata_left(&source).expect("metadata before").is_empty());
        clean(&source, &dest).expect("clean");
        assert_eq!(metadata_left(&dest).expect("metadata after"), Vec::<String>::new());
        let after = read(&dest).expect("facts after");
        assert_eq!(after, VideoFacts { location: None, ..before });
        let original = std::fs::read(&source).expect("source bytes");
        let cleaned = std::fs::read(&dest).expect("cleaned bytes");
        assert_eq!(original.len(), cleaned.len());
        assert!(!contains(&cleaned, b"+35.6895"), "the coordinates are still in the cleaned {name}");
        assert!(!contains(&cleaned, b"+139.69"), "the coordinates are still in the cleaned {name}");
        (original, cleaned, dest)
    }

    #[test]
    fn container_of_name() {
        assert_eq!(Container::of("a.MP4"), Some(Container::Mp4));
        assert_eq!(Container::of("trip.m4v"), Some(Container::Mp4));
        assert_eq!(Container::of("IMG_0001.MOV"), Some(Container::Mov));
        assert_eq!(Container::of("clip.WebM"), Some(Container::Webm));
        assert_eq!(Container::of("notes.txt"), None);
        assert_eq!(Container::of("mp4"), None);
        assert_eq!(Container::Mov.mime(), "video/quicktime");
        assert_eq!(Container::Webm.mime(), "video/webm");
        assert_eq!(Container::Mp4.mime(), "video/mp4");
    }

    #[test]
    fn iso6709_forms() {
        assert_eq!(parse_iso6709("+35.6895+139.6917+000.000/"), Some([35.6895, 139.6917]));
        assert_eq!(parse_iso6709("+35.6895+139.6917/"), Some([35.6895, 139.6917]));
        assert_eq!(parse_iso6709("-33.8688+151.2093CRSWGS_84/"), Some([-33.8688, 151.2093]));
        let [lat, lon] = parse_iso6709("+4042.35-07400.36/").expect("degrees and minutes");
        assert!((lat - 40.705_833).abs() < 1e-5 && (lon + 74.006).abs() < 1e-5, "{lat} {lon}");
        let [lat, lon] = parse_iso6709("+404221-0740022/").expect("degrees, minutes and seconds");
        assert!((lat - 40.705_833).abs() < 1e-5 && (lon + 74.006_111).abs() < 1e-5, "{lat} {lon}");
        for bad in ["", "+", "+95.0+10.0/", "+10.0+190.0/", "hello", "+1.0/", "+10.0+x/", "++", "+1e5+1/"] {
            assert_eq!(parse_iso6709(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn to_ms_is_checked() {
        assert_eq!(to_ms(2000, 1000), Some(2000));
        assert_eq!(to_ms(3, 2), Some(1500));
        assert_eq!(to_ms(1, 0), None);
        assert_eq!(to_ms(u64::MAX, 1), None);
    }

    #[test]
    fn clean_refuses_to_overwrite_its_source() {
        let scratch = Scratch::new("overwrite");
        let copy = scratch.0.join("location.mp4");
        std::fs::copy(fixture("location.mp4"), &copy).expect("copy");
        assert!(clean(&copy, &copy).is_err());
        assert_eq!(
            std::fs::read(&copy).expect("bytes"),
            std::fs::read(fixture("location.mp4")).expect("bytes")
        );
    }

    #[cfg(unix)]
    #[test]
    fn clean_onto_a_hard_link_of_its_source_keeps_the_source() {
        let scratch = Scratch::new("hard-link");
        let source = scratch.0.join("source.mp4");
        let dest = scratch.0.join("dest.mp4");
        std::fs::copy(fixture("location.mp4"), &source).expect("copy");
        std::fs::hard_link(&source, &dest).expect("link");
        clean(&source, &dest).expect("clean");
        assert_eq!(
            std::fs::read(&source).expect("source"),
            std::fs::read(fixture("location.mp4")).expect("fixture")
        );
        assert_eq!(metadata_left(&dest), Ok(Vec::new()));
    }

    #[test]
    fn missing_and_tiny_files_are_errors() {
        let scratch = Scratch::new("tiny");
        assert!(read(&scratch.0.join("nothing.mp4")).is_err());
        for len in 0..12 {
            let path = scratch.0.join(format!("{len}.mp4"));
            std::fs::write(&path, &b"\0\0\0\x08ftypisom"[..len]).expect("write");
            assert!(read(&path).is_err());
            assert!(clean(&path, &scratch.0.join("out.mp4")).is_err());
            assert!(!scratch.0.join("out.mp4").exists());
        }
    }

    /// Feeds random bytes and random cuts and flips of every fixture to the readers: they must answer
    /// (Ok or Err) without panicking and quickly, whatever the bytes say about sizes.
    #[test]
    fn hostile_bytes_never_panic_or_hang() {
        let mut rng = Rng::new(0x5eed_1e55_u64);
        let fixtures: Vec<Vec<u8>> = ["location.mp4", "apple.mov", "tagged.webm", "live.webm", "corrupt.mp4"]
            .iter()
            .map(|name| std::fs::read(fixture(name)).expect("fixture"))
            .collect();
        let started = Instant::now();
        let mut slowest = Duration::ZERO;
        for case in 0..4000 {
            let bytes = match case % 4 {
                0 => {
                    let len = rng.below(600);
                    let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                    // Give half of them a believable start so the walkers get past the first check.
                    if rng.below(2) == 0 && bytes.len() >= 8 {
                        let magic: &[u8] =
                            if rng.below(2) == 0 { &webm::EBML_MAGIC } else { b"\0\0\0\x08ftyp" };
                        bytes[..magic.len()].copy_from_slice(magic);
                    }
                    bytes
                }
                1 => {
                    let source = &fixtures[rng.below(fixtures.len())];
                    source[..rng.below(source.len() + 1)].to_vec()
                }
                _ => {
                    let mut bytes = fixtures[rng.below(fixtures.len())].clone();
                    for _ in 0..1 + rng.below(8) {
                        let at = rng.below(bytes.len());
                        let value = match rng.below(4) {
                            0 => 0,
                            1 => 0xFF,
                            2 => 1,
                            _ => rng.next() as u8,
                        };
                        if let Some(byte) = bytes.get_mut(at) {
                            *byte = value;
                        }
                    }
                    if case % 4 == 3 {
                        bytes.truncate(rng.below(bytes.len() + 1));
                    }
                    bytes
                }
            };
            let one = Instant::now();
            if let Ok(scanned) = scan(&mut io::Cursor::new(&bytes)) {
                let _ = scanned.facts;
                for spot in scanned.metadata.iter().chain(&scanned.links) {
                    assert!(spot.offset.checked_add(spot.len).is_some_and(|end| end <= bytes.len() as u64));
                }
            }
            slowest = slowest.max(one.elapsed());
        }
        assert!(slowest < Duration::from_millis(500), "one case took {slowest:?}");
        assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    }

    /// The same through the public, file-based functions, on a few hundred cases.
    #[test]
    fn hostile_files_through_the_public_functions() {
        let scratch = Scratch::new("hostile-files");
        let mut rng = Rng::new(42);
        let fixtures: Vec<Vec<u8>> = ["location.mp4", "apple.mov", "tagged.webm", "live.webm"]
            .iter()
            .map(|name| std::fs::read(fixture(name)).expect("fixture"))
            .collect();
        let path = scratch.0.join("case.bin");
        let dest = scratch.0.join("clean.bin");
        for _ in 0..300 {
            let mut bytes = fixtures[rng.below(fixtures.len())].clone();
            let at = rng.below(bytes.len());
            if let Some(byte) = bytes.get_mut(at) {
                *byte = rng.next() as u8;
            }
            bytes.truncate(bytes.len() - rng.below(64).min(bytes.len()));
            std::fs::write(&path, &bytes).expect("write");
            let _ = std::fs::remove_file(&dest);
            let _ = read(&path);
            let _ = metadata_left(&path);
            if clean(&path, &dest).is_ok() {
                assert_eq!(metadata_left(&dest), Ok(Vec::new()));
                assert_eq!(std::fs::metadata(&dest).expect("dest").len(), bytes.len() as u64);
            } else {
                assert!(!dest.exists(), "a failed clean must not leave its copy behind");
            }
        }
    }
}
