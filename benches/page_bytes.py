#!/usr/bin/env python3
"""Bytes a phone downloads to show one page of a built site.

    python3 benches/page_bytes.py PUBLIC_DIR PAGE_PATH [--width 390] [--dpr 3]
        [--height 30000] [--viewport-height 0] [--budget-ms 10000]
        [--chromium /usr/bin/chromium] [--json out.json]

    e.g. python3 benches/page_bytes.py /tmp/photobench/demo/public pyongyang-2017/race-day/

Serves PUBLIC_DIR on a free loopback port with a threaded Python HTTP server
that records every request (path, status, body bytes, bytes on the wire with
headers), then opens the page once in headless Chromium with a fresh profile
(so nothing is cached) at device scale factor DPR, and waits --budget-ms of
virtual time (Chromium's --virtual-time-budget: it runs until the page is
idle or the budget is spent) while taking a screenshot. The page is shown in
an iframe of exactly WIDTH x --height (30000) CSS px inside a small harness
page the server makes up (not counted): headless Chromium will not make a
window narrower than 500 CSS px (with --window-size=390,... the page sees
innerWidth 500 and picks larger images), and an iframe written straight into
the HTML was seen choosing its srcset candidates at DPR 1 first and then
again at DPR 2 (both p-480 and p-960 fetched), so the harness creates the
iframe from script once devicePixelRatio is DPR. When the page has loaded,
the harness reports the iframe's innerWidth, innerHeight and devicePixelRatio
back to the server, and the script stops with an error unless they are
WIDTH, HEIGHT and DPR. The very tall viewport puts every `loading="lazy"`
image inside it, so the page loads everything a reader who scrolls to the
bottom would; the browser chooses each image's file from `srcset`/`sizes`/
`<picture><source type>` as a phone of that width and pixel density would.

What it prints:

* totals by type: html, css, js, image (one row per extension: jpg, webp,
  avif, png, svg, ...), font, other (anything else, e.g. .gpx, .json); each
  with the number of requests, the body bytes sent and, for text types, the
  size gzip -6 would give (the server sends everything uncompressed; a real
  host would usually compress html/css/js/svg, images are never compressed
  again). Failed requests (404 etc., e.g. a /favicon.ico the site does not
  have) are a separate row and not in the total.
* every image fetched, path order, with its bytes.
* a coverage check: each `<img>` of the page HTML (with the `<source>`s of its
  `<picture>`) must have had exactly one of its candidate files fetched. An
  `<img>` with none fetched means a lazy image did not load (the window was
  not tall enough, or the budget too short) and the total is too low; the
  script then says so and exits 1. Two fetched means the browser downloaded
  the image twice in different sizes.
* optionally (--viewport-height H) a second run with an ordinary phone
  window, e.g. 844 CSS px: what loads without scrolling. Checked with Chromium
  148 here: headless Chromium fetched every `loading="lazy"` image even in an
  844 px viewport with the images 6000 px apart (with or without the virtual
  time budget), so that run shows nothing about lazy loading in this build;
  the tall window is kept as a belt-and-braces default, and the coverage
  check above is what guarantees that the total has every image.
* external requests: Chromium is pointed at this server as its HTTP(S)
  proxy (loopback is never proxied), so any request to another host (a web
  font, a map tile, or Chromium's own background traffic) is refused (502)
  and listed with its host; its bytes are unknown and not counted. Nothing
  leaves the machine. Chromium itself still asks for accounts.google.com,
  clients2.google.com, www.google.com (and sometimes android.clients.google.com)
  despite --disable-background-networking; those are not the page's.

Bytes are the HTTP bodies (file sizes) unless said otherwise; "wire" adds
the response headers of this server. Output ordering is deterministic.
Standard library only.
"""
import argparse
import gzip
import html.parser
import http.server
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

TEXT_TYPES = {"html", "css", "js", "svg", "json", "xml", "txt", "gpx", "webmanifest"}
IMAGE_EXTS = {"jpg", "jpeg", "png", "webp", "avif", "gif", "svg", "ico", "bmp", "jxl"}
FONT_EXTS = {"woff", "woff2", "ttf", "otf", "eot"}


