//! WebM (Matroska, EBML) files: walks the Segment with seeks, reads only the EBML header, Info, Tracks,
//! SeekHead and Tags, and finds the Tags, Attachments and personal Info fields to pad over.
//!
//! This is its own small EBML walker rather than the `matroska` crate: that crate asserts (panics) when a
//! SeekHead entry does not point at the element it names, which is what a cleaned file looks like, reads
//! whole Attachments into memory, and cannot step through the unknown-size Segments and Clusters that
//! browsers and phones write when recording live.

use std::io::{Read, Seek, SeekFrom};

use super::{Container, Scan, Spot, VideoFacts, parse_iso6709, read_error};

pub(super) const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const SEEK: u32 = 0x4DBB;
const SEEK_ID: u32 = 0x53AB;
const INFO: u32 = 0x1549_A966;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TITLE: u32 = 0x7BA9;
const DATE_UTC: u32 = 0x4461;
const SEGMENT_FILENAME: u32 = 0x7384;
const PREV_FILENAME: u32 = 0x3C_83AB;
const NEXT_FILENAME: u32 = 0x3E_83BB;
const CRC32: u32 = 0xBF;
const VOID: u8 = 0xEC;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_NUMBER: u32 = 0xD7;
const TRACK_TYPE: u32 = 0x83;
const DEFAULT_DURATION: u32 = 0x23_E383;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const DISPLAY_WIDTH: u32 = 0x54B0;
const DISPLAY_HEIGHT: u32 = 0x54BA;
const DISPLAY_UNIT: u32 = 0x54B2;
const PROJECTION: u32 = 0x7670;
const PROJECTION_POSE_ROLL: u32 = 0x7675;
const CLUSTER: u32 = 0x1F43_B675;
const CLUSTER_TIMESTAMP: u32 = 0xE7;
const SIMPLE_BLOCK: u32 = 0xA3;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;
const BLOCK_DURATION: u32 = 0x9B;
const TAGS: u32 = 0x1254_C367;
const TAG: u32 = 0x7373;
const SIMPLE_TAG: u32 = 0x67C8;
const TAG_NAME: u32 = 0x45A3;
const TAG_STRING: u32 = 0x4487;
const ATTACHMENTS: u32 = 0x1941_A469;

/// Elements that may sit in a Cluster; any other ends a Cluster of unknown size.
const CLUSTER_CHILDREN: [u32; 9] =
    [CLUSTER_TIMESTAMP, 0x5854, 0xA7, 0xAB, SIMPLE_BLOCK, BLOCK_GROUP, 0xAF, 0xEC, CRC32];
/// Info fields that can say who made the file or where: padded over. MuxingApp and WritingApp are
/// mandatory and name only software, so they stay.
const PERSONAL_INFO: [(u32, &str); 5] = [
    (TITLE, "Info/Title"),
    (DATE_UTC, "Info/DateUTC"),
    (SEGMENT_FILENAME, "Info/SegmentFilename"),
    (PREV_FILENAME, "Info/PrevFilename"),
    (NEXT_FILENAME, "Info/NextFilename"),
];
/// Info, Tracks and the EBML header are a few hundred bytes in practice; far larger ones are hostile.
const SMALL_LIMIT: u64 = 16 * 1024 * 1024;
/// SimpleTags may nest; far deeper than any writer goes is a hostile file.
const MAX_TAG_DEPTH: usize = 8;

const NOT_WEBM: &str = "it is not a WebM file milepost can read";

fn element_name(id: u32) -> String {
    let known = match id {
        EBML => "EBML header",
        SEGMENT => "Segment",
        SEEK_HEAD => "SeekHead",
        INFO => "Info",
        TRACKS => "Tracks",
        TRACK_ENTRY => "TrackEntry",
        VIDEO => "Video",
        CLUSTER => "Cluster",
        SIMPLE_BLOCK => "SimpleBlock",
        BLOCK_GROUP => "BlockGroup",
        TAGS => "Tags",
        ATTACHMENTS => "Attachments",
        _ => return format!("0x{id:X}"),
    };
    known.to_string()
}

struct Header {
    id: u32,
    header_len: usize,
    /// None for "unknown size" (all ones), which live recordings use for Segment and Cluster.
    size: Option<u64>,
}

enum HeaderProblem {
    CutShort,
    Invalid,
}

/// Parses an element header (ID, then size as a variable-length integer) at the start of `bytes`.
fn parse_header(bytes: &[u8]) -> Result<Header, HeaderProblem> {
    let first = *bytes.first().ok_or(HeaderProblem::CutShort)?;
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return Err(HeaderProblem::Invalid);
    }
    let id_bytes = bytes.get(..id_len).ok_or(HeaderProblem::CutShort)?;
    let id = id_bytes.iter().fold(0u32, |id, &byte| (id << 8) | u32::from(byte));
    let size_first = *bytes.get(id_len).ok_or(HeaderProblem::CutShort)?;
    let size_len = size_first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return Err(HeaderProblem::Invalid);
    }
    let size_bytes = bytes.get(id_len..id_len + size_len).ok_or(HeaderProblem::CutShort)?;
    let value_bits = 7 * size_len as u32;
    let raw = size_bytes.iter().fold(0u64, |size, &byte| (size << 8) | u64::from(byte));
    let value = raw & ((1u64 << value_bits) - 1);
    let size = (value != (1u64 << value_bits) - 1).then_some(value);
    Ok(Header { id, header_len: id_len + size_len, size })
}

