#!/usr/bin/env bash
# Makes the demo's one video: a slow pan over the race-day avenue photo, 4 s,
# 640x360 H.264, with the place it was "shot" written in it as a phone does
# (moov/udta/©xyz), so the demo shows milepost publishing it without.
# Needs ffmpeg (Debian: apt install ffmpeg). Made with ffmpeg 5.1.
set -euo pipefail
cd "$(dirname "$0")/.."
post=content/pyongyang-2017/2017-04-13-walk-to-the-start
ffmpeg -hide_banner -loglevel error -y -loop 1 -i content/pyongyang-2017/2017-04-13-race-day/road.jpg \
  -vf "scale=1280:-2,zoompan=z='1.15':x='iw*0.12*on/100':y='ih/2-(ih/zoom/2)':d=100:s=640x360:fps=25" \
  -t 4 -c:v libx264 -preset veryslow -crf 30 -pix_fmt yuv420p -an \
  -metadata location="+39.0437+125.7553/" -metadata title="Walk to the start" \
  -f mov -brand mp42 -movflags +faststart "$post/walk.mp4"
ls -l "$post/walk.mp4"
