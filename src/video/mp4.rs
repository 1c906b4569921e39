//! MP4 and QuickTime (ISO BMFF) files: walks the top-level boxes with seeks, reads only the moov (and a
//! top-level meta), and finds the udta/meta/uuid/Xtra boxes that carry metadata.
//!
//! Track size, rotation matrix and durations come from Mozilla's `mp4parse`, fed only the moov box (the
//! ftyp adds nothing to these facts, and leaving it out spares mp4parse's stricter ftyp checks). mvhd's own
//! duration is not exposed by mp4parse, so the length is the longest tkhd duration in the movie timescale,
//! which is what mvhd holds for an unfragmented file. Locations (©xyz, 3GPP loci, mdta keys) are read here,
//! since mp4parse does not surface them.

use std::io::{Cursor, Read, Seek, SeekFrom};

use mp4parse::{SampleEntry, TrackType};

use super::{Container, Scan, Spot, VideoFacts, parse_iso6709, read_error, to_ms};

/// A moov beyond this is not a video milepost should hold in memory (a two-hour phone video's is ~10 MB).
const MOOV_LIMIT: u64 = 512 * 1024 * 1024;
/// A top-level meta is only read for a location up to this size; larger ones are still cleaned.
const TOP_META_LIMIT: u64 = 1024 * 1024;
/// trak, mdia, minf, stbl nest four deep; anything far deeper is a hostile file, not a video.
const MAX_DEPTH: usize = 8;
const XMP_UUID: [u8; 16] =
    [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC];
/// Boxes under moov that only group other boxes, walked to find metadata nested in them.
const CONTAINERS: [&[u8; 4]; 7] = [b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"edts", b"mvex"];

const NOT_MP4: &str = "it is not an MP4 or MOV file milepost can read";

struct BoxHeader {
    kind: [u8; 4],
    header_len: u64,
    /// The whole box, header included.
    size: u64,
    /// The size field was 0: "to the end of the file" (or, as ffmpeg reads it, of the parent box).
    to_end: bool,
}

/// Parses the box header at the start of `bytes`. `room` is how far the box may reach (to the end of its
/// parent or of the file); `within` names that parent for the error.
fn parse_header(bytes: &[u8], room: u64, within: &str) -> Result<BoxHeader, String> {
    let (Some(size_bytes), Some(kind_bytes)) = (bytes.get(0..4), bytes.get(4..8)) else {
        return Err(format!("{within} ends in the middle of a box header"));
    };
    let mut kind = [0u8; 4];
    kind.copy_from_slice(kind_bytes);
    let mut size32 = [0u8; 4];
    size32.copy_from_slice(size_bytes);
    let to_end = size32 == [0; 4];
    let (size, header_len) = match u32::from_be_bytes(size32) {
        0 => (room, 8),
        1 => {
            let Some(large) = bytes.get(8..16) else {
                return Err(format!("{within} ends in the middle of the header of its {} box", name(kind)));
            };
            let mut size64 = [0u8; 8];
            size64.copy_from_slice(large);
            (u64::from_be_bytes(size64), 16)
        }
        n => (u64::from(n), 8),
    };
    if size < header_len {
        return Err(format!(
            "the {} box in {within} says it is {size} bytes long, shorter than its own header",
            name(kind)
        ));
    }
    if size > room {
        return Err(format!("the {} box runs past the end of {within}", name(kind)));
    }
    Ok(BoxHeader { kind, header_len, size, to_end })
}

/// A box type as people write it (©xyz, not \xa9xyz).
fn name(kind: [u8; 4]) -> String {
    kind.iter().map(|&byte| char::from(byte)).filter(|c| !c.is_control()).collect()
}

fn plausible_kind(kind: [u8; 4]) -> bool {
    kind.iter().all(|&byte| (0x20..=0x7E).contains(&byte) || byte == 0xA9)
}