/// The header of a Void element that fills `total` bytes, the rest being zeros. The size is written in
/// the fewest bytes that can hold it, skipping lengths where it would read as all ones ("unknown size").
pub(super) fn void_header(total: u64) -> Result<Vec<u8>, String> {
    for size_len in 1..=8u32 {
        let Some(payload) = total.checked_sub(1 + u64::from(size_len)) else { break };
        let marker = 1u64 << (7 * size_len);
        if payload < marker - 1 {
            let mut header = vec![VOID];
            let size = (payload | marker).to_be_bytes();
            header.extend_from_slice(size.get(8 - size_len as usize..).unwrap_or_default());
            return Ok(header);
        }
    }
    Err(format!("an element of {total} bytes cannot be replaced by a Void element"))
}

/// An element found in memory: where it starts in its parent's data, its whole length and its data.
struct Child<'a> {
    id: u32,
    at: usize,
    len: usize,
    data: &'a [u8],
}

/// The children of a master element held in memory, or an error naming `parent` for the first damaged
/// one (after which the iteration ends).
fn children<'a>(bytes: &'a [u8], parent: &'a str) -> impl Iterator<Item = Result<Child<'a>, String>> + 'a {
    let mut at = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || at >= bytes.len() {
            return None;
        }
        let rest = bytes.get(at..)?;
        let child =
            parse_header(rest).map_err(|_| format!("its {parent} element is damaged")).and_then(|header| {
                let size = header.size.ok_or_else(|| format!("an element in its {parent} has no size"))?;
                let len = usize::try_from(size)
                    .ok()
                    .and_then(|size| size.checked_add(header.header_len))
                    .filter(|&len| len <= rest.len())
                    .ok_or_else(|| {
                        format!("the {} element runs past the end of its {parent}", element_name(header.id))
                    })?;
                let data = rest.get(header.header_len..len).unwrap_or_default();
                Ok(Child { id: header.id, at, len, data })
            });
        match &child {
            Ok(found) => at += found.len,
            Err(_) => failed = true,
        }
        Some(child)
    })
}

fn uint(data: &[u8]) -> Option<u64> {
    (data.len() <= 8).then(|| data.iter().fold(0u64, |value, &byte| (value << 8) | u64::from(byte)))
}

fn float(data: &[u8]) -> Option<f64> {
    let value = match data.len() {
        0 => 0.0,
        4 => f64::from(f32::from_be_bytes(data.try_into().ok()?)),
        8 => f64::from_be_bytes(data.try_into().ok()?),
        _ => return None,
    };
    value.is_finite().then_some(value)
}

#[derive(Default)]
struct VideoTrack {
    width: u32,
    height: u32,
}

/// What the walk over a Segment gathers.
#[derive(Default)]
struct Found {
    segments: usize,
    timestamp_scale: Option<u64>,
    duration: Option<f64>,
    video: Option<VideoTrack>,
    /// (track number, default frame duration in ns), to estimate the length of a file without Duration.
    default_durations: Vec<(u64, u64)>,
    location: Option<[f64; 2]>,
    /// The data range of the last Cluster.
    last_cluster: Option<(u64, u64)>,
    metadata: Vec<Spot>,
    links: Vec<Spot>,
}

struct Walker<'a, R> {
    source: &'a mut R,
    len: u64,
    found: Found,
}

/// An element header read from the file.
struct Element {
    id: u32,
    at: u64,
    data_at: u64,
    size: Option<u64>,
}

pub(super) fn scan<R: Read + Seek>(source: &mut R, len: u64) -> Result<Scan, String> {
    let mut walker = Walker { source, len, found: Found::default() };
    let ebml = walker.element_at(0, len)?;
    if ebml.id != EBML {
        return Err(format!("{NOT_WEBM} (it does not start with an EBML header)"));
    }
    let ebml_end = walker.known_end(&ebml, len, "the file (it may be cut short)")?;
    let header = walker.read_at(ebml.data_at, small(&ebml, ebml_end)?)?;
    let doc_type = children(&header, "EBML header")
        .map_while(Result::ok)
        .find(|child| child.id == DOC_TYPE)
        .map(|child| String::from_utf8_lossy(child.data).trim_end_matches('\0').to_string());
    // A missing DocType means "matroska"; WebM is a subset of Matroska and both are walked alike.
    if let Some(doc_type) = doc_type.filter(|doc_type| doc_type != "webm" && doc_type != "matroska") {
        return Err(format!("{NOT_WEBM} (it is an EBML file of type \"{doc_type}\")"));
    }
    let mut at = ebml_end;
    while len.saturating_sub(at) >= 2 {
        let element = walker.element_at(at, len)?;
        at = if element.id == SEGMENT {
            walker.segment(&element)?
        } else {
            walker.known_end(&element, len, "the file (it may be cut short)")?
        };
    }
    if walker.found.segments == 0 {
        return Err(format!("{NOT_WEBM} (the Segment is missing)"));
    }
    let facts = walker.facts();
    let Found { metadata, links, .. } = walker.found;
    Ok(Scan { facts, metadata, links, padding: void_header })
}

