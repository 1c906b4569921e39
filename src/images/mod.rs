//! Photos done right. `survey` learns every photo of the content tree (size,
//! EXIF) from the cache or its header, before parsing, since a post may take
//! its date and place from its photos. `process` then makes the responsive
//! variants of the photos the pages use, in parallel, each decoded at most
//! once and only when a variant is not cached. Published files carry no
//! metadata: no GPS leaves the building.

mod cache;
mod facts;
mod pixels;
mod videos;

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

pub(crate) use crate::config::Encoding;
use crate::config::PhotoConfig;
use crate::error::{Problem, Problems, Result};
use crate::load::Asset;
use crate::output::{Body, OutputFile};
use crate::paths::ContentPath;
use crate::video::{Container, VideoFacts};
pub use cache::Cache;
pub(crate) use facts::{Facts, Format};
pub(crate) use videos::{VideoJob, publish as publish_videos, unpublishable as unpublishable_video};

/// The encoders as a build calls them, for benches/photo_pixels.rs to time
/// and size. Not an API.
#[doc(hidden)]
pub mod encoders {
    use image::RgbImage;

    use super::{Encoding, pixels};
    use crate::config::PhotoConfig;

    /// `rgb` (rows of `width` RGB pixels) as one variant in `encoding`,
    /// exactly as a build with `config` encodes it.
    pub fn variant(
        rgb: Vec<u8>,
        width: u32,
        height: u32,
        encoding: Encoding,
        config: &PhotoConfig,
    ) -> Result<Vec<u8>, String> {
        pixels::encode(&picture(rgb, width, height)?, encoding, pixels::Settings::of(config))
    }

    /// `rgb` as lossy WebP at libwebp's `quality` and effort `method` (0–6),
    /// to weigh the effort a build uses.
    pub fn webp(rgb: Vec<u8>, width: u32, height: u32, quality: u8, method: i32) -> Result<Vec<u8>, String> {
        pixels::encode_webp(&picture(rgb, width, height)?, quality, method)
    }

    fn picture(rgb: Vec<u8>, width: u32, height: u32) -> Result<RgbImage, String> {
        RgbImage::from_raw(width, height, rgb)
            .ok_or_else(|| "the buffer does not hold width × height RGB pixels".into())
    }
}

/// Every photo and video of the content tree, by its path relative to `content/`.
#[derive(Debug, Default)]
pub struct Survey {
    /// An `Err` is why the photo cannot be read, for the posts that use it.
    pub(crate) photos: BTreeMap<ContentPath, Result<Facts, String>>,
    /// The same for videos, read from their headers (cheap: only the
    /// boxes that describe the media are read), with each file's size and
    /// modification time: a video replaced by another of the same size and
    /// length must still be cleaned and published again.
    pub(crate) videos: BTreeMap<ContentPath, SurveyedVideo>,
    /// (file, hash) of each photo, for the cache to remember.
    pub(crate) hashed: Vec<(PathBuf, String)>,
    /// Changes when any photo's facts do: for what `serve` keeps between builds.
    pub(crate) fingerprint: u64,
}

/// A video of the content tree as the survey found it.
#[derive(Debug)]
pub(crate) struct SurveyedVideo {
    /// An `Err` is why it cannot be read.
    pub(crate) facts: Result<VideoFacts, String>,
    pub(crate) size: u64,
    pub(crate) modified_ns: u128,
}

/// Learns every photo among `assets`: from the cache when its bytes are
/// known, else from its header and EXIF (new facts are cached).
pub fn survey(assets: &[Asset], cache: &Cache) -> Result<Survey> {
    let found: Vec<(ContentPath, PathBuf, Result<Facts, String>)> = assets
        .par_iter()
        .filter_map(|asset| Some((asset, Format::of(asset.rel.as_str())?)))
        .map(|(asset, format)| {
            let facts = learn(asset, format, cache);
            (asset.rel.clone(), asset.path.clone(), facts)
        })
        .collect();
    let videos = assets
        .par_iter()
        .filter(|asset| Container::of(asset.rel.as_str()).is_some())
        .map(|asset| {
            let (size, modified_ns) = crate::disk::stamp(&asset.path).unwrap_or_default();
            let facts = crate::video::read(&asset.path);
            (asset.rel.clone(), SurveyedVideo { facts, size, modified_ns })
        })
        .collect();
    let mut survey = Survey { videos, ..Survey::default() };
    for (rel, path, facts) in found {
        if let Ok(facts) = &facts {
            survey.hashed.push((path, facts.hash.clone()));
        }
        survey.photos.insert(rel, facts);
    }
    let videos: Vec<String> = survey
        .videos
        .iter()
        .map(|(rel, video)| format!("{rel:?} {:?} {} {}", video.facts, video.size, video.modified_ns))
        .collect();
    survey.fingerprint = crate::fingerprint::hash_of((format!("{:?}", survey.photos), videos));
    Ok(survey)
}

