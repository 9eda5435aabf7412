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
report=$(mktemp)
args=(run --reporter=default --reporter=json --outputFile.json="$report")
[ "$tier" = unit ] && args+=(--project unit)
status=0
npx vitest "${args[@]}" || status=$?
# One plain closing line, whatever the reporter printed above.
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$report" || true
rm -f "$report"
exit "$status"
