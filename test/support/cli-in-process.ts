import { main, reportError } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';

export interface InProcessResult {
  /** The exit code runCli would give. */
  code: number;
  out: string;
  err: string;
}

/** Runs `cog <argv>` in this process, as runCli would, but returning instead of exiting. */
export async function runCogInProcess(argv: string[], cwd = '/nonexistent'): Promise<InProcessResult> {
  const out: string[] = [];
  let err = '';
  let code: number = ExitCode.ok;
  try {
    await main(argv, { print: (line) => out.push(line), writeErr: (text) => (err += text), cwd });
  } catch (error) {
    code = reportError(error, false, (text) => (err += text));
  }
  return { code, out: out.join('\n'), err };
}
