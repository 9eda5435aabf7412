import { UsageError } from '../errors.js';
import { inspectEnv, type Env } from '../settings/env.js';
import type { KindValue, RawValue, ValueKind } from '../settings/values.js';
import { variables, type VariableName } from '../settings/variables.js';

/**
 * A command's options, declared once (flags, help, kind, the variable that stands in for the flag)
 * and parsed once, at the boundary, into a typed object. A bad value is a usage error naming the
 * flag (or the variable it came from), the value and what the kind allows.
 */

export interface OptionSpec<T = unknown> {
  /** Commander flags, e.g. `-t, --tag <name>`. Absent: a setting only the environment gives. */
  flags?: string;
  /** The --help line (required with `flags`). */
  description?: string;
  /** How the value is read, and what it may be. */
  kind: ValueKind<T>;
  /** A repeatable option collects its values into a list (kind `list`). */
  repeatable?: boolean;
  /** Commander's default, shown by --help as `(default: …)`. */
  defaultValue?: string | boolean;
  /** --help lists the kind's choices (`(choices: "gzip", "none")`). */
  listChoices?: boolean;
  /** The variable that stands in when the flag is not given: read by the same kind, its default last. */
  env?: VariableName;
}

/** A command's options by the attribute name commander gives each (`--no-cache` → `cache`). */
export type OptionSpecs = Record<string, OptionSpec<any>>;

type HasDefault<S> = S extends { defaultValue: string | boolean }
  ? true
  : S extends { env: infer N extends VariableName }
    ? (typeof variables)[N] extends { default: string }
      ? true
      : false
    : false;

/** The typed options a handler gets: each option's value, undefined when neither given nor defaulted. */
export type ParsedOptions<O extends OptionSpecs> = {
  [K in keyof O]: HasDefault<O[K]> extends true ? KindValue<O[K]['kind']> : KindValue<O[K]['kind']> | undefined;
};

/** Declares an option (keeps its literal type, so a handler's options are typed from it). */
export function option<const S extends OptionSpec<any>>(spec: S): S {
  return spec;
}

/** What commander parsed, and whether each value came from the command line. */
export interface GivenOptions {
  values: Record<string, unknown>;
  fromCommandLine(key: string): boolean;
}

export interface ParsedCommandOptions<O extends OptionSpecs> {
  options: ParsedOptions<O>;
  /** --debug lines: where each setting a variable may give came from, and variables ignored. */
  sources: string[];
}

/**
 * The boundary: each option's raw value (the flag's, else its variable's, else the variable's
 * default, else commander's), read by a zod object schema built from the declarations. zod is
 * loaded here, not when the command table is, so `cog --help` does not pay for it.
 */
export async function parseOptions<O extends OptionSpecs>(specs: O, given: GivenOptions, env: Env): Promise<ParsedCommandOptions<O>> {
  const { z } = await import('zod');
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  const sources: string[] = [];
  for (const [key, spec] of Object.entries(specs)) {
    const flag = spec.flags ? longFlag(spec.flags) : undefined;
    const fromCommandLine = flag !== undefined && given.fromCommandLine(key);
    const variable = spec.env;
    const reading = variable && !fromCommandLine ? inspectEnv(variable, env) : undefined;
    if (reading?.ignored) sources.push(reading.ignored);
    if (fromCommandLine) [raw[key], origin[key]] = [given.values[key], flag];
    else if (variable && reading?.value !== undefined) [raw[key], origin[key]] = [reading.raw, variable];
    else [raw[key], origin[key]] = [variableDefault(variable) ?? given.values[key], 'default'];
    if (variable && origin[key] !== 'default') sources.push(`${labelOf(key, flag)} ${describeRaw(raw[key])} (from ${origin[key]})`);
  }
  const shape = Object.fromEntries(
    Object.entries(specs).map(([key, spec]) => [
      key,
      z.custom<RawValue | undefined>(isRawValue).transform((value, context) => {
        if (value === undefined) return undefined;
        const read = spec.kind.read(value);
        if (read === undefined) {
          context.addIssue({ code: 'custom', message: spec.kind.expects, input: value });
          return z.NEVER;
        }
        return read;
      }),
    ]),
  );
  const result = z.object(shape).safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      const kind = specs[key]?.kind;
      const value = raw[key];
      // A repeatable flag: name the value that is wrong, not the list.
      const wrong = Array.isArray(value) && kind?.item ? value.find((item) => kind.item?.read(item) === undefined) : value;
      return `${origin[key] === 'default' ? key : origin[key]} takes ${kind?.expects ?? issue.message}, not ${describeRaw(wrong, true)}`;
    });
    throw new UsageError(problems.length === 1 ? problems.join('') : `${problems.length} bad values:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  // The schema is built from `specs`, key by key, with each kind's reader: its output is ParsedOptions<O>.
  return { options: result.data as ParsedOptions<O>, sources };
}

/** The long flag of commander flags: `-t, --tag <name>` → `--tag`. */
export function longFlag(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags;
}

function variableDefault(name: VariableName | undefined): string | undefined {
  if (!name) return undefined;
  const variable = variables[name];
  return 'default' in variable ? variable.default : undefined;
}

/** `--chunk-size` → `chunk size`; a setting without a flag by its key: `multipartThreshold` → `multipart threshold`. */
function labelOf(key: string, flag: string | undefined): string {
  return flag ? flag.replace(/^--/, '').replaceAll('-', ' ') : key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function describeRaw(value: unknown, quoted = false): string {
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return quoted ? JSON.stringify(text) : text;
}

function isRawValue(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}
