/**
 * The kinds of value a flag or an environment variable takes, each read one way: a size, a count,
 * a number of seconds, a choice. A kind says in words what it allows (`expects`), which ends every
 * message about a bad value: `--chunk-size takes a size from 1 byte to 4GiB (96MiB, 16M or bytes),
 * not "lots"`. The command boundary (commands/options.ts) wraps `read` in a zod schema; an
 * environment variable's text goes through the same `read` (env.ts).
 */

/** A raw value as commander gives it (text, `true` for a bare flag, a list for a repeated one) or as the environment holds it. */
export type RawValue = string | boolean | string[];

export type KindName = 'text' | 'switch' | 'list' | 'choice' | 'count' | 'size' | 'seconds' | 'bool' | 'custom';

export interface ValueKind<T> {
  readonly name: KindName;
  /** What is allowed, worded to follow "takes": `a whole number from 1 to 256`. */
  readonly expects: string;
  /** Inclusive bounds, for the number kinds (count, size, seconds); `whole`: no fractions. */
  readonly range?: { readonly min: number; readonly max: number; readonly whole?: boolean };
  /** The allowed values of a choice. */
  readonly choices?: readonly string[];
  /** The kind of each value of a repeatable flag, so a message can name the one that is wrong. */
  readonly item?: ValueKind<unknown>;
  /** The value, or undefined when `raw` is not one this kind allows. */
  read(raw: RawValue): T | undefined;
}

/** The value type of a kind. */
export type KindValue<K> = K extends ValueKind<infer T> ? T : never;

/** Any text, as given. */
export function text(expects = 'a value'): ValueKind<string> {
  return { name: 'text', expects, read: (raw) => (typeof raw === 'string' ? raw : undefined) };
}

/** A flag without a value (`--json`, `--no-cache`): true or false. */
export function switchFlag(): ValueKind<boolean> {
  return { name: 'switch', expects: 'no value', read: (raw) => (typeof raw === 'boolean' ? raw : undefined) };
}

/** A repeatable flag's values, in order: any text each. */
export function list(): ValueKind<string[]> {
  return listOf(text());
}

/** A repeatable flag's values, in order, each read by `item`. */
export function listOf<T>(item: ValueKind<T>): ValueKind<T[]> {
  return {
    name: 'list',
    expects: item.expects,
    item,
    read: (raw) => {
      if (!Array.isArray(raw)) return undefined;
      const values: T[] = [];
      for (const value of raw) {
        const read = item.read(value);
        if (read === undefined) return undefined;
        values.push(read);
      }
      return values;
    },
  };
}

/** One of a fixed set of words. */
export function choice<const C extends string>(choices: readonly C[]): ValueKind<C> {
  return {
    name: 'choice',
    expects: joinWords(choices),
    choices,
    read: (raw) => (typeof raw === 'string' ? choices.find((c) => c === raw.trim()) : undefined),
  };
}

/** A whole number within a range: `--concurrency`, `--compression-level`, `--port`. */
export function count(range: { min: number; max: number }, expects = `a whole number from ${range.min} to ${range.max}`): ValueKind<number> {
  return {
    name: 'count',
    expects,
    range,
    read: (raw) => {
      if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) return undefined;
      return within(Number(raw.trim()), range);
    },
  };
}

/** A number of bytes, written as people write sizes: `96MiB`, `16M`, `1.5G`, `1048576`. */
export function size(range: { min: number; max: number }): ValueKind<number> {
  const bounds = range.min > 0 ? `from ${formatSize(range.min)} to ${formatSize(range.max)}` : `up to ${formatSize(range.max)}`;
  return {
    name: 'size',
    expects: `a size ${bounds} (96MiB, 16M or bytes)`,
    range,
    read: (raw) => {
      const bytes = typeof raw === 'string' ? readSize(raw) : undefined;
      return bytes === undefined ? undefined : within(bytes, range);
    },
  };
}

/**
 * A duration in seconds (`3`, `0.5`): `whole` for upstream's integer flags (`--setup-timeout`).
 * The maximum keeps a timer in range: Node's timers take at most 2^31 - 1 ms.
 */
export function seconds(range: { min: number; max: number; whole?: boolean }): ValueKind<number> {
  const what = range.whole ? 'a whole number of seconds' : 'a number of seconds';
  return {
    name: 'seconds',
    expects: `${what} from ${range.min} to ${range.max}`,
    range,
    read: (raw) => {
      const pattern = range.whole ? /^\d+$/ : /^(\d+(\.\d*)?|\.\d+)$/;
      if (typeof raw !== 'string' || !pattern.test(raw.trim())) return undefined;
      return within(Number(raw.trim()), range);
    },
  };
}

/** true or false (also 1/0, yes/no); a bare flag of an optional value (`--use-cog-base-image`) is true. */
export function bool(): ValueKind<boolean> {
  return {
    name: 'bool',
    expects: 'true or false',
    read: (raw) => {
      if (raw === true) return true;
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (['true', '1', 'yes'].includes(text)) return true;
      if (['false', '0', 'no'].includes(text)) return false;
      return undefined;
    },
  };
}

/** A value read by a parser of its own (`--gpus`, `--publish`); `read` returns undefined for a bad one. */
export function custom<T>(expects: string, read: (text: string) => T | undefined): ValueKind<T> {
  return { name: 'custom', expects, read: (raw) => (typeof raw === 'string' ? read(raw) : undefined) };
}

const sizeUnits: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3,
};

/** A size as people write it (`10MiB`, `500MB`, `1.5G`, `1048576`) in bytes; undefined when it is not one. */
export function readSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = match ? sizeUnits[(match[2] ?? '').toLowerCase()] : undefined;
  return match && factor !== undefined ? Math.round(Number(match[1]) * factor) : undefined;
}

/** `4GiB`, `1MiB`, `1 byte`, `1500 bytes`: exact, for messages about limits. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

function within(value: number, range: { min: number; max: number }): number | undefined {
  return Number.isFinite(value) && value >= range.min && value <= range.max ? value : undefined;
}

/** `a, b or c`. */
function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
