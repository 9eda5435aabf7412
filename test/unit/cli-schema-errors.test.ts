import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, reportError } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';

// An annotation the schema cannot describe fails `cog build` before any engine is involved,
// naming the file and line, with no stack.
describe('cog build with a predictor the schema cannot describe', () => {
  it('names file:line and exits 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-badschema-'));
    writeFileSync(path.join(dir, 'cog.yaml'), 'build:\n  python_version: "3.11"\nrun: predict.py:Predictor\n');
    writeFileSync(
      path.join(dir, 'predict.py'),
      'from cog import BasePredictor\n\n\nclass Predictor(BasePredictor):\n    def predict(self, tags: set[str]) -> str:\n        return ""\n',
    );
    let stderr = '';
    let code: number = ExitCode.ok;
    try {
      await main(['build'], { cwd: dir, print: () => {}, writeErr: (t) => (stderr += t) });
    } catch (error) {
      code = reportError(error, false, (t) => (stderr += t));
    }
    expect(code).toBe(ExitCode.userError);
    expect(stderr).toMatch(/^error: predict\.py:5: unsupported input type "set\[str\]" for parameter "tags"/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
