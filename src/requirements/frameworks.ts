/**
 * Which torch / TensorFlow / torchvision a requirements list asks for (spec cog-yaml.md §4.2, §5.3).
 *
 * Deliberate differences from upstream (docs/compat-deviations.md): names are compared PEP 503
 * normalised, so `Torch==2.3.0` and `torch[opt]==2.3.0` are torch (upstream's match is exact and
 * case-sensitive); and a version range means the highest matrix release that satisfies all of it
 * (`torch>=2.0,<2.5` → 2.4.1) where upstream reads the first number of the range (`2.0`, or an
 * unusable `2.3.*`).
 */
import { tensorflowRows, torchRows } from '../compat/matrix.js';
import { highestSatisfying } from '../compat/pep440.js';
import type { Frameworks } from '../compat/types.js';
import { stripMetadata } from '../compat/version.js';
import { classifyLocalArtifact } from './local-artifacts.js';
import { parseRequirementLine, type RequirementParts } from './parse.js';

/** Framework versions of the first torch, tensorflow and torchvision lines; local artifacts are skipped. */
export function detectFrameworks(lines: readonly string[]): Frameworks {
  const found: Frameworks = {};
  for (const line of lines) {
    if (classifyLocalArtifact(line).kind !== 'none') continue;
    const requirement = parseRequirementLine(line);
    if (!requirement) continue;
    if (requirement.name === 'torch' && found.torch === undefined) {
      found.torch = versionOf(requirement, torchReleases());
      found.torchSpecifier = specifierOf(requirement);
    } else if (requirement.name === 'tensorflow' && found.tensorflow === undefined) {
      found.tensorflow = versionOf(requirement, tensorflowReleases());
      found.tensorflowSpecifier = specifierOf(requirement);
    } else if (requirement.name === 'torchvision' && found.torchvision === undefined) {
      found.torchvision = versionOf(requirement, torchvisionReleases());
    }
  }
  return found;
}

function specifierOf(requirement: RequirementParts): string {
  return requirement.url === undefined ? requirement.specifier : `@ ${requirement.url}`;
}

/**
 * `==X` gives X as written (`2.3`, `2.0.1+cu118`); no specifier gives ''; any other specifier the
 * highest matrix release it admits, or, when it admits none, its first version (upstream's reading,
 * so the messages about an unknown version still name something the user wrote).
 */
export function versionOf(requirement: RequirementParts, releases: readonly string[]): string {
  if (requirement.url !== undefined) return versionFromUrl(requirement.url);
  const specifier = requirement.specifier;
  if (specifier === '') return '';
  const exact = /^={2,3}\s*([^\s,*]+)$/.exec(specifier);
  if (exact?.[1]) return exact[1];
  return highestSatisfying(releases, specifier) ?? firstVersion(specifier);
}

function firstVersion(specifier: string): string {
  return /[<>=!~]=?\s*([^\s,;|]+)/.exec(specifier)?.[1] ?? '';
}

/**
 * The version in a direct reference's wheel file name (`…/torch-2.3.0%2Bcu121-cp311-…whl` →
 * `2.3.0+cu121`); otherwise the URL itself, which no matrix row matches (upstream's reading).
 */
function versionFromUrl(url: string): string {
  const file = url.split(/[?#]/)[0]?.split('/').at(-1) ?? '';
  let decoded = file;
  try {
    decoded = decodeURIComponent(file);
  } catch {
    // Not percent-encoded after all: use the name as it is.
  }
  return /^[^-]+-([^-]+)-.+\.whl$/i.exec(decoded)?.[1] ?? url;
}

function distinct(versions: Iterable<string>): string[] {
  return [...new Set(versions)];
}

function torchReleases(): string[] {
  return distinct(torchRows().map((row) => stripMetadata(row.torch)));
}

function torchvisionReleases(): string[] {
  return distinct(torchRows().map((row) => stripMetadata(row.torchvision)));
}

function tensorflowReleases(): string[] {
  return tensorflowRows().map((row) => row.version);
}
