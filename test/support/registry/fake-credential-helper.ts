import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FakeHelper {
  /** Directory to put first on PATH. */
  binDir: string;
  /** What the helper holds now: server URL → `{ Username, Secret }`. */
  held(): Promise<Record<string, { Username: string; Secret: string }>>;
  /** Every call: the verb and what came on stdin. */
  calls(): Promise<Array<{ verb: string; input: string }>>;
}

/**
 * Installs `docker-credential-<name>` in `dir/bin`: a real executable speaking the credential
 * helper protocol (`get` with the server URL on stdin, `store` with JSON), backed by a JSON file.
 */
export async function installFakeHelper(dir: string, name: string, held: Record<string, { Username: string; Secret: string }> = {}): Promise<FakeHelper> {
  const binDir = path.join(dir, 'bin');
  await mkdir(binDir, { recursive: true });
  const data = path.join(binDir, `${name}-data.json`);
  const log = path.join(binDir, `${name}-calls.jsonl`);
  await writeFile(data, JSON.stringify(held));
  await writeFile(log, '');
  const script = `#!${process.execPath}
const fs = require('fs');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const verb = process.argv[2];
  fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ verb, input }) + '\\n');
  const held = JSON.parse(fs.readFileSync(${JSON.stringify(data)}, 'utf8'));
  if (verb === 'get') {
    const entry = held[input.trim()];
    if (!entry) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
    process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...entry }));
  } else if (verb === 'store') {
    const entry = JSON.parse(input);
    held[entry.ServerURL] = { Username: entry.Username, Secret: entry.Secret };
    fs.writeFileSync(${JSON.stringify(data)}, JSON.stringify(held));
  } else { process.exit(2); }
});
`;
  await writeFile(path.join(binDir, `docker-credential-${name}`), script, { mode: 0o755 });
  return {
    binDir,
    held: async () => JSON.parse(await readFile(data, 'utf8')) as Record<string, { Username: string; Secret: string }>,
    calls: async () =>
      (await readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { verb: string; input: string }),
  };
}
