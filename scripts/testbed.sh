#!/usr/bin/env bash
# Brings up the real test bed, idempotently: a Docker engine with a BuildKit route, a registry on
# loopback, and stand-in base images built from Debian packages (this machine cannot pull images).
#
#   scripts/testbed.sh             set up (or check) everything, then print the variables
#   scripts/testbed.sh --env       the same, but print only the `export` lines (for `source`)
#   scripts/testbed.sh --down      stop every process the test bed started, by its recorded pid
#   scripts/testbed.sh --packages  the Debian packages the test bed may install, one per line
#
# Knobs (all optional):
#   COGPACK_TESTBED_DIR    state and caches            (default ~/.cache/cogpack-testbed)
#   COGPACK_REGISTRY_PORT  loopback registry port      (default 5555)
#   COGPACK_DEBIAN_MIRROR  mirror for debootstrap      (default: the machine's apt source)
#   COGPACK_BUILDX_VERSION buildx built for the buildx route tests (default v0.19.3; "none" skips)
#   COGPACK_DOCKER_TCP_PORT loopback TCP port the engine also listens on, for the remote-engine
#                          tests, when the test bed starts the engine (default 2375)
#   COGPACK_BUILDKITD_PORT  loopback TCP port of the BuildKit daemon acting as a remote builder
#                          (default 1234; the one with mutual TLS listens on the next port)
set -euo pipefail

STATE="${COGPACK_TESTBED_DIR:-$HOME/.cache/cogpack-testbed}"
RUN_DIR="$STATE/run"          # one <name>.pid per process the test bed started
REGISTRY_PORT="${COGPACK_REGISTRY_PORT:-5555}"
REGISTRY_ADDR="127.0.0.1:${REGISTRY_PORT}"
DOCKER_TCP="tcp://127.0.0.1:${COGPACK_DOCKER_TCP_PORT:-2375}"
# Stand-in base images: "image-name debian-suite". Bookworm carries Python 3.11, trixie 3.13.
BASE_IMAGES=("python:3.11-slim bookworm" "python:3.13-slim trixie")
# Every Debian package the test bed installs (the rest of what the scripts and tests call is on a
# new machine: see docs/testbed.md). Installed together, once, before anything runs in parallel:
# two apt-get processes at once fight over dpkg's lock.
#   docker.io        the engine (dockerd, containerd, runc) and a docker CLI that runs BuildKit builds
#   docker-registry  the loopback registry, and the per-test registries the integration tier starts
#   debootstrap      the stand-in base images
#   skopeo           a peer tool in bench/push.mjs
#   runc             what the BuildKit daemon runs build steps with (docker.io brings it too)
PACKAGES=(docker.io docker-registry debootstrap skopeo runc)

MODE=setup
case "${1:-}" in
  "") ;;
  --env) MODE=env ;;
  --down) MODE=down ;;
  --packages) MODE=packages ;;
  *) echo "usage: scripts/testbed.sh [--env | --down | --packages]" >&2; exit 2 ;;
esac

log() { if [ "$MODE" = env ]; then echo "testbed: $*" >&2; else echo "testbed: $*"; fi; }
die() { echo "testbed: error: $*" >&2; exit 1; }

# Runs one set-up step with its output in a log; on failure, names the step, the command and the
# log's last lines, and stops the test bed's set-up.
run_step() {
  local step="$1" logfile="$2"
  shift 2
  local rc=0
  "$@" >"$logfile" 2>&1 </dev/null || rc=$?
  [ "$rc" = 0 ] && return 0
  {
    echo "testbed: error: $step failed: \`$*\` exited with status $rc"
    echo "testbed: last lines of $logfile:"
    tail -n 15 "$logfile" | sed 's/^/  | /'
  } >&2
  exit 1
}

# --- Processes the test bed starts ---------------------------------------------------------------
# Each runs in its own session so it outlives this script; its pid is recorded for --down.
start_daemon() {
  local name="$1" logfile="$2"
  shift 2
  mkdir -p "$RUN_DIR"
  # The shell records its own pid, then becomes the daemon (exec keeps the pid).
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$RUN_DIR/$name.pid" "$@" >"$logfile" 2>&1 </dev/null &
}

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_recorded() {
  local pidfile name pid i
  [ -d "$RUN_DIR" ] || return 0
  for pidfile in "$RUN_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if pid_alive "$pid"; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      # dockerd stops its containers and its containerd first: give it time before SIGKILL.
      for i in $(seq 1 60); do pid_alive "$pid" || break; sleep 0.5; done
      if pid_alive "$pid"; then
        log "$name (pid $pid) did not stop within 30 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$pidfile"
  done
}

