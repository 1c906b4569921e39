//! The HTTP side of `serve`, on axum: the site from memory at `/` and under
//! the base path, with content types, HEAD, ETags and the site's 404 page;
//! no directory listings and nothing outside the site, however a path is
//! encoded; the live-reload script added to HTML; server-sent events.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::live::{Event, RELOAD_SCRIPT, State};
use super::snapshot::{Served, Snapshot};

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
        .with_state(state)
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
        Served::File(source) => match tokio::fs::read(source).await {
            Ok(bytes) => {
                let etag = etag(&bytes);
                if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
                    return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
                }
                respond(StatusCode::OK, content_type, Some(&etag), bytes)
            }
            Err(_) => not_found(&snapshot),
        },
    }
}

fn respond(status: StatusCode, content_type: &str, etag: Option<&str>, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
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
    use super::site_path;

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
