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
use crate::config::PhotoConfig;

/// How a site's variants are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `[photos] quality`, on JPEG's scale (see `encode` for the others).
    pub(crate) quality: u8,
    /// libwebp's effort, 0–6. 4, its default, when WebP is the smallest
    /// format a page offers; 2 when AVIF comes first, since WebP then only
    /// reaches browsers without AVIF: effort 2 is 2.8 times as fast for 5%
    /// more bytes (docs/BENCHMARKS.md).
    pub(crate) webp_method: i32,
}

impl Settings {
    pub(crate) fn of(config: &PhotoConfig) -> Settings {
        let at = |format| config.formats.iter().position(|f| *f == format);
        let avif_first = matches!((at(Encoding::Avif), at(Encoding::Webp)), (Some(a), Some(w)) if a < w);
        Settings { quality: config.quality, webp_method: if avif_first { 2 } else { 4 } }
    }
}

/// Names what made a variant, so a change of encoder, its settings or the
/// filter misses the cache.
pub(super) fn encoder(encoding: Encoding, settings: Settings) -> &'static str {
    match (encoding, settings.webp_method) {
        (Encoding::Jpeg, _) => "jpeg-encoder-0.7/fir-6-lanczos3/progressive",
        (Encoding::Webp, 2) => "libwebp-1.6/fir-6-lanczos3/m2/q+0",
        (Encoding::Webp, _) => "libwebp-1.6/fir-6-lanczos3/m4/q+0",
        (Encoding::Avif, _) => "libaom-3.11/fir-6-lanczos3/allintra-s9/420-bt601-full/cq/q-14",
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
    settings: Settings,
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
            encoded[at] = Some(encode(&image, want.encoding, settings)?);
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
                encode(image, want.encoding, settings)
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

/// Each format at the setting that looks like JPEG at `quality`: measured
/// with SSIMULACRA2 on photos, WebP matches JPEG at the same number and
/// AVIF 14 lower on its own scale (docs/BENCHMARKS.md).
pub(super) fn encode(image: &RgbImage, encoding: Encoding, settings: Settings) -> Result<Vec<u8>, String> {
    let quality = settings.quality;
    match encoding {
        Encoding::Jpeg => encode_jpeg(image, quality),
        Encoding::Webp => encode_webp(image, quality, settings.webp_method),
        Encoding::Avif => encode_avif(image, quality.saturating_sub(14).max(1)),
    }
}

/// AVIF: AV1 from libaom in its all-intra mode at speed 9, 8-bit 4:2:0
/// with BT.601 colour in full range, one thread (photos are encoded side by
/// side, and one thread gives the same bytes every time). Speed 9 is its
/// fastest: speeds 6–7 save 10–20% of the bytes at 5–10 times the time, and
/// rav1e at its fastest took eight times as long (docs/BENCHMARKS.md).
fn encode_avif(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (w, h) = image.dimensions();
    let mut planes = yuv420(image);
    let av1 = av1::encode(&mut planes, w, h, quality)?;
    Ok(avif_serialize::Aviffy::new()
        .matrix_coefficients(avif_serialize::constants::MatrixCoefficients::Bt601)
        .full_color_range(true)
        .set_chroma_subsampling((true, true))
        .to_vec(&av1, None, w, h, 8))
}

/// The picture in libaom's I420 layout: 8-bit Y, Cb and Cr planes (BT.601,
/// full range) in one buffer. libaom rounds an odd width or height up to
/// even for the luma plane, the chroma planes being half of that, so the
/// last column and row are repeated to fill it. Fixed point with 16
/// fraction bits: within one step of the exact values.
fn yuv420(image: &RgbImage) -> Vec<u8> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (lw, lh) = (cw * 2, ch * 2);
    let mut out = vec![0u8; lw * lh + 2 * cw * ch];
    if w == 0 || h == 0 {
        return out;
    }
    let (luma, chroma) = out.split_at_mut(lw * lh);
    let (cb, cr) = chroma.split_at_mut(cw * ch);
    let rows: Vec<&[u8]> = image.as_raw().chunks_exact(w * 3).collect();
    for (row, line) in rows.iter().zip(luma.chunks_exact_mut(lw)) {
        for (p, y) in row.chunks_exact(3).zip(line.iter_mut()) {
            let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            *y = ((19_595 * r + 38_470 * g + 7_471 * b + (1 << 15)) >> 16) as u8;
        }
        if lw > w {
            line[w] = line[w - 1];
        }
    }
    if lh > h {
        luma.copy_within((h - 1) * lw..h * lw, h * lw);
    }
    for (cy, (cb, cr)) in cb.chunks_exact_mut(cw).zip(cr.chunks_exact_mut(cw)).enumerate() {
        // A last odd row or column counts twice: the mean of four samples
        // is then the mean of the two (or one) pixels there are.
        let (top, bottom) = (rows[cy * 2], rows[(cy * 2 + 1).min(h - 1)]);
        for (cx, (cb, cr)) in cb.iter_mut().zip(cr.iter_mut()).enumerate() {
            let (left, right) = (cx * 6, (cx * 2 + 1).min(w - 1) * 3);
            let sum = |c: usize| {
                i32::from(top[left + c])
                    + i32::from(top[right + c])
                    + i32::from(bottom[left + c])
                    + i32::from(bottom[right + c])
            };
            let (r, g, b) = (sum(0), sum(1), sum(2));
            // Sums of four: 18 fraction bits, 128 as the offset, and a half to round.
            let offset = (128 << 18) + (1 << 17);
            *cb = ((offset - 11_059 * r - 21_709 * g + 32_768 * b) >> 18).clamp(0, 255) as u8;
            *cr = ((offset + 32_768 * r - 27_439 * g - 5_329 * b) >> 18).clamp(0, 255) as u8;
        }
    }
    out
}

