// The benchmarks' user who is not root but is in the docker group (how most Linux users and CI
// runners run Docker): created once when the bench runs as root, given a copy of the built product
// it can read (root's checkout and Node may not be), and run with setpriv. The integration tier
// has the same user (test/support/docker-group-user.ts); this is the bench's plain-JS side of it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const name = 'cogpack-docker-user';

/** The user, and a way to run the installed `cog` as that user, timed, with its peak memory. */
export function benchUser(root) {
  if (process.getuid() !== 0) throw new Error('the bench creates its docker-group user as root: run it as root (as the test bed does)');
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    execFileSync('usermod', ['--append', '--groups', 'docker', name]);
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', '--groups', 'docker', name]);
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
  const home = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).split(':')[5];
  const install = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-install-'));
  chmodSync(install, 0o755);
  for (const entry of ['bin', 'dist', 'templates', 'package.json', 'node_modules']) cpSync(path.join(root, entry), path.join(install, entry), { recursive: true, verbatimSymlinks: true });
  cpSync(process.execPath, path.join(install, 'node'));
  return {
    uid,
    /** A directory this user owns. */
    ownedDir(prefix) {
      const dir = mkdtempSync(path.join(tmpdir(), prefix));
      execFileSync('chown', ['-R', `${uid}:${gid}`, dir]);
      return dir;
    },
    /** Runs `cog argv` as the user under GNU time: { status, stdout, stderr, seconds, peakKiB }. */
    cog(argv, { cwd, env }) {
      const started = process.hrtime.bigint();
      const result = spawnSync(
        'setpriv',
        [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', '/usr/bin/time', '-f', '%M', path.join(install, 'node'), path.join(install, 'bin', 'cog.js'), ...argv],
        { cwd, env: { HOME: home, USER: name, PATH: `${install}:/usr/local/bin:/usr/bin:/bin`, LANG: 'C.UTF-8', ...env }, encoding: 'utf8' },
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds, peakKiB: Number(result.stderr.trim().split('\n').at(-1)) };
    },
    cleanup: () => rmSync(install, { recursive: true, force: true }),
  };
}