/// The header of a box of `kind` that is `total` bytes long, header included.
fn box_header(kind: &[u8; 4], total: u64) -> Result<Vec<u8>, String> {
    let mut header = Vec::with_capacity(16);
    if let Ok(size) = u32::try_from(total) {
        if size < 8 {
            return Err(format!("a box of {total} bytes cannot be replaced by padding"));
        }
        header.extend_from_slice(&size.to_be_bytes());
        header.extend_from_slice(kind);
    } else {
        header.extend_from_slice(&1u32.to_be_bytes());
        header.extend_from_slice(kind);
        header.extend_from_slice(&total.to_be_bytes());
    }
    Ok(header)
}

/// The header of a `free` box that fills `total` bytes, the rest being zeros.
pub(super) fn free_header(total: u64) -> Result<Vec<u8>, String> {
    box_header(b"free", total)
}

fn read_at<R: Read + Seek>(source: &mut R, offset: u64, len: u64) -> Result<Vec<u8>, String> {
    let len = usize::try_from(len).map_err(|_| "it has a box too large to read".to_string())?;
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(len)
        .map_err(|_| "it has a box too large for this computer's memory".to_string())?;
    source.seek(SeekFrom::Start(offset)).map_err(read_error)?;
    source.take(len as u64).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() != len {
        return Err("it ended while milepost was reading it".to_string());
    }
    Ok(bytes)
}

pub(super) fn scan<R: Read + Seek>(source: &mut R, len: u64) -> Result<Scan, String> {
    let mut metadata = Vec::new();
    let mut major_brand = None;
    let mut moov: Option<Vec<u8>> = None;
    let mut top_meta: Option<Vec<u8>> = None;
    let mut at = 0u64;
    while at < len {
        let room = len - at;
        if room < 8 {
            // Some writers leave a few bytes of padding after the last box; nothing can hide in them.
            break;
        }
        let head = read_at(source, at, room.min(16))?;
        let header = parse_header(&head, room, "the file (it may be cut short)");
        // A first box that makes no sense means another kind of file, not a damaged MP4.
        let header = match header {
            Ok(header) if at > 0 || plausible_kind(header.kind) => header,
            Ok(_) => return Err(format!("{NOT_MP4} (it does not start with an MP4 box)")),
            Err(problem) if at == 0 => return Err(format!("{NOT_MP4} ({problem})")),
            Err(problem) => return Err(problem),
        };
        let payload_at = at + header.header_len;
        let payload_len = header.size - header.header_len;
        let spot = |label: String| Spot { name: label, offset: at, len: header.size };
        match &header.kind {
            b"ftyp" if major_brand.is_none() && payload_len >= 4 => {
                major_brand = Some(read_at(source, payload_at, 4)?);
            }
            b"moov" => {
                if payload_len > MOOV_LIMIT {
                    return Err(format!("{NOT_MP4} (its moov box is implausibly large)"));
                }
                let mut payload = read_at(source, payload_at, payload_len)?;
                let mut to_end = Vec::new();
                walk_moov_level(&payload, payload_at, "moov", 0, &mut metadata, &mut to_end)?;
                // Facts come from the first moov; a second one is only searched for metadata.
                if moov.is_none() {
                    // mp4parse refuses size-0 boxes, so the copy it gets says their real sizes.
                    for (offset, size) in to_end {
                        let field = usize::try_from(offset - payload_at)
                            .ok()
                            .and_then(|at| payload.get_mut(at..at + 4));
                        if let (Some(field), Ok(size)) = (field, u32::try_from(size)) {
                            field.copy_from_slice(&size.to_be_bytes());
                        }
                    }
                    moov = Some(payload);
                }
            }
            b"meta" | b"udta" | b"Xtra" => {
                if &header.kind == b"meta" && top_meta.is_none() && payload_len <= TOP_META_LIMIT {
                    top_meta = Some(read_at(source, payload_at, payload_len)?);
                }
                metadata.push(spot(name(header.kind)));
            }
            b"uuid" => {
                if payload_len < 16 {
                    return Err("a uuid box in the file is too short to hold its id".to_string());
                }
                let id = read_at(source, payload_at, 16)?;
                metadata.push(spot(if id == XMP_UUID {
                    "uuid (XMP)".to_string()
                } else {
                    "uuid".to_string()
                }));
            }
            _ => {}
        }
        at += header.size;
    }
    let Some(moov) = moov else {
        return Err(format!("{NOT_MP4} (the moov box is missing)"));
    };
    let container = match major_brand.as_deref() {
        Some(b"qt  ") | None => Container::Mov,
        Some(_) => Container::Mp4,
    };
    let location = location_in_moov(&moov).or_else(|| top_meta.as_deref().and_then(location_in_meta));
    Ok(Scan { facts: facts(&moov, container, location), metadata, links: Vec::new(), padding: free_header })
}

