import { processEnv, readEnv, type Env } from '../settings/env.js';

/** What the OCI labels say about the source an image was built from. */
export interface SourceInfo {
  /** Commit hash: `$GITHUB_SHA`, else `git rev-parse HEAD`. */
  revision?: string | undefined;
  /** `$GITHUB_REF_NAME`, else `git describe --tags --dirty`. */
  version?: string | undefined;
}

/** Upstream gives git 3 s; a hung git must not hang a build. */
const gitTimeoutMs = 3000;

/**
 * Reads the source's revision and version, as upstream does: CI variables first, then git. No git,
 * no repository or a slow git just leave the fields out: labels are best-effort.
 */
export async function readSourceInfo(projectDir: string, env: Env = processEnv()): Promise<SourceInfo> {
  const [revision, version] = await Promise.all([
    readEnv('GITHUB_SHA', env) ?? git(projectDir, ['rev-parse', 'HEAD']),
    readEnv('GITHUB_REF_NAME', env) ?? git(projectDir, ['describe', '--tags', '--dirty']),
  ]);
  return { revision, version };
}

async function git(cwd: string, argv: string[]): Promise<string | undefined> {
  const { execa } = await import('execa');
  const result = await execa('git', argv, { cwd, reject: false, timeout: gitTimeoutMs, stdin: 'ignore' });
  const out = String(result.stdout ?? '').trim();
  return result.exitCode === 0 && out ? out : undefined;
}