impl<R: Read + Seek> Walker<'_, R> {
    fn read_at(&mut self, at: u64, len: u64) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        self.source.seek(SeekFrom::Start(at)).map_err(read_error)?;
        (&mut *self.source).take(len).read_to_end(&mut bytes).map_err(read_error)?;
        if bytes.len() as u64 != len {
            return Err("it ended while milepost was reading it".to_string());
        }
        Ok(bytes)
    }

    /// The header of the element at `at`, which must lie before `end`.
    fn element_at(&mut self, at: u64, end: u64) -> Result<Element, String> {
        let head = self.read_at(at, end.saturating_sub(at).min(12))?;
        match parse_header(&head) {
            Ok(header) => {
                Ok(Element { id: header.id, at, data_at: at + header.header_len as u64, size: header.size })
            }
            Err(HeaderProblem::CutShort) => {
                Err("it ends in the middle of an element header (it may be cut short)".to_string())
            }
            Err(HeaderProblem::Invalid) => {
                Err(format!("it is damaged at byte {at}: no valid element starts there"))
            }
        }
    }

    /// Where an element of known size ends, which must be no later than `end` (the end of `within`).
    fn known_end(&self, element: &Element, end: u64, within: &str) -> Result<u64, String> {
        let name = element_name(element.id);
        let size = element.size.ok_or_else(|| {
            format!("its {name} element has no size, which only a Segment or a Cluster may lack")
        })?;
        element
            .data_at
            .checked_add(size)
            .filter(|&element_end| element_end <= end)
            .ok_or_else(|| format!("its {name} element runs past the end of {within}"))
    }

    /// Walks one Segment and returns where it ends.
    fn segment(&mut self, segment: &Element) -> Result<u64, String> {
        self.found.segments += 1;
        let (end, within) = match segment.size {
            Some(_) => (self.known_end(segment, self.len, "the file (it may be cut short)")?, "its Segment"),
            None => (self.len, "the file (it may be cut short)"),
        };
        let mut at = segment.data_at;
        while end.saturating_sub(at) >= 2 {
            let element = self.element_at(at, end)?;
            if segment.size.is_none() && (element.id == EBML || element.id == SEGMENT) {
                // A Segment of unknown size ends where the next file chained after it begins.
                return Ok(at);
            }
            if element.size.is_none() && element.id == CLUSTER {
                at = self.open_cluster(element.data_at, end)?;
                continue;
            }
            let element_end = self.known_end(&element, end, within)?;
            let whole = Spot { name: String::new(), offset: element.at, len: element_end - element.at };
            match element.id {
                INFO => {
                    let data = self.read_at(element.data_at, small(&element, element_end)?)?;
                    self.info(&data, element.data_at)?;
                }
                TRACKS => {
                    let data = self.read_at(element.data_at, small(&element, element_end)?)?;
                    self.tracks(&data)?;
                }
                TAGS => {
                    if element_end - element.data_at <= SMALL_LIMIT && self.found.location.is_none() {
                        let data = self.read_at(element.data_at, element_end - element.data_at)?;
                        self.found.location = location_in_tags(&data, 0);
                    }
                    self.found.metadata.push(Spot { name: "Tags".to_string(), ..whole });
                }
                ATTACHMENTS => self.found.metadata.push(Spot { name: "Attachments".to_string(), ..whole }),
                SEEK_HEAD if element_end - element.data_at <= SMALL_LIMIT => {
                    let data = self.read_at(element.data_at, element_end - element.data_at)?;
                    self.seek_head(&data, element.data_at);
                }
                CLUSTER => self.found.last_cluster = Some((element.data_at, element_end)),
                _ => {}
            }
            at = element_end;
        }
        Ok(end)
    }

    /// Steps through a Cluster of unknown size, seeking over its blocks, and returns where it ends: at the
    /// first element that cannot be in a Cluster, or at `end`.
    fn open_cluster(&mut self, data_at: u64, end: u64) -> Result<u64, String> {
        let mut at = data_at;
        while end.saturating_sub(at) >= 2 {
            let element = self.element_at(at, end)?;
            if !CLUSTER_CHILDREN.contains(&element.id) {
                break;
            }
            at = self.known_end(&element, end, "the file (it may be cut short)")?;
        }
        self.found.last_cluster = Some((data_at, at));
        Ok(at)
    }

    fn info(&mut self, data: &[u8], data_at: u64) -> Result<(), String> {
        let first = self.found.timestamp_scale.is_none();
        let mut crc = None;
        let mut personal = false;
        for child in children(data, "Info") {
            let child = child?;
            let spot = |name: &str| Spot {
                name: name.to_string(),
                offset: data_at + child.at as u64,
                len: child.len as u64,
            };
            match child.id {
                TIMESTAMP_SCALE if first => {
                    self.found.timestamp_scale = uint(child.data).filter(|&scale| scale > 0)
                }
                DURATION if first => {
                    self.found.duration = float(child.data).filter(|&duration| duration >= 0.0)
                }
                CRC32 => crc = Some(spot("Info/CRC-32")),
                id => {
                    if let Some((_, name)) = PERSONAL_INFO.iter().find(|(personal_id, _)| *personal_id == id)
                    {
                        self.found.metadata.push(spot(name));
                        personal = true;
                    }
                }
            }
        }
        if first && self.found.timestamp_scale.is_none() {
            self.found.timestamp_scale = Some(1_000_000);
        }
        // Padding over a field changes the bytes the checksum covers, so the checksum goes too.
        if let Some(crc) = crc.filter(|_| personal) {
            self.found.links.push(crc);
        }
        Ok(())
    }

    fn tracks(&mut self, data: &[u8]) -> Result<(), String> {
        for entry in children(data, "Tracks") {
            let entry = entry?;
            if entry.id != TRACK_ENTRY {
                continue;
            }
            let mut number = None;
            let mut is_video = false;
            let mut default_duration = None;
            let mut video = None;
            for field in children(entry.data, "TrackEntry") {
                let field = field?;
                match field.id {
                    TRACK_NUMBER => number = uint(field.data),
                    TRACK_TYPE => is_video = uint(field.data) == Some(1),
                    DEFAULT_DURATION => default_duration = uint(field.data),
                    VIDEO => video = Some(video_size(field.data)?),
                    _ => {}
                }
            }
            if let (Some(number), Some(default_duration)) = (number, default_duration) {
                self.found.default_durations.push((number, default_duration));
            }
            if is_video && self.found.video.is_none() {
                self.found.video = video.filter(|video| video.width > 0 && video.height > 0);
            }
        }
        Ok(())
    }

    /// Marks the SeekHead entries that point at Tags or Attachments: once those are padded, an index
    /// entry pointing at padding is a loose end a strict reader might trip on.
    fn seek_head(&mut self, data: &[u8], data_at: u64) {
        let mut crc = None;
        let mut linked = false;
        for child in children(data, "SeekHead").map_while(Result::ok) {
            let spot = Spot { name: String::new(), offset: data_at + child.at as u64, len: child.len as u64 };
            if child.id == CRC32 {
                crc = Some(Spot { name: "SeekHead/CRC-32".to_string(), ..spot });
            } else if child.id == SEEK {
                let target = children(child.data, "Seek")
                    .map_while(Result::ok)
                    .find(|field| field.id == SEEK_ID)
                    .and_then(|field| uint(field.data));
                let target_name = match target.and_then(|target| u32::try_from(target).ok()) {
                    Some(TAGS) => "SeekHead/Seek (Tags)",
                    Some(ATTACHMENTS) => "SeekHead/Seek (Attachments)",
                    _ => continue,
                };
                self.found.links.push(Spot { name: target_name.to_string(), ..spot });
                linked = true;
            }
        }
        if let Some(crc) = crc.filter(|_| linked) {
            self.found.links.push(crc);
        }
    }

    fn facts(&mut self) -> Result<VideoFacts, String> {
        let video = self.found.video.as_ref().ok_or_else(|| "it has no video track".to_string())?;
        let (width, height) = (video.width, video.height);
        let scale = self.found.timestamp_scale.unwrap_or(1_000_000) as f64;
        let duration_ns = match self.found.duration {
            Some(ticks) => ticks * scale,
            // Live recordings never go back to write a Duration; the last Cluster tells how far they got.
            None => self.last_cluster_end_ns(scale).unwrap_or(0.0),
        };
        let duration_ms = (duration_ns / 1e6).round();
        let duration_ms = if duration_ms.is_finite() && duration_ms >= 0.0 { duration_ms as u64 } else { 0 };
        Ok(VideoFacts {
            width,
            height,
            duration_ms,
            container: Container::Webm,
            location: self.found.location,
        })
    }

    /// When the last frame of the last Cluster ends, in ns: its timestamp plus the frame's duration.
    fn last_cluster_end_ns(&mut self, scale: f64) -> Option<f64> {
        let (data_at, end) = self.found.last_cluster?;
        let mut cluster_ticks = 0.0;
        let mut latest: Option<f64> = None;
        let mut at = data_at;
        while end.checked_sub(at)? >= 2 {
            let element = self.element_at(at, end).ok()?;
            let element_end = self.known_end(&element, end, "").ok()?;
            match element.id {
                CLUSTER_TIMESTAMP => {
                    let data = self.read_at(element.data_at, (element_end - element.data_at).min(8)).ok()?;
                    cluster_ticks = uint(&data)? as f64;
                }
                SIMPLE_BLOCK => {
                    let end_ns = self.block_end_ns(element.data_at, element_end, None, scale)?;
                    latest = Some(latest.map_or(end_ns, |latest| latest.max(end_ns)));
                }
                BLOCK_GROUP => {
                    let mut block = None;
                    let mut duration = None;
                    let mut inner = element.data_at;
                    while element_end - inner >= 2 {
                        let field = self.element_at(inner, element_end).ok()?;
                        let field_end = self.known_end(&field, element_end, "").ok()?;
                        if field.id == BLOCK {
                            block = Some((field.data_at, field_end));
                        } else if field.id == BLOCK_DURATION {
                            let data =
                                self.read_at(field.data_at, (field_end - field.data_at).min(8)).ok()?;
                            duration = uint(&data);
                        }
                        inner = field_end;
                    }
                    if let Some((block_at, block_end)) = block {
                        let end_ns = self.block_end_ns(block_at, block_end, duration, scale)?;
                        latest = Some(latest.map_or(end_ns, |latest| latest.max(end_ns)));
                    }
                }
                _ => {}
            }
            at = element_end;
        }
        latest.map(|relative_end| cluster_ticks * scale + relative_end)
    }

    /// When a block's frame ends relative to its Cluster's timestamp, in ns. A block starts with its track
    /// number (a variable-length integer) and a signed 16-bit timestamp relative to the Cluster.
    fn block_end_ns(&mut self, at: u64, end: u64, duration_ticks: Option<u64>, scale: f64) -> Option<f64> {
        let head = self.read_at(at, end.checked_sub(at)?.min(11)).ok()?;
        let track_len = head.first()?.leading_zeros() as usize + 1;
        let track_bytes = head.get(..track_len).filter(|_| track_len <= 8)?;
        let track = track_bytes.iter().fold(0u64, |value, &byte| (value << 8) | u64::from(byte))
            & ((1u64 << (7 * track_len as u32)) - 1);
        let relative = i16::from_be_bytes([*head.get(track_len)?, *head.get(track_len + 1)?]);
        let duration_ns = match duration_ticks {
            Some(ticks) => ticks as f64 * scale,
            None => self
                .found
                .default_durations
                .iter()
                .find(|(number, _)| *number == track)
                .map_or(0.0, |(_, ns)| *ns as f64),
        };
        Some(f64::from(relative) * scale + duration_ns)
    }
}