/// Finds the metadata boxes among the children of a moov-level box (`path` names it) whose payload is
/// `payload`, starting at `offset` in the file. Boxes whose size field is 0 go into `to_end` as (offset,
/// size) for mp4parse's sake.
fn walk_moov_level(
    payload: &[u8],
    offset: u64,
    path: &str,
    depth: usize,
    found: &mut Vec<Spot>,
    to_end: &mut Vec<(u64, u64)>,
) -> Result<(), String> {
    let within = format!("the {path} box");
    let mut at = 0usize;
    while let Some(rest) = payload.get(at..).filter(|rest| !rest.is_empty()) {
        if rest.len() < 8 && rest.iter().all(|&byte| byte == 0) {
            // QuickTime may end a list of boxes with a zero terminator of 4 bytes.
            break;
        }
        let header = parse_header(rest, rest.len() as u64, &within)?;
        let size = usize::try_from(header.size).map_err(|_| format!("{within} is too large"))?;
        let child_path = format!("{path}/{}", name(header.kind));
        let box_offset = offset.checked_add(at as u64).ok_or_else(|| format!("{within} is too large"))?;
        let spot = |label: String| Spot { name: label, offset: box_offset, len: header.size };
        let header_len = header.header_len as usize;
        if header.to_end {
            to_end.push((box_offset, header.size));
        }
        match &header.kind {
            b"udta" | b"meta" | b"Xtra" => found.push(spot(child_path)),
            b"uuid" => {
                let id = rest
                    .get(header_len..header_len + 16)
                    .ok_or_else(|| format!("a uuid box in {within} is too short to hold its id"))?;
                // XMP is metadata wherever it is; other uuid boxes only directly under moov, since deeper
                // ones can belong to the media (encryption, for one).
                if id == XMP_UUID {
                    found.push(spot(format!("{child_path} (XMP)")));
                } else if depth == 0 {
                    found.push(spot(child_path));
                }
            }
            kind if CONTAINERS.contains(&kind) => {
                if depth + 1 >= MAX_DEPTH {
                    return Err(format!("{NOT_MP4} (its boxes are nested implausibly deep)"));
                }
                let inner = rest.get(header_len..size).unwrap_or_default();
                walk_moov_level(
                    inner,
                    box_offset + header.header_len,
                    &child_path,
                    depth + 1,
                    found,
                    to_end,
                )?;
            }
            _ => {}
        }
        at += size;
    }
    Ok(())
}

/// The children of a box payload as (type, payload), stopping quietly at the first malformed one: used
/// only to look for a location, where a damaged box just means no location.
fn children(payload: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = payload;
    std::iter::from_fn(move || {
        let header = parse_header(rest, rest.len() as u64, "").ok()?;
        let size = usize::try_from(header.size).ok()?;
        let body = rest.get(usize::try_from(header.header_len).ok()?..size)?;
        rest = rest.get(size..)?;
        Some((header.kind, body))
    })
}

fn location_in_moov(moov: &[u8]) -> Option<[f64; 2]> {
    children(moov).find_map(|(kind, body)| match &kind {
        b"udta" => location_in_udta(body),
        b"meta" => location_in_meta(body),
        _ => None,
    })
}

fn location_in_udta(udta: &[u8]) -> Option<[f64; 2]> {
    children(udta).find_map(|(kind, body)| match &kind {
        b"\xa9xyz" => location_in_xyz(body),
        b"loci" => location_in_loci(body),
        b"meta" => location_in_meta(body),
        _ => None,
    })
}

