#!/usr/bin/env bash
# Brings up the real test bed, idempotently: a Docker engine with a BuildKit route, a registry on
# loopback, and stand-in base images built from Debian packages (this machine cannot pull images).
# Prints the variables the tests and the demo need; `source <(scripts/testbed.sh --env)` exports them.
#
# Knobs (all optional):
#   COGPACK_TESTBED_DIR    state and caches            (default ~/.cache/cogpack-testbed)
#   COGPACK_REGISTRY_PORT  loopback registry port      (default 5555)
#   COGPACK_DEBIAN_MIRROR  mirror for debootstrap      (default: the machine's apt source)
#   COGPACK_BUILDX_VERSION buildx built for the buildx route tests (default v0.19.3; "none" skips)
set -euo pipefail

STATE="${COGPACK_TESTBED_DIR:-$HOME/.cache/cogpack-testbed}"
REGISTRY_PORT="${COGPACK_REGISTRY_PORT:-5555}"
REGISTRY_ADDR="127.0.0.1:${REGISTRY_PORT}"
# Stand-in base images: "image-name debian-suite". Bookworm carries Python 3.11, trixie 3.13.
BASE_IMAGES=("python:3.11-slim bookworm" "python:3.13-slim trixie")
ENV_ONLY=0
[ "${1:-}" = "--env" ] && ENV_ONLY=1

log() { [ "$ENV_ONLY" = 1 ] && echo "testbed: $*" >&2 || echo "testbed: $*"; }
die() { echo "testbed: error: $*" >&2; exit 1; }
mkdir -p "$STATE"

# --- Docker client -----------------------------------------------------------------------------
# A client that can drive BuildKit: one with the buildx plugin, or a CLI older than 23 that still
# runs BuildKit builds itself (Debian's docker.io 20.10 at /usr/bin/docker).
client_can_build() {
  local bin="$1"
  [ -x "$bin" ] || return 1
  "$bin" buildx version >/dev/null 2>&1 && return 0
  # `docker version` exits non-zero when no engine answers, but still prints the client's version.
  local version major
  version=$("$bin" version --format '{{.Client.Version}}' 2>/dev/null || true)
  major=${version%%.*}
  [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -lt 23 ]
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "need root to install ${missing[*]} (apt-get install ${missing[*]})"
  log "installing ${missing[*]} from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

pick_client() {
  if [ -n "${COG_DOCKER:-}" ] && client_can_build "$COG_DOCKER"; then echo "$COG_DOCKER"; return; fi
  local candidate
  for candidate in "$(command -v docker 2>/dev/null || true)" /usr/bin/docker; do
    if [ -n "$candidate" ] && client_can_build "$candidate"; then echo "$candidate"; return; fi
  done
  return 1
}

engine_answers() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_engine() {
  DOCKER=$(pick_client || true)
  if [ -n "$DOCKER" ] && engine_answers; then return; fi
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  DOCKER=$(pick_client) || die "no Docker CLI that can run BuildKit builds (install docker.io or the buildx plugin)"
  if engine_answers; then return; fi
  log "starting dockerd (log: $STATE/dockerd.log)"
  # No systemd here: run the daemon in its own session so it outlives this script.
  setsid dockerd >"$STATE/dockerd.log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 60); do engine_answers && return; sleep 1; done
  tail -20 "$STATE/dockerd.log" >&2
  die "dockerd did not answer within 60 s"
}

# --- Registry ----------------------------------------------------------------------------------
registry_answers() { curl -fsS -o /dev/null "http://${REGISTRY_ADDR}/v2/" 2>/dev/null; }

ensure_registry() {
  registry_answers && return
  command -v docker-registry >/dev/null 2>&1 || apt_install docker-registry
  command -v curl >/dev/null 2>&1 || apt_install curl
  local dir="$STATE/registry"
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: ${REGISTRY_ADDR}
YAML
  log "starting registry on ${REGISTRY_ADDR} (log: $dir/registry.log)"
  setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 30); do registry_answers && return; sleep 0.5; done
  tail -20 "$dir/registry.log" >&2
  die "registry did not answer on ${REGISTRY_ADDR}"
}

