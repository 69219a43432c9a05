#!/usr/bin/env bash
# The main job: sets up, builds the package and the emulator, and serves the demo page from the
# emulator on 127.0.0.1 (PORT=, default 8787). The last line before serving is the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cargo build --release -q -p kie-emulator
site=target/demo-site  # assembled by build.sh
PORT=${PORT:-8787}
fifo=$(mktemp -u) && mkfifo "$fifo"
target/release/kie-emulator --port "$PORT" --serve "$site" > "$fifo" &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -f "$fifo"' EXIT INT TERM
if ! read -r line < "$fifo"; then echo "demo: the emulator did not start (is port $PORT free? try PORT=0)" >&2; exit 1; fi
url=${line#kie-emulator listening on }
echo "demo: $url/"
wait $emu
