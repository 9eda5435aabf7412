#!/usr/bin/env bash
# The main job, from a fresh machine (idempotent): set up Node, cogpack and the test bed, then
# build the example model with `cog build` and report the image name and size.
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
example=fixtures/hello-world
echo "== cog build ($example)"
start=$(date +%s.%N)
(cd "$example" && cog build -t cogpack-demo/hello-world)
end=$(date +%s.%N)
size=$("$COG_DOCKER" image inspect --format '{{.Size}}' cogpack-demo/hello-world)
awk -v s="$start" -v e="$end" -v b="$size" 'BEGIN { printf "== report\nimage: cogpack-demo/hello-world\nsize:  %d MB\nbuild: %.1f s\n", b / 1000000, e - s }'