# --- Stand-in base images ----------------------------------------------------------------------
debian_mirror() {
  if [ -n "${COGPACK_DEBIAN_MIRROR:-}" ]; then echo "$COGPACK_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(grep -h -m1 -E '^URIs:.*debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' || true)
  [ -z "$uri" ] && uri=$(grep -h -m1 -E '^deb .*debian/? ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Builds a rootfs tarball for a suite, cached under $STATE (kept across runs, so a fresh engine
# only pays for the import).
build_rootfs_tarball() {
  local suite="$1" tarball="$2"
  [ -s "$tarball" ] && return
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  local root
  root=$(mktemp -d "$STATE/rootfs-$suite.XXXXXX")
  log "debootstrap $suite (about two minutes, once)"
  if ! debootstrap --variant=minbase \
      --include=python3,python3-venv,python3-pip,ca-certificates \
      "$suite" "$root" "$(debian_mirror)" >"$STATE/debootstrap-$suite.log" 2>&1; then
    tail -20 "$STATE/debootstrap-$suite.log" >&2
    rm -rf "$root"
    die "debootstrap $suite failed (log: $STATE/debootstrap-$suite.log)"
  fi
  # Behave like the official python:*-slim images where a Dockerfile can tell: no PEP 668 marker,
  # and `python`/`pip` on PATH.
  rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
  ln -sf python3 "$root/usr/bin/python"
  ln -sf pip3 "$root/usr/bin/pip"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
}

ensure_base_image() {
  local name="$1" suite="$2"
  "$DOCKER" image inspect "$name" >/dev/null 2>&1 && return
  local tarball="$STATE/rootfs-$suite.tar"
  build_rootfs_tarball "$suite" "$tarball"
  log "importing $name from $suite rootfs"
  "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    "$tarball" "$name" >/dev/null
}

ensure_base_images() {
  local pids=() entry
  for entry in "${BASE_IMAGES[@]}"; do
    # shellcheck disable=SC2086
    ensure_base_image $entry &
    pids+=($!)
  done
  local pid failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "could not prepare the stand-in base images"
}

# --- buildx (second BuildKit route) -------------------------------------------------------------
# The machine's Docker 28 client has no buildx plugin and nothing can be downloaded but modules, so
# the plugin is built from the Go module proxy (about two minutes, once) into a private Docker
# config dir. Tests point DOCKER_CONFIG there to take the buildx route; everything else keeps the
# classic route of COG_DOCKER.
BUILDX_VERSION="${COGPACK_BUILDX_VERSION:-v0.19.3}"
BUILDX_CONFIG="$STATE/buildx-docker-config"
ensure_buildx() {
  [ "$BUILDX_VERSION" = none ] && return
  local plugin="$BUILDX_CONFIG/cli-plugins/docker-buildx"
  [ -x "$plugin" ] && return
  local go_bin
  go_bin=$(command -v go 2>/dev/null || true)
  [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
  [ -n "$go_bin" ] || die "go is needed to build the buildx plugin (or set COGPACK_BUILDX_VERSION=none)"
  log "building docker-buildx $BUILDX_VERSION from the Go module proxy (about two minutes, once)"
  mkdir -p "$BUILDX_CONFIG/cli-plugins"
  if ! GOBIN="$STATE/gobin" GOFLAGS=-mod=mod "$go_bin" install "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION" >"$STATE/buildx-build.log" 2>&1; then
    tail -20 "$STATE/buildx-build.log" >&2
    die "building buildx failed (log: $STATE/buildx-build.log)"
  fi
  mv "$STATE/gobin/buildx" "$plugin.tmp" && mv "$plugin.tmp" "$plugin"
}
# The buildx route needs a client of Docker 19.03+ that loads CLI plugins: the one on PATH.
buildx_client() { command -v docker 2>/dev/null || echo "$DOCKER"; }

ensure_engine
ensure_registry
ensure_buildx &
buildx_pid=$!
ensure_base_images
wait "$buildx_pid" || die "could not prepare the buildx plugin"
BUILDX_LINES=""
if [ "$BUILDX_VERSION" != none ]; then
  BUILDX_LINES="export COGPACK_TEST_BUILDX_DOCKER=$(buildx_client)
export COGPACK_TEST_BUILDX_CONFIG=$BUILDX_CONFIG"
fi

# A machine behind a TLS-inspecting proxy trusts extra CAs; builds need them too (COG_CA_CERT is
# the same knob upstream Cog offers its users for this).
CA_DIR=/usr/local/share/ca-certificates
CA_LINE=""
if [ -z "${COG_CA_CERT:-}" ] && compgen -G "$CA_DIR/*.crt" >/dev/null; then CA_LINE="export COG_CA_CERT=$CA_DIR"; fi

cat <<ENV
$CA_LINE
export COG_DOCKER=$DOCKER
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
export COGPACK_TEST_REGISTRY=$REGISTRY_ADDR
$BUILDX_LINES
ENV
[ "$ENV_ONLY" = 1 ] || log "ready: engine $("$DOCKER" version --format '{{.Server.Version}}'), registry $REGISTRY_ADDR, base images: $(printf '%s ' "${BASE_IMAGES[@]%% *}")"
