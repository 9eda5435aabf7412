import { checkConfig } from '../doctor/config-checks.js';
import { checkEngine, checkPython } from '../doctor/environment-checks.js';
import { migratePredictToRun } from '../doctor/migrate-predict.js';
import { checkPredictRef } from '../doctor/predictor-checks.js';
import { checkDeprecatedImports, checkPydanticBaseModel, fixPydanticBaseModel, removeDeprecatedImports } from '../doctor/python-fixes.js';
import type { CheckName, DoctorReport, Finding } from '../doctor/types.js';
import type { Config } from '../config/types.js';
import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import { processEnv, type Env } from '../settings/env.js';

export interface DoctorOptions {
  cwd: string;
  configFile?: string | undefined;
  /** Apply the fixes the checks offer (`--fix`). Default false. */
  fix?: boolean;
  env?: Env;
  docker?: DockerCli;
}

/** The fix of each check that has one; it throws with the reason when it cannot apply. */
const fixes: Partial<Record<CheckName, (config: Config) => unknown>> = {
  'predict-to-run-migration': migratePredictToRun,
  'python-pydantic-basemodel': fixPydanticBaseModel,
  'python-deprecated-imports': removeDeprecatedImports,
};

/**
 * `cog doctor`: every check, in upstream's order (config, Python, then the machine), and with
 * `fix`, each fixable check's fix. A check whose fix fails keeps its findings and says why.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? processEnv();
  const project = checkConfig(options.cwd, options.configFile);
  const findings = [...project.findings];
  const config = project.config;
  if (config) findings.push(...(await checkPredictRef(config)), ...(await checkPydanticBaseModel(config)), ...checkDeprecatedImports(config));
  findings.push(...(await checkEngine(options.docker ?? createDockerCli(dockerBinary(env)), env)), ...(await checkPython(config)));

  const report: DoctorReport = { findings, fixed: [], failedFixes: [] };
  if (!options.fix || !config) return report;
  // In check order, as upstream applies them; a fix may move the predictor (predict.py → run.py),
  // so the next one reads cog.yaml again.
  let current = config;
  for (const check of uniqueChecks(findings.filter((f) => f.fixable && f.severity !== 'ok'))) {
    try {
      fixes[check]?.(current);
      report.fixed.push(check);
    } catch (error) {
      report.failedFixes.push({ check, reason: error instanceof Error ? error.message : String(error) });
    }
    current = checkConfig(options.cwd, options.configFile).config ?? current;
  }
  return report;
}

function uniqueChecks(findings: Finding[]): CheckName[] {
  return [...new Set(findings.map((f) => f.check))];
}
