import { formatBytes } from './format.js';
import type { Logger } from './logger.js';
import { interactiveTerminal } from './build-progress.js';

export type LayerState = 'waiting' | 'checking' | 'pushing' | 'retrying' | 'exists' | 'mounted' | 'pushed';

interface LayerLine {
  name: string;
  state: LayerState;
  sent: number;
  total: number | undefined;
  /** Why it is retrying, and how (`503, chunk sent again`; `upload session lost, now 32 MiB chunks`). */
  note?: string | undefined;
  started: number;
  finished?: number;
}

export interface PushProgress {
  update(id: string, change: { state?: LayerState; sent?: number; total?: number; name?: string; note?: string }): void;
  /** Stops redrawing; plain mode prints nothing more. */
  stop(): void;
}

/** How often plain output reports an upload still under way. */
const plainIntervalMs = 10_000;

/**
 * One line per layer: its name, what is happening (`exists`, `mounted`, `pushed`, bytes and rate
 * while pushing). On a terminal the block is redrawn in place; elsewhere (CI, a pipe) each change
 * of state is one plain line, and a long upload reports every ten seconds.
 */
export function createPushProgress(logger: Logger, options: { interactive?: boolean; now?: () => number } = {}): PushProgress {
  const interactive = options.interactive ?? interactiveTerminal();
  const now = options.now ?? Date.now;
  const layers = new Map<string, LayerLine>();
  let drawn = 0;
  let lastPlain = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const render = (line: LayerLine) => {
    const elapsed = ((line.finished ?? now()) - line.started) / 1000;
    const bytes = line.total ? `${formatBytes(line.sent)}/${formatBytes(line.total)}` : formatBytes(line.sent);
    // A rate means something only for a transfer of some size and length.
    const rate = line.sent > 1024 * 1024 && elapsed >= 0.5 ? ` ${formatBytes(line.sent / elapsed)}/s` : '';
    const detail = line.state === 'pushing' || line.state === 'retrying' || line.state === 'pushed' ? ` ${bytes}${rate}` : '';
    const note = line.state === 'retrying' && line.note ? ` (${line.note})` : '';
    return `${line.name.padEnd(19)} ${line.state}${detail}${note}`;
  };
  const redraw = () => {
    const lines = [...layers.values()].map(render);
    const up = drawn > 0 ? `\x1b[${drawn}A` : '';
    process.stderr.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawn = lines.length;
  };
  if (interactive) timer = setInterval(redraw, 200).unref();

  return {
    update(id, change) {
      const line = layers.get(id) ?? { name: change.name ?? id, state: 'waiting' as LayerState, sent: 0, total: undefined, started: now() };
      // Each retry is news, even when the layer was already retrying.
      const stateChanged = change.state !== undefined && (change.state !== line.state || change.note !== undefined);
      const resumed = line.state === 'retrying';
      Object.assign(line, Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)));
      // The rate counts from the start of the upload, retries included.
      if (change.state === 'pushing' && stateChanged && !resumed) line.started = now();
      if (change.state !== undefined && change.state !== 'retrying') line.note = undefined;
      if (change.state === 'pushed' || change.state === 'exists' || change.state === 'mounted') line.finished = now();
      layers.set(id, line);
      if (interactive) return;
      const due = now() - (lastPlain.get(id) ?? 0) >= plainIntervalMs;
      if (stateChanged || (line.state === 'pushing' && due)) {
        lastPlain.set(id, now());
        logger.info('push', render(line));
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      if (interactive) redraw();
      lastPlain = new Map();
    },
  };
}
