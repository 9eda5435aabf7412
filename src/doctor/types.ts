/** One thing `cog doctor` found. */
export interface Finding {
  /** The check's name, upstream's where it has one: `config-schema`, `env-docker`. */
  check: CheckName;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  /** What to do about it (absent for `ok`). */
  fix?: string | undefined;
  /** `cog doctor --fix` can apply the fix itself. */
  fixable?: boolean;
}

export interface DoctorReport {
  findings: Finding[];
  /** The checks whose findings `--fix` fixed. */
  fixed: CheckName[];
  /** Fixes that were tried and failed, with why: they count as errors, as upstream's do. */
  failedFixes: Array<{ check: CheckName; reason: string }>;
}

export type CheckGroup = 'Config' | 'Python' | 'Environment';

/**
 * Every check, in the order upstream runs its own (spec build.md §3.2), with its group and the
 * description upstream prints for it; the `env-buildkit`, `env-disk`, `env-layer-source` and
 * `python-predictor-schema` checks are cogpack's own.
 */
export const checks = {
  'config-parse': { group: 'Config', title: 'Config parsing' },
  'config-schema': { group: 'Config', title: 'Config schema' },
  'predict-to-run-migration': { group: 'Config', title: 'Deprecated predict interface names' },
  'config-deprecated-fields': { group: 'Config', title: 'Deprecated config fields' },
  'config-predict-ref': { group: 'Config', title: 'Predict reference' },
  'python-pydantic-basemodel': { group: 'Python', title: 'Pydantic BaseModel workaround' },
  'python-deprecated-imports': { group: 'Python', title: 'Deprecated imports' },
  'python-predictor-schema': { group: 'Python', title: 'Predictor inputs and output' },
  'env-docker': { group: 'Environment', title: 'Docker' },
  'env-buildkit': { group: 'Environment', title: 'BuildKit' },
  'env-disk': { group: 'Environment', title: 'Disk space' },
  'env-layer-source': { group: 'Environment', title: 'How cog push reads layers' },
  'env-python-version': { group: 'Environment', title: 'Python version' },
} as const satisfies Record<string, { group: CheckGroup; title: string }>;

export type CheckName = keyof typeof checks;
