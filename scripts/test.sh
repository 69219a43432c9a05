#!/usr/bin/env bash
# Every test suite: native Rust (core + emulator over HTTP), the built npm package in Node
# (node:test), TypeScript type tests, and wasm-bindgen-test in Node and headless Chromium,
# all against the emulator on 127.0.0.1. Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser

log=$(mktemp)
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT
run() { echo "== $*"; "$@" 2>&1 | tee -a "$log"; }

run cargo test --workspace
bash scripts/build.sh
cargo build --release -p kie-emulator
run timeout 900 node --test --test-timeout=180000 tests/js/
run timeout 900 node --test --test-timeout=180000 tests/e2e/
run timeout 900 node --test --test-timeout=180000 tests/worker/
run timeout 900 node --expose-gc --test --test-timeout=300000 tests/faults/
run timeout 1500 node --test --test-timeout=900000 tests/apps/
run npx --no-install tsc -p tests/types
npx --no-install typedoc --entryPoints pkg/index.d.ts --out target/docs/api --name kie-kling --readme none --disableSources --logLevel Warn

# wasm-bindgen-test against an emulator on a free port (the URL is baked in at compile time).
fifo=$(mktemp -u) && mkfifo "$fifo"
target/release/kie-emulator --port 0 --timeline 100,100,100 > "$fifo" &
emu_pid=$!
read -r line < "$fifo"; rm -f "$fifo"
export KIE_EMULATOR_URL=${line#kie-emulator listening on }
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
run cargo test -p kie-kling --target wasm32-unknown-unknown --test web
CHROMEDRIVER=$(command -v chromedriver) WASM_BINDGEN_USE_BROWSER=1 run cargo test -p kie-kling --target wasm32-unknown-unknown --test web

passed=$(( $(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}') + $(grep -E '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -oE '[0-9]+ failed' "$log" | grep -v '^0' | awk '{s+=$1} END {print s+0}') + $(grep -E '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