/// One still picture through libaom.
mod av1 {
    use libaom_sys as aom;

    /// The AV1 bitstream of the 4:2:0 `planes` (as `yuv420` lays them out)
    /// of a `w`×`h` picture, at `quality` 1–100 (100 best).
    pub(super) fn encode(planes: &mut [u8], w: u32, h: u32, quality: u8) -> Result<Vec<u8>, String> {
        let fail = |what: &str, code: aom::aom_codec_err_t| {
            format!("AVIF encoding failed ({what}: libaom error {code})")
        };
        let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
        if planes.len() != 6 * cw * ch {
            return Err("AVIF encoding failed (the planes do not fit the picture)".into());
        }
        // libaom's constant-quality level: 0 is best, 63 worst.
        let level = u32::from(100 - quality.clamp(1, 100)) * 63 / 100;
        // SAFETY: calls into libaom as its encoder API documents: a config
        // filled by its defaults, an encoder context initialised from it and
        // destroyed on every path once initialised, an image descriptor
        // wrapping `planes` (which outlives every call that reads it, and
        // is checked to hold what I420 needs), and packets
        // copied out before the next call into libaom.
        unsafe {
            let iface = aom::aom_codec_av1_cx();
            let mut cfg: aom::aom_codec_enc_cfg = std::mem::zeroed();
            let code = aom::aom_codec_enc_config_default(iface, &mut cfg, aom::AOM_USAGE_ALL_INTRA);
            if code != aom::AOM_CODEC_OK {
                return Err(fail("configuration", code));
            }
            cfg.g_w = w;
            cfg.g_h = h;
            cfg.g_threads = 1;
            cfg.g_limit = 1;
            cfg.g_lag_in_frames = 0;
            cfg.kf_max_dist = 0;
            cfg.rc_end_usage = aom::AOM_Q;
            cfg.g_timebase.num = 1;
            cfg.g_timebase.den = 1;
            let mut ctx: aom::aom_codec_ctx_t = std::mem::zeroed();
            let code =
                aom::aom_codec_enc_init_ver(&mut ctx, iface, &cfg, 0, aom::AOM_ENCODER_ABI_VERSION as i32);
            if code != aom::AOM_CODEC_OK {
                return Err(fail("start", code));
            }
            let result = (|| {
                let controls = [
                    (aom::AOME_SET_CPUUSED, 9),
                    (aom::AOME_SET_CQ_LEVEL, level as i32),
                    (aom::AV1E_SET_COLOR_RANGE, 1),
                    (aom::AV1E_SET_MATRIX_COEFFICIENTS, aom::AOM_CICP_MC_BT_601 as i32),
                ];
                for (id, value) in controls {
                    let code = aom::aom_codec_control(&mut ctx, id as i32, value);
                    if code != aom::AOM_CODEC_OK {
                        return Err(fail("settings", code));
                    }
                }
                let mut image: aom::aom_image_t = std::mem::zeroed();
                aom::aom_img_wrap(&mut image, aom::AOM_IMG_FMT_I420, w, h, 1, planes.as_mut_ptr());
                image.range = aom::AOM_CR_FULL_RANGE;
                image.mc = aom::AOM_CICP_MC_BT_601;
                let mut out = Vec::new();
                // The picture, then the end of the stream: each call's packets
                // are only valid until the next call.
                for picture in [&image as *const aom::aom_image_t, std::ptr::null()] {
                    let code = aom::aom_codec_encode(&mut ctx, picture, 0, 1, 0);
                    if code != aom::AOM_CODEC_OK {
                        return Err(fail("encoding", code));
                    }
                    let mut iter: aom::aom_codec_iter_t = std::ptr::null();
                    loop {
                        let packet = aom::aom_codec_get_cx_data(&mut ctx, &mut iter);
                        if packet.is_null() {
                            break;
                        }
                        if (*packet).kind == aom::AOM_CODEC_CX_FRAME_PKT {
                            let frame = (*packet).data.frame;
                            out.extend_from_slice(std::slice::from_raw_parts(
                                frame.buf as *const u8,
                                frame.sz,
                            ));
                        }
                    }
                }
                if out.is_empty() {
                    Err("AVIF encoding failed (libaom gave no picture)".to_string())
                } else {
                    Ok(out)
                }
            })();
            aom::aom_codec_destroy(&mut ctx);
            result
        }
    }
}

