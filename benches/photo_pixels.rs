//! The pixel work of one photo, part by part, to choose decoders and encoders:
//! `jpeg-decoder` at a reduced DCT scale against `zune-jpeg` at full scale,
//! and one 1600 px variant encoded as a build encodes it (JPEG, WebP, AVIF
//! by libaom), with WebP at three efforts beside them. The photo is synthetic but photo-like (smooth colour fields and
//! grain, as the shared benchmark corpus makes them), encoded at quality 90.
//!
//! Run: `cargo bench --bench photo_pixels`; results in docs/BENCHMARKS.md.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, criterion_group, criterion_main};
use milepost::config::{Encoding, PhotoConfig};
use milepost::images::encoders;

/// A deterministic photo-like picture: a bilinear blend of a coarse and a
/// finer random colour grid, plus grain.
fn picture(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let grid = |cols: usize, rows: usize, next: &mut dyn FnMut() -> u64| -> Vec<[f32; 3]> {
        (0..cols * rows).map(|_| [0, 1, 2].map(|_| (next() % 256) as f32)).collect()
    };
    let coarse = grid(6, 5, &mut next);
    let fine = grid(64, 48, &mut next);
    let sample = |g: &[[f32; 3]], cols: usize, rows: usize, x: u32, y: u32, c: usize| {
        let fx = x as f32 / width as f32 * (cols - 1) as f32;
        let fy = y as f32 / height as f32 * (rows - 1) as f32;
        let (x0, y0) = (fx as usize, fy as usize);
        let (x1, y1) = ((x0 + 1).min(cols - 1), (y0 + 1).min(rows - 1));
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let at = |x: usize, y: usize| g[y * cols + x][c];
        let top = at(x0, y0) * (1.0 - tx) + at(x1, y0) * tx;
        let bottom = at(x0, y1) * (1.0 - tx) + at(x1, y1) * tx;
        top * (1.0 - ty) + bottom * ty
    };
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            for c in 0..3 {
                let base = 0.75 * sample(&coarse, 6, 5, x, y, c) + 0.25 * sample(&fine, 64, 48, x, y, c);
                let grain = (next() % 13) as f32 - 6.0;
                rgb.push((base + grain).clamp(0.0, 255.0) as u8);
            }
        }
    }
    rgb
}

fn jpeg(rgb: &[u8], width: u32, height: u32, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.encode(rgb, width as u16, height as u16, jpeg_encoder::ColorType::Rgb).expect("encodes");
    out
}

fn with_jpeg_decoder(bytes: &[u8], want: (u16, u16)) -> Vec<u8> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.scale(want.0, want.1).expect("scales");
    decoder.decode().expect("decodes")
}

fn with_zune(bytes: &[u8]) -> Vec<u8> {
    use zune_jpeg::zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options).decode().expect("decodes")
}

fn decoding(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    let camera = jpeg(&picture(4000, 3000), 4000, 3000, 90);
    // A 1600 px variant needs 1/2 scale of a 4000 px photo: 2000 px.
    group.bench_function("4000x3000 for 1600 px: jpeg-decoder at 1/2 scale", |b| {
        b.iter(|| black_box(with_jpeg_decoder(&camera, (1600, 1200))))
    });
    group.bench_function("4000x3000 for 1600 px: zune-jpeg at full scale", |b| {
        b.iter(|| black_box(with_zune(&camera)))
    });
    group.bench_function("4000x3000 at full scale: jpeg-decoder", |b| {
        b.iter(|| black_box(with_jpeg_decoder(&camera, (4000, 3000))))
    });
    // Instagram's exports: 1080 px wide, shown at full scale.
    let square = jpeg(&picture(1080, 1350), 1080, 1350, 90);
    group.bench_function("1080x1350 at full scale: jpeg-decoder", |b| {
        b.iter(|| black_box(with_jpeg_decoder(&square, (1080, 1350))))
    });
    group.bench_function("1080x1350 at full scale: zune-jpeg", |b| b.iter(|| black_box(with_zune(&square))));
    group.finish();
}

fn encoding(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode 1600x1200");
    group.sample_size(10);
    let (w, h) = (1600u32, 1200u32);
    let rgb = picture(w, h);
    let mut sizes = Vec::new();
    // As a build makes each variant with the default settings (quality 80).
    let config = PhotoConfig::default();
    for (name, encoding) in [("JPEG", Encoding::Jpeg), ("WebP", Encoding::Webp), ("AVIF", Encoding::Avif)] {
        let encode = || encoders::variant(rgb.clone(), w, h, encoding, &config).expect("encodes");
        group.bench_function(format!("{name} as built (quality 80)"), |b| b.iter(|| black_box(encode())));
        sizes.push((format!("{name} as built"), encode().len()));
    }
    // libwebp's effort: 4 is its default.
    for method in [2, 3, 4] {
        let encode = || encoders::webp(rgb.clone(), w, h, 75, method).expect("encodes");
        group.bench_function(format!("WebP q75 method {method} (libwebp 1.6)"), |b| {
            b.iter(|| black_box(encode()))
        });
        sizes.push((format!("WebP q75 method {method}"), encode().len()));
    }
    group.finish();
    for (name, bytes) in sizes {
        println!("size of the 1600x1200 variant, {name}: {:.1} KB", bytes as f64 / 1000.0);
    }
}

criterion_group!(benches, decoding, encoding);
criterion_main!(benches);