def kind_of(path):
    """(group, name) for a request path: group is html/css/js/image/font/other."""
    p = urllib.parse.urlsplit(path).path
    if p.endswith("/"):
        return "html", "html"
    ext = posixpath.splitext(p)[1].lower().lstrip(".")
    if ext in ("html", "htm"):
        return "html", "html"
    if ext == "css":
        return "css", "css"
    if ext in ("js", "mjs"):
        return "js", "js"
    if ext in IMAGE_EXTS:
        return "image", "jpg" if ext == "jpeg" else ext
    if ext in FONT_EXTS:
        return "font", ext
    return "other", ext or "(none)"


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def add(self, **entry):
        with self.lock:
            entry["seq"] = len(self.entries)
            self.entries.append(entry)

    def take(self):
        with self.lock:
            out, self.entries = self.entries, []
        return out


class CountingWriter:
    """Wraps the handler's socket file and counts every byte written to it."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def write(self, data):
        self.count += len(data)
        return self.raw.write(data)

    def flush(self):
        return self.raw.flush()

    def __getattr__(self, name):
        return getattr(self.raw, name)


FRAME_PATH = "/__page_bytes__/frame.html"
STATE_PATH = "/__page_bytes__/state"


def frame_html(page_url_path, width, height, dpr):
    """The top-level page Chromium opens: the measured page in an iframe WIDTH x HEIGHT CSS px.

    An iframe in the HTML itself sometimes chose its srcset candidates at
    devicePixelRatio 1 and then again at DPR (both p-480 and p-960 fetched at
    DPR 2), so the iframe is created from script, once the ratio is right; when
    it has loaded, its own innerWidth, innerHeight and devicePixelRatio are sent
    back to the server, which checks them."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>page_bytes</title></head>