/// The length of an element's data, if it is small enough to read.
fn small(element: &Element, element_end: u64) -> Result<u64, String> {
    let len = element_end - element.data_at;
    if len > SMALL_LIMIT {
        return Err(format!("its {} element is implausibly large", element_name(element.id)));
    }
    Ok(len)
}

fn video_size(data: &[u8]) -> Result<VideoTrack, String> {
    let (mut pixel_width, mut pixel_height) = (0, 0);
    let (mut display_width, mut display_height) = (None, None);
    let mut display_unit = 0;
    let mut roll = 0.0;
    for field in children(data, "Video") {
        let field = field?;
        let value = || uint(field.data).and_then(|value| u32::try_from(value).ok());
        match field.id {
            PIXEL_WIDTH => pixel_width = value().unwrap_or(0),
            PIXEL_HEIGHT => pixel_height = value().unwrap_or(0),
            DISPLAY_WIDTH => display_width = value(),
            DISPLAY_HEIGHT => display_height = value(),
            DISPLAY_UNIT => display_unit = value().unwrap_or(0),
            PROJECTION => {
                for projection in children(field.data, "Projection").map_while(Result::ok) {
                    if projection.id == PROJECTION_POSE_ROLL {
                        roll = float(projection.data).unwrap_or(0.0);
                    }
                }
            }
            _ => {}
        }
    }
    // DisplayWidth/Height are in pixels only with DisplayUnit 0; other units give just an aspect ratio.
    let (mut width, mut height) = match (display_width, display_height) {
        (Some(width), Some(height)) if display_unit == 0 && width > 0 && height > 0 => (width, height),
        _ => (pixel_width, pixel_height),
    };
    let quarter_turns = (roll / 90.0).round();
    if (roll - quarter_turns * 90.0).abs() < 1.0 && quarter_turns.rem_euclid(2.0) == 1.0 {
        (width, height) = (height, width);
    }
    Ok(VideoTrack { width, height })
}

