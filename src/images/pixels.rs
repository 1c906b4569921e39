//! The pixel work of one photo: decode (a JPEG at the smallest DCT scale that
//! still covers the largest variant), resize with fast_image_resize, turn as
//! the EXIF orientation says, and encode each variant (AVIF, WebP or JPEG,
//! on all cores) carrying no metadata at all.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use rayon::prelude::*;

use super::Encoding;
use super::facts::{Facts, Format};

/// Names what made a variant, so a change of encoder, its settings or the
/// filter misses the cache.
pub(super) fn encoder(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Jpeg => "jpeg-encoder-0.7/fir-6-lanczos3/progressive",
        Encoding::Webp => "libwebp-1.6/fir-6-lanczos3/m4/q-5",
        Encoding::Avif => "ravif-0.13/fir-6-lanczos3/s10/8bit/q-10",
    }
}

/// A variant to make: its size as shown, and its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Wanted {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) encoding: Encoding,
}

/// The encoded bytes of each of `wanted`, in order. The photo is decoded once
/// and resized once a size. With `spread`, its encodings run in parallel too:
/// for a build of fewer photos than cores (a post saved under `serve`), where
/// one photo's AVIF would leave the other cores idle. Many photos keep every
/// core busy one photo each, which measured faster than sharing each one out.
pub(super) fn variants(
    bytes: &[u8],
    facts: &Facts,
    wanted: &[Wanted],
    quality: u8,
    spread: bool,
) -> Result<Vec<Vec<u8>>, String> {
    // Stored axes: a quarter-turned photo is resized before it is turned.
    let stored = |(w, h): (u32, u32)| if facts.swaps_axes() { (h, w) } else { (w, h) };
    let largest =
        wanted.iter().map(|w| stored((w.width, w.height))).max_by_key(|(w, _)| *w).ok_or("no sizes")?;
    let (width, height, pixels) = decode(bytes, facts.format, largest)?;
    let source = Image::from_vec_u8(width, height, pixels, PixelType::U8x3).map_err(|e| e.to_string())?;
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut sizes: Vec<(u32, u32)> = wanted.iter().map(|w| (w.width, w.height)).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut encoded: Vec<Option<Vec<u8>>> = vec![None; wanted.len()];
    let mut resized: Vec<((u32, u32), RgbImage)> = Vec::with_capacity(sizes.len());
    for size in sizes {
        let (w, h) = stored(size);
        let pixels = if (w, h) == (width, height) {
            source.buffer().to_vec()
        } else {
            let mut target = Image::new(w, h, PixelType::U8x3);
            resizer.resize(&source, &mut target, &options).map_err(|e| e.to_string())?;
            target.into_vec()
        };
        let image = RgbImage::from_raw(w, h, pixels).ok_or("the resized picture has the wrong size")?;
        let image = orient(image, facts.orientation);
        if spread {
            resized.push((size, image));
            continue;
        }
        // Encoded while the picture is still in the cache, then let go.
        for (at, want) in wanted.iter().enumerate().filter(|(_, w)| (w.width, w.height) == size) {
            encoded[at] = Some(encode(&image, want.encoding, quality)?);
        }
    }
    drop(source);
    if spread {
        return wanted
            .par_iter()
            .map(|want| {
                let (_, image) = resized
                    .iter()
                    .find(|(size, _)| *size == (want.width, want.height))
                    .ok_or("a size was not made")?;
                encode(image, want.encoding, quality)
            })
            .collect();
    }
    encoded.into_iter().map(|e| e.ok_or_else(|| "a size was not made".to_string())).collect()
}

/// Decoded RGB pixels, at least `want` in size where the decoder can shrink on the way.
fn decode(bytes: &[u8], format: Format, want: (u32, u32)) -> Result<(u32, u32, Vec<u8>), String> {
    match format {
        Format::Jpeg => decode_jpeg(bytes, want),
        Format::Heic => Err(super::facts::HEIC.to_string()),
        Format::Png | Format::Webp => {
            let image = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
            // Transparent parts are laid on white, as a page would show them.
            let rgba = image.to_rgba8();
            let (w, h) = rgba.dimensions();
            let rgb = rgba
                .pixels()
                .flat_map(|p| {
                    let a = u32::from(p[3]);
                    [p[0], p[1], p[2]].map(|c| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8)
                })
                .collect();
            Ok((w, h, rgb))
        }
    }
}

