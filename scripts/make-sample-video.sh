#!/usr/bin/env bash
# Makes the tiny MP4 the emulator serves as every generated video (committed as
# emulator/assets/sample.mp4; rerun only to change it). Needs ffmpeg (apt-get install ffmpeg).
set -euo pipefail
cd "$(dirname "$0")/.."
ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x90:rate=12:duration=2" \
  -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -movflags +faststart -an emulator/assets/sample.mp4
ls -l emulator/assets/sample.mp4