if [ "$MODE" = packages ]; then printf '%s\n' "${PACKAGES[@]}"; exit 0; fi
if [ "$MODE" = down ]; then stop_recorded; exit 0; fi

mkdir -p "$STATE"

# --- Debian packages -----------------------------------------------------------------------------
missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    # A machine that already runs its own engine (Docker Desktop, docker-ce) keeps it: docker.io
    # would conflict with docker-ce's packages.
    if [ "$pkg" = docker.io ] && { command -v dockerd >/dev/null 2>&1 || docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }; then continue; fi
    dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  [ "$(id -u)" = 0 ] || die "the test bed needs these Debian packages, and installing them needs root: sudo apt-get install -y $missing"
  log "installing from Debian: $missing(about a minute, once)"
  # Wait for a lock another apt (unattended upgrades, a second shell) holds, rather than fail.
  run_step "apt-get update" "$STATE/apt.log" apt-get -o DPkg::Lock::Timeout=300 update -qq
  # shellcheck disable=SC2086
  run_step "installing $missing" "$STATE/apt.log" \
    env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing
}

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
  DOCKER=$(pick_client) || die "no Docker CLI that can run BuildKit builds (install docker.io or the buildx plugin)"
  if engine_answers; then return; fi
  [ "$(id -u)" = 0 ] || die "no Docker engine answers, and starting one needs root: start your engine, or run this script as root"
  command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed (apt-get install docker.io)"
  log "starting dockerd (log: $STATE/dockerd.log)"
  # Also on a loopback TCP port: the tests reach it there as a remote engine (DOCKER_HOST=tcp://…).
  start_daemon dockerd "$STATE/dockerd.log" dockerd -H unix:///var/run/docker.sock -H "$DOCKER_TCP"
  local i
  for i in $(seq 1 60); do engine_answers && return; sleep 1; done
  echo "testbed: last lines of $STATE/dockerd.log:" >&2
  tail -n 20 "$STATE/dockerd.log" | sed 's/^/  | /' >&2
  die "starting the engine failed: \`dockerd\` did not answer within 60 s"
}

# --- Registry ----------------------------------------------------------------------------------
registry_answers() { curl -fsS -o /dev/null "http://${REGISTRY_ADDR}/v2/" 2>/dev/null; }

ensure_registry() {
  registry_answers && return
  command -v docker-registry >/dev/null 2>&1 || die "docker-registry is not installed (apt-get install docker-registry)"
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
  start_daemon registry "$dir/registry.log" docker-registry serve "$dir/config.yml"
  local i
  for i in $(seq 1 30); do registry_answers && return; sleep 0.5; done
  echo "testbed: last lines of $dir/registry.log:" >&2
  tail -n 20 "$dir/registry.log" | sed 's/^/  | /' >&2
  die "starting the registry failed: \`docker-registry serve $dir/config.yml\` did not answer on ${REGISTRY_ADDR}"
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
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install debootstrap)"
  local root
  root=$(mktemp -d "$STATE/rootfs-$suite.XXXXXX")
  log "debootstrap $suite (about two minutes, once)"
  # debootstrap mounts /proc inside the root while it works: never follow a mount when cleaning up.
  # shellcheck disable=SC2064
  trap "rm -rf --one-file-system '$root'" EXIT
  run_step "building the $suite stand-in base image" "$STATE/debootstrap-$suite.log" \
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    "$suite" "$root" "$(debian_mirror)"
  # Behave like the official python:*-slim images where a Dockerfile can tell: no PEP 668 marker,
  # and `python`/`pip` on PATH.
  rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
  ln -sf python3 "$root/usr/bin/python"
  ln -sf pip3 "$root/usr/bin/pip"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
}