/// A QuickTime text atom: a 16-bit length, a 16-bit language, then the ISO 6709 text.
fn location_in_xyz(body: &[u8]) -> Option<[f64; 2]> {
    let len = usize::from(u16::from_be_bytes([*body.first()?, *body.get(1)?]));
    let text = body.get(4..4 + len).or_else(|| body.get(4..))?;
    parse_iso6709(&String::from_utf8_lossy(text))
}

/// A 3GPP location box (TS 26.244), as ffmpeg's mp4 muxer writes it: a name, a role, then longitude,
/// latitude and altitude as signed 16.16 fixed point.
fn location_in_loci(body: &[u8]) -> Option<[f64; 2]> {
    let after_language = body.get(6..)?;
    let name_len = if after_language.starts_with(&[0xFE, 0xFF]) {
        // UTF-16 with a byte order mark ends at a 16-bit zero.
        after_language.chunks_exact(2).position(|pair| pair == [0, 0])? * 2 + 2
    } else {
        after_language.iter().position(|&byte| byte == 0)? + 1
    };
    let numbers = after_language.get(name_len + 1..name_len + 9)?;
    let fixed = |bytes: &[u8]| -> Option<f64> {
        Some(f64::from(i32::from_be_bytes(bytes.try_into().ok()?)) / 65536.0)
    };
    let lon = fixed(numbers.get(0..4)?)?;
    let lat = fixed(numbers.get(4..8)?)?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some([lat, lon])
}

/// A meta box with an ilst: either Apple's mdta form (items numbered into a keys box) or iTunes-style
/// items named by their type.
fn location_in_meta(meta: &[u8]) -> Option<[f64; 2]> {
    // An ISO meta is a full box (4 bytes of version and flags first); a QuickTime one starts with hdlr.
    let body = if meta.get(4..8) == Some(b"hdlr") { meta } else { meta.get(4..)? };
    let keys: Vec<&[u8]> =
        children(body).find(|(kind, _)| kind == b"keys").map(|(_, keys)| key_names(keys)).unwrap_or_default();
    let (_, ilst) = children(body).find(|(kind, _)| kind == b"ilst")?;
    children(ilst).find_map(|(kind, item)| {
        let key: &[u8] = match usize::try_from(u32::from_be_bytes(kind)).ok()?.checked_sub(1) {
            Some(index) if index < keys.len() => keys.get(index)?,
            _ => &kind[..],
        };
        let is_location = key.eq_ignore_ascii_case(b"com.apple.quicktime.location.ISO6709")
            || key.eq_ignore_ascii_case(b"location")
            || key == b"\xa9xyz";
        if !is_location {
            return None;
        }
        let (_, data) = children(item).find(|(kind, _)| kind == b"data")?;
        parse_iso6709(&String::from_utf8_lossy(data.get(8..)?))
    })
}

/// The names in a keys box, in order (index 1 first).
fn key_names(keys: &[u8]) -> Vec<&[u8]> {
    let mut names = Vec::new();
    let mut rest = keys.get(8..).unwrap_or_default();
    while let Some(size) = rest.get(0..4).and_then(|bytes| bytes.try_into().ok()).map(u32::from_be_bytes) {
        let Some(entry) = usize::try_from(size).ok().and_then(|size| rest.get(..size)) else { break };
        let Some(key) = entry.get(8..) else { break };
        names.push(key);
        let Some(next) = rest.get(entry.len()..) else { break };
        rest = next;
    }
    names
}

