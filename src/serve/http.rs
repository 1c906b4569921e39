//! The HTTP side of `serve`, on axum: the site from memory at `/` and under
//! the base path, with content types, HEAD, ETags and the site's 404 page;
//! no directory listings and nothing outside the site, however a path is
//! encoded; the live-reload script added to HTML; server-sent events; 414
//! and 431 for a request whose target or headers are past any real use.

use std::convert::Infallible;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::live::{Event, RELOAD_SCRIPT, State};
use super::snapshot::{Served, Snapshot};

/// The longest request target answered: the longest path of a site is a
/// few hundred bytes, and 8 KiB is where common servers stop too.
const MOST_TARGET_BYTES: usize = 8 * 1024;

/// The most header bytes (names and values) a request may carry. Browsers
/// send every cookie set for `localhost`, whichever port set it, so a
/// computer running many local servers can send tens of kilobytes of them.
const MOST_HEADER_BYTES: usize = 64 * 1024;

/// A strong validator for `bytes`, made when asked for: most files of a
/// build are never requested.
fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &blake3::hash(bytes).to_hex()[..16])
}

pub(super) fn router(state: State) -> Router {
    Router::new()
        .route("/__milepost/events", get(events))
        .route("/__milepost/status", get(status))
        .fallback(get(page))
        .layer(middleware::from_fn(within_limits))
        .with_state(state)
}

/// 414 for a request target longer than `MOST_TARGET_BYTES`, 431 for headers
/// past `MOST_HEADER_BYTES`; anything else goes on to the site. (Past
/// 128 KiB for the whole head, hyper answers 431 before this is reached.)
async fn within_limits(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let target = uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > MOST_TARGET_BYTES {
        return too_much(StatusCode::URI_TOO_LONG, "The address asked for is too long.");
    }
    let headers: usize =
        request.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers > MOST_HEADER_BYTES {
        return too_much(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "The request's headers are too large: clear this site's cookies (localhost's) and try again.",
        );
    }
    next.run(request).await
}

/// An answer to a request past a limit; the connection is closed after it,
/// as the client is not one to keep talking to.
fn too_much(status: StatusCode, message: &str) -> Response {
    let mut response =
        respond(status, "text/plain; charset=utf-8", None, format!("{message}\n").into_bytes());
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The site path a request asks for, or `None` when it tries to leave the site.
/// `/diary/trip/` → `trip/` under the base path `/diary/`; `%2e%2e` is `..`.
fn site_path(raw: &str, base_path: &str) -> Option<String> {
    let decoded = crate::url::decode(raw);
    if decoded.contains(['\0', '\\']) {
        return None;
    }
    let rest = decoded.strip_prefix(base_path).map(|r| format!("/{r}")).unwrap_or(decoded);
    let mut parts: Vec<&str> = Vec::new();
    for segment in rest.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if rest.ends_with('/') && !path.is_empty() {
        path.push('/');
    }
    Some(path)
}

async fn page(Extract(state): Extract<State>, uri: Uri, headers: HeaderMap) -> Response {
    let snapshot = state.snapshot();
    let Some(path) = site_path(uri.path(), state.base_path()) else {
        return not_found(&snapshot);
    };
    let file =
        if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.clone() };
    let Some(served) = snapshot.get(&file) else {
        // A folder asked for without its slash: send the browser to it.
        if snapshot.contains(&format!("{path}/index.html")) {
            let location = format!("{}/", uri.path());
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response();
        }
        return not_found(&snapshot);
    };
    let content_type = content_type(&file);
    match served {
        Served::Bytes(bytes) => {
            let etag = etag(bytes);
            if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            let body = if file.ends_with(".html") { with_reload_script(bytes) } else { bytes.to_vec() };
            respond(StatusCode::OK, content_type, Some(etag.as_str()), body)
        }
        Served::File(source) => {
            let Some((file, metadata)) = open(source).await else {
                return not_found(&snapshot);
            };
            let len = metadata.len();
            if let Some(range) = headers.get(header::RANGE) {
                return ranged(file, len, range, content_type).await.unwrap_or_else(|| not_found(&snapshot));
            }
            let etag = file_etag(&metadata);
            if let Some(etag) = &etag
                && headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes())
            {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            let mut response = respond(StatusCode::OK, content_type, etag.as_deref(), streamed(file, len));
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            response.headers_mut().insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            response
        }
    }
}

/// A file to send and what it is, or `None` when it cannot be read.
async fn open(source: &std::path::Path) -> Option<(tokio::fs::File, std::fs::Metadata)> {
    let file = tokio::fs::File::open(source).await.ok()?;
    let metadata = file.metadata().await.ok()?;
    Some((file, metadata))
}

/// A validator for a file sent as it is read, so made from its size and
/// time rather than its bytes: a file changed on disk has a new time.
fn file_etag(metadata: &std::fs::Metadata) -> Option<String> {
    let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("\"{:x}-{:x}\"", metadata.len(), modified.as_nanos()))
}

/// How much of a file is read at a time to be sent.
const FILE_CHUNK: u64 = 64 * 1024;