ensure_base_image() {
  local name="$1" suite="$2"
  "$DOCKER" image inspect "$name" >/dev/null 2>&1 && return
  local tarball="$STATE/rootfs-$suite.tar"
  build_rootfs_tarball "$suite" "$tarball"
  log "importing $name from $suite rootfs"
  run_step "importing $name" "$STATE/import-$suite.log" "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    "$tarball" "$name"
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
  run_step "building the buildx plugin" "$STATE/buildx-build.log" \
    env GOBIN="$STATE/gobin" GOFLAGS=-mod=mod "$go_bin" install "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
  mv "$STATE/gobin/buildx" "$plugin.tmp" && mv "$plugin.tmp" "$plugin"
}
# Distribution v3, a second real registry whose upload sessions survive a cut connection (2.8
# drops them): the push fault tests run against both. Built from the Go module proxy, once.
REGISTRY_V3_VERSION=v3.0.0
REGISTRY_V3_BIN="$STATE/registry-v3/registry"
ensure_registry_v3() {
  [ -x "$REGISTRY_V3_BIN" ] && return
  local go_bin
  go_bin=$(command -v go 2>/dev/null || true)
  [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
  [ -n "$go_bin" ] || die "go is needed to build distribution $REGISTRY_V3_VERSION"
  log "building the distribution $REGISTRY_V3_VERSION registry from the Go module proxy (about two minutes, once)"
  mkdir -p "$STATE/registry-v3"
  run_step "building the distribution $REGISTRY_V3_VERSION registry" "$STATE/registry-v3-build.log" \
    env GOBIN="$STATE/registry-v3/gobin" GOFLAGS=-mod=mod "$go_bin" install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_V3_VERSION"
  mv "$STATE/registry-v3/gobin/registry" "$REGISTRY_V3_BIN.tmp" && mv "$REGISTRY_V3_BIN.tmp" "$REGISTRY_V3_BIN"
}

# --- BuildKit daemon (the remote-builder route) -------------------------------------------------
# A bare buildkitd, as teams run on a big machine: built from the Go module proxy with buildctl,
# its OCI worker running steps with Debian's runc, on a loopback TCP port; a second one with
# mutual TLS. It cannot see the engine's images, so the stand-in base images are copied into the
# loopback registry (hub/library/…), where builds find them through COG_IMAGE_MIRRORS.
BUILDKIT_VERSION=v0.18.2
BUILDKIT_DIR="$STATE/buildkit"
BUILDKITD_PORT="${COGPACK_BUILDKITD_PORT:-1234}"
BUILDKITD_ADDR="tcp://127.0.0.1:${BUILDKITD_PORT}"
BUILDKITD_TLS_ADDR="tcp://127.0.0.1:$((BUILDKITD_PORT + 1))"
HUB_MIRROR="${REGISTRY_ADDR}/hub"

ensure_buildkit_binaries() {
  [ -x "$BUILDKIT_DIR/bin/buildkitd" ] && [ -x "$BUILDKIT_DIR/bin/buildctl" ] && return
  local go_bin
  go_bin=$(command -v go 2>/dev/null || true)
  [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
  [ -n "$go_bin" ] || die "go is needed to build buildkitd $BUILDKIT_VERSION"
  log "building buildkitd and buildctl $BUILDKIT_VERSION from the Go module proxy (a few minutes, once)"
  mkdir -p "$BUILDKIT_DIR"
  run_step "building buildkitd and buildctl $BUILDKIT_VERSION" "$BUILDKIT_DIR/build.log" \
    env GOBIN="$BUILDKIT_DIR/gobin" GOFLAGS=-mod=mod "$go_bin" install \
    "github.com/moby/buildkit/cmd/buildkitd@$BUILDKIT_VERSION" "github.com/moby/buildkit/cmd/buildctl@$BUILDKIT_VERSION"
  mkdir -p "$BUILDKIT_DIR/bin"
  mv "$BUILDKIT_DIR/gobin/buildkitd" "$BUILDKIT_DIR/gobin/buildctl" "$BUILDKIT_DIR/bin/"
}

buildkitd_answers() { "$BUILDKIT_DIR/bin/buildctl" --addr "$1" "${@:2}" debug workers >/dev/null 2>&1; }

# A CA, a server certificate for 127.0.0.1 and a client certificate, for the mutual-TLS daemon.
ensure_buildkit_certs() {
  local dir="$BUILDKIT_DIR/tls"
  [ -s "$dir/client/key.pem" ] && return
  mkdir -p "$dir/server" "$dir/client"
  run_step "making the BuildKit TLS certificates" "$BUILDKIT_DIR/tls.log" bash -c "
    set -e; cd '$dir'
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=cogpack test CA' -keyout ca-key.pem -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server/key.pem -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile server.ext -out server/cert.pem
    openssl req -newkey rsa:2048 -nodes -subj '/CN=cogpack test client' -keyout client/key.pem -out client.csr
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile client.ext -out client/cert.pem
    cp ca.pem server/ca.pem; cp ca.pem client/ca.pem"
}

start_buildkitd() {
  local name="$1" addr="$2" root="$3"
  shift 3
  mkdir -p "$root"
  cat >"$BUILDKIT_DIR/$name.toml" <<TOML
root = "$root"
[worker.oci]
  enabled = true
[worker.containerd]
  enabled = false
[registry."${REGISTRY_ADDR}"]
  http = true
  insecure = true
TOML
  log "starting $name on $addr (log: $BUILDKIT_DIR/$name.log)"
  start_daemon "$name" "$BUILDKIT_DIR/$name.log" "$BUILDKIT_DIR/bin/buildkitd" --config "$BUILDKIT_DIR/$name.toml" --addr "$addr" "$@"
}

ensure_buildkitd() {
  ensure_buildkit_binaries
  ensure_buildkit_certs
  local tls="$BUILDKIT_DIR/tls"
  local client=(--tlscacert "$tls/client/ca.pem" --tlscert "$tls/client/cert.pem" --tlskey "$tls/client/key.pem")
  buildkitd_answers "$BUILDKITD_ADDR" || start_buildkitd buildkitd "$BUILDKITD_ADDR" "$BUILDKIT_DIR/root"
  buildkitd_answers "$BUILDKITD_TLS_ADDR" "${client[@]}" ||
    start_buildkitd buildkitd-tls "$BUILDKITD_TLS_ADDR" "$BUILDKIT_DIR/root-tls" --tlscacert "$tls/server/ca.pem" --tlscert "$tls/server/cert.pem" --tlskey "$tls/server/key.pem"
  local i
  for i in $(seq 1 60); do
    buildkitd_answers "$BUILDKITD_ADDR" && buildkitd_answers "$BUILDKITD_TLS_ADDR" "${client[@]}" && return
    sleep 0.5
  done
  echo "testbed: last lines of $BUILDKIT_DIR/buildkitd.log:" >&2
  tail -n 20 "$BUILDKIT_DIR/buildkitd.log" | sed 's/^/  | /' >&2
  die "starting the BuildKit daemons failed: they did not answer on $BUILDKITD_ADDR and $BUILDKITD_TLS_ADDR"
}

# The stand-in base images, where a builder that cannot see the engine finds them.
seed_base_images() {
  local entry name
  for entry in "${BASE_IMAGES[@]}"; do
    name="${entry%% *}"
    curl -fsS -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://${REGISTRY_ADDR}/v2/hub/library/${name%%:*}/manifests/${name#*:}" 2>/dev/null && continue
    log "copying $name to ${HUB_MIRROR}/library/$name"
    "$DOCKER" tag "$name" "${HUB_MIRROR}/library/$name"
    run_step "copying $name into the loopback registry" "$STATE/seed.log" "$DOCKER" push "${HUB_MIRROR}/library/$name"
    "$DOCKER" image rm "${HUB_MIRROR}/library/$name" >/dev/null
  done
}

# The buildx route needs a client of Docker 19.03+ that loads CLI plugins: the one on PATH.
buildx_client() { command -v docker 2>/dev/null || echo "$DOCKER"; }

# Runs set-up steps in parallel (none of them installs packages), and fails if any failed; each
# failed step has already said what failed.
run_parallel() {
  local pids=() step pid failed=0
  for step in "$@"; do
    # shellcheck disable=SC2086
    $step &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "the test bed is not ready (see the error above)"
}

install_packages
ensure_engine
ensure_registry
base_image_steps=()
for entry in "${BASE_IMAGES[@]}"; do base_image_steps+=("ensure_base_image $entry"); done
run_parallel ensure_buildx ensure_registry_v3 ensure_buildkit_binaries "${base_image_steps[@]}"
ensure_buildkitd
seed_base_images

# The engine on loopback TCP, when it listens there (it does when the test bed started it).
TCP_LINE=""
if DOCKER_HOST="$DOCKER_TCP" "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; then TCP_LINE="export COGPACK_TEST_DOCKER_TCP=$DOCKER_TCP"; fi

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
export COGPACK_TEST_REGISTRY_V3=$REGISTRY_V3_BIN
export COGPACK_TEST_BUILDCTL=$BUILDKIT_DIR/bin/buildctl
export COGPACK_TEST_BUILDKITD=$BUILDKITD_ADDR
export COGPACK_TEST_BUILDKITD_TLS=$BUILDKITD_TLS_ADDR
export COGPACK_TEST_BUILDKIT_TLS_DIR=$BUILDKIT_DIR/tls/client
export COGPACK_TEST_HUB_MIRROR=$HUB_MIRROR
$TCP_LINE
$BUILDX_LINES
ENV
[ "$MODE" = env ] || log "ready: engine $("$DOCKER" version --format '{{.Server.Version}}'), registry $REGISTRY_ADDR, base images: $(printf '%s ' "${BASE_IMAGES[@]%% *}")"
