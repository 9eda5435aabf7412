import { UsageError } from '../errors.js';
import type { KindValue } from './values.js';
import { variables, type VariableName } from './variables.js';

/**
 * Reading the environment: every variable by its name in `variables`, through its kind. The one
 * place in src/ that reads a variable; everything else is handed an `Env` (the process's, or a
 * test's) and asks here.
 */

/** An environment: the process's, or one a test or a caller makes up. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The process's environment, for callers that were given none. */
export function processEnv(): Env {
  return process.env;
}

type Declared<N extends VariableName> = (typeof variables)[N];
/** The value of a variable: its kind's type; never undefined when the variable has a default. */
export type VariableValue<N extends VariableName> = Declared<N> extends { default: string } ? KindValue<Declared<N>['kind']> : KindValue<Declared<N>['kind']> | undefined;

/** What the environment says of one variable, for the command boundary and --debug. */
export interface EnvReading<T> {
  /** The value: the variable's, else undefined (a bad value the variable ignores counts as unset). */
  value: T | undefined;
  /** The text as set, when set and not empty. */
  raw: string | undefined;
  /** Set to a value its kind refuses, and ignored as the variable says: why, for --debug. */
  ignored?: string;
}

/**
 * Reads a variable as set (an empty value is unset), without its default. A value its kind
 * refuses is a usage error naming the variable and what it takes, unless the variable is one
 * upstream ignores when bad (then `ignored` says so).
 */
export function inspectEnv<N extends VariableName>(name: N, env: Env = processEnv()): EnvReading<KindValue<Declared<N>['kind']>> {
  const variable = variables[name];
  const raw = env[name];
  if (raw === undefined || raw === '') return { value: undefined, raw: undefined };
  const value = variable.kind.read(raw) as KindValue<Declared<N>['kind']> | undefined;
  if (value !== undefined) return { value, raw };
  if ('whenInvalid' in variable && variable.whenInvalid === 'ignore') return { value: undefined, raw, ignored: `${name}=${raw} ignored: not ${variable.kind.expects}` };
  throw new UsageError(`${name} takes ${variable.kind.expects}, not ${JSON.stringify(raw)}`);
}

/** A variable's value, else its default (read by the same kind), else undefined. */
export function readEnv<N extends VariableName>(name: N, env: Env = processEnv()): VariableValue<N> {
  const reading = inspectEnv(name, env);
  if (reading.value !== undefined) return reading.value as VariableValue<N>;
  const variable = variables[name];
  return ('default' in variable ? variable.kind.read(variable.default) : undefined) as VariableValue<N>;
}
