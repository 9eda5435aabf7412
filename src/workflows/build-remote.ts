import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspectImage, loadImage, removeImageName, tagImage } from '../docker/engine.js';
import type { DockerCli } from '../docker/process.js';
import { pipFreezeFile, pipFreezeStage, remoteDockerfile, modelStage, weightsContextName } from '../dockerfile/remote.js';
import { runBuildctl, type BuildctlOutput, type BuildctlRequest } from '../engine/buildctl.js';
import type { BuildkitdRoute } from '../engine/route.js';
import { createBuildProgress } from '../ui/build-progress.js';
import type { Logger } from '../ui/logger.js';
import { writeAtomically, weightsBuildRequest } from './build-staging.js';
import type { ModelPlan } from './plan.js';

/**
 * `cog build` and `cog push` on a BuildKit daemon reached directly (a builder on another machine):
 * it sees no local engine's images and has no engine to run the image in, so
 * - the weights come from a named context of their own (dockerfile/remote.ts), not an image;
 * - the `run.cog.pip_freeze` label comes from a first build of a stage holding only the model's
 *   `uv pip freeze`, handed back as a file; the second build (every step cached by the first)
 *   makes the labelled image;
 * - the result goes into the local engine when there is one (`docker load`, streamed), or into
 *   cogpack's uploader as an OCI archive (`cog push`: no copy of the image anywhere), or stays in
 *   the daemon's cache.
 */

export interface DaemonBuildArgs {
  model: ModelPlan;
  route: BuildkitdRoute;
  /** The staged model Dockerfile (stageBuildFiles). */
  dockerfile: string;
  /** The labels, given the model's pip freeze; undefined: a dev image, unlabelled (no freeze build). */
  labelsWith: ((pipFreeze: string) => Record<string, string>) | undefined;
  noCache?: boolean | undefined;
  secrets: string[];
  cacheTo?: string[] | undefined;
  cacheFrom?: string[] | undefined;
  progress: Parameters<typeof createBuildProgress>[0];
  logger: Logger;
  signal?: AbortSignal | undefined;
}

export type DaemonBuildTarget =
  /** Into the local engine, under `temporary`, then named `image` (the local routes' discipline). */
  | { kind: 'engine'; docker: DockerCli; temporary: string; image: string }
  /**
   * Into `consume`, as an OCI archive (`cog push`); `again` exports it once more (every step
   * cached), for a blob that must be read again.
   */
  | { kind: 'oci'; consume: (archive: Readable, again: () => Promise<Readable>) => Promise<void> }
  /** Nowhere but the daemon's cache. */
  | { kind: 'cache' };

/** Builds the model on the daemon; returns the engine's image info when it was loaded there. */
export async function buildOnDaemon(args: DaemonBuildArgs, target: DaemonBuildTarget): Promise<Awaited<ReturnType<typeof inspectImage>> | undefined> {
  const { model } = args;
  const remote = `${args.dockerfile}.remote`;
  writeAtomically(remote, remoteDockerfile(model.build.dockerfile, model.weights));
  writeAtomically(`${remote}.dockerignore`, model.build.dockerignore);
  const namedContexts: Record<string, string> = model.weights ? { [weightsContextName]: weightsBuildRequest(model.resolution.config.projectDir, model.weights).contextDir } : {};
  const base: Omit<BuildctlRequest, 'output'> = {
    contextDir: model.resolution.config.projectDir,
    dockerfile: remote,
    secrets: args.secrets,
    namedContexts,
    cacheFrom: args.cacheFrom,
  };

  const progress = createBuildProgress(args.progress, args.logger);
  try {
    const loaded = await buildPasses(args, base, target, progress.line);
    progress.stop(true);
    return loaded;
  } catch (error) {
    progress.stop(false);
    throw error;
  }
}

async function buildPasses(
  args: DaemonBuildArgs,
  base: Omit<BuildctlRequest, 'output'>,
  target: DaemonBuildTarget,
  onProgress: (line: string) => void,
): Promise<Awaited<ReturnType<typeof inspectImage>> | undefined> {
  // 1. The model's pip freeze, as a file (every stage it needs is cached for the second build).
  let labels: Record<string, string> = {};
  if (args.labelsWith) {
    const freezeDir = await mkdtemp(path.join(os.tmpdir(), 'cogpack-freeze-'));
    try {
      await runBuildctl(args.route, { ...base, noCache: args.noCache, target: pipFreezeStage, output: { kind: 'local', dest: freezeDir } }, { signal: args.signal, onProgress });
      labels = args.labelsWith((await readFile(path.join(freezeDir, pipFreezeFile), 'utf8')).trimEnd());
    } finally {
      await rm(freezeDir, { recursive: true, force: true });
    }
  }

  // 2. The labelled model, where it is wanted; the cache exported from this build.
  const labelled = { ...base, target: modelStage, labels, cacheTo: args.cacheTo, noCache: args.labelsWith ? false : args.noCache };
  if (target.kind === 'engine') {
    // The temporary name goes whatever happens: the image may be loaded and the build still fail
    // after it (a cache export the registry refused).
    try {
      await runBuildctl(args.route, { ...labelled, output: { kind: 'docker', name: target.temporary } satisfies BuildctlOutput }, {
        signal: args.signal,
        onProgress,
        onOutput: (archive) => loadImage(target.docker, archive, args.signal),
      });
      await tagImage(target.docker, target.temporary, target.image);
      return await inspectImage(target.docker, target.image);
    } finally {
      await removeImageName(target.docker, target.temporary);
    }
  }
  if (target.kind === 'oci') {
    const again = () => exportAgain(args, { ...labelled, output: { kind: 'oci' } });
    await runBuildctl(args.route, { ...labelled, output: { kind: 'oci' } }, { signal: args.signal, onProgress, onOutput: (archive) => target.consume(archive, again) });
    return undefined;
  }
  await runBuildctl(args.route, { ...labelled, output: { kind: 'cache-only' } }, { signal: args.signal, onProgress });
  return undefined;
}

/**
 * The same export once more, as a stream handed over at once: the build (all cached) runs while it
 * is read, and stops when its reader stops.
 */
async function exportAgain(args: DaemonBuildArgs, request: BuildctlRequest): Promise<Readable> {
  const handed = new PassThrough();
  const done = runBuildctl(args.route, request, {
    signal: args.signal,
    onOutput: async (archive) => {
      await pipeline(archive, handed).catch(() => undefined); // the reader may stop early: that is fine
    },
  });
  done.catch((error: unknown) => handed.destroy(error as Error));
  return handed;
}