<body style="margin:0"><script>
var want = {dpr!r}, tries = 0;
function go() {{
  if (Math.abs(window.devicePixelRatio - want) > 1e-3 && tries++ < 500) {{ setTimeout(go, 10); return; }}
  var f = document.createElement("iframe");
  f.src = {json.dumps(page_url_path)};
  f.style.cssText = "display:block;border:0;width:{width}px;height:{height}px";
  f.onload = function () {{
    var w = f.contentWindow;
    fetch("{STATE_PATH}?w=" + w.innerWidth + "&h=" + w.innerHeight + "&dpr=" + w.devicePixelRatio +
          "&waited=" + tries);
  }};
  document.body.appendChild(f);
}}
go();
</script></body></html>""".encode()


def make_handler(root, log, own_hosts, frames):
    class Handler(http.server.SimpleHTTPRequestHandler):
        # Python 3.11 does not know .avif (and some builds not .webp): say what they are
        extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map,
                              **{".avif": "image/avif", ".webp": "image/webp", ".svg": "image/svg+xml",
                                 ".js": "text/javascript", ".gpx": "application/gpx+xml"})

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def setup(self):
            super().setup()
            self.wfile = CountingWriter(self.wfile)

        # requests for other hosts arrive here because Chromium uses us as its proxy
        def _external(self):
            target = self.path
            if self.command != "CONNECT":
                target = urllib.parse.urlsplit(self.path).netloc or self.headers.get("Host", "?")
            log.add(method=self.command, path=self.path, host=target.split(":")[0], status=502,
                    body=0, wire=0, external=True)
            self._logged = True
            self.send_error(502, "external requests are refused by page_bytes.py")

        def do_CONNECT(self):
            self._external()

        def handle_one_request(self):
            self._logged = False
            self._status = None
            self._body = 0
            before = self.wfile.count if isinstance(self.wfile, CountingWriter) else 0
            super().handle_one_request()
            if getattr(self, "command", None) and not self._logged and self._status is not None:
                log.add(method=self.command, path=getattr(self, "_local_path", self.path), status=self._status,
                        body=self._body, wire=self.wfile.count - before, external=False)

        def send_response(self, code, message=None):
            self._status = code
            super().send_response(code, message)

        def copyfile(self, source, outputfile):
            n = 0
            while True:
                buf = source.read(64 * 1024)
                if not buf:
                    break
                outputfile.write(buf)
                n += len(buf)
            self._body += n

        def _route(self):
            if self.path.startswith(("http://", "https://")):
                host = urllib.parse.urlsplit(self.path).netloc
                if host not in own_hosts:
                    self._external()
                    return False
                self.path = urllib.parse.urlsplit(self.path)._replace(scheme="", netloc="").geturl() or "/"
            self._local_path = self.path
            return True

        def do_GET(self):
            if self._route():
                if self.path.split("?")[0] == STATE_PATH:  # the harness's own report: not counted
                    self._logged = True
                    q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                    frames["state"] = {k: v[0] for k, v in q.items()}
                    self.send_response(204)
                    self.end_headers()
                    return
                if self.path.split("?")[0] == FRAME_PATH:  # the harness's own page: not counted
                    self._logged = True
                    body = frames["html"]
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(body)
                    return
                super().do_GET()

        def do_HEAD(self):
            if self._route():
                super().do_HEAD()

        def log_message(self, *args):
            pass

    return Handler


class ImgCollector(html.parser.HTMLParser):
    """Every <img> with its candidate URLs (src, srcset, and its <picture>'s <source srcset>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.imgs = []
        self.picture_sources = None  # list while inside <picture>

    @staticmethod
    def srcset_urls(value):
        urls = []
        for part in (value or "").split(","):
            part = part.strip()
            if part:
                urls.append(part.split()[0])
        return urls

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "picture":
            self.picture_sources = []
        elif tag == "source" and self.picture_sources is not None:
            self.picture_sources.extend(self.srcset_urls(a.get("srcset")))
        elif tag == "img":
            cands = list(self.picture_sources or [])
            cands += self.srcset_urls(a.get("srcset"))
            if a.get("src"):
                cands.append(a["src"])
            self.imgs.append({"alt": a.get("alt", ""), "loading": a.get("loading", ""),
                              "candidates": cands})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "picture":
            self.picture_sources = None


def run_chromium(chromium, url, width, height, dpr, budget_ms, proxy_port, workdir, tag):
    # Headless Chromium will not make a window narrower than 500 CSS px (a 390 px
    # --window-size gives innerWidth 500), so the page is shown in an iframe of
    # exactly WIDTH x HEIGHT: its media queries, `sizes` and srcset choice see
    # WIDTH, and devicePixelRatio is DPR (checked: innerWidth 390, DPR 3).
    width = max(width, 500)
    profile = tempfile.mkdtemp(prefix=f"profile-{tag}-", dir=workdir)
    shot = os.path.join(workdir, f"shot-{tag}.png")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-extensions", "--hide-scrollbars",
           f"--user-data-dir={profile}", f"--force-device-scale-factor={dpr}",
           f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}",
           f"--proxy-server=http://127.0.0.1:{proxy_port}",
           f"--screenshot={shot}", url]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if r.returncode != 0 or not os.path.exists(shot):
        sys.stderr.write(r.stderr[-3000:])
        raise SystemExit(f"page_bytes.py: chromium failed (exit {r.returncode})")
    shutil.rmtree(profile, ignore_errors=True)
    return cmd


def gz_size(root, path):
    p = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
    f = os.path.join(root, p.lstrip("/"))
    if os.path.isdir(f):
        f = os.path.join(f, "index.html")
    try:
        with open(f, "rb") as fh:
            return len(gzip.compress(fh.read(), 6, mtime=0))
    except OSError:
        return None


def summarise(root, entries):
    local = [e for e in entries if not e["external"]]
    ok = [e for e in local if 200 <= e["status"] < 400]
    failed = [e for e in local if not 200 <= e["status"] < 400]
    rows = {}
    for e in ok:
        group, name = kind_of(e["path"])
        key = (group, name)
        r = rows.setdefault(key, {"group": group, "type": name, "requests": 0, "bytes": 0,
                                  "wire": 0, "gzip": 0, "gzip_known": True})
        r["requests"] += 1
        r["bytes"] += e["body"]
        r["wire"] += e["wire"]
        if name in TEXT_TYPES or group in ("html", "css", "js"):
            g = gz_size(root, e["path"])
            if g is None:
                r["gzip_known"] = False
            else:
                r["gzip"] += g
        else:
            r["gzip"] += e["body"]
    order = {"html": 0, "css": 1, "js": 2, "image": 3, "font": 4, "other": 5}
    table = [rows[k] for k in sorted(rows, key=lambda k: (order[k[0]], k[1]))]
    images = sorted(({"path": urllib.parse.unquote(e["path"]), "bytes": e["body"]}
                     for e in ok if kind_of(e["path"])[0] == "image"), key=lambda x: x["path"])
    total = {"requests": len(ok), "bytes": sum(e["body"] for e in ok),
             "wire": sum(e["wire"] for e in ok), "gzip": sum(r["gzip"] for r in table)}
    external = sorted({(e.get("host", "?"), e["method"]) for e in entries if e["external"]})
    return {"by_type": table, "total": total, "images": images,
            "failed": sorted(({"path": e["path"], "status": e["status"], "bytes": e["body"]}
                              for e in failed), key=lambda x: x["path"]),
            "external": [{"host": h, "method": m} for h, m in external]}


