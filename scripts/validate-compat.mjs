#!/usr/bin/env node
// Checks the compatibility matrix shipped in dist/compat/data: every torch and TensorFlow row must
// lead to an existing base image (and torch rows to their own wheel), or be on the known-bad list
// in src/compat/validate.ts with a reason. Run after refreshing the data: `npm run build` first.
// Exits 1 when a row fails to resolve and nobody recorded why.
import { validateMatrix } from '../dist/compat/validate.js';

const findings = validateMatrix();
const width = Math.max(...findings.map((f) => `${f.framework} ${f.version}`.length));
for (const finding of findings) {
  const name = `${finding.framework} ${finding.version}`.padEnd(width);
  const cuda = (finding.cuda ?? 'cpu').padEnd(5);
  const detail = finding.reason ?? finding.image ?? '';
  console.log(`${finding.status.padEnd(12)} ${name}  ${cuda} ${detail}`);
}

const unresolvable = findings.filter((f) => f.status === 'unresolvable');
const count = (status) => findings.filter((f) => f.status === status).length;
console.log(
  `\n${findings.length} rows: ${count('ok')} ok, ${count('adjusted')} adjusted, ${count('known-bad')} known bad, ${unresolvable.length} unresolvable`,
);
if (unresolvable.length > 0) {
  console.error('Some rows do not resolve: fix the data or the code, or add them to knownBadRows with the reason.');
  process.exit(1);
}