fn learn(asset: &Asset, format: Format, cache: &Cache) -> Result<Facts, String> {
    if let Some(facts) = cache.known_hash(&asset.path).and_then(|hash| cache.facts(&hash)) {
        return Ok(facts);
    }
    let bytes = std::fs::read(&asset.path).map_err(|e| format!("it could not be read ({e})"))?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    if let Some(facts) = cache.facts(&hash) {
        return Ok(facts);
    }
    let mut facts = Facts::read(&bytes, format)?;
    facts.hash = hash;
    // A cache that cannot be written only costs time on the next build.
    let _ = cache.put_facts(&facts);
    Ok(facts)
}

/// One responsive variant of a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) encoding: Encoding,
    /// Where it is published: `trip/race-day/stadium-960.jpg`.
    pub(crate) path: String,
}

/// The variants of the photo published at `original` (its path in the output),
/// by format in the order of `formats`, then by width: each configured width
/// smaller than the photo, and the photo's own width when a configured width
/// reaches it. Never upscaled.
pub(crate) fn variants_of(
    original: &str,
    facts: &Facts,
    widths: &[u32],
    formats: &[Encoding],
) -> Vec<Variant> {
    let mut chosen: Vec<u32> = widths.iter().copied().filter(|&w| w < facts.width).collect();
    if widths.iter().any(|&w| w >= facts.width) {
        chosen.push(facts.width);
    }
    let stem = match original.rsplit_once('.') {
        Some((stem, _)) if !stem.ends_with('/') => stem,
        _ => original,
    };
    let height_at = |width: u32| {
        let height = (u64::from(facts.height) * u64::from(width) + u64::from(facts.width) / 2)
            / u64::from(facts.width.max(1));
        (height as u32).max(1)
    };
    formats
        .iter()
        .flat_map(|&encoding| {
            chosen.iter().map(move |&width| Variant {
                width,
                height: height_at(width),
                encoding,
                path: format!("{stem}-{width}.{}", encoding.extension()),
            })
        })
        .collect()
}

/// A photo the pages use, and what to make of it.
pub(crate) struct Job {
    pub(crate) source: PathBuf,
    pub(crate) facts: Facts,
    pub(crate) variants: Vec<Variant>,
    /// The post (or page) that first uses it, and the path written there, for messages.
    pub(crate) used_by: PathBuf,
    pub(crate) written: String,
    /// Publish the original too (metadata stripped) at this path.
    pub(crate) original: Option<String>,
}

/// What processing did, for the build's report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhotoReport {
    /// Photos published.
    pub photos: usize,
    /// Photos whose pixels were decoded in this build.
    pub decoded: usize,
    /// Variants made in this build.
    pub variants_made: usize,
    /// Variants taken from the cache.
    pub variants_cached: usize,
    /// Videos published (cleaned, or taken cleaned from the cache).
    pub videos: usize,
}

pub(crate) struct Processed {
    pub(crate) files: Vec<OutputFile>,
    pub(crate) report: PhotoReport,
    pub(crate) variants_used: HashSet<PathBuf>,
}

/// Makes every variant of `jobs` not in the cache yet (in parallel, showing
/// a progress bar on a terminal) and returns the output files.
pub(crate) fn process(jobs: &[Job], cache: &Cache, config: &PhotoConfig) -> Result<Processed> {
    let settings = pixels::Settings::of(config);
    let key = |facts: &Facts, v: &Variant| {
        let encoder = pixels::encoder(v.encoding, settings);
        let text = format!("{}:{}x{}:q{}:{encoder}", facts.hash, v.width, v.height, config.quality);
        blake3::hash(text.as_bytes()).to_hex().to_string()
    };
    let bar = progress_bar(jobs);
    let spread = jobs.len() < 2 * rayon::current_num_threads();
    let decoded = AtomicUsize::new(0);
    let made = AtomicUsize::new(0);
    let outcomes: Vec<Result<Vec<OutputFile>, Problem>> = jobs
        .par_iter()
        .map(|job| {
            let keys: Vec<String> = job.variants.iter().map(|v| key(&job.facts, v)).collect();
            let missing: Vec<usize> = (0..keys.len())
                .filter(|&i| {
                    let encoding = job.variants[i].encoding;
                    !cache.has_whole_variant(&cache.variant_path(&keys[i], encoding), encoding)
                })
                .collect();
            let mut files: Vec<OutputFile> = Vec::with_capacity(keys.len() + 1);
            let problem = |why: String| {
                Problem::in_file(&job.used_by, format!("the photo `{}` {why}", job.written))
                    .hint("open it in a photo editor and save it again, or replace it")
            };
            if !missing.is_empty() || job.original.is_some() {
                let bytes =
                    std::fs::read(&job.source).map_err(|e| problem(format!("could not be read: {e}")))?;
                if !missing.is_empty() {
                    let wanted: Vec<pixels::Wanted> = missing
                        .iter()
                        .map(|&i| pixels::Wanted {
                            width: job.variants[i].width,
                            height: job.variants[i].height,
                            encoding: job.variants[i].encoding,
                        })
                        .collect();
                    let made_now = pixels::variants(&bytes, &job.facts, &wanted, settings, spread)
                        .map_err(|e| problem(format!("could not be decoded: {e}")))?;
                    decoded.fetch_add(1, Ordering::Relaxed);
                    made.fetch_add(made_now.len(), Ordering::Relaxed);
                    for (&i, encoded) in missing.iter().zip(&made_now) {
                        cache
                            .put_variant(&keys[i], job.variants[i].encoding, encoded)
                            .map_err(|e| Problem::new(e.to_string()))?;
                    }
                }
                if let Some(path) = &job.original {
                    let stripped =
                        strip_metadata(&bytes).map_err(|e| problem(format!("could not be read: {e}")))?;
                    files.push(OutputFile {
                        path: path.clone().into(),
                        origin: job.source.display().to_string(),
                        body: Body::Bytes(stripped.into()),
                    });
                }
            }
            for (variant, key) in job.variants.iter().zip(&keys) {
                files.push(OutputFile {
                    path: variant.path.clone().into(),
                    origin: format!("a variant of {}", job.source.display()),
                    body: Body::Link(cache.variant_path(key, variant.encoding)),
                });
            }
            bar.inc(1);
            Ok(files)
        })
        .collect();
    bar.finish_and_clear();

    let mut problems = Problems::default();
    let mut files = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(more) => files.extend(more),
            Err(problem) => problems.push(problem),
        }
    }
    problems.into_result(())?;
    let variants_total: usize = jobs.iter().map(|j| j.variants.len()).sum();
    let variants_made = made.into_inner();
    let variants_used = jobs
        .iter()
        .flat_map(|j| j.variants.iter().map(|v| cache.variant_path(&key(&j.facts, v), v.encoding)))
        .collect();
    Ok(Processed {
        files,
        report: PhotoReport {
            photos: jobs.len(),
            decoded: decoded.into_inner(),
            variants_made,
            variants_cached: variants_total - variants_made,
            videos: 0,
        },
        variants_used,
    })
}

