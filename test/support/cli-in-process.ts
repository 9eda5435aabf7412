import { main, reportError } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';
import type { Env } from '../../src/settings/env.js';

export interface InProcessResult {
  /** The exit code runCli would give. */
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `cog <argv>` in this process, as runCli would, but returning instead of exiting. `env` is
 * the environment the command reads (default: the process's).
 */
export async function runCogInProcess(argv: string[], cwd = '/nonexistent', env?: Env): Promise<InProcessResult> {
  const out: string[] = [];
  let err = '';
  let code: number = ExitCode.ok;
  try {
    await main(argv, { print: (line) => out.push(line), writeErr: (text) => (err += text), cwd, ...(env ? { env } : {}) });
  } catch (error) {
    code = reportError(error, false, (text) => (err += text));
  }
  return { code, out: out.join('\n'), err };
}
