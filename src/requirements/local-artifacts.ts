/**
 * Local wheels and source archives listed by path in requirements (spec cog-yaml.md §4.3). The
 * build cannot see the project's files while installing requirements, so each artifact is staged
 * under `.cog/build/local_package_artifacts/`, copied into the image at
 * `/tmp/local_package_artifacts/`, and its line rewritten to that path. Forms pip would read
 * differently inside the image (file: URLs, `name @ ./path`, local -r/-f) are refused up front.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** Folder under the build directory (`.cog/build/`) that the artifacts are staged into. */
export const localArtifactsStagingDir = 'local_package_artifacts';
/** Where the staged artifacts are copied to inside the image. */
export const localArtifactsContainerDir = '/tmp/local_package_artifacts';

export type LocalArtifactLine =
  | { kind: 'none' }
  | { kind: 'artifact'; path: string }
  | { kind: 'invalid'; message: string };

const archiveSuffixes = ['.whl', '.zip', '.tar.gz', '.tgz', '.tar.bz2', '.tar.xz'];

function hasArchiveSuffix(text: string): boolean {
  const lower = text.toLowerCase();
  return archiveSuffixes.some((suffix) => lower.endsWith(suffix));
}

function isRemote(text: string): boolean {
  return text.includes('://') || text.startsWith('git+');
}

function isFileUrl(text: string): boolean {
  return text.toLowerCase().startsWith('file:');
}

function isLocalPath(text: string): boolean {
  return path.isAbsolute(text) || text.startsWith('./') || text.startsWith('../');
}

function isLocalArtifact(text: string): boolean {
  return !isRemote(text) && (isLocalPath(text) || hasArchiveSuffix(text));
}

/** The value of `option` at the start of `line` (`--opt=v`, `--opt v`; `-f v`, `-fv`), if present. */
function optionValue(line: string, option: string): string | undefined {
  if (!line.startsWith(option)) return undefined;
  let rest = line.slice(option.length);
  if (rest === '') return undefined;
  if (option.startsWith('--')) {
    if (rest.startsWith('=')) rest = rest.slice(1);
    else if (!/^[ \t]/.test(rest)) return undefined;
  }
  return rest.trim();
}

/** Which of -r/-f/--requirement/--find-links points at something local (only URLs work in the image). */
function localOption(line: string): string | undefined {
  return ['--find-links', '--requirement', '-f', '-r'].find((option) => {
    const value = optionValue(line, option);
    return value !== undefined && value !== '' && (isFileUrl(value) || !isRemote(value));
  });
}

/** An artifact path followed by options or hashes (spaces inside the path itself are fine). */
function hasInlineOption(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== ' ' && line[i] !== '\t') continue;
    if (!isLocalArtifact(line.slice(0, i).trim())) continue;
    const rest = line.slice(i).trimStart();
    if (rest.startsWith('--') || optionValue(rest, '-f') !== undefined || optionValue(rest, '-r') !== undefined) return true;
  }
  return false;
}

const bareName = /^[A-Za-z0-9_.-]+(\[[^\]]*\])?$/;

/** Whether a requirement line is a local artifact, an unsupported local form, or neither. */
export function classifyLocalArtifact(raw: string): LocalArtifactLine {
  const line = raw.trim();
  const invalid = (message: string): LocalArtifactLine => ({ kind: 'invalid', message });
  if (line === '') return { kind: 'none' };
  if (isFileUrl(line)) return invalid(`local file URL requirements are not supported: ${line}`);
  const at = line.indexOf('@');
  if (at !== -1) {
    const [rawName, rawTarget] = [line.slice(0, at), line.slice(at + 1)];
    const [name, target] = [rawName.trim(), rawTarget.trim()];
    const spaced = name !== rawName || target !== rawTarget;
    if (bareName.test(name) && isFileUrl(target)) return invalid(`local file URL requirements are not supported: ${line}`);
    if (bareName.test(name) && (isLocalPath(target) || (spaced && isLocalArtifact(target)))) {
      return invalid(`local direct reference requirements (\`name @ path\`) are not supported; list the path directly instead: ${line}`);
    }
  }
  if (line.startsWith('-')) {
    const option = localOption(line);
    return option ? invalid(`local requirements option "${option}" is not supported: ${line}`) : { kind: 'none' };
  }
  if (hasInlineOption(line)) return invalid(`local package artifact requirements do not support inline options or hashes: ${line}`);
  if (isRemote(line)) return { kind: 'none' };
  const semicolon = line.indexOf(';');
  if (semicolon !== -1 && isLocalArtifact(line.slice(0, semicolon).trim())) {
    return invalid(`environment markers are not supported on local package artifact requirements: ${line}`);
  }
  const bracket = line.indexOf('[');
  if (bracket !== -1 && line.endsWith(']') && isLocalArtifact(line.slice(0, bracket).trim())) {
    return invalid(`extras are not supported on local package artifact requirements: ${line}`);
  }
  if (!isLocalPath(line) && !hasArchiveSuffix(line)) return { kind: 'none' };
  if (!hasArchiveSuffix(line)) return invalid(`local package requirement "${line}" is not a supported wheel or source archive`);
  return { kind: 'artifact', path: line };
}

