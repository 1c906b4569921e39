//! `milepost serve` over real HTTP: pages at `/` and under the base path,
//! edits served after a save, a broken post reported while the last good
//! site stays up, nothing outside the site served, the reload script only
//! while serving, and an incremental rebuild equal to a full build.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use milepost::serve::{ChangeKind, Session};

use crate::fixture::Fixture;

/// A running `milepost serve`, stopped when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) address: String,
    /// The line that said where it serves.
    pub(crate) said: String,
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: String,
    pub(crate) body: String,
}

impl Server {
    pub(crate) fn start(site: &Fixture) -> Server {
        Server::start_with(site, &[])
    }

    /// Starts `milepost serve --port 0` with `args` on `site`.
    pub(crate) fn start_with(site: &Fixture, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_milepost"))
            .args(["serve", "--port", "0"])
            .args(args)
            .arg("--site")
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start milepost serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("http://") {
                    let _ = tx.send(line);
                }
            }
        });
        let said = rx.recv_timeout(Duration::from_secs(60)).expect("the server said where it serves");
        let at = said.find("http://").unwrap();
        let address = said[at + 7..].split('/').next().unwrap().to_string();
        Server { child, address, said }
    }

    /// One request, as written: `path` is sent exactly as given.
    pub(crate) fn request(&self, method: &str, path: &str, extra: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}\r\n",
            self.address
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Reply { status, headers: head.to_lowercase(), body: body.to_string() }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.request("GET", path, "")
    }

    /// Waits until `done` holds for the page at `path` (a save takes a moment).
    fn wait_for(&self, path: &str, done: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let reply = self.get(path);
            if done(&reply) || Instant::now() > deadline {
                return reply;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn pages_are_served_at_the_root_and_under_the_base_path() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    for path in ["/", "/diary/", "/lisbon/tram/", "/diary/lisbon/tram/"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.headers.contains("content-type: text/html; charset=utf-8"), "{path}");
        assert!(reply.body.contains("Fixture Journal"), "{path}");
    }
    let css = server.get("/diary/style.css");
    assert!(css.status == 200 && css.headers.contains("content-type: text/css"));
    let photo = server.get("/diary/lisbon/tram/tram-64.jpg");
    assert!(photo.status == 200 && photo.headers.contains("content-type: image/jpeg"));
    // HEAD: the headers without the body.
    let head = server.request("HEAD", "/diary/", "");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Conditional requests.
    let etag = css.headers.lines().find_map(|l| l.strip_prefix("etag: ")).unwrap().to_string();
    let again = server.request("GET", "/diary/style.css", &format!("If-None-Match: {etag}\r\n"));
    assert_eq!(again.status, 304);
    // Unknown paths get the site's own 404 page; a folder without its slash is redirected.
    let missing = server.get("/diary/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("This page is not here"));
    let folder = server.get("/diary/lisbon");
    assert_eq!(folder.status, 301);
    assert!(folder.headers.contains("location: /diary/lisbon/"));
}

#[test]
fn a_video_is_served_in_ranges_as_browsers_ask_for_it() {
    let site = crate::video::fixture();
    let server = Server::start(&site);
    let whole = server.get("/walk/before-the-start/walk.mp4");
    assert_eq!(whole.status, 200);
    assert!(whole.headers.contains("content-type: video/mp4"), "{}", whole.headers);
    assert!(whole.headers.contains("accept-ranges: bytes"), "{}", whole.headers);
    let len =
        std::fs::metadata(site.path("content/walk/2017-04-12-before-the-start/walk.mp4")).unwrap().len();
    let part = server.request("GET", "/walk/before-the-start/walk.mp4", "Range: bytes=0-1\r\n");
    assert_eq!(part.status, 206, "{}", part.headers);
    assert!(part.headers.contains(&format!("content-range: bytes 0-1/{len}")), "{}", part.headers);
    assert!(part.headers.contains("content-length: 2"), "{}", part.headers);
    let past = server.request("GET", "/walk/clips/clip.webm", &format!("Range: bytes={}-\r\n", len * 10));
    assert_eq!(past.status, 416, "{}", past.headers);
    assert!(server.get("/walk/clips/clip.webm").headers.contains("content-type: video/webm"));
}

#[test]
fn nothing_outside_the_site_is_served_however_the_path_is_written() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    for path in [
        "/../site.toml",
        "/diary/../../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E%2Fsite.toml",
        "/diary/..%2f..%2fsite.toml",
        "/lisbon/%2e%2e/%2e%2e/content/lisbon/fado.md",
        "/..\\site.toml",
        "/content/lisbon/fado.md",
        "/lisbon/",
    ] {
        let reply = server.get(path);
        // Text only the raw sources hold: site.toml's keys, a post's front matter.
        assert!(!reply.body.contains("base_url =") && !reply.body.contains("title: Fado"), "{path} leaked");
        if path != "/lisbon/" {
            assert!(reply.status == 404 || reply.status == 400, "{path}: {}", reply.status);
        }
    }
    // No directory listings: a folder without an index.html is not found.
    assert_eq!(server.get("/lisbon/tram/..").status, 404);
}

