#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 60) and prints executions, crashes and hangs.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-60}
cargo test --release -p kie-kling --test fuzz -- --ignored --nocapture fuzz_long
