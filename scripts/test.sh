#!/usr/bin/env bash
# Every test suite: native Rust (core + emulator over HTTP), the built npm package in Node
# (node:test), TypeScript type tests, and wasm-bindgen-test in Node and headless Chromium,
# all against the emulator on 127.0.0.1. Every suite runs even after one fails; ends with one
# "N passed, N failed" line summed over all of them, and exits non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
# Setup and the builds must succeed for any suite to mean anything: those stop the run.
must() { "$@" || { echo "tests: '$*' failed; no suite was run past it"; exit 1; }; }
must bash scripts/setup.sh --browser

log=$(mktemp)
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT
# A suite that exits non-zero without a failure count of its own (a crash, a build error inside
# it) still counts as one failure.
crashed=0
run() {
  echo "== $*"
  local before rc
  before=$(failures_in "$log")
  "$@" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ] && [ "$(failures_in "$log")" = "$before" ]; then
    echo "== exited $rc with no failure reported: counted as 1 failure: $*"
    crashed=$((crashed + 1))
  fi
}
failures_in() {
  echo $(( $(grep -oE '[0-9]+ failed' "$1" | grep -v '^0' | awk '{s+=$1} END {print s+0}') + $(grep -E '^# fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}') ))
}

run cargo test --workspace
must bash scripts/build.sh
must cargo build --release -p kie-emulator
run timeout 900 node --test --test-timeout=180000 tests/js/
run timeout 900 node --test --test-timeout=180000 tests/e2e/
run timeout 900 node --test --test-timeout=180000 tests/worker/
run timeout 900 node --expose-gc --test --test-timeout=300000 tests/faults/
run timeout 1500 node --test --test-timeout=900000 tests/apps/
run npx --no-install tsc -p tests/types
run npx --no-install typedoc --entryPoints pkg/index.d.ts --out target/docs/api --name kie-kling --readme none --disableSources --logLevel Warn

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
failed=$(( $(failures_in "$log") + crashed ))
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