#[test]
fn the_reload_script_is_in_served_pages_and_never_in_build_output() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    assert!(server.get("/diary/").body.contains("id=\"milepost-live\""));
    assert!(server.get("/diary/no-such/").body.contains("id=\"milepost-live\""));
    site.milepost(&["build"]).succeeded();
    for (path, bytes) in site.files("public") {
        assert!(!String::from_utf8_lossy(&bytes).contains("milepost-live"), "{path}");
    }
}

#[test]
fn a_saved_edit_is_served() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    assert!(server.get("/lisbon/fado/").body.contains("two guitars"));
    let text = site.read("content/lisbon/fado.md").replace("two guitars", "a singer in black");
    site.write("content/lisbon/fado.md", text);
    let reply = server.wait_for("/lisbon/fado/", |r| r.body.contains("a singer in black"));
    assert!(reply.body.contains("a singer in black"), "the edit was not served");
}

#[test]
fn a_broken_post_keeps_the_site_up_and_is_reported_until_fixed() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    let good = site.read("content/lisbon/fado.md");
    site.write("content/lisbon/fado.md", good.replace("\"2020-05-02 22:10\"", "2020-02-30"));
    let status = server.wait_for("/__milepost/status", |r| r.body.contains("fado.md"));
    assert!(status.body.contains("\"file\":\"content/lisbon/fado.md\""), "{}", status.body);
    assert!(status.body.contains("\"line\":3"), "{}", status.body);
    assert!(status.body.contains("not a real date"), "{}", status.body);
    // Still serving the last good site.
    let page = server.get("/lisbon/fado/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("two guitars"));
    // Fixed: the problems clear and the new text is served.
    site.write("content/lisbon/fado.md", good.replace("two guitars", "three guitars"));
    let status = server.wait_for("/__milepost/status", |r| r.body.contains("\"problems\":[]"));
    assert!(status.body.contains("\"problems\":[]"), "{}", status.body);
    assert!(
        server.wait_for("/lisbon/fado/", |r| r.body.contains("three guitars")).body.contains("three guitars")
    );
}

fn holds(snapshot: &milepost::serve::Snapshot, path: &str, text: &str) -> bool {
    String::from_utf8(snapshot.bytes(path).unwrap()).unwrap().contains(text)
}

/// Asserts that `snapshot` holds exactly what `milepost build` writes now.
fn assert_same_as_full_build(site: &Fixture, snapshot: &milepost::serve::Snapshot) {
    site.milepost(&["build"]).succeeded();
    let full = site.files("public");
    let mut served: Vec<&str> = snapshot.paths().collect();
    served.sort_unstable();
    assert_eq!(served, full.keys().map(String::as_str).collect::<Vec<_>>());
    for (path, bytes) in &full {
        assert!(snapshot.bytes(path).as_ref() == Some(bytes), "{path} differs from a full build");
    }
}

