#!/usr/bin/env python3
"""Cold and warm builds of one site by two milepost binaries, same run, order
alternating: for "no slower than before" after a change.

    python3 benches/old_new.py SITE OLD_BIN NEW_BIN [--runs 7] [--out /dev/shm/old_new]
                               [--new-site SITE2]

--new-site gives the new binary its own copy of the site, for a setting the
old binary does not know (such as `[search] enabled = true`).

Each run, for each binary: remove SITE/.milepost (photo cache and build
record), build into a new folder under --out (cold), build again (warm),
remove the folder. --out defaults to tmpfs: on this machine's ext4, files
deleted in the last minutes slow the creation of new ones (docs/BENCHMARKS.md),
which would swamp the difference. Prints the median wall and CPU (user+sys)
time of each mode, and every run.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import time


def timed(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default="/dev/shm/old_new")
    ap.add_argument("--new-site", default=None)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tools = [("old", args.old, args.site), ("new", args.new, args.new_site or args.site)]
    results = {(name, mode): [] for name, _, _ in tools for mode in ("cold", "warm")}
    for run in range(args.runs):
        for name, binary, site in tools if run % 2 == 0 else tools[::-1]:
            shutil.rmtree(os.path.join(site, ".milepost"), ignore_errors=True)
            out = os.path.join(args.out, f"{name}-{run}")
            command = [binary, "--site", site, "build", "--output", out]
            results[(name, "cold")].append(timed(command))
            results[(name, "warm")].append(timed(command))
            shutil.rmtree(out)
    for (name, mode), samples in results.items():
        walls = [wall for wall, _ in samples]
        cpus = [cpu for _, cpu in samples]
        print(f"{name} {mode}: median wall {statistics.median(walls):.3f} s, cpu {statistics.median(cpus):.3f} s"
              f"   walls {' '.join(f'{w:.3f}' for w in walls)}")


if __name__ == "__main__":
    main()
