import { checks, type CheckGroup, type DoctorReport, type Finding } from './types.js';

export interface ReportMarks {
  ok: string;
  warning: string;
  error: string;
}

const plainMarks: ReportMarks = { ok: '✓', warning: '!', error: '✗' };

/**
 * `cog doctor`'s report as lines, all for stderr (upstream prints the whole report there; stdout
 * stays empty): the experimental notice, each check under its group with what it found, the fix
 * for what is not ok ("Remediation: …", upstream's word), a summary ("no issues found"), and
 * "Fixed: <check>" for each fix applied.
 */
export function renderDoctorReport(report: DoctorReport, marks: ReportMarks = plainMarks): string[] {
  const lines = ['cog doctor is experimental: its checks and their output may change.', ''];
  const fixed = new Set(report.fixed);
  for (const group of ['Config', 'Python', 'Environment'] as CheckGroup[]) {
    const inGroup = report.findings.filter((f) => checks[f.check].group === group);
    if (inGroup.length === 0) continue;
    lines.push(group);
    for (const finding of inGroup) {
      const mark = fixed.has(finding.check) && finding.severity !== 'ok' ? marks.ok : marks[finding.severity];
      lines.push(`  ${mark} ${checks[finding.check].title}: ${finding.message.replaceAll('\n', '\n      ')}`);
      if (finding.severity !== 'ok' && finding.fix && !fixed.has(finding.check)) lines.push(`      Remediation: ${finding.fix}`);
    }
  }
  lines.push('');
  const errors = unfixedErrors(report).length + report.failedFixes.length;
  const warnings = report.findings.filter((f) => f.severity === 'warning' && !fixed.has(f.check)).length;
  if (errors === 0) lines.push(warnings === 0 ? 'no issues found' : `no issues found (${plural(warnings, 'warning')})`);
  else lines.push(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  for (const check of report.fixed) lines.push(`Fixed: ${checks[check].title}`);
  for (const failed of report.failedFixes) lines.push(`Could not fix ${checks[failed.check].title}: ${failed.reason}`);
  const fixable = unfixedErrors(report).some((f) => f.fixable);
  if (fixable && report.fixed.length === 0 && report.failedFixes.length === 0) lines.push('Run `cog doctor --fix` to apply the fixes marked as such.');
  return lines;
}

/** Errors that remain: what makes `cog doctor` exit non-zero, with failed fixes (upstream's rule). */
export function unfixedErrors(report: DoctorReport): Finding[] {
  const fixed = new Set(report.fixed);
  return report.findings.filter((f) => f.severity === 'error' && !fixed.has(f.check));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