fn facts(moov: &[u8], container: Container, location: Option<[f64; 2]>) -> Result<VideoFacts, String> {
    // mp4parse wants a whole box; a fresh header also spares it a size-0 ("to the end") moov it cannot take.
    let short_total = moov.len() as u64 + 8;
    let header = if u32::try_from(short_total).is_ok() {
        box_header(b"moov", short_total)?
    } else {
        box_header(b"moov", short_total + 8)?
    };
    let context = mp4parse::read_mp4(&mut Cursor::new(header).chain(moov))
        .map_err(|error| format!("its moov box is damaged or of a kind milepost cannot read ({error})"))?;
    let track = context
        .tracks
        .iter()
        .find(|track| track.track_type == TrackType::Video)
        .ok_or_else(|| "it has no video track".to_string())?;
    let from_16_16 = |value: u32| u32::try_from((u64::from(value) + 0x8000) >> 16).unwrap_or(u32::MAX);
    let (mut width, mut height) =
        track.tkhd.as_ref().map(|tkhd| (from_16_16(tkhd.width), from_16_16(tkhd.height))).unwrap_or((0, 0));
    if width == 0 || height == 0 {
        // Some writers leave tkhd's size at zero; the sample description still has the coded size.
        let coded = track.stsd.as_ref().and_then(|stsd| {
            stsd.descriptions.iter().find_map(|entry| match entry {
                SampleEntry::Video(video) => Some((u32::from(video.width), u32::from(video.height))),
                _ => None,
            })
        });
        (width, height) = coded.unwrap_or((0, 0));
    }
    if width == 0 || height == 0 {
        return Err("its video track does not say how big the picture is".to_string());
    }
    if let Some(matrix) = track.tkhd.as_ref().map(|tkhd| &tkhd.matrix) {
        // A quarter turn puts the weight of the matrix on b and c: the picture is shown on its side.
        let (a, b, c, d) = (
            matrix.a.unsigned_abs(),
            matrix.b.unsigned_abs(),
            matrix.c.unsigned_abs(),
            matrix.d.unsigned_abs(),
        );
        if b > a && c > d {
            (width, height) = (height, width);
        }
    }
    Ok(VideoFacts { width, height, duration_ms: duration_ms(&context), container, location })
}

