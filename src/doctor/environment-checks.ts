import { statfsSync } from 'node:fs';
import type { Config } from '../config/types.js';
import { requireEngine } from '../docker/engine.js';
import type { DockerCli } from '../docker/process.js';
import { describeRoute, detectRoute } from '../engine/route.js';
import { UserError } from '../errors.js';
import { probeEngineStore } from '../image/engine-store.js';
import { formatBytes } from '../ui/format.js';
import type { Finding } from './types.js';
import { readEnv, type Env } from '../settings/env.js';

/** Below this much free space where images live, a model build will likely run out. */
const lowDiskBytes = 10 * 1024 ** 3;
const tooLowDiskBytes = 2 * 1024 ** 3;

/** The machine side of `cog doctor`: the engine, its BuildKit route, disk space. */
export async function checkEngine(docker: DockerCli, env: Env): Promise<Finding[]> {
  if (readEnv('COG_SKIP_DOCKER_CHECK', env)) return [];
  let version: string;
  try {
    version = await requireEngine(docker);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return [{ check: 'env-docker', severity: 'error', message: error.message, fix: error.hint }];
  }
  const findings: Finding[] = [{ check: 'env-docker', severity: 'ok', message: `Docker engine ${version} answers (${docker.binary})` }];
  try {
    findings.push({ check: 'env-buildkit', severity: 'ok', message: `BuildKit route: ${describeRoute(await detectRoute(docker))}` });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    findings.push({ check: 'env-buildkit', severity: 'error', message: error.message, fix: error.hint });
  }
  findings.push(await checkDisk(docker));
  findings.push(await checkLayerSource(docker, env));
  return findings;
}

/**
 * How `cog push` will read the image's layers here: straight from the engine's storage (root on
 * the engine's machine), through a helper container (the docker group, a local engine), or
 * through the engine's export (`docker save`: a remote engine, Docker Desktop). All are correct;
 * the first two are faster, so say which one this user gets, and why.
 */
async function checkLayerSource(docker: DockerCli, env: Env): Promise<Finding> {
  const probe = await probeEngineStore(docker, env);
  let message: string;
  if (probe.available) message = `cog push reads layers from the engine's storage at ${probe.store.root}`;
  else if (probe.helperRoot !== undefined) {
    message = `cog push reads layers from the engine's storage at ${probe.helperRoot} through a helper container (${probe.reason}), else with docker save`;
  } else message = `cog push reads layers with docker save (${probe.reason})`;
  return { check: 'env-layer-source', severity: 'ok', message };
}

async function checkDisk(docker: DockerCli): Promise<Finding> {
  const info = await docker.run(['info', '--format', '{{.DockerRootDir}}']);
  const root = info.stdout.trim();
  let free: number;
  try {
    const stats = statfsSync(root || '/');
    free = stats.bavail * stats.bsize;
  } catch {
    // A remote engine: its disk is not ours to measure.
    return { check: 'env-disk', severity: 'ok', message: `the engine's data root (${root}) is not on this machine; not measured` };
  }
  const message = `${formatBytes(free)} free where the engine keeps images (${root || '/'})`;
  if (free < tooLowDiskBytes) return { check: 'env-disk', severity: 'error', message, fix: 'free space: `docker system prune` removes unused images and build cache' };
  if (free < lowDiskBytes) return { check: 'env-disk', severity: 'warning', message, fix: 'model images are large; consider `docker system prune`' };
  return { check: 'env-disk', severity: 'ok', message };
}

/** The local Python against cog.yaml's (upstream: a warning only; images carry their own Python). */
export async function checkPython(config: Config | undefined): Promise<Finding[]> {
  const wanted = config?.build.pythonVersion;
  const { execa } = await import('execa');
  const result = await execa('python3', ['--version'], { reject: false, stdin: 'ignore', timeout: 3000 });
  const local = /Python (\d+\.\d+)/.exec(String(result.stdout))?.[1];
  if (!local) return [{ check: 'env-python-version', severity: 'warning', message: 'no python3 on PATH', fix: 'only needed to run your predictor outside the image' }];
  if (wanted && !wanted.startsWith(local)) {
    return [{ check: 'env-python-version', severity: 'warning', message: `local Python ${local}, cog.yaml asks for ${wanted} (usually fine: the image has its own)` }];
  }
  return [{ check: 'env-python-version', severity: 'ok', message: `local Python ${local}` }];
}
