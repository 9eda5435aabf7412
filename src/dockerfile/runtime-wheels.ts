import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** Where a runtime package (`cog` or `coglet`) comes from, per `COG_SDK_WHEEL` / `COGLET_WHEEL`. */
export type WheelSource =
  | { kind: 'pypi'; version?: string | undefined }
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string };

/** How the Dockerfile installs one runtime package. */
export interface RuntimeInstall {
  /** What `uv pip install` is given: `cog`, `cog==0.23.1`, a URL, or `/tmp/<wheel>`. */
  spec: string;
  /** `--pre` is needed (a pre-release pin, or `prerelease`). */
  pre: boolean;
  /** A local wheel to stage into the build directory under this name. */
  staged?: { source: string; name: string } | undefined;
}

/**
 * Reads `COG_SDK_WHEEL` / `COGLET_WHEEL` as upstream does (spec build.md §1.7): `pypi`,
 * `pypi:<version>`, an http(s) URL, a wheel file, or a directory holding `<package>-*.whl` (the
 * newest by name is taken).
 */
export function parseWheelSource(value: string, packageName: 'cog' | 'coglet', cwd: string): WheelSource {
  if (value === 'pypi') return { kind: 'pypi' };
  if (value.startsWith('pypi:')) return { kind: 'pypi', version: value.slice('pypi:'.length) };
  if (/^https?:\/\//.test(value)) return { kind: 'url', url: value };
  const file = path.resolve(cwd, value);
  if (!existsSync(file)) {
    throw new UserError(`${envName(packageName)}=${value}: no such file or directory`, { hint: 'give pypi, pypi:<version>, a URL, a wheel file or a folder of wheels' });
  }
  if (!statSync(file).isDirectory()) return { kind: 'file', path: file };
  const wheels = readdirSync(file).filter((name) => name.startsWith(`${packageName}-`) && name.endsWith('.whl')).sort();
  if (wheels.length === 0) throw new UserError(`${envName(packageName)}=${value}: no ${packageName}-*.whl in that folder`);
  return { kind: 'file', path: path.join(file, wheels.at(-1)!) };
}

/** The install of `cog` (from the SDK source, else `build.sdk_version`, else the latest from PyPI). */
export function cogInstall(source: WheelSource | undefined, sdkVersion: string | undefined): RuntimeInstall {
  if (source && source.kind !== 'pypi') return fromSource('cog', source);
  const version = source?.version ?? sdkVersion;
  if (version === undefined || version === 'prerelease') return { spec: 'cog', pre: version === 'prerelease' };
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  if (major === 0 && minor < 16) {
    throw new UserError(`cog version ${version} is below the minimum required version 0.16.0`, { hint: 'set build.sdk_version to 0.16.0 or later, or remove it for the latest' });
  }
  return { spec: `cog==${version}`, pre: isPrerelease(version) };
}

/** The explicit install of `coglet`, only when `COGLET_WHEEL` names one (else cog's dependency decides). */
export function cogletInstall(source: WheelSource | undefined): RuntimeInstall | undefined {
  if (!source) return undefined;
  if (source.kind === 'pypi') return { spec: source.version ? `coglet==${source.version}` : 'coglet', pre: Boolean(source.version && isPrerelease(source.version)) };
  return fromSource('coglet', source);
}

function fromSource(packageName: string, source: Exclude<WheelSource, { kind: 'pypi' }>): RuntimeInstall {
  if (source.kind === 'url') return { spec: source.url, pre: false };
  const name = path.basename(source.path);
  if (!name.endsWith('.whl')) throw new UserError(`${source.path} is not a wheel (.whl) of ${packageName}`);
  return { spec: `/tmp/${name}`, pre: false, staged: { source: source.path, name } };
}

function isPrerelease(version: string): boolean {
  return /\d(a|b|rc|\.dev)\d|-/.test(version);
}

function envName(packageName: 'cog' | 'coglet'): string {
  return packageName === 'cog' ? 'COG_SDK_WHEEL' : 'COGLET_WHEEL';
}
