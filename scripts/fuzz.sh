#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 60) and prints executions, crashes and hangs:
# the native targets (tests/fuzz.rs), then the JS boundary fuzzer (tests/js/boundary.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-60}
cargo test --release -p kie-kling --test fuzz -- --ignored --nocapture fuzz_long
# The JS boundary: the fast-check fuzzer over every export and method, for FUZZ_SECONDS.
bash scripts/build.sh
cargo build --release -q -p kie-emulator
node --test --test-timeout=$(( (FUZZ_SECONDS + 600) * 1000 )) --test-name-pattern "boundary fuzzer" tests/js/boundary.test.mjs