/// A JPEG's RGB pixels, shrunk by the DCT scale that still covers `want`.
///
/// Measured (benches/photo_pixels.rs): jpeg-decoder at half scale or less
/// beats zune-jpeg at full scale, and leaves fewer pixels to resize; at full
/// scale zune-jpeg is 20-25% faster, so it decodes the photos that cannot
/// shrink (a colour photo; jpeg-decoder keeps greyscale and CMYK, whose
/// conversion it already does as milepost wants).
fn decode_jpeg(bytes: &[u8], want: (u32, u32)) -> Result<(u32, u32, Vec<u8>), String> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let full_scale = want.0.saturating_mul(2) > width || want.1.saturating_mul(2) > height;
    if full_scale
        && info.pixel_format == jpeg_decoder::PixelFormat::RGB24
        && let Some(rgb) = decode_with_zune(bytes, width, height)
    {
        return Ok((width, height, rgb));
    }
    let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    let (w, h) = decoder.scale(clamp(want.0), clamp(want.1)).map_err(|e| e.to_string())?;
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (w, h) = (u32::from(w), u32::from(h));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let k = u32::from(p[3]);
                [p[0], p[1], p[2]].map(|c| (u32::from(c) * k / 255) as u8)
            })
            .collect(),
    };
    if rgb.len() < (w * h * 3) as usize {
        return Err("the JPEG data ends early".into());
    }
    Ok((w, h, rgb))
}

/// The full-scale RGB pixels of a colour JPEG by zune-jpeg, or `None` for
/// jpeg-decoder to try (and to name what is wrong).
fn decode_with_zune(bytes: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
    use zune_jpeg::zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        // A cut-off file is an error, as with jpeg-decoder, not a grey bottom.
        .set_strict_mode(true)
        .set_max_width(width as usize)
        .set_max_height(height as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let rgb = decoder.decode().ok()?;
    (rgb.len() == (width as usize) * (height as usize) * 3).then_some(rgb)
}

/// Turns the picture upright, as EXIF orientation `orientation` says.
fn orient(image: RgbImage, orientation: u8) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate90, rotate180, rotate270};
    match orientation {
        2 => flip_horizontal(&image),
        3 => rotate180(&image),
        4 => flip_vertical(&image),
        5 => flip_horizontal(&rotate90(&image)),
        6 => rotate90(&image),
        7 => flip_horizontal(&rotate270(&image)),
        8 => rotate270(&image),
        _ => image,
    }
}

fn encode(image: &RgbImage, encoding: Encoding, quality: u8) -> Result<Vec<u8>, String> {
    match encoding {
        Encoding::Jpeg => encode_jpeg(image, quality),
        Encoding::Webp => encode_webp(image, quality.saturating_sub(5).max(1)),
        Encoding::Avif => encode_avif(image, quality.saturating_sub(10).max(1)),
    }
}

/// AVIF through rav1e at its fastest speed (10) and 8-bit colour: measured
/// at 1600 px, a third of speed 8's time for a fifth more bytes, and still
/// well under WebP's size (docs/BENCHMARKS.md).
fn encode_avif(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (w, h) = image.dimensions();
    let pixels: Vec<ravif::RGB8> = image.pixels().map(|p| ravif::RGB8::new(p[0], p[1], p[2])).collect();
    let encoded = ravif::Encoder::new()
        .with_quality(f32::from(quality))
        .with_speed(10)
        .with_bit_depth(ravif::BitDepth::Eight)
        .encode_rgb(ravif::Img::new(&pixels[..], w as usize, h as usize))
        .map_err(|e| format!("AVIF encoding failed ({e})"))?;
    Ok(encoded.avif_file)
}

/// Lossy WebP through libwebp's simple API (method 4, its default).
fn encode_webp(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (w, h) = image.dimensions();
    let too_big = |_| "the picture is too large for WebP".to_string();
    let (width, height) = (i32::try_from(w).map_err(too_big)?, i32::try_from(h).map_err(too_big)?);
    let stride = width.checked_mul(3).ok_or("the picture is too large for WebP")?;
    let mut output: *mut u8 = std::ptr::null_mut();
    // SAFETY: the buffer holds `height` rows of `stride` bytes (an RgbImage
    // of this size); libwebp allocates `output`, which is freed below with
    // its own WebPFree after the bytes are copied out.
    let encoded = unsafe {
        let len = libwebp_sys::WebPEncodeRGB(
            image.as_raw().as_ptr(),
            width,
            height,
            stride,
            f32::from(quality),
            &mut output,
        );
        if output.is_null() {
            return Err("WebP encoding failed".into());
        }
        let bytes = std::slice::from_raw_parts(output, len).to_vec();
        libwebp_sys::WebPFree(output.cast());
        bytes
    };
    if encoded.is_empty() {
        return Err("WebP encoding failed".into());
    }
    Ok(encoded)
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (w, h) = image.dimensions();
    let mut out = Vec::with_capacity((w * h / 4) as usize);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_progressive(true);
    let (w, h) = (u16::try_from(w).map_err(|e| e.to_string())?, u16::try_from(h).map_err(|e| e.to_string())?);
    encoder.encode(image.as_raw(), w, h, jpeg_encoder::ColorType::Rgb).map_err(|e| e.to_string())?;
    Ok(out)
}
