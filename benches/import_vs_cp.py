#!/usr/bin/env python3
"""`milepost import instagram` against `cp -r` of the same media, same run.

    python3 benches/import_vs_cp.py MILEPOST_BIN [--posts 2000] [--runs 3] [--dir /dev/shm/import_bench]

Makes an export of POSTS posts, each one 1080x1350 JPEG (20 distinct images,
repeated: neither side looks inside them), in today's layout
(your_instagram_activity/media/posts_1.json), then alternates: copy its media
folder with `cp -r`, and import it into a fresh site. Prints the medians and
their ratio (the target: import at most twice cp).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import time

from PIL import Image, ImageDraw


def make_export(root, posts):
    media = os.path.join(root, "media", "posts", "202401")
    os.makedirs(media, exist_ok=True)
    os.makedirs(os.path.join(root, "your_instagram_activity", "media"), exist_ok=True)
    images = []
    for i in range(20):
        image = Image.new("RGB", (1080, 1350), (i * 12, 120, 200 - i * 8))
        draw = ImageDraw.Draw(image)
        for x in range(0, 1080, 40 + i):
            draw.line([(x, 0), (1080 - x, 1350)], fill=(255 - i * 10, x % 255, 90), width=7)
        path = os.path.join(root, f"base-{i}.jpg")
        image.save(path, "JPEG", quality=85)
        images.append(open(path, "rb").read())
        os.remove(path)
    entries = []
    for n in range(posts):
        name = f"media/posts/202401/{n}.jpg"
        with open(os.path.join(root, name), "wb") as f:
            f.write(images[n % 20])
        entries.append({
            "media": [{"uri": name, "creation_timestamp": 1704067200 + n * 3600, "title": ""}],
            "title": f"Day {n} by the sea #travel #day{n % 30} with @friend_{n % 7}",
            "creation_timestamp": 1704067200 + n * 3600,
        })
    with open(os.path.join(root, "your_instagram_activity", "media", "posts_1.json"), "w") as f:
        json.dump(entries, f)


def timed(command, cwd=None):
    start = time.monotonic()
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("milepost")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/dev/shm/import_bench")
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    export = os.path.join(args.dir, "export")
    make_export(export, args.posts)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(export) for f in fs)
    print(f"export: {args.posts} posts, {size / 1e6:.0f} MB")
    cp, imported = [], []
    for run in range(args.runs):
        copy = os.path.join(args.dir, f"copy-{run}")
        cp.append(timed(["cp", "-r", os.path.join(export, "media"), copy]))
        site = os.path.join(args.dir, f"site-{run}")
        os.makedirs(site)
        with open(os.path.join(site, "site.toml"), "w") as f:
            f.write('title = "Imported"\n')
        imported.append(timed([os.path.abspath(args.milepost), "--site", site, "import", "instagram", export]))
        shutil.rmtree(copy)
        shutil.rmtree(site)
    c, i = statistics.median(cp), statistics.median(imported)
    print(f"cp -r: median {c:.3f} s  {' '.join(f'{t:.3f}' for t in cp)}")
    print(f"import: median {i:.3f} s  {' '.join(f'{t:.3f}' for t in imported)}")
    print(f"import / cp = {i / c:.2f}")


if __name__ == "__main__":
    main()
