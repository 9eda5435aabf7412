#!/usr/bin/env bash
# The main job, from a fresh machine (idempotent): set up Node, cogpack and the test bed, then
# build the example model, predict with it, push it to the local registry, and report.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build

env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
bash scripts/testbed.sh --env >"$env_file"
# shellcheck disable=SC1090
source "$env_file"

root=$PWD
cog() { node "$root/bin/cog.js" "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f s", e - s }'; }

example=fixtures/hello-world
image="$COGPACK_TEST_REGISTRY/cogpack-demo/hello-world:latest"
cd "$example"

echo "== cog build"
t0=$(now)
cog build -t "$image"
t1=$(now)

echo "== cog run"
output=$(cog run "$image" -i text=cogpack)
t2=$(now)
echo "$output"

echo "== cog push"
push_json=$(cog push "$image" --no-build --json)
t3=$(now)
digest=$(printf '%s' "$push_json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).digest))')
size=$("$COG_DOCKER" image inspect --format '{{.Size}}' "$image")

cat <<REPORT
== report
image:      $image
size:       $((size / 1000000)) MB
digest:     $digest
prediction: $output
build:      $(elapsed "$t0" "$t1")
predict:    $(elapsed "$t1" "$t2")
push:       $(elapsed "$t2" "$t3")
REPORT
