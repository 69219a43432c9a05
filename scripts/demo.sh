#!/usr/bin/env bash
# The main job: sets up, builds the package and the emulator, and serves the demo page behind
# kie-kling/proxy on 127.0.0.1 (PORT=, default 8787; PORT=0 picks a free one). The upstream is
# the local emulator, or Kie.ai's real API when KIE_API_KEY is set (the key stays in the server
# process). The last line printed is the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cargo build --release -q -p kie-emulator
exec node scripts/demo-server.mjs
