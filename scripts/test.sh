#!/usr/bin/env bash
# The one command that sets up and runs every test, on a fresh machine or a used one (idempotent):
# a supported Node, the npm dependencies, the real test bed (scripts/testbed.sh), the type check,
# then both test tiers. `bash scripts/test.sh unit` runs the unit tier only (no engine needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh

tier="${1:-all}"
npm ci --no-audit --no-fund --loglevel=error

if [ "$tier" != unit ]; then
  env_file=$(mktemp)
  trap 'rm -f "$env_file"' EXIT
  bash scripts/testbed.sh --env >"$env_file"
  # shellcheck disable=SC1090
  source "$env_file"
fi

npm run --silent typecheck
# The tiers one after the other: the unit tier's timing tests never compete with image builds.
projects=(unit)
[ "$tier" = unit ] || projects+=(integration)
status=0
reports=()
for project in "${projects[@]}"; do
  report=$(mktemp)
  reports+=("$report")
  # Integration files run in a random order (vitest prints the seed; `--sequence.seed N` repeats
  # it): no file may rely on another having run first.
  order=()
  [ "$project" = integration ] && order=(--sequence.shuffle.files)
  npx vitest run --project "$project" "${order[@]}" --reporter=default --reporter=json --outputFile.json="$report" || status=$?
done
# One plain closing line for both tiers, whatever the reporters printed above; a test that could
# not run counts as failed (scripts/test-summary.mjs).
node scripts/test-summary.mjs "${reports[@]}" || status=1
rm -f "${reports[@]}"
exit "$status"
