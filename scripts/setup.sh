#!/usr/bin/env bash
# Installs everything the build and tests need, idempotently; seconds when all is in place.
#   scripts/setup.sh            wasm32 target, wasm-bindgen-cli (exactly the crate's version), npm packages
#   scripts/setup.sh --browser  also Debian's chromium + chromedriver (headless tests)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "setup: $*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The standard library's source lets build.sh rebuild std for size (see there); optional.
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  say "adding rust-src (std rebuilt for size)"
  rustup component add rust-src || say "rust-src unavailable: the package builds with the prebuilt std (about 8 KB gzip larger)"
fi

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG" ] ||
   [ "$(wasm-bindgen-test-runner --version 2>/dev/null)" != "wasm-bindgen-test-runner $WBG" ]; then
  say "installing wasm-bindgen-cli $WBG (a few minutes, once)"
  if ! cargo install --locked --force wasm-bindgen-cli --version "$WBG"; then
    # Its lockfile may pin a crate version the registry index here lacks; keep every other pin.
    src=$(ls -d "$HOME"/.cargo/registry/src/*/wasm-bindgen-cli-"$WBG" | head -1)
    tmp=$(mktemp -d) && cp -r "$src"/. "$tmp"
    (cd "$tmp" && cargo update -p webpki-roots --precise 1.0.10 && cargo install --locked --force --path .)
    rm -rf "$tmp"
  fi
fi

# npm packages, reinstalled only when package-lock.json changed.
stamp=node_modules/.setup-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$hash" > "$stamp"
fi


if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromedriver"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
say "ok"
