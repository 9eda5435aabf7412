import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Global setup for both tiers: every temp dir a test makes (projects, caches, registries' storage)
 * goes under one folder of this run, removed at the end, so runs do not pile up in /tmp. It is
 * world-writable with the sticky bit, as /tmp is: the docker-group user's tests reach into it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cogpack-tests-'));
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      // Files a container wrote as root cannot be removed by a non-root run: say so, fail nothing.
      console.warn(`could not remove the tests' temp folder ${root}: ${(error as Error).message}`);
    }
  };
}