fn duration_ms(context: &mp4parse::MediaContext) -> u64 {
    let movie_scale = context.timescale.map(|scale| scale.0).unwrap_or(0);
    // All ones in a tkhd duration means "unknown", not a very long movie.
    let known = |duration: u64| duration != u64::from(u32::MAX) && duration != u64::MAX;
    let presented = context
        .tracks
        .iter()
        .filter_map(|track| track.tkhd.as_ref().map(|tkhd| tkhd.duration))
        .filter(|&duration| known(duration))
        .filter_map(|duration| to_ms(duration, movie_scale))
        .max()
        .unwrap_or(0);
    if presented > 0 {
        return presented;
    }
    // A fragmented file leaves the track headers empty; its mehd (or each track's mdhd) may still know.
    let fragmented = context
        .mvex
        .as_ref()
        .and_then(|mvex| mvex.fragment_duration)
        .and_then(|duration| to_ms(duration.0, movie_scale));
    let media = context
        .tracks
        .iter()
        .filter_map(|track| to_ms(track.duration?.0, track.timescale?.0))
        .filter(|&ms| ms > 0)
        .max();
    fragmented.filter(|&ms| ms > 0).or(media).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::tests::{Scratch, clean_fixture, contains, fixture};
    use crate::video::{clean, metadata_left, read};

    /// The top-level boxes of a file held in memory, as (type, offset, size).
    fn top_level(bytes: &[u8]) -> Vec<([u8; 4], usize, usize)> {
        let mut boxes = Vec::new();
        let mut at = 0;
        while let Some(rest) = bytes.get(at..).filter(|rest| rest.len() >= 8) {
            let header = parse_header(rest, rest.len() as u64, "test").expect("fixture box");
            boxes.push((header.kind, at, header.size as usize));
            at += header.size as usize;
        }
        boxes
    }

    fn find_box(bytes: &[u8], kind: &[u8; 4]) -> (usize, usize) {
        top_level(bytes)
            .into_iter()
            .find(|(found, _, _)| found == kind)
            .map(|(_, at, size)| (at, size))
            .expect("box")
    }

    fn write(scratch: &Scratch, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = scratch.0.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    fn near(location: Option<[f64; 2]>, lat: f64, lon: f64) -> bool {
        location.is_some_and(|[found_lat, found_lon]| {
            (found_lat - lat).abs() < 1e-3 && (found_lon - lon).abs() < 1e-3
        })
    }

    #[test]
    fn facts_of_an_android_style_mp4() {
        let facts = read(&fixture("location.mp4")).expect("facts");
        assert_eq!((facts.width, facts.height, facts.container), (64, 36, Container::Mp4));
        // ffprobe: duration=2.000000
        assert!(facts.duration_ms.abs_diff(2000) <= 5, "{}", facts.duration_ms);
        assert!(near(facts.location, 35.6895, 139.6917), "{:?}", facts.location);
    }

    #[test]
    fn facts_of_an_iphone_style_mov_are_rotated() {
        let facts = read(&fixture("apple.mov")).expect("facts");
        // Stored 96x54 with a 90° matrix: shown as portrait.
        assert_eq!((facts.width, facts.height, facts.container), (54, 96, Container::Mov));
        assert!(facts.duration_ms.abs_diff(2000) <= 5, "{}", facts.duration_ms);
        assert!(near(facts.location, 35.6895, 139.6917), "{:?}", facts.location);
    }

    #[test]
    fn metadata_of_the_fixtures() {
        assert_eq!(metadata_left(&fixture("location.mp4")).expect("mp4"), ["moov/udta"]);
        assert_eq!(metadata_left(&fixture("apple.mov")).expect("mov"), ["moov/meta"]);
    }

    /// Cleaning pads the metadata boxes in place: mdat and every byte outside the padded boxes stay as
    /// they were, and the padded ranges are `free` boxes of zeros.
    fn check_clean(name: &str) {
        let scratch = Scratch::new(&format!("mp4-clean-{name}"));
        let (original, cleaned, _) = clean_fixture(name, &scratch);
        let spots = super::super::scan(&mut Cursor::new(&original)).expect("scan").metadata;
        assert!(!spots.is_empty());
        let (mdat_at, mdat_size) = find_box(&original, b"mdat");
        assert!(
            find_box(&original, b"moov").0 < mdat_at,
            "{name}: moov must come before mdat to test offsets"
        );
        assert_eq!(original[mdat_at..mdat_at + mdat_size], cleaned[mdat_at..mdat_at + mdat_size]);
        let mut inside = vec![false; original.len()];
        for spot in &spots {
            let (at, len) = (spot.offset as usize, spot.len as usize);
            inside[at..at + len].iter_mut().for_each(|byte| *byte = true);
            let header = free_header(spot.len).expect("header");
            assert_eq!(cleaned[at..at + header.len()], header[..]);
            assert!(cleaned[at + header.len()..at + len].iter().all(|&byte| byte == 0));
        }
        for (at, (before, after)) in original.iter().zip(&cleaned).enumerate() {
            assert!(inside[at] || before == after, "{name}: byte {at} changed outside the metadata");
        }
        assert!(!contains(&cleaned, b"Grandma"));
        assert!(!contains(&cleaned, b"com.apple.quicktime.location"));
    }

    #[test]
    fn clean_android_style_mp4() {
        check_clean("location.mp4");
    }

    #[test]
    fn clean_iphone_style_mov() {
        check_clean("apple.mov");
    }

    #[test]
    fn truncated_file_is_an_error_not_a_panic() {
        let scratch = Scratch::new("mp4-corrupt");
        let corrupt = fixture("corrupt.mp4");
        let error = read(&corrupt).expect_err("truncated");
        assert!(error.contains("moov box runs past the end of the file"), "{error}");
        assert!(metadata_left(&corrupt).is_err());
        let dest = scratch.0.join("out.mp4");
        assert!(clean(&corrupt, &dest).is_err());
        assert!(!dest.exists());
    }

    #[test]
    fn damaged_sizes_are_named() {
        let scratch = Scratch::new("mp4-sizes");
        let original = std::fs::read(fixture("location.mp4")).expect("fixture");
        let (moov_at, _) = find_box(&original, b"moov");

        let mut too_long = original.clone();
        too_long[moov_at..moov_at + 4].copy_from_slice(&(original.len() as u32).to_be_bytes());
        let error = read(&write(&scratch, "long.mp4", &too_long)).expect_err("moov too long");
        assert!(error.contains("moov box runs past the end of the file"), "{error}");

        let trak_at = moov_at + 8 + contains_at(&original[moov_at + 8..], b"trak") - 4;
        let mut trak_too_long = original.clone();
        trak_too_long[trak_at..trak_at + 4].copy_from_slice(&0x0100_0000u32.to_be_bytes());
        let error = read(&write(&scratch, "trak.mp4", &trak_too_long)).expect_err("trak too long");
        assert!(error.contains("trak box runs past the end of the moov box"), "{error}");

        let mut too_short = original.clone();
        too_short[trak_at..trak_at + 4].copy_from_slice(&4u32.to_be_bytes());
        let error = metadata_left(&write(&scratch, "short.mp4", &too_short)).expect_err("trak too short");
        assert!(error.contains("shorter than its own header"), "{error}");

        let no_moov = [&original[..find_box(&original, b"ftyp").1], &box_bytes(b"mdat", &[0; 64])].concat();
        let error = read(&write(&scratch, "nomoov.mp4", &no_moov)).expect_err("no moov");
        assert_eq!(error, "it is not an MP4 or MOV file milepost can read (the moov box is missing)");

        let error = read(&write(&scratch, "text.mp4", b"Hello, this is a text file and not a video."))
            .expect_err("text");
        assert!(error.starts_with("it is not an MP4 or MOV file milepost can read"), "{error}");
        let error = read(&write(
            &scratch,
            "binary.mp4",
            &[0x00, 0x00, 0x00, 0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        ))
        .expect_err("binary");
        assert!(error.contains("does not start with an MP4 box"), "{error}");
    }

    fn contains_at(haystack: &[u8], needle: &[u8]) -> usize {
        haystack.windows(needle.len()).position(|window| window == needle).expect("needle")
    }

    fn box_bytes(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        [&box_header(kind, payload.len() as u64 + 8).expect("header")[..], payload].concat()
    }

    fn large_box_bytes(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let total = payload.len() as u64 + 16;
        [&1u32.to_be_bytes()[..], kind, &total.to_be_bytes(), payload].concat()
    }

    /// Boxes appended after mdat move nothing, so they can be added to a real file to test the rarer
    /// kinds: XMP, a top-level meta with a 64-bit size, Xtra, and a last box whose size is 0 ("to the end").
    #[test]
    fn rarer_metadata_boxes_and_sizes() {
        let scratch = Scratch::new("mp4-rare");
        let original = std::fs::read(fixture("location.mp4")).expect("fixture");
        let xmp = [&XMP_UUID[..], b"<x:xmpmeta>+35.6895</x:xmpmeta>"].concat();
        let meta = [&[0u8; 4][..], &box_bytes(b"hdlr", &[0; 24]), &box_bytes(b"ilst", &[])].concat();
        let mut last_udta = box_bytes(b"udta", b"\0\0\0\x10\xa9xyz\0\x04\0\0+35.");
        last_udta[..4].copy_from_slice(&[0; 4]);
        let bytes = [
            &original[..],
            &box_bytes(b"uuid", &xmp),
            &large_box_bytes(b"meta", &meta),
            &box_bytes(b"Xtra", b"WM/Author"),
            &box_bytes(b"uuid", &[7; 20]),
            &box_bytes(b"skip", &[1; 9]),
            &last_udta,
        ]
        .concat();
        let source = write(&scratch, "rare.mp4", &bytes);
        assert_eq!(
            metadata_left(&source).expect("metadata"),
            ["moov/udta", "uuid (XMP)", "meta", "Xtra", "uuid", "udta"]
        );
        let dest = scratch.0.join("clean.mp4");
        clean(&source, &dest).expect("clean");
        let cleaned = std::fs::read(&dest).expect("cleaned");
        assert_eq!(cleaned.len(), bytes.len());
        assert!(!contains(&cleaned, b"+35."));
        assert!(!contains(&cleaned, b"WM/Author"));
        assert!(contains(&cleaned, &[1; 9]), "skip boxes are not metadata");
        // A box with a 64-bit size that fits in 32 bits is padded with the shorter header: same total.
        let meta_at = original.len() + box_bytes(b"uuid", &xmp).len();
        let meta_len = large_box_bytes(b"meta", &meta).len() as u32;
        assert_eq!(cleaned[meta_at..meta_at + 8], [&meta_len.to_be_bytes()[..], b"free"].concat());
        assert!(
            top_level(&cleaned)
                .iter()
                .all(|(kind, _, _)| [b"ftyp", b"moov", b"wide", b"mdat", b"free", b"skip"].contains(&kind))
        );
    }

    /// A moov at the end with size 0 is read to the end of the file, and a size-0 box inside moov to the
    /// end of moov.
    #[test]
    fn size_zero_boxes() {
        let scratch = Scratch::new("mp4-zero");
        let original = std::fs::read(fixture("location.mp4")).expect("fixture");
        let (moov_at, moov_size) = find_box(&original, b"moov");
        let moov = &original[moov_at..moov_at + moov_size];
        let udta_at = contains_at(moov, b"udta") - 4;
        assert_eq!(
            udta_at + u32::from_be_bytes(moov[udta_at..udta_at + 4].try_into().expect("4")) as usize,
            moov_size
        );
        let mut moov_last = moov.to_vec();
        moov_last[..4].copy_from_slice(&[0; 4]);
        moov_last[udta_at..udta_at + 4].copy_from_slice(&[0; 4]);
        // Where the moov was, a free box of the same size keeps mdat where its chunk offsets say.
        let mut bytes = original.clone();
        bytes[moov_at..moov_at + 8].copy_from_slice(&free_header(moov_size as u64).expect("free"));
        bytes.extend_from_slice(&moov_last);
        let source = write(&scratch, "zero.mp4", &bytes);
        let facts = read(&source).expect("facts");
        assert_eq!(facts, read(&fixture("location.mp4")).expect("facts"));
        assert_eq!(metadata_left(&source).expect("metadata"), ["moov/udta"]);
        let dest = scratch.0.join("clean.mp4");
        clean(&source, &dest).expect("clean");
        assert_eq!(metadata_left(&dest).expect("metadata"), Vec::<String>::new());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let mut inner = box_bytes(b"udta", &[]);
        for _ in 0..1000 {
            inner = box_bytes(b"trak", &inner);
        }
        let bytes = [box_bytes(b"ftyp", b"isom\0\0\0\0"), box_bytes(b"moov", &inner)].concat();
        let error = scan(&mut Cursor::new(&bytes), bytes.len() as u64).err().expect("too deep");
        assert!(error.contains("nested implausibly deep"), "{error}");
    }

    #[test]
    fn locations_in_each_form() {
        // As ffmpeg's mp4 muxer writes it (TS 26.244 loci): +35.6895+139.6917.
        let loci = b"\0\0\0\0\0\0\0\0\0\x8b\xb1\x13\0#\xb0\x83\0\0\0\0earth\0\0";
        assert!(near(location_in_loci(loci), 35.6895, 139.6917), "{:?}", location_in_loci(loci));
        assert!(near(location_in_xyz(b"\0\x12\x15\xc7+35.6895+139.6917/"), 35.6895, 139.6917));
        assert_eq!(location_in_xyz(b"\0"), None);
        assert_eq!(location_in_loci(b"\0\0\0\0\0\0no end"), None);
        let data = box_bytes(b"data", b"\0\0\0\x01\0\0\0\0+35.6895+139.6917/");
        let ilst = box_bytes(b"ilst", &box_bytes(b"\xa9xyz", &data));
        let meta = [&[0u8; 4][..], &box_bytes(b"hdlr", &[0; 24]), &ilst].concat();
        assert!(near(location_in_meta(&meta), 35.6895, 139.6917));
    }

    #[test]
    fn free_headers() {
        assert_eq!(free_header(8).expect("8"), b"\0\0\0\x08free");
        assert_eq!(free_header(0x1_0000_0000).expect("4 GiB"), b"\0\0\0\x01free\0\0\0\x01\0\0\0\0");
        assert!(free_header(7).is_err());
    }
}
