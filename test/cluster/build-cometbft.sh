#!/usr/bin/env bash
# Builds a real CometBFT from Go modules, once per machine, into a cache outside the checkout
# keyed by its version: <cache>/bin/cometbft-<version>/cometbft. Prints that path on its last
# line. test/integration/cosmos/real-comet.test.ts runs it to check the fake CometBFT's /status
# (test/support/fake-comet.ts) against the real one. See test/cluster/README.md.
#
# No wrapper module, unlike build.sh: cometbft's go.mod has no replace directives, so
# `go install module/cmd@version` builds it with exactly the dependency versions it was released
# with, checked against the checksum database.
set -euo pipefail

COMETBFT_VERSION=v0.38.26

need() { command -v "$1" >/dev/null 2>&1 || { echo "build-cometbft.sh: $1 not found on PATH: $2" >&2; exit 3; }; }
need go "install Go 1.22 or newer (https://go.dev/dl) to build cometbft ${COMETBFT_VERSION}"

# The same settings as build.sh: no toolchain download, a module cache `rm -rf` can clean,
# a static binary (goleveldb, cometbft's default database, is pure Go).
export GOTOOLCHAIN=local GOFLAGS=-modcacherw CGO_ENABLED=0
cache_root="${COSMOS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cosmos-operator}"
out="$cache_root/bin/cometbft-${COMETBFT_VERSION}"

if [ -x "$out/cometbft" ]; then echo "$out/cometbft"; exit 0; fi

# Two test processes may ask at once: the second waits for the first, then finds the binary.
mkdir -p "$cache_root/bin"
exec 9>"$out.lock"
if ! flock -n 9; then
  echo "[build] another build of $out is running; waiting for it ..." >&2
  flock 9
fi
if [ -x "$out/cometbft" ]; then echo "$out/cometbft"; exit 0; fi

rm -rf "$out.partial"
mkdir -p "$out.partial"
t0=$(date +%s)
echo "[build] cometbft ${COMETBFT_VERSION}: compiling (about 2 minutes the first time) ..." >&2
# Go prints nothing while it compiles; a heartbeat tells a person watching it is alive.
( while sleep 30; do echo "[build] cometbft: still compiling, $(( $(date +%s) - t0 ))s" >&2; done ) &
beat=$!
trap 'kill "$beat" 2>/dev/null || true' EXIT
if ! GOBIN="$out.partial" go install -trimpath -ldflags="-s -w" \
    "github.com/cometbft/cometbft/cmd/cometbft@${COMETBFT_VERSION}" >"$out.partial.log" 2>&1; then
  echo "build-cometbft.sh: building cometbft failed; last lines of $out.partial.log:" >&2
  tail -n 30 "$out.partial.log" >&2
  exit 1
fi
rm -f "$out.partial.log"
rm -rf "$out"
mv "$out.partial" "$out"
echo "[build] cometbft: done in $(( $(date +%s) - t0 ))s" >&2
echo "$out/cometbft"
