import { UserError } from '../errors.js';
import type { DockerCli } from '../docker/process.js';

/** The port the Cog runtime listens on inside the container. */
export const runtimePort = 5000;

export interface StartContainerOptions {
  image: string;
  /** KEY=VALUE environment entries. */
  env?: string[];
  /** Extra `docker run` arguments placed before the image (e.g. volume mounts). */
  runArgs?: string[];
}

export interface RunningContainer {
  id: string;
  /** The host port on 127.0.0.1 that reaches the runtime. */
  port: number;
}

/** Starts a model container with its HTTP port published on a random 127.0.0.1 port. */
export async function startContainer(docker: DockerCli, options: StartContainerOptions): Promise<RunningContainer> {
  const argv = [
    'run',
    '--detach',
    '--publish',
    `127.0.0.1::${runtimePort}`,
    ...(options.env ?? []).flatMap((entry) => ['--env', entry]),
    ...(options.runArgs ?? []),
    options.image,
  ];
  const started = await docker.run(argv);
  const id = started.stdout.trim();
  if (started.exitCode !== 0 || !id) {
    throw new UserError(`could not start a container from ${options.image}: ${started.stderrTail.at(-1) ?? 'no output'}`);
  }
  try {
    const mapped = await docker.run(['port', id, `${runtimePort}/tcp`]);
    const port = Number.parseInt(mapped.stdout.trim().split('\n')[0]?.split(':').at(-1) ?? '', 10);
    if (!Number.isInteger(port)) throw new UserError(`container ${id.slice(0, 12)} published no port for ${runtimePort}`);
    return { id, port };
  } catch (error) {
    await removeContainer(docker, id);
    throw error;
  }
}

/** Removes a container whatever its state; safe to call twice. */
export async function removeContainer(docker: DockerCli, id: string): Promise<void> {
  await docker.run(['rm', '--force', '--volumes', id]);
}
