import { createInterface } from 'node:readline';
import type { DockerCli } from '../docker/process.js';

export interface LogFollower {
  /** True once `docker logs --follow` has ended, which it does when the container stops. */
  readonly ended: boolean;
  /** Stops following (the container is about to be removed). */
  stop(): Promise<void>;
}

/**
 * Follows a container's output (`docker logs --follow`, both streams) line by line, as upstream
 * shows the runtime's setup logs on stderr. Its end is also the cheapest sign that the container
 * stopped: no polling of `docker inspect` while the runtime starts.
 */
export async function followLogs(docker: DockerCli, id: string, onLine: (line: string) => void): Promise<LogFollower> {
  const child = await docker.stream(['logs', '--follow', id], { onStderrLine: onLine });
  let ended = false;
  const reading = (async () => {
    for await (const line of createInterface({ input: child.stdout })) onLine(line);
  })().catch(() => undefined);
  const exited = child.exited.then(
    () => undefined,
    () => undefined,
  );
  void exited.then(() => {
    ended = true;
  });
  return {
    get ended() {
      return ended;
    },
    async stop() {
      if (!ended) child.kill();
      await Promise.all([exited, reading]);
    },
  };
}
