/** One thing `cog doctor` found. */
export interface Finding {
  /** The check's name, e.g. `config-schema`, `env-docker`. */
  check: string;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  /** What to do about it (absent for `ok`). */
  fix?: string | undefined;
  /** `cog doctor --fix` can apply the fix itself. */
  fixable?: boolean;
}

export interface DoctorReport {
  findings: Finding[];
  /** Fixes applied by --fix, as sentences. */
  fixed: string[];
}