export interface StagedArtifact {
  /** The requirement line as written. */
  line: string;
  /** Absolute path of the file to copy (symlinks resolved). */
  source: string;
  /** Path under `.cog/build/local_package_artifacts/`, `/`-separated. */
  stagedAs: string;
  /** The line that replaces it: `/tmp/local_package_artifacts/<stagedAs>`. */
  containerPath: string;
}

export interface LocalArtifactPlan {
  /** One entry per distinct staged file, in first-seen order. The caller copies them. */
  artifacts: StagedArtifact[];
  /** The requirement lines with each artifact replaced by its container path. */
  lines: string[];
}

export interface LocalArtifactOptions {
  /** Directory relative paths are resolved against: the requirements file's directory. */
  requirementsDir: string;
  /** The project directory; every artifact must be inside it, symlinks resolved. */
  projectDir: string;
}

/**
 * Validates the local artifacts of a requirements list and plans their staging. Every problem is
 * reported at once in one UserError. No file is copied here.
 */
export function planLocalArtifacts(lines: readonly string[], options: LocalArtifactOptions): LocalArtifactPlan {
  const problems: string[] = [];
  const artifacts = new Map<string, StagedArtifact>();
  const output: string[] = [];
  const project = realpathOrSelf(options.projectDir);
  for (const line of lines) {
    const classified = classifyLocalArtifact(line);
    if (classified.kind === 'invalid') problems.push(classified.message);
    if (classified.kind !== 'artifact') {
      output.push(line);
      continue;
    }
    const staged = stageArtifact(classified.path, line, options, project);
    if (typeof staged === 'string') {
      problems.push(staged);
      output.push(line);
      continue;
    }
    if (!artifacts.has(staged.stagedAs)) artifacts.set(staged.stagedAs, staged);
    output.push(staged.containerPath);
  }
  if (problems.length === 1) throw new UserError(problems[0] as string);
  if (problems.length > 1) {
    throw new UserError(`${problems.length} problems with local packages in requirements:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { artifacts: [...artifacts.values()], lines: output };
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The staging entry for one artifact, or a message saying why it cannot be used. */
function stageArtifact(written: string, line: string, options: LocalArtifactOptions, project: string): StagedArtifact | string {
  const absolute = path.resolve(options.requirementsDir, written);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    return `local package artifact "${written}" does not exist (looked for ${absolute})`;
  }
  if (!isInside(real, project)) {
    return `local package artifact "${written}" is outside the project directory ${options.projectDir}; move it into the project`;
  }
  if (!statSync(real).isFile()) return `local package artifact "${written}" is not a regular file`;
  // Keep the name as written (a wheel's file name carries its metadata for pip); fall back to the
  // resolved path when the written one leaves the project through a symlinked directory.
  const lexical = path.relative(path.resolve(options.projectDir), absolute);
  const relative = isInside(absolute, path.resolve(options.projectDir)) ? lexical : path.relative(project, real);
  const stagedAs = relative.split(path.sep).join('/');
  return { line, source: real, stagedAs, containerPath: `${localArtifactsContainerDir}/${stagedAs}` };
}
