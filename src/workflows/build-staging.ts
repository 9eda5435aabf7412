import { copyFileSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDirName, schemaFileName } from '../dockerfile/plan.js';
import type { BuildRequest } from '../engine/argv.js';
import { localArtifactsStagingDir } from '../requirements/local-artifacts.js';
import type { ModelPlan } from './plan.js';

/**
 * Writes the Dockerfile, its ignore file and the generated files into `.cog/build/`, replacing
 * what an earlier build left there. Each file is written whole to a temporary name and renamed,
 * so an interrupted build never leaves a half-written file for the next one. Local artifacts are
 * hard-linked (a multi-gigabyte wheel costs nothing), copied across filesystems.
 */
export function stageBuildFiles(model: ModelPlan): string {
  const { projectDir } = model.resolution.config;
  const dir = path.join(projectDir, buildDirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(model.build.files)) writeAtomically(path.join(dir, name), text);
  for (const artifact of model.resolution.localArtifacts) {
    linkOrCopy(artifact.source, path.join(dir, localArtifactsStagingDir, ...artifact.stagedAs.split('/')));
  }
  for (const wheel of model.stagedWheels) linkOrCopy(wheel.source, path.join(dir, wheel.name));
  if (model.resolution.schema !== undefined) writeAtomically(path.join(projectDir, schemaFileName), `${model.resolution.schema}\n`);
  writeAtomically(path.join(dir, 'Dockerfile'), model.build.dockerfile);
  writeAtomically(path.join(dir, 'Dockerfile.dockerignore'), model.build.dockerignore);
  return path.join(dir, 'Dockerfile');
}

/**
 * The weights image: built from a context of its own that holds only the weight files, hard-linked
 * from the project (same paths, same inodes, so the same size and mtime), with an ignore file that
 * lets only the weights in. A context of its own matters: BuildKit keeps what it received of a
 * context per directory, and the model's build sends the project without the weights, so two
 * builds from one directory made every weights build send every weight file again (15 s for
 * 1.5 GiB here). Where hard links fail (another filesystem), the project is the context, as before.
 */
export function weightsBuildRequest(projectDir: string, weights: NonNullable<ModelPlan['weights']>): BuildRequest {
  const dir = path.join(projectDir, buildDirName, 'weights');
  mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, 'Dockerfile'), weights.dockerfile);
  writeAtomically(path.join(dir, 'Dockerfile.dockerignore'), weights.dockerignore);
  const context = linkWeightsContext(projectDir, path.join(dir, 'context'), weights.files.map((file) => file.path));
  return { contextDir: context ?? projectDir, dockerfile: path.join(dir, 'Dockerfile'), tag: weights.image };
}

/** Hard links of `files` (project-relative) under `target`; undefined when a link cannot be made. */
function linkWeightsContext(projectDir: string, target: string, files: string[]): string | undefined {
  rmSync(target, { recursive: true, force: true });
  try {
    for (const file of files) {
      const linked = path.join(target, ...file.split('/'));
      mkdirSync(path.dirname(linked), { recursive: true });
      linkSync(path.join(projectDir, ...file.split('/')), linked);
    }
    return target;
  } catch {
    rmSync(target, { recursive: true, force: true });
    return undefined;
  }
}

/** The label step: `FROM <built image>` with the labels, no new layers. */
export function labelBuildRequest(projectDir: string, from: string, tag: string, labels: Record<string, string>): BuildRequest {
  const dir = path.join(projectDir, buildDirName, 'labels');
  mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, 'Dockerfile'), `FROM ${from}\n`);
  return { contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, labels };
}

function linkOrCopy(source: string, target: string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}

/** Writes a whole file under a temporary name, then renames it: never half a file. */
export function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
