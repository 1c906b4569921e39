#!/usr/bin/env python3
"""Time from saving a post to the rebuilt page being served, milepost serve
against hugo server, on a corpus made by ../shared/bench/make_corpus.py.

    python3 benches/serve_latency.py CORPUS_DIR [--milepost BIN] [--hugo BIN] [--edits 20]

For each tool: start its server on a free port, wait until it serves, then
EDITS times: write a new word into one post's body and poll the post's page
(every 2 ms) until the word is served; the time from the write returning to
that response is one sample. Prints each tool's median and all samples.
The tools run one after the other on the same corpus, each on its own copy
(a fresh copy of the corpus's site folder), so neither sees the other's edits.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def wait_until(url, predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(get(url)):
            return True
        time.sleep(0.002)
    return False


def measure(name, command, site, post_file, page_url, edits):
    proc = subprocess.Popen(command, cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_until(page_url, lambda body: "<html" in body.lower()):
            sys.exit(f"{name}: never served {page_url}")
        time.sleep(1.0)  # let the watcher settle after the first build
        original = open(post_file, encoding="utf-8").read()
        samples = []
        for i in range(edits):
            word = f"milepostedit{i}x{os.getpid()}"
            text = original.rstrip("\n") + f"\n\nEdited: {word}.\n"
            with open(post_file, "w", encoding="utf-8") as f:
                f.write(text)
            start = time.monotonic()
            if not wait_until(page_url, lambda body: word in body, timeout=60):
                sys.exit(f"{name}: edit {i} never served")
            samples.append((time.monotonic() - start) * 1000)
            time.sleep(0.3)
        return samples
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--milepost", default="target/release/milepost")
    ap.add_argument("--hugo", default=shutil.which("hugo"))
    ap.add_argument("--edits", type=int, default=20)
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.corpus, "manifest.json")))
    trip = manifest["trips"][len(manifest["trips"]) // 2]
    post = trip["posts"][len(trip["posts"]) // 2]
    rel = f"{trip['slug']}/{post['slug']}"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ["milepost", "hugo"]:
            binary = getattr(args, name)
            source = os.path.join(args.corpus, name)
            if not binary or not os.path.isdir(source):
                print(f"skip {name}")
                continue
            site = os.path.join(tmp, name)
            shutil.copytree(source, site, ignore=shutil.ignore_patterns("public", "resources", ".milepost"))
            port = free_port()
            if name == "milepost":
                command = [os.path.abspath(binary), "serve", "--port", str(port)]
                post_file = os.path.join(site, "content", rel, "index.md")
                page_url = f"http://127.0.0.1:{port}/{rel}/"
            else:
                command = [binary, "server", "--port", str(port), "--bind", "127.0.0.1", "--disableLiveReload",
                           "--baseURL", f"http://127.0.0.1:{port}/", "--appendPort=false"]
                post_file = os.path.join(site, "content", rel, "index.md")
                page_url = f"http://127.0.0.1:{port}/{rel}/"
            samples = measure(name, command, site, post_file, page_url, args.edits)
            results[name] = samples
            print(f"{name:9s} median {statistics.median(samples):8.1f} ms  "
                  f"min {min(samples):7.1f}  max {max(samples):7.1f}  "
                  f"samples: {' '.join(f'{s:.0f}' for s in samples)}")
    return results


if __name__ == "__main__":
    main()