#[test]
fn an_incremental_rebuild_equals_a_full_build_byte_for_byte() {
    let site = Fixture::copy("journal");
    let session = Session::new(&site.site(), false);
    session.build(ChangeKind::Content, None).unwrap();
    let fado = site.path("content/lisbon/fado.md");

    // A change to the body alone: only that post's page and its feeds are made again.
    site.write(
        "content/lisbon/fado.md",
        site.read("content/lisbon/fado.md").replace("A small room,", "A small room, late,"),
    );
    let (snapshot, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&fado))).unwrap();
    assert!(holds(&snapshot, "lisbon/fado/index.html", "A small room, late,"));
    assert_same_as_full_build(&site, &snapshot);

    // A new title shows in lists; then a template changes.
    site.write(
        "content/lisbon/fado.md",
        site.read("content/lisbon/fado.md").replace("title: Fado at night", "title: Fado, late"),
    );
    session.build(ChangeKind::Content, Some(std::slice::from_ref(&fado))).unwrap();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }}</h1>{{ page.body | safe }}{% endblock main %}",
    );
    let template = [site.path("templates/page.html")];
    let (snapshot, _) = session.build(ChangeKind::Templates, Some(&template)).unwrap();
    assert_same_as_full_build(&site, &snapshot);
    assert!(holds(&snapshot, "about/index.html", "<h1>About me</h1><p>"));
    assert!(holds(&snapshot, "index.html", "Fado, late"));

    // A new post, made while serving.
    site.write(
        "content/lisbon/ferry.md",
        "---\ntitle: Ferry\ndate: 2020-05-04T08:00:00+01:00\n---\nAcross the river.\n",
    );
    let ferry = site.path("content/lisbon/ferry.md");
    let (snapshot, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&ferry))).unwrap();
    assert_same_as_full_build(&site, &snapshot);

    // A body edit after all that (past the first paragraph, which lists show)
    // changes its page and the two feeds it is in, nothing else.
    site.write(
        "content/lisbon/ferry.md",
        format!("{}\nGulls followed us.\n", site.read("content/lisbon/ferry.md")),
    );
    let (after, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&ferry))).unwrap();
    assert_eq!(after.changed_since(&snapshot), 3);
    assert!(holds(&after, "lisbon/ferry/index.html", "Gulls followed us."));
    assert_same_as_full_build(&site, &after);

    // A field that lists show, added to the front matter: the lists change too.
    site.write(
        "content/lisbon/ferry.md",
        site.read("content/lisbon/ferry.md").replace("---\nAcross", "summary: The slow boat.\n---\nAcross"),
    );
    let (snapshot, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&ferry))).unwrap();
    assert!(holds(&snapshot, "index.html", "The slow boat."));
    assert!(holds(&snapshot, "lisbon/index.html", "The slow boat."));
    assert_same_as_full_build(&site, &snapshot);

    // A post removed, and a photo replaced.
    std::fs::remove_file(&ferry).unwrap();
    let (snapshot, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&ferry))).unwrap();
    assert!(snapshot.bytes("lisbon/ferry/index.html").is_none());
    assert_same_as_full_build(&site, &snapshot);
    let tram = site.path("content/lisbon/tram/tram.jpg");
    std::fs::copy(site.path("content/pages/contact/portrait.jpg"), &tram).unwrap();
    let (snapshot, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&tram))).unwrap();
    assert_same_as_full_build(&site, &snapshot);
}

#[test]
fn an_edited_route_while_serving_equals_a_full_build() {
    let site = Fixture::copy("routes");
    let track = |shift: f64| {
        let mut text = String::from("<gpx version=\"1.1\" creator=\"t\"><trk><trkseg>");
        for i in 0..200 {
            let (lat, lon) = (39.0437 + i as f64 * 0.0002, 125.7553 + shift * (i as f64 / 40.0).sin());
            text.push_str(&format!(
                "<trkpt lat=\"{lat:.6}\" lon=\"{lon:.6}\"><ele>{}</ele></trkpt>",
                30 + i % 7
            ));
        }
        text + "</trkseg></trk></gpx>"
    };
    let gpx = site.path("content/run/2017-04-09-ridge/ridge.gpx");
    site.write("content/run/2017-04-09-ridge/ridge.gpx", track(0.001));
    let session = Session::new(&site.site(), false);
    let (before, _) = session.build(ChangeKind::Content, None).unwrap();
    site.write("content/run/2017-04-09-ridge/ridge.gpx", track(0.004));
    let (after, _) = session.build(ChangeKind::Content, Some(std::slice::from_ref(&gpx))).unwrap();
    assert!(after.changed_since(&before) >= 3, "the route's page, file and trip");
    assert_eq!(after.bytes("home/home/index.html"), before.bytes("home/home/index.html"));
    assert_same_as_full_build(&site, &after);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly_leaving_nothing_behind() {
    let site = Fixture::copy("journal");
    let before = site.files("");
    let mut server = Server::start(&site);
    assert_eq!(server.get("/").status, 200);
    let interrupted = Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // No output folder, no temporary files: only the photo cache is new.
    let after: Vec<String> = site.files("").into_keys().filter(|p| !p.starts_with(".milepost/")).collect();
    assert_eq!(after, before.into_keys().collect::<Vec<_>>());
}
