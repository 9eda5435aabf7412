// The closing line of scripts/test.sh, from vitest's JSON reports (one per tier), counted honestly:
// a test that did not run because its file failed first (a beforeAll that found no engine, an
// import that threw) is a failed test, not a skipped one, and a file that failed with no test run
// at all counts once. With CI=true a test skipped on purpose counts as failed too: in CI every
// test must run. Exits 1 when anything counts as failed.
//
// Usage: node scripts/test-summary.mjs REPORT.json [REPORT.json …]
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');
let passed = 0;
let failed = 0;
let notRun = 0;
let skipped = 0;
const brokenFiles = [];

for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    failed += 1;
    brokenFiles.push(`a test tier wrote no report (${file}): vitest itself failed`);
    continue;
  }
  // A tier that stopped before its files ran (its global set-up failed) reports no file at all.
  if ((report.testResults ?? []).length === 0 && report.success === false) {
    failed += 1;
    brokenFiles.push(`a test tier ran no file (${file}): its set-up failed (see the output above)`);
  }
  for (const suite of report.testResults ?? []) {
    const statuses = suite.assertionResults.map((test) => test.status);
    const count = (...wanted) => statuses.filter((status) => wanted.includes(status)).length;
    passed += count('passed');
    failed += count('failed');
    const idle = count('skipped', 'pending', 'todo');
    if (suite.status === 'failed') {
      notRun += idle;
      if (statuses.length === 0) notRun += 1;
      if (idle > 0 || statuses.length === 0) {
        const why = (suite.message || 'its set-up failed').split('\n').find((line) => line.trim()) ?? '';
        brokenFiles.push(`${path.relative(process.cwd(), suite.name)}: ${why.trim().slice(0, 300)}`);
      }
    } else if (ci) {
      notRun += idle;
    } else {
      skipped += idle;
    }
  }
}

failed += notRun;
for (const line of brokenFiles) console.log(`could not run: ${line}`);
const details = [];
if (notRun > 0) details.push(`${notRun} of them did not run`);
const tail = details.length > 0 ? ` (${details.join(', ')})` : '';
console.log(`tests: ${passed} passed, ${failed} failed${tail}${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