def coverage(page_html, page_url, entries):
    """Match each <img> of the page against the local requests made."""
    p = ImgCollector()
    p.feed(page_html)
    fetched = {}
    for e in entries:
        if not e["external"] and 200 <= e["status"] < 400:
            path = urllib.parse.unquote(urllib.parse.urlsplit(e["path"]).path)
            fetched[path] = fetched.get(path, 0) + 1
    report = []
    for i, img in enumerate(p.imgs):
        paths = []
        for c in img["candidates"]:
            full = urllib.parse.unquote(urllib.parse.urlsplit(urllib.parse.urljoin(page_url, c)).path)
            if full not in paths:
                paths.append(full)
        got = [q for q in paths if q in fetched]
        report.append({"index": i, "alt": img["alt"], "loading": img["loading"],
                       "candidates": paths, "fetched": got})
    return report


def fmt_bytes(n):
    return f"{n:,}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("public_dir")
    ap.add_argument("page_path", help="path of the page under PUBLIC_DIR, e.g. trip/post/ or trip/post/index.html")
    ap.add_argument("--width", type=int, default=390, help="CSS px (default 390, an iPhone 12-15)")
    ap.add_argument("--dpr", type=float, default=3, help="device pixel ratio (default 3)")
    ap.add_argument("--height", type=int, default=30000, help="window height of the main run, CSS px")
    ap.add_argument("--viewport-height", type=int, default=0,
                    help="also run with a window this tall (e.g. 844) and report what it loaded; 0 = no")
    ap.add_argument("--budget-ms", type=int, default=10000, help="Chromium --virtual-time-budget")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the screenshots and the work folder")
    a = ap.parse_args()

    root = os.path.abspath(a.public_dir)
    page = a.page_path.lstrip("/")
    if not os.path.exists(os.path.join(root, page)):
        raise SystemExit(f"page_bytes.py: {os.path.join(root, page)} does not exist")
    if os.path.isdir(os.path.join(root, page)) and page and not page.endswith("/"):
        page += "/"
    page_file = os.path.join(root, page, "index.html") if page.endswith("/") or not page else os.path.join(root, page)

    log = Log()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    port = server.server_address[1]
    own = {f"127.0.0.1:{port}", f"localhost:{port}"}
    frames = {}
    server.RequestHandlerClass = make_handler(root, log, own, frames)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{port}/{urllib.parse.quote(page)}"
    frame_url = f"http://127.0.0.1:{port}{FRAME_PATH}"
    work = tempfile.mkdtemp(prefix="page_bytes-")
    runs = {}
    try:
        heights = [("all", a.height)] + ([("first-screen", a.viewport_height)] if a.viewport_height else [])
        for tag, h in heights:
            log.take()
            frames["html"] = frame_html("/" + urllib.parse.quote(page), a.width, h, a.dpr)
            frames.pop("state", None)
            run_chromium(a.chromium, frame_url, a.width, h, a.dpr, a.budget_ms, port, work, tag)
            entries = log.take()
            state = frames.get("state")
            runs[tag] = {"height": h, "entries": entries, "summary": summarise(root, entries),
                         "viewport_seen": state}
            if (not state or int(state["w"]) != a.width or int(state["h"]) != h
                    or abs(float(state["dpr"]) - a.dpr) > 1e-3):
                raise SystemExit(f"page_bytes.py: the page did not see a {a.width}x{h} viewport at DPR {a.dpr:g} "
                                 f"(it reported {state}); its numbers would be wrong")
    finally:
        server.shutdown()
        if a.keep:
            print(f"(screenshots kept in {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)

    with open(page_file, encoding="utf-8", errors="replace") as f:
        page_html = f.read()
    cov = coverage(page_html, url, runs["all"]["entries"])

    s = runs["all"]["summary"]
    print(f"page: /{page}  ({root})")
    vs = runs["all"]["viewport_seen"]
    print(f"viewport: {a.width} CSS px wide x {a.height} tall, DPR {a.dpr:g}  "
          f"(images up to {round(a.width * a.dpr)} device px across; the page reported "
          f"{vs['w']}x{vs['h']} at DPR {vs['dpr']})")
    print()
    print("| type | requests | bytes | KiB | gzip -6 bytes |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in s["by_type"]:
        label = r["type"] if r["group"] in ("html", "css", "js") else f"{r['group']}: {r['type']}"
        gz = fmt_bytes(r["gzip"]) if r["gzip_known"] else "?"
        print(f"| {label} | {r['requests']} | {fmt_bytes(r['bytes'])} | {r['bytes'] / 1024:.1f} | {gz} |")
    groups = {}
    for r in s["by_type"]:
        groups[r["group"]] = groups.get(r["group"], 0) + r["bytes"]
    t = s["total"]
    print(f"| **total** | **{t['requests']}** | **{fmt_bytes(t['bytes'])}** | **{t['bytes'] / 1024:.1f}** "
          f"| **{fmt_bytes(t['gzip'])}** |")
    print()
    print("by group: " + ", ".join(f"{g} {fmt_bytes(groups.get(g, 0))}"
                                   for g in ("html", "css", "js", "image", "font", "other")))
    print(f"on the wire with this server's headers: {fmt_bytes(t['wire'])} bytes")
    if s["failed"]:
        print("failed requests (not in the total): " +
              ", ".join(f"{f['path']} ({f['status']})" for f in s["failed"]))
    if s["external"]:
        print("external requests (refused, bytes unknown, not in the total): " +
              ", ".join(f"{e['method']} {e['host']}" for e in s["external"]))
    else:
        print("external requests: none")
    print()
    print("images fetched:")
    for im in s["images"]:
        print(f"  {im['path']}  {fmt_bytes(im['bytes'])}")
    print()
    missing = [c for c in cov if not c["fetched"]]
    twice = [c for c in cov if len(c["fetched"]) > 1]
    print(f"<img> coverage: {len(cov)} <img> in the page, {len(cov) - len(missing)} fetched"
          + (f", {len(twice)} fetched in more than one size" if twice else ""))
    for c in cov:
        state = "MISSING" if not c["fetched"] else ", ".join(posixpath.basename(x) for x in c["fetched"])
        print(f"  img {c['index'] + 1} ({c['loading'] or 'eager'}): {state}")
    if "first-screen" in runs:
        f = runs["first-screen"]["summary"]
        print()
        print(f"first screen only ({a.width}x{a.viewport_height}, no scrolling): "
              f"{f['total']['requests']} requests, {fmt_bytes(f['total']['bytes'])} bytes, "
              f"{len(f['images'])} images ({', '.join(posixpath.basename(i['path']) for i in f['images'])})")
        if len(f["images"]) >= len(s["images"]) and any(c["loading"] == "lazy" for c in cov):
            print("  (as many images as the tall run although some are lazy: headless Chromium "
                  "loaded the lazy images anyway, or the page is short)")

    if a.json:
        out = {"page": "/" + page, "public_dir": root, "width": a.width, "dpr": a.dpr,
               "viewport_seen": {k: v["viewport_seen"] for k, v in runs.items()},
               "height": a.height, "budget_ms": a.budget_ms, "coverage": cov,
               "runs": {k: {"height": v["height"], **v["summary"],
                            "requests": [{k2: e[k2] for k2 in ("seq", "method", "path", "status", "body", "wire")}
                                         for e in sorted(v["entries"], key=lambda e: e["seq"])
                                         if not e["external"]]}
                        for k, v in runs.items()}}
        with open(a.json, "w") as fh:
            json.dump(out, fh, indent=1, sort_keys=True)
    if missing:
        print(f"page_bytes.py: {len(missing)} <img> not fetched: the total misses them "
              f"(taller --height or longer --budget-ms?)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