/// The first LOCATION tag's point, looking into nested SimpleTags too.
fn location_in_tags(data: &[u8], depth: usize) -> Option<[f64; 2]> {
    if depth > MAX_TAG_DEPTH {
        return None;
    }
    let mut name = None;
    let mut value = None;
    for child in children(data, "Tags").map_while(Result::ok) {
        match child.id {
            TAG | SIMPLE_TAG => {
                if let Some(found) = location_in_tags(child.data, depth + 1) {
                    return Some(found);
                }
            }
            TAG_NAME => name = Some(child.data),
            TAG_STRING => value = Some(child.data),
            _ => {}
        }
    }
    let name = String::from_utf8_lossy(name?);
    let is_location = name.eq_ignore_ascii_case("LOCATION")
        || name.eq_ignore_ascii_case("com.apple.quicktime.location.ISO6709");
    if !is_location {
        return None;
    }
    parse_iso6709(&String::from_utf8_lossy(value?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::tests::{Scratch, clean_fixture, contains, fixture};
    use crate::video::{clean, metadata_left, read};
    use std::io::Cursor;

    /// An element with the shortest size field that holds `data`.
    fn element(id: u32, data: &[u8]) -> Vec<u8> {
        let id_bytes = id.to_be_bytes();
        let id_bytes = &id_bytes[id_bytes.iter().position(|&byte| byte != 0).unwrap_or(3)..];
        let size_len = (1..=8u32).find(|&len| (data.len() as u64) < (1u64 << (7 * len)) - 1).expect("size");
        let size = (data.len() as u64 | (1u64 << (7 * size_len))).to_be_bytes();
        [id_bytes, &size[8 - size_len as usize..], data].concat()
    }

    fn unknown_size(id: u32, data: &[u8]) -> Vec<u8> {
        [&id.to_be_bytes()[..], &[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], data].concat()
    }

    fn ebml_header(doc_type: &str) -> Vec<u8> {
        element(EBML, &[element(0x4286, &[1]), element(DOC_TYPE, doc_type.as_bytes())].concat())
    }

    fn video_track(video: &[u8]) -> Vec<u8> {
        element(
            TRACKS,
            &element(
                TRACK_ENTRY,
                &[
                    element(TRACK_NUMBER, &[1]),
                    element(TRACK_TYPE, &[1]),
                    element(DEFAULT_DURATION, &40_000_000u32.to_be_bytes()),
                    element(VIDEO, video),
                ]
                .concat(),
            ),
        )
    }

    fn cluster_with_frames(timestamp: u8, frames: &[i16]) -> Vec<u8> {
        let mut data = element(CLUSTER_TIMESTAMP, &[timestamp]);
        for frame in frames {
            data.extend(element(
                SIMPLE_BLOCK,
                &[&[0x81][..], &frame.to_be_bytes(), &[0x80, 1, 2, 3]].concat(),
            ));
        }
        data
    }

    fn scan_bytes(bytes: &[u8]) -> Result<Scan, String> {
        crate::video::scan(&mut Cursor::new(bytes))
    }

    fn near(location: Option<[f64; 2]>, lat: f64, lon: f64) -> bool {
        location.is_some_and(|[found_lat, found_lon]| {
            (found_lat - lat).abs() < 1e-3 && (found_lon - lon).abs() < 1e-3
        })
    }

    /// The data ranges of the Clusters of a fixture, known-size or not.
    fn clusters(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut walker =
            Walker { source: &mut Cursor::new(bytes), len: bytes.len() as u64, found: Found::default() };
        let mut found = Vec::new();
        let mut at = 0;
        while at + 4 <= bytes.len() {
            if bytes[at..at + 4] == CLUSTER.to_be_bytes() {
                let element = walker.element_at(at as u64, bytes.len() as u64).expect("cluster");
                let end = match element.size {
                    Some(size) => element.data_at + size,
                    None => walker.open_cluster(element.data_at, bytes.len() as u64).expect("open cluster"),
                };
                found.push((at, end as usize));
                at = end as usize;
            } else {
                at += 1;
            }
        }
        found
    }

    #[test]
    fn facts_of_a_tagged_webm() {
        let facts = read(&fixture("tagged.webm")).expect("facts");
        assert_eq!((facts.width, facts.height, facts.container), (64, 36, Container::Webm));
        // ffprobe: format duration=2.000000
        assert!(facts.duration_ms.abs_diff(2000) <= 5, "{}", facts.duration_ms);
        assert!(near(facts.location, 35.6895, 139.6917), "{:?}", facts.location);
    }

    #[test]
    fn facts_of_a_live_webm_without_duration() {
        let facts = read(&fixture("live.webm")).expect("facts");
        assert_eq!((facts.width, facts.height), (64, 36));
        // ffprobe has no duration for it; ffprobe -count_frames finds 10 frames at 5 fps: 2 s.
        assert!(facts.duration_ms.abs_diff(2000) <= 5, "{}", facts.duration_ms);
        assert!(near(facts.location, 35.6895, 139.6917), "{:?}", facts.location);
    }

    #[test]
    fn metadata_of_the_fixtures() {
        assert_eq!(
            metadata_left(&fixture("tagged.webm")).expect("tagged"),
            ["Info/Title", "Info/DateUTC", "Tags"]
        );
        assert_eq!(metadata_left(&fixture("live.webm")).expect("live"), ["Info/Title", "Tags"]);
    }

    fn check_clean(name: &str) {
        let scratch = Scratch::new(&format!("webm-clean-{name}"));
        let (original, cleaned, _) = clean_fixture(name, &scratch);
        let scanned = scan_bytes(&original).expect("scan");
        let found_clusters = clusters(&original);
        assert!(!found_clusters.is_empty(), "{name}: {found_clusters:?}");
        for (start, end) in found_clusters {
            assert_eq!(original[start..end], cleaned[start..end], "{name}: a Cluster changed");
        }
        let mut inside = vec![false; original.len()];
        for spot in scanned.metadata.iter().chain(&scanned.links) {
            let (at, len) = (spot.offset as usize, spot.len as usize);
            inside[at..at + len].iter_mut().for_each(|byte| *byte = true);
            let header = parse_header(&cleaned[at..]).ok().expect("void header");
            assert_eq!(
                (header.id, header.header_len as u64 + header.size.expect("size")),
                (u32::from(VOID), spot.len)
            );
            assert!(cleaned[at + header.header_len..at + len].iter().all(|&byte| byte == 0));
        }
        for (at, (before, after)) in original.iter().zip(&cleaned).enumerate() {
            assert!(inside[at] || before == after, "{name}: byte {at} changed outside the metadata");
        }
        // The SeekHead entry for Tags went with the Tags; MuxingApp/WritingApp stay (mandatory).
        assert!(scanned.links.iter().any(|link| link.name == "SeekHead/Seek (Tags)"));
        assert!(!contains(&cleaned, &[0x53, 0xAB, 0x84, 0x12, 0x54, 0xC3, 0x67]));
        assert!(contains(&cleaned, b"Lavf"));
        assert!(!contains(&cleaned, b"LOCATION"));
    }

    #[test]
    fn clean_tagged_webm() {
        check_clean("tagged.webm");
        let scratch = Scratch::new("webm-title");
        let (_, cleaned, _) = clean_fixture("tagged.webm", &scratch);
        assert!(!contains(&cleaned, b"Grandma"));
    }

    #[test]
    fn clean_live_webm_with_unknown_sizes() {
        check_clean("live.webm");
    }

    #[test]
    fn void_fills_every_length_exactly() {
        let lengths =
            (2..20_000u64).chain([(1 << 14) + 1, (1 << 21) + 2, (1 << 28) + 3, 1 << 40, (1 << 56) + 7]);
        for total in lengths {
            let header = void_header(total).expect("void");
            let parsed = parse_header(&header).ok().expect("parses");
            assert_eq!(parsed.id, u32::from(VOID));
            assert_eq!(parsed.header_len, header.len());
            assert_eq!(parsed.size.map(|size| size + header.len() as u64), Some(total), "{total}");
        }
        // 129 bytes: a 1-byte size would be 127, all ones, read as "unknown"; 2 bytes are used instead.
        assert_eq!(void_header(129).expect("129"), [0xEC, 0x40, 0x7E]);
        assert!(void_header(1).is_err());
        // Beyond one 8-byte size (64 PiB): no element that large can exist in a file milepost reads.
        assert!(void_header((1 << 56) + 8).is_err());
        assert!(void_header(0).is_err());
    }

    /// A file made here with what ffmpeg does not write: CRC-32s, Attachments, a filename, Tags after an
    /// unknown-size Cluster, a rotated and anamorphic track, and no Duration.
    fn synthetic() -> Vec<u8> {
        let info = element(
            INFO,
            &[
                element(CRC32, &[1, 2, 3, 4]),
                element(TIMESTAMP_SCALE, &1_000_000u32.to_be_bytes()),
                element(TITLE, b"Secret place"),
                element(SEGMENT_FILENAME, b"alice.webm"),
                element(0x4D80, b"muxer"),
                element(0x5741, b"writer"),
            ]
            .concat(),
        );
        let video = [
            element(PIXEL_WIDTH, &[64]),
            element(PIXEL_HEIGHT, &[36]),
            element(DISPLAY_WIDTH, &[80]),
            element(DISPLAY_HEIGHT, &[36]),
            element(PROJECTION, &element(PROJECTION_POSE_ROLL, &(-90.0f32).to_be_bytes())),
        ]
        .concat();
        let seek_head = element(
            SEEK_HEAD,
            &[
                element(CRC32, &[9, 9, 9, 9]),
                element(SEEK, &[element(SEEK_ID, &INFO.to_be_bytes()), element(0x53AC, &[0])].concat()),
                element(SEEK, &[element(SEEK_ID, &TAGS.to_be_bytes()), element(0x53AC, &[1])].concat()),
                element(
                    SEEK,
                    &[element(SEEK_ID, &ATTACHMENTS.to_be_bytes()), element(0x53AC, &[2])].concat(),
                ),
            ]
            .concat(),
        );
        let tags = element(
            TAGS,
            &element(
                TAG,
                &element(
                    SIMPLE_TAG,
                    &[
                        element(TAG_NAME, b"OUTER"),
                        element(
                            SIMPLE_TAG,
                            &[element(TAG_NAME, b"location"), element(TAG_STRING, b"-33.8688+151.2093/")]
                                .concat(),
                        ),
                    ]
                    .concat(),
                ),
            ),
        );
        let attachments = element(ATTACHMENTS, &element(0x61A7, &element(0x466E, b"alice.jpg")));
        let segment = [
            seek_head,
            info,
            video_track(&video),
            attachments,
            unknown_size(CLUSTER, &cluster_with_frames(0, &[0, 40, 80])),
            unknown_size(CLUSTER, &cluster_with_frames(120, &[0, 40])),
            tags,
        ]
        .concat();
        [ebml_header("webm"), unknown_size(SEGMENT, &segment)].concat()
    }

    #[test]
    fn synthetic_file_with_the_rarer_elements() {
        let bytes = synthetic();
        let scanned = scan_bytes(&bytes).expect("scan");
        let names: Vec<&str> = scanned.metadata.iter().map(|spot| spot.name.as_str()).collect();
        assert_eq!(names, ["Info/Title", "Info/SegmentFilename", "Attachments", "Tags"]);
        let links: Vec<&str> = scanned.links.iter().map(|spot| spot.name.as_str()).collect();
        assert_eq!(
            links,
            ["SeekHead/Seek (Tags)", "SeekHead/Seek (Attachments)", "SeekHead/CRC-32", "Info/CRC-32"]
        );
        let facts = scanned.facts.expect("facts");
        // Display size 80x36, turned a quarter by the projection roll.
        assert_eq!((facts.width, facts.height), (36, 80));
        // Last frame at 120 + 40 ms, lasting its track's default 40 ms.
        assert_eq!(facts.duration_ms, 200);
        assert!(near(facts.location, -33.8688, 151.2093), "{:?}", facts.location);

        let scratch = Scratch::new("webm-synthetic");
        let source = scratch.0.join("synthetic.webm");
        std::fs::write(&source, &bytes).expect("write");
        let dest = scratch.0.join("clean.webm");
        clean(&source, &dest).expect("clean");
        let cleaned = std::fs::read(&dest).expect("cleaned");
        assert_eq!(cleaned.len(), bytes.len());
        for secret in [&b"Secret"[..], b"alice", b"-33.8688", &[1, 2, 3, 4], &[9, 9, 9, 9]] {
            assert!(!contains(&cleaned, secret), "{secret:?}");
        }
        assert!(contains(&cleaned, b"muxer") && contains(&cleaned, b"writer"));
        let after = scan_bytes(&cleaned).expect("scan");
        assert!(after.metadata.is_empty() && after.links.is_empty());
    }

    #[test]
    fn damaged_webm_is_an_error() {
        let tagged = std::fs::read(fixture("tagged.webm")).expect("fixture");
        let error = scan_bytes(&tagged[..tagged.len() / 2]).err().expect("cut");
        assert!(error.contains("Segment element runs past the end of the file"), "{error}");
        let live = std::fs::read(fixture("live.webm")).expect("fixture");
        let error = scan_bytes(&live[..live.len() - 3]).err().expect("cut in a block");
        assert!(error.contains("runs past the end of the file"), "{error}");
        let error =
            scan_bytes(&[ebml_header("mkvfoo"), element(SEGMENT, &[])].concat()).err().expect("doc type");
        assert!(error.contains("\"mkvfoo\""), "{error}");
        let error =
            scan_bytes(&[ebml_header("webm"), element(0x4286, &[1])].concat()).err().expect("no segment");
        assert_eq!(error, "it is not a WebM file milepost can read (the Segment is missing)");
        let no_video = [ebml_header("webm"), element(SEGMENT, &element(INFO, &[]))].concat();
        assert_eq!(scan_bytes(&no_video).expect("scan").facts, Err("it has no video track".to_string()));
        let unsized_tags =
            [ebml_header("webm"), unknown_size(SEGMENT, &unknown_size(TAGS, &[0; 8]))].concat();
        let error = scan_bytes(&unsized_tags).err().expect("unknown-size Tags");
        assert!(error.contains("Tags element has no size"), "{error}");
        let bad_id = [ebml_header("webm"), element(SEGMENT, &[0x00, 0x81, 0x00])].concat();
        assert!(scan_bytes(&bad_id).err().expect("bad id").contains("damaged"));
    }

    #[test]
    fn chained_segments_after_an_unknown_size_one_are_walked() {
        let video = [element(PIXEL_WIDTH, &[8]), element(PIXEL_HEIGHT, &[6])].concat();
        let first = unknown_size(
            SEGMENT,
            &[video_track(&video), unknown_size(CLUSTER, &cluster_with_frames(0, &[0]))].concat(),
        );
        let second = element(SEGMENT, &element(TAGS, &[]));
        let bytes = [ebml_header("webm"), first, ebml_header("webm"), second].concat();
        let scanned = scan_bytes(&bytes).expect("scan");
        assert_eq!(scanned.metadata.iter().map(|spot| spot.name.as_str()).collect::<Vec<_>>(), ["Tags"]);
        assert_eq!(scanned.facts.map(|facts| (facts.width, facts.height, facts.duration_ms)), Ok((8, 6, 40)));
    }
}
