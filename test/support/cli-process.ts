import { execa } from 'execa';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Runs the real `cog` entry point (bin/cog.js) as a user would, without throwing on failure. */
export async function runCog(argv: string[], options: { cwd: string; env?: Record<string, string>; input?: string }) {
  const result = await execa(process.execPath, [path.join(repoRoot, 'bin', 'cog.js'), ...argv], {
    cwd: options.cwd,
    env: options.env,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
