#!/usr/bin/env bash
# The main job: sets up, builds the package and the emulator, starts the emulator on 127.0.0.1
# (PORT=, default 8787) and takes the vendor's example request to a finished video through the SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cargo build --release -q -p kie-emulator
PORT=${PORT:-8787}
target/release/kie-emulator --port "$PORT" > /dev/null &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/__emulator/counters" >/dev/null 2>&1 && break; sleep 0.1; done
KIE_BASE_URL="http://127.0.0.1:$PORT" node examples/node/generate.mjs "$@"