/// `len` bytes of `file` from where it stands, read a chunk at a time as the
/// client takes them: a video asked for by a thousand connections costs a
/// thousand chunks, not a thousand videos.
fn streamed(file: tokio::fs::File, len: u64) -> Body {
    use tokio::io::AsyncReadExt;
    let chunks = futures_util::stream::unfold((file, len), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let mut chunk = vec![0; usize::try_from(left.min(FILE_CHUNK)).unwrap_or(0)];
        let read = match file.read(&mut chunk).await {
            // Shorter than it was said to be: the connection ends rather than
            // send a body that is not what its length says.
            Ok(0) => Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
            Ok(n) => Ok(n),
            Err(e) => Err(e),
        };
        match read {
            Ok(n) => {
                chunk.truncate(n);
                Some((Ok(Bytes::from(chunk)), (file, left - n as u64)))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    });
    Body::from_stream(chunks)
}

/// One range of a file of `len` bytes (`Range: bytes=0-1023`, `bytes=1024-`,
/// `bytes=-500`), as a browser asks for a video: Safari plays none from a
/// server that cannot answer it. `None` when the file cannot be read.
async fn ranged(
    mut file: tokio::fs::File,
    len: u64,
    range: &HeaderValue,
    content_type: &str,
) -> Option<Response> {
    use tokio::io::AsyncSeekExt;
    let wanted = range.to_str().ok().and_then(|r| byte_range(r, len));
    let Some((start, end)) = wanted else {
        let mut response = respond(StatusCode::RANGE_NOT_SATISFIABLE, content_type, None, Vec::new());
        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        return Some(response);
    };
    file.seek(std::io::SeekFrom::Start(start)).await.ok()?;
    let size = end - start + 1;
    let mut response = respond(StatusCode::PARTIAL_CONTENT, content_type, None, streamed(file, size));
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    response.headers_mut().insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    Some(response)
}

/// The first and last byte of a single `bytes=` range of a file of `len`
/// bytes, or `None` when it cannot be served. At most 8 MB at a time: a
/// browser asks again for the rest.
fn byte_range(header: &str, len: u64) -> Option<(u64, u64)> {
    const MOST: u64 = 8 << 20;
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (start, end) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (len.checked_sub(n.min(len))?, len - 1)
        }
        (first, "") => (first.parse().ok()?, len - 1),
        (first, last) => (first.parse().ok()?, last.parse::<u64>().ok()?.min(len - 1)),
    };
    (start <= end && start < len).then(|| (start, end.min(start + MOST - 1)))
}

fn respond(status: StatusCode, content_type: &str, etag: Option<&str>, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // A page being written changes all the time: browsers must ask each time.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert(header::ETAG, etag);
    }
    response
}

fn not_found(snapshot: &Snapshot) -> Response {
    let body = match snapshot.get("404.html") {
        Some(Served::Bytes(bytes)) => with_reload_script(bytes),
        _ => b"<!doctype html><title>Not found</title><p>Not found.</p>".to_vec(),
    };
    respond(StatusCode::NOT_FOUND, "text/html; charset=utf-8", None, body)
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "mp4" | "m4v" => "video/mp4",
        // Browsers play H.264 in a .mov when told it is MP4, as the pages say it is.
        "mov" => "video/mp4",
        "webm" => "video/webm",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "gpx" => "application/gpx+xml",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The page with the live-reload script before `</body>` (or at its end).
fn with_reload_script(html: &[u8]) -> Vec<u8> {
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + RELOAD_SCRIPT.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(RELOAD_SCRIPT.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

async fn status(Extract(state): Extract<State>) -> impl IntoResponse {
    let body = serde_json::json!({ "server": state.server_id(), "problems": state.problems() });
    ([(header::CONTENT_TYPE, "application/json")], body.to_string())
}

async fn events(Extract(state): Extract<State>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let hello = serde_json::json!({ "server": state.server_id(), "problems": state.problems() });
    let first = tokio_stream::once(Ok(SseEvent::default().event("hello").data(hello.to_string())));
    let later = BroadcastStream::new(state.subscribe()).filter_map(move |event| {
        let event = match event.ok()? {
            Event::Reload => SseEvent::default().event("reload").data("{}"),
            Event::Css => SseEvent::default().event("css").data("{}"),
            Event::Problems => SseEvent::default()
                .event("problems")
                .data(serde_json::to_string(&state.problems()).unwrap_or_default()),
        };
        Some(Ok(event))
    });
    Sse::new(first.chain(later)).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::{byte_range, site_path};

    #[test]
    fn byte_ranges_as_browsers_ask_for_video() {
        assert_eq!(byte_range("bytes=0-", 1000), Some((0, 999)));
        assert_eq!(byte_range("bytes=0-1", 1000), Some((0, 1)));
        assert_eq!(byte_range("bytes=500-", 1000), Some((500, 999)));
        assert_eq!(byte_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(byte_range("bytes=-5000", 1000), Some((0, 999)));
        assert_eq!(byte_range("bytes=900-5000", 1000), Some((900, 999)));
        // Large files are sent a piece at a time.
        assert_eq!(byte_range("bytes=0-", 100 << 20), Some((0, (8 << 20) - 1)));
        for unservable in ["bytes=1000-", "bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=x-", "bytes=-"] {
            assert_eq!(byte_range(unservable, 1000), None, "{unservable}");
        }
        assert_eq!(byte_range("bytes=0-", 0), None);
    }

    #[test]
    fn paths_under_the_base_and_at_the_root() {
        assert_eq!(site_path("/diary/trip/", "/diary/").as_deref(), Some("trip/"));
        assert_eq!(site_path("/trip/", "/diary/").as_deref(), Some("trip/"));
        assert_eq!(site_path("/", "/").as_deref(), Some(""));
        assert_eq!(site_path("/tags/%E6%9D%B1%E4%BA%AC/", "/").as_deref(), Some("tags/東京/"));
    }

    #[test]
    fn no_path_leaves_the_site() {
        for raw in
            ["/../etc/passwd", "/%2e%2e/etc/passwd", "/a/%2E%2E/%2e%2e/x", "/..%2fetc", "/a%00b", "/a\\..\\b"]
        {
            assert_eq!(site_path(raw, "/"), None, "{raw}");
        }
    }
}