fn progress_bar(jobs: &[Job]) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || jobs.len() < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(jobs.len() as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("photos {bar:30} {pos}/{len} {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// The original's bytes without EXIF, XMP, IPTC or comments (colour profiles
/// are kept, so colours stay true). Pixels are not touched.
fn strip_metadata(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use img_parts::{Bytes, ImageEXIF, jpeg::Jpeg};
    match Jpeg::from_bytes(Bytes::copy_from_slice(bytes)) {
        Ok(mut jpeg) => {
            jpeg.set_exif(None);
            // APP1 (EXIF, XMP), APP13 (IPTC) and COM carry metadata; APP2 holds the ICC profile.
            jpeg.segments_mut().retain(|s| {
                !matches!(s.marker(), 0xE1 | 0xED | 0xFE) && !(0xE3..=0xEC).contains(&s.marker())
            });
            let mut out = Vec::with_capacity(bytes.len());
            jpeg.encoder().write_to(&mut out).map_err(|e| e.to_string())?;
            Ok(out)
        }
        Err(_) => match img_parts::DynImage::from_bytes(Bytes::copy_from_slice(bytes)) {
            Ok(Some(mut image)) => {
                image.set_exif(None);
                let mut out = Vec::with_capacity(bytes.len());
                image.encoder().write_to(&mut out).map_err(|e| e.to_string())?;
                Ok(out)
            }
            _ => Err("it is not an image".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(width: u32, height: u32) -> Facts {
        Facts {
            hash: "00".into(),
            width,
            height,
            orientation: 1,
            format: Format::Jpeg,
            taken: None,
            taken_offset: None,
            gps: None,
            camera: None,
            lens: None,
            exposure: None,
        }
    }

    #[test]
    fn variants_are_never_upscaled() {
        let widths = [480, 960, 1600];
        let jpeg = [Encoding::Jpeg];
        let big: Vec<u32> =
            variants_of("t/a.jpg", &facts(4000, 3000), &widths, &jpeg).iter().map(|v| v.width).collect();
        assert_eq!(big, [480, 960, 1600]);
        let mid = variants_of("t/a.jpg", &facts(1200, 800), &widths, &jpeg);
        assert_eq!(
            mid.iter().map(|v| (v.width, v.height)).collect::<Vec<_>>(),
            [(480, 320), (960, 640), (1200, 800)]
        );
        let small = variants_of("t/a.png", &facts(300, 200), &widths, &jpeg);
        assert_eq!(
            small,
            [Variant { width: 300, height: 200, encoding: Encoding::Jpeg, path: "t/a-300.jpg".into() }]
        );
    }

    #[test]
    fn every_format_has_every_width() {
        let all = [Encoding::Avif, Encoding::Webp, Encoding::Jpeg];
        let paths: Vec<String> = variants_of("t/a.jpeg", &facts(1000, 500), &[480, 1600], &all)
            .into_iter()
            .map(|v| v.path)
            .collect();
        assert_eq!(
            paths,
            ["t/a-480.avif", "t/a-1000.avif", "t/a-480.webp", "t/a-1000.webp", "t/a-480.jpg", "t/a-1000.jpg"]
        );
    }
}
