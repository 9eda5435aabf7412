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
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile.json="$report" || status=$?
done
# One plain closing line for both tiers, whatever the reporters printed above.
node -e '
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    try { const r = JSON.parse(require("fs").readFileSync(file, "utf8")); passed += r.numPassedTests; failed += r.numFailedTests; } catch { failed += 1; }
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "${reports[@]}" || true
rm -f "${reports[@]}"
exit "$status"
