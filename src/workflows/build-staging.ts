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
  const dir = path.join(model.config.projectDir, buildDirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(model.build.files)) writeAtomically(path.join(dir, name), text);
  for (const artifact of model.localArtifacts) {
    linkOrCopy(artifact.source, path.join(dir, localArtifactsStagingDir, ...artifact.stagedAs.split('/')));
  }
  for (const wheel of model.stagedWheels) linkOrCopy(wheel.source, path.join(dir, wheel.name));
  if (model.schema !== undefined) writeAtomically(path.join(model.config.projectDir, schemaFileName), `${model.schema}\n`);
  writeAtomically(path.join(dir, 'Dockerfile'), model.build.dockerfile);
  writeAtomically(path.join(dir, 'Dockerfile.dockerignore'), model.build.dockerignore);
  return path.join(dir, 'Dockerfile');
}

/** The weights image: built from the project with an ignore file that lets only the weights in. */
export function weightsBuildRequest(projectDir: string, weights: NonNullable<ModelPlan['weights']>): BuildRequest {
  const dir = path.join(projectDir, buildDirName, 'weights');
  mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, 'Dockerfile'), weights.dockerfile);
  writeAtomically(path.join(dir, 'Dockerfile.dockerignore'), weights.dockerignore);
  return { contextDir: projectDir, dockerfile: path.join(dir, 'Dockerfile'), tag: weights.image };
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

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
