import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { repoRoot } from './paths.js';

/**
 * A user who is not root but is in the `docker` group: how most people run Docker on Linux, and
 * how CI runners run. When the tests run as root (CI, the test bed), such a user is created (once;
 * `useradd` from Debian's passwd, on every machine) and cogpack is installed where it can read
 * it; when they already run as such a user, that user is the one.
 */
export interface DockerGroupUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Runs the real `cog` as this user, with only `env` (plus HOME, USER, PATH) in its environment. */
  runCog(argv: string[], options: { cwd: string; env?: Record<string, string>; groups?: 'login' | 'none' }): CogAsUser;
  /** Gives this user a directory (recursively): a project as that user would have it. */
  own(dir: string): void;
  /** Removes what was installed for this user. */
  cleanup(): void;
}

/** The running `cog`: its pid for signals, its streams, and its result once it exits (never rejects). */
export type CogAsUser = ResultPromise<{ reject: false; stdin: 'ignore'; extendEnv: false; cwd: string; env: Record<string, string> }>;

const userName = 'cogpack-docker-user';

export async function dockerGroupUser(): Promise<DockerGroupUser> {
  if (process.getuid!() !== 0) return currentUser();
  const groups = execFileSync('getent', ['group', 'docker'], { encoding: 'utf8' }).trim();
  if (!groups) throw new Error('there is no docker group: install the engine with scripts/testbed.sh (Debian\'s docker.io creates it)');
  if (!idOf(userName)) {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', '--groups', 'docker', userName]);
  } else {
    execFileSync('usermod', ['--append', '--groups', 'docker', userName]);
  }
  const uid = Number(execFileSync('id', ['-u', userName], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', userName], { encoding: 'utf8' }));
  const home = execFileSync('getent', ['passwd', userName], { encoding: 'utf8' }).split(':')[5]!;
  // Root's checkout and Node (under /root, or a private temp dir) are not readable by others:
  // install a copy of the built product as a user would have it, in a directory anyone can read.
  const install = mkdtempSync(path.join(os.tmpdir(), 'cogpack-install-'));
  chmodSync(install, 0o755);
  for (const entry of ['bin', 'dist', 'templates', 'package.json', 'node_modules']) {
    cpSync(path.join(repoRoot, entry), path.join(install, entry), { recursive: true, verbatimSymlinks: true });
  }
  cpSync(process.execPath, path.join(install, 'node'));
  return {
    name: userName,
    uid,
    gid,
    home,
    runCog: (argv, options) =>
      execa(
        'setpriv',
        [`--reuid=${uid}`, `--regid=${gid}`, ...(options.groups === 'none' ? ['--clear-groups'] : ['--init-groups']), '--', path.join(install, 'node'), path.join(install, 'bin', 'cog.js'), ...argv],
        { cwd: options.cwd, env: userEnv(userName, home, install, options.env), extendEnv: false, reject: false, stdin: 'ignore' },
      ),
    own: (dir) => chownTree(dir, uid, gid),
    cleanup: () => rmSync(install, { recursive: true, force: true }),
  };
}

function currentUser(): DockerGroupUser {
  const info = os.userInfo();
  const nodeDir = path.dirname(process.execPath);
  return {
    name: info.username,
    uid: info.uid,
    gid: info.gid,
    home: info.homedir,
    runCog: (argv, options) => {
      if (options.groups === 'none') throw new Error('dropping the docker group needs root (setpriv --clear-groups)');
      return execa(process.execPath, [path.join(repoRoot, 'bin', 'cog.js'), ...argv], {
        cwd: options.cwd,
        env: userEnv(info.username, info.homedir, nodeDir, options.env),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      });
    },
    own: () => undefined,
    cleanup: () => undefined,
  };
}

/** A login-like environment: what a user's shell gives, and what the test passes on purpose. */
function userEnv(name: string, home: string, binDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: home,
    USER: name,
    LOGNAME: name,
    PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'C.UTF-8',
    ...extra,
  };
}

function idOf(name: string): string | undefined {
  try {
    return execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}
