//! The pixel work of one photo: decode (a JPEG at the smallest DCT scale that
//! still covers the largest variant), resize with fast_image_resize, turn as
//! the EXIF orientation says, and encode each variant as a JPEG carrying no
//! metadata at all.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use super::facts::{Facts, Format};

/// Names what made variants, so a change of encoder or filter misses the cache.
pub(super) const ENCODER: &str = "jpeg-encoder-0.7/fir-6-lanczos3/progressive";

/// The JPEG bytes of each of `widths` (as shown), in order.
pub(super) fn variants(
    bytes: &[u8],
    facts: &Facts,
    sizes: &[(u32, u32)],
    quality: u8,
) -> Result<Vec<Vec<u8>>, String> {
    // Stored axes: a quarter-turned photo is resized before it is turned.
    let stored = |(w, h): (u32, u32)| if facts.swaps_axes() { (h, w) } else { (w, h) };
    let largest = sizes.iter().copied().map(stored).max_by_key(|(w, _)| *w).ok_or("no sizes")?;
    let (width, height, pixels) = decode(bytes, facts.format, largest)?;
    let source = Image::from_vec_u8(width, height, pixels, PixelType::U8x3).map_err(|e| e.to_string())?;
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    sizes
        .iter()
        .map(|&size| {
            let (w, h) = stored(size);
            let resized = if (w, h) == (width, height) {
                source.buffer().to_vec()
            } else {
                let mut target = Image::new(w, h, PixelType::U8x3);
                resizer.resize(&source, &mut target, &options).map_err(|e| e.to_string())?;
                target.into_vec()
            };
            let image = RgbImage::from_raw(w, h, resized).ok_or("the resized picture has the wrong size")?;
            let image = orient(image, facts.orientation);
            encode(&image, quality)
        })
        .collect()
}

/// Decoded RGB pixels, at least `want` in size where the decoder can shrink on the way.
fn decode(bytes: &[u8], format: Format, want: (u32, u32)) -> Result<(u32, u32, Vec<u8>), String> {
    match format {
        Format::Jpeg => {
            let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
            let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
            let (w, h) = decoder.scale(clamp(want.0), clamp(want.1)).map_err(|e| e.to_string())?;
            let pixels = decoder.decode().map_err(|e| e.to_string())?;
            let info = decoder.info().ok_or("no JPEG header")?;
            let (w, h) = (u32::from(w), u32::from(h));
            let rgb = match info.pixel_format {
                jpeg_decoder::PixelFormat::RGB24 => pixels,
                jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
                jpeg_decoder::PixelFormat::L16 => {
                    pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect()
                }
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

fn encode(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (w, h) = image.dimensions();
    let mut out = Vec::with_capacity((w * h / 4) as usize);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_progressive(true);
    let (w, h) = (u16::try_from(w).map_err(|e| e.to_string())?, u16::try_from(h).map_err(|e| e.to_string())?);
    encoder.encode(image.as_raw(), w, h, jpeg_encoder::ColorType::Rgb).map_err(|e| e.to_string())?;
    Ok(out)
}
