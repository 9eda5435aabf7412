import { createDockerCli, type DockerCli } from '../docker/process.js';
import { checkEngine, checkPython } from '../doctor/environment-checks.js';
import { applyProjectFixes, checkConfig, checkDeprecatedImports, checkPredictor } from '../doctor/project-checks.js';
import type { DoctorReport } from '../doctor/types.js';

export interface DoctorOptions {
  cwd: string;
  configFile?: string | undefined;
  /** Apply the safe fixes (`--fix`). */
  fix?: boolean;
  env?: NodeJS.ProcessEnv;
  docker?: DockerCli;
}

/** `cog doctor`: every check, in upstream's order (project, then machine), and the fixes asked for. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const project = checkConfig(options.cwd, options.configFile);
  const findings = [...project.findings];
  if (project.config) {
    findings.push(...(await checkPredictor(project.config)), ...checkDeprecatedImports(project.config));
  }
  findings.push(...(await checkEngine(options.docker ?? createDockerCli(), env)), ...(await checkPython(project.config)));
  const fixed = options.fix && project.config ? applyProjectFixes(project.config, findings) : [];
  return { findings, fixed };
}
