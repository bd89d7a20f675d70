#!/usr/bin/env bash
# Builds the control plane's binaries from Go modules, once, into a cache outside the
# checkout keyed by the pinned versions and the Go toolchain:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok.
# Prints the cache directory on its last line. See test/cluster/README.md.
#
# Why wrapper modules (test/cluster/go/*): `go install k8s.io/kubernetes/cmd/...@v` is refused
# because k8s.io/kubernetes requires its staging modules at v0.0.0 behind ./staging replaces;
# the wrapper replaces each with its published v0.Y.Z twin.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
K8S_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0

need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: $1 not found on PATH: $2" >&2; exit 3; }; }
need go "install Go 1.25 or newer (https://go.dev/dl); Kubernetes ${K8S_VERSION} needs go >= 1.25"
gover="$(go env GOVERSION)"                      # go1.26.8
minor="$(echo "${gover#go1.}" | cut -d. -f1)"
if [ "${minor:-0}" -lt 25 ]; then
  echo "build.sh: Go ${gover} is too old: Kubernetes ${K8S_VERSION} needs Go 1.25 or newer" >&2; exit 3
fi

export GOTOOLCHAIN=local GOFLAGS=-modcacherw CGO_ENABLED=0
key="$(cat "$here"/build.sh "$here"/go/*/go.mod "$here"/go/*/go.sum | sha256sum | cut -c1-12)"
cache_root="${COSMOS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cosmos-operator}"
out="$cache_root/bin/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}-kwok-${KWOK_VERSION}-${gover}-$(go env GOARCH)-${key}"
all=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

complete=1
for b in "${all[@]}"; do [ -x "$out/$b" ] || complete=0; done
if [ "$complete" = 1 ]; then echo "$out"; exit 0; fi

# Two test processes may ask for a build at once: the second waits here for the first, then
# finds the cache complete.
mkdir -p "$cache_root/bin"
exec 9>"$out.lock"
if ! flock -n 9; then
  echo "[build] another build of $out is running; waiting for it ..." >&2
  flock 9
fi
complete=1
for b in "${all[@]}"; do [ -x "$out/$b" ] || complete=0; done
if [ "$complete" = 1 ]; then echo "$out"; exit 0; fi

mkdir -p "$out.partial"
start=$(date +%s)
step() { # name, module dir, then go build arguments
  local name="$1" dir="$2"; shift 2
  if [ -x "$out.partial/$name" ]; then return; fi
  local t0=$(date +%s)
  echo "[build] $name: compiling (started at +$(( t0 - start ))s) ..." >&2
  # A heartbeat so a person watching knows the build is alive; Go prints nothing while it compiles.
  ( while sleep 30; do echo "[build] $name: still compiling, $(( $(date +%s) - t0 ))s" >&2; done ) &
  local beat=$!
  if ! (cd "$here/go/$dir" && go build -trimpath -buildvcs=false "$@") >"$out.partial/$name.log" 2>&1; then
    kill "$beat" 2>/dev/null || true
    echo "build.sh: building $name failed; last lines of $out.partial/$name.log:" >&2
    tail -n 30 "$out.partial/$name.log" >&2
    exit 1
  fi
  kill "$beat" 2>/dev/null || true
  echo "[build] $name: done in $(( $(date +%s) - t0 ))s" >&2
}

K_MINOR="$(echo "${K8S_VERSION#v1.}" | cut -d. -f1)"
ldf="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldf+=" -X $p.gitVersion=${K8S_VERSION} -X $p.gitMajor=1 -X $p.gitMinor=${K_MINOR}"
  ldf+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

step etcd etcd -ldflags="-s -w" -o "$out.partial/etcd" go.etcd.io/etcd/server/v3
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  step "$b" kubernetes -tags=selinux,notest -ldflags="$ldf" -o "$out.partial/$b" "k8s.io/kubernetes/cmd/$b"
done
step kwok kwok -ldflags="-s -w" -o "$out.partial/kwok" sigs.k8s.io/kwok/cmd/kwok

rm -f "$out.partial"/*.log
rm -rf "$out"
mv "$out.partial" "$out"
echo "[build] all binaries in $(( $(date +%s) - start ))s" >&2
echo "$out"
