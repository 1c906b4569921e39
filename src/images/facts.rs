//! What milepost knows of one photo without decoding its pixels: its size as
//! shown (after the EXIF orientation), and the EXIF facts worth telling (when
//! and where it was taken, with what). Read once, then kept in the cache.

use std::io::Cursor;

use exif::{In, Tag, Value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Facts {
    /// blake3 of the file's bytes, hex: the key of everything cached for it.
    pub(super) hash: String,
    /// Size as shown, after the EXIF orientation.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// EXIF orientation, 1 to 8 (1: as stored).
    pub(super) orientation: u8,
    pub(super) format: Format,
    /// `2017-04-13T08:30:00`, local time where it was taken.
    pub(crate) taken: Option<String>,
    /// `+09:00`, when the camera wrote it.
    pub(crate) taken_offset: Option<String>,
    /// [lat, lon].
    pub(crate) gps: Option<[f64; 2]>,
    pub(crate) camera: Option<String>,
    pub(crate) lens: Option<String>,
    /// `1/250 s · f/5.6 · ISO 200 · 35 mm`.
    pub(crate) exposure: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Format {
    Jpeg,
    Png,
    Webp,
    /// An iPhone's HEIC (or any HEIF): known, so that it is never published
    /// as it is, but not decoded: no well-kept decoder works without a
    /// system library.
    Heic,
}

impl Format {
    /// The formats milepost makes variants of, by file extension. (A GIF is
    /// published as it is: resizing would lose its animation.)
    pub(crate) fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "heic" | "heif" | "hif" => Some(Format::Heic),
            _ => None,
        }
    }
}

impl Facts {
    /// The orientation turns the picture a quarter: width and height swap.
    pub(super) fn swaps_axes(&self) -> bool {
        (5..=8).contains(&self.orientation)
    }

    pub(crate) fn megapixels(&self) -> f64 {
        f64::from(self.width) * f64::from(self.height) / 1e6
    }

    /// Reads the facts of a photo from its bytes: the header's size and the
    /// EXIF block. An error is a sentence for a person.
    pub(crate) fn read(bytes: &[u8], format: Format) -> Result<Facts, String> {
        if format == Format::Heic {
            return Err(HEIC.to_string());
        }
        let (stored_width, stored_height) = dimensions(bytes, format)?;
        let exif = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).ok();
        let field = |tag: Tag| exif.as_ref().and_then(|e| e.get_field(tag, In::PRIMARY));
        let text = |tag: Tag| {
            field(tag).and_then(|f| match &f.value {
                Value::Ascii(parts) => parts
                    .first()
                    .map(|p| String::from_utf8_lossy(p).trim().trim_matches('\0').to_string())
                    .filter(|s| !s.is_empty()),
                _ => None,
            })
        };
        let orientation = field(Tag::Orientation)
            .and_then(|f| f.value.get_uint(0))
            .filter(|o| (1..=8).contains(o))
            .unwrap_or(1) as u8;
        let (width, height) = if (5..=8).contains(&orientation) {
            (stored_height, stored_width)
        } else {
            (stored_width, stored_height)
        };
        let camera = match (text(Tag::Make), text(Tag::Model)) {
            (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
            (Some(make), Some(model)) => Some(format!("{make} {model}")),
            (make, model) => model.or(make),
        };
        Ok(Facts {
            hash: String::new(),
            width,
            height,
            orientation,
            format,
            taken: text(Tag::DateTimeOriginal)
                .or_else(|| text(Tag::DateTime))
                .and_then(|t| exif_datetime(&t)),
            taken_offset: text(Tag::OffsetTimeOriginal).or_else(|| text(Tag::OffsetTime)),
            gps: exif.as_ref().and_then(gps),
            camera,
            lens: text(Tag::LensModel),
            exposure: exif.as_ref().and_then(exposure),
        })
    }
}

/// Why a HEIC photo is refused, and what to do about it.
pub(crate) const HEIC: &str = "it is a HEIC photo, which milepost cannot read yet: save it as JPEG \
    (on a Mac, open it in Preview and choose File → Export → JPEG; on an iPhone, \
    Settings → Camera → Formats → Most Compatible makes JPEGs from now on)";

