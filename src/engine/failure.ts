/**
 * Reads BuildKit's plain progress after a failed build and keeps what a user needs: the
 * instruction that failed and the last lines of its log, not the whole wall of text.
 */
export interface BuildFailure {
  /** The failing step as BuildKit names it, e.g. `[stage-0 7/10] RUN uv pip install -r ...`. */
  step: string | undefined;
  /** The last log lines of that step, prefixes removed. */
  logTail: string[];
  /** BuildKit's own one-line summary of the error. */
  summary: string | undefined;
}

const stepHeader = /^#(\d+) (\[.+)$/;
const stepLog = /^#(\d+) (\d+\.\d+ )?(.*)$/;

export function parseBuildFailure(lines: string[], tailLength = 15): BuildFailure {
  const names = new Map<string, string>();
  const logs = new Map<string, string[]>();
  let failedId: string | undefined;
  let summary: string | undefined;
  for (const line of lines) {
    const header = stepHeader.exec(line);
    if (header?.[1] && header[2]) {
      names.set(header[1], header[2]);
      continue;
    }
    const log = stepLog.exec(line);
    if (log?.[1] && log[3] !== undefined) {
      const text = log[3];
      if (text.startsWith('ERROR')) failedId = log[1];
      else if (!text.startsWith('sha256:') && text !== 'DONE' && !/^DONE \d/.test(text)) {
        const entry = logs.get(log[1]) ?? [];
        entry.push(text);
        logs.set(log[1], entry);
      }
      continue;
    }
    if (/^(ERROR|error|failed to solve|executor failed)/.test(line)) summary = line;
  }
  return {
    step: failedId ? names.get(failedId) : undefined,
    logTail: failedId ? (logs.get(failedId) ?? []).slice(-tailLength) : lines.slice(-tailLength),
    summary,
  };
}