/// Lossy WebP through libwebp's advanced API at effort `method`.
pub(super) fn encode_webp(image: &RgbImage, quality: u8, method: i32) -> Result<Vec<u8>, String> {
    use libwebp_sys as webp;
    let (w, h) = image.dimensions();
    let too_big = |_| "the picture is too large for WebP".to_string();
    let (width, height) = (i32::try_from(w).map_err(too_big)?, i32::try_from(h).map_err(too_big)?);
    let stride = width.checked_mul(3).ok_or("the picture is too large for WebP")?;
    let abi = webp::WEBP_ENCODER_ABI_VERSION as i32;
    // SAFETY: config and picture are initialised by libwebp's own init
    // functions before use; the picture imports its own copy of the RGB
    // buffer (`height` rows of `stride` bytes, an RgbImage of this size)
    // and is freed with WebPPictureFree on every path after the import;
    // the memory writer's buffer is copied out, then freed by its own
    // clear function.
    unsafe {
        let mut config: webp::WebPConfig = std::mem::zeroed();
        if webp::WebPConfigInitInternal(
            &mut config,
            webp::WebPPreset::WEBP_PRESET_DEFAULT,
            f32::from(quality),
            abi,
        ) == 0
        {
            return Err("WebP encoding failed (libwebp refused its settings)".into());
        }
        config.method = method;
        let mut picture: webp::WebPPicture = std::mem::zeroed();
        if webp::WebPPictureInitInternal(&mut picture, abi) == 0 {
            return Err("WebP encoding failed (libwebp refused its picture)".into());
        }
        picture.width = width;
        picture.height = height;
        if webp::WebPPictureImportRGB(&mut picture, image.as_raw().as_ptr(), stride) == 0 {
            webp::WebPPictureFree(&mut picture);
            return Err("WebP encoding failed (out of memory)".into());
        }
        let mut writer: webp::WebPMemoryWriter = std::mem::zeroed();
        webp::WebPMemoryWriterInit(&mut writer);
        picture.writer = Some(webp::WebPMemoryWrite);
        picture.custom_ptr = (&raw mut writer).cast();
        let done = webp::WebPEncode(&config, &mut picture);
        let error = picture.error_code;
        webp::WebPPictureFree(&mut picture);
        let bytes = if writer.mem.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(writer.mem, writer.size).to_vec()
        };
        webp::WebPMemoryWriterClear(&mut writer);
        if done == 0 || bytes.is_empty() {
            return Err(format!("WebP encoding failed (libwebp: {error:?})"));
        }
        Ok(bytes)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// BT.601 full range in floating point, chroma the mean of the pixels
    /// each sample covers, the luma plane's width and height rounded up to
    /// even by repeating the last column and row.
    fn exact(image: &RgbImage) -> Vec<u8> {
        let (w, h) = (image.width() as usize, image.height() as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let rgb =
            |x: usize, y: usize| image.get_pixel(x.min(w - 1) as u32, y.min(h - 1) as u32).0.map(f64::from);
        let mut out: Vec<u8> = (0..cw * 2 * ch * 2)
            .map(|i| {
                let [r, g, b] = rgb(i % (cw * 2), i / (cw * 2));
                (0.299 * r + 0.587 * g + 0.114 * b).round() as u8
            })
            .collect();
        let mut crs = Vec::new();
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut sum, mut n) = ([0.0; 3], 0.0);
                for y in (cy * 2)..(cy * 2 + 2).min(h) {
                    for x in (cx * 2)..(cx * 2 + 2).min(w) {
                        let p = rgb(x, y);
                        (0..3).for_each(|c| sum[c] += p[c]);
                        n += 1.0;
                    }
                }
                let [r, g, b] = sum.map(|v| v / n);
                let round = |v: f64| v.round().clamp(0.0, 255.0) as u8;
                out.push(round(128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b));
                crs.push(round(128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b));
            }
        }
        out.extend(crs);
        out
    }

    /// A smooth picture with a few hard edges, different in every channel.
    fn scene(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let edge = if (x / 16 + y / 16) % 2 == 0 { 40 } else { 0 };
            image::Rgb([
                (x * 200 / w.max(1)) as u8 + edge,
                (y * 200 / h.max(1)) as u8 + edge,
                ((x + y) * 100 / (w + h)) as u8 + 60,
            ])
        })
    }

    /// The Y, Cb and Cr planes (rows of the shown width, no padding) of an
    /// AV1 stream, by libaom's decoder.
    fn decode_av1(stream: &[u8]) -> (u32, u32, [Vec<u8>; 3]) {
        use libaom_sys as aom;
        // SAFETY: a decoder context initialised and destroyed as libaom
        // documents; the frame it returns is read within its shown size and
        // strides before the context is destroyed.
        unsafe {
            let mut ctx: aom::aom_codec_ctx_t = std::mem::zeroed();
            let cfg = aom::aom_codec_dec_cfg_t { threads: 1, w: 0, h: 0, allow_lowbitdepth: 1 };
            let abi = aom::AOM_DECODER_ABI_VERSION as i32;
            assert_eq!(aom::aom_codec_dec_init_ver(&mut ctx, aom::aom_codec_av1_dx(), &cfg, 0, abi), 0);
            let code = aom::aom_codec_decode(&mut ctx, stream.as_ptr(), stream.len(), std::ptr::null_mut());
            assert_eq!(code, aom::AOM_CODEC_OK, "the stream decodes");
            let mut iter: aom::aom_codec_iter_t = std::ptr::null();
            let frame = aom::aom_codec_get_frame(&mut ctx, &mut iter);
            assert!(!frame.is_null(), "a picture");
            let frame = &*frame;
            assert_eq!(frame.fmt, aom::AOM_IMG_FMT_I420, "8-bit 4:2:0");
            let (w, h) = (frame.d_w, frame.d_h);
            let plane = |i: usize, pw: u32, ph: u32| {
                (0..ph as usize)
                    .flat_map(|y| {
                        std::slice::from_raw_parts(
                            frame.planes[i].add(y * frame.stride[i] as usize),
                            pw as usize,
                        )
                    })
                    .copied()
                    .collect::<Vec<u8>>()
            };
            let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
            let planes = [plane(0, w, h), plane(1, cw, ch), plane(2, cw, ch)];
            aom::aom_codec_destroy(&mut ctx);
            (w, h, planes)
        }
    }

    #[test]
    fn avif_pictures_of_any_width_and_height_come_back_as_they_went_in() {
        for (w, h) in [(1, 1), (3, 5), (64, 33), (451, 300), (640, 427)] {
            let image = scene(w, h);
            let mut planes = yuv420(&image);
            let sent = planes.clone();
            let stream = av1::encode(&mut planes, w, h, 90).expect("encodes");
            let (dw, dh, got) = decode_av1(&stream);
            assert_eq!((dw, dh), (w, h));
            // What was sent, without the luma plane's padding.
            let (cw, ch, lw) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize, w.div_ceil(2) as usize * 2);
            let luma: Vec<u8> =
                sent.chunks(lw).take(h as usize).flat_map(|row| &row[..w as usize]).copied().collect();
            let chroma = &sent[lw * ch * 2..];
            for (name, sent, got) in [
                ("Y", &luma[..], &got[0]),
                ("Cb", &chroma[..cw * ch], &got[1]),
                ("Cr", &chroma[cw * ch..], &got[2]),
            ] {
                assert_eq!(sent.len(), got.len(), "{w}×{h} {name}");
                let mean = sent.iter().zip(got).map(|(a, b)| f64::from(a.abs_diff(*b))).sum::<f64>()
                    / sent.len() as f64;
                assert!(mean < 2.0, "{w}×{h}: {name} is off by {mean:.1} on average");
            }
        }
    }

    #[test]
    fn ycbcr_is_within_one_step_of_the_exact_values_at_any_size() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for (w, h) in [(1, 1), (1, 2), (2, 1), (3, 3), (7, 5), (64, 33)] {
            let pixels: Vec<u8> = (0..w * h * 3)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Extremes as often as anything between: the edges of the range overflow first.
                    [0, 255, (seed >> 32) as u8][(seed % 3) as usize]
                })
                .collect();
            let image = RgbImage::from_raw(w, h, pixels).expect("sized");
            let (ours, exact) = (yuv420(&image), exact(&image));
            assert_eq!(ours.len(), exact.len(), "{w}×{h}");
            for (i, (a, b)) in ours.iter().zip(&exact).enumerate() {
                assert!(a.abs_diff(*b) <= 1, "{w}×{h}: sample {i} is {a}, exactly {b}");
            }
        }
        let white = RgbImage::from_pixel(4, 2, image::Rgb([255, 255, 255]));
        assert_eq!(yuv420(&white), [vec![255; 8], vec![128; 4]].concat());
        let blue = RgbImage::from_pixel(2, 2, image::Rgb([0, 0, 255]));
        assert_eq!(yuv420(&blue), [29, 29, 29, 29, 255, 107]);
    }

    #[test]
    fn webp_gets_less_effort_only_behind_avif() {
        let effort = |formats: &[Encoding]| {
            Settings::of(&PhotoConfig { formats: formats.to_vec(), ..PhotoConfig::default() }).webp_method
        };
        assert_eq!(effort(&[Encoding::Avif, Encoding::Webp, Encoding::Jpeg]), 2);
        assert_eq!(effort(&PhotoConfig::default().formats), 4, "WebP and JPEG by default");
        assert_eq!(effort(&[Encoding::Webp, Encoding::Avif, Encoding::Jpeg]), 4);
        assert_ne!(
            encoder(Encoding::Webp, Settings { quality: 80, webp_method: 2 }),
            encoder(Encoding::Webp, Settings { quality: 80, webp_method: 4 }),
            "an effort's variants are cached apart"
        );
    }
}