/// The stored size from the header alone.
fn dimensions(bytes: &[u8], format: Format) -> Result<(u32, u32), String> {
    match format {
        Format::Jpeg => {
            let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
            decoder.read_info().map_err(|e| format!("it is not a JPEG milepost can read ({e})"))?;
            let info = decoder.info().ok_or("it has no JPEG header")?;
            Ok((u32::from(info.width), u32::from(info.height)))
        }
        Format::Heic => Err(HEIC.to_string()),
        Format::Png | Format::Webp => image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| e.to_string())?
            .into_dimensions()
            .map_err(|e| format!("it is not an image milepost can read ({e})")),
    }
}

/// EXIF's `2017:04:13 08:30:00` as `2017-04-13T08:30:00`.
fn exif_datetime(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || bytes[4] != b':' || bytes[7] != b':' {
        return None;
    }
    // The text is the camera's: not always ASCII where a date should be.
    let (date, time) = (text.get(..10)?.replace(':', "-"), text.get(11..19)?);
    (date != "0000-00-00").then(|| format!("{date}T{time}"))
}

fn gps(exif: &exif::Exif) -> Option<[f64; 2]> {
    let coordinate = |value: Tag, reference: Tag, negative: &str| -> Option<f64> {
        let field = exif.get_field(value, In::PRIMARY)?;
        let Value::Rational(parts) = &field.value else { return None };
        let [d, m, s] = [parts.first()?, parts.get(1)?, parts.get(2)?].map(|r| r.to_f64());
        let mut degrees = d + m / 60.0 + s / 3600.0;
        let sign = exif.get_field(reference, In::PRIMARY).map(|f| f.display_value().to_string());
        if sign.as_deref().is_some_and(|s| s.trim_matches('"').eq_ignore_ascii_case(negative)) {
            degrees = -degrees;
        }
        degrees.is_finite().then_some(degrees)
    };
    let lat = coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S")?;
    let lon = coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W")?;
    Some([(lat * 1e6).round() / 1e6, (lon * 1e6).round() / 1e6])
}

fn exposure(exif: &exif::Exif) -> Option<String> {
    let rational = |tag: Tag| match exif.get_field(tag, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Rational(r)) => r.first().filter(|r| r.denom != 0).map(|r| (r.num, r.denom)),
        _ => None,
    };
    let mut parts = Vec::new();
    if let Some((num, denom)) = rational(Tag::ExposureTime) {
        parts.push(if num < denom && num != 0 {
            format!("1/{} s", (f64::from(denom) / f64::from(num)).round())
        } else {
            format!("{} s", f64::from(num) / f64::from(denom))
        });
    }
    if let Some((num, denom)) = rational(Tag::FNumber) {
        parts.push(format!("f/{}", (f64::from(num) / f64::from(denom) * 10.0).round() / 10.0));
    }
    if let Some(iso) =
        exif.get_field(Tag::PhotographicSensitivity, In::PRIMARY).and_then(|f| f.value.get_uint(0))
    {
        parts.push(format!("ISO {iso}"));
    }
    if let Some((num, denom)) = rational(Tag::FocalLength) {
        parts.push(format!("{} mm", (f64::from(num) / f64::from(denom)).round()));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_dates_become_iso() {
        assert_eq!(exif_datetime("2017:04:13 08:30:00").as_deref(), Some("2017-04-13T08:30:00"));
        assert_eq!(exif_datetime("0000:00:00 00:00:00"), None);
        assert_eq!(exif_datetime("garbage"), None);
        // Found by fuzzing: a character across byte 10 (or 19) panicked.
        assert_eq!(exif_datetime("2017:04:1\u{fffd} 08:30:00"), None);
        assert_eq!(exif_datetime("2017:04:13 08:30:0\u{e9}"), None);
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of("a/B.JPG"), Some(Format::Jpeg));
        assert_eq!(Format::of("route.gpx"), None);
        assert_eq!(Format::of("IMG_0001.HEIC"), Some(Format::Heic));
        let why = Facts::read(b"....ftypheic", Format::Heic).unwrap_err();
        assert!(why.contains("HEIC") && why.contains("JPEG"), "{why}");
    }
}
