/**
 * The requirements file the image installs (spec cog-yaml.md §5.5): pinned torch / torchvision /
 * tensorflow lines are pointed at the build of that version for the build's CUDA (or CPU), their
 * package indexes and find-links are hoisted to the top, and everything else passes through, a
 * line that is only `-f URL` or `--extra-index-url URL` included (in place, as written).
 *
 * Deliberate differences from upstream (docs/compat-deviations.md): a rewritten line keeps its
 * markers, hashes and other inline text (upstream rebuilds it as bare `name==version`); hoisted
 * URLs come out in first-seen order, de-duplicated, and not again when a line of their own already
 * gives them (upstream: Go map order, random); a pinned
 * tensorflow with no GPU row stays as written (upstream emits an empty line and appends it at the
 * end); names are matched PEP 503 normalised; and a `+cpu`/`+cuXXX` label or a short `2.3` no longer
 * stops a CPU line from getting the CPU wheel.
 */
import { stripMetadata } from '../compat/version.js';
import {
  tensorflowGpuPackage,
  torchCpuWheel,
  torchGpuWheel,
  torchvisionCpuWheel,
  torchvisionGpuWheel,
} from '../compat/wheels.js';
import type { TorchRow } from '../compat/matrix.js';
import { classifyLocalArtifact } from './local-artifacts.js';
import { normalizePackageName, packageName } from './parse.js';
import { type PinnedRequirement, renderPinned, splitPinnedRequirement, standaloneIndexOption } from './pinned.js';

export interface RewriteOptions {
  gpu: boolean;
  /** The resolved CUDA of a GPU build (ignored for CPU builds). */
  cuda: string | undefined;
}

export interface RewrittenRequirements {
  /** The lines of the requirements file: `--find-links`, then `--extra-index-url`, then packages. */
  lines: string[];
  warnings: string[];
}

/** Python packages the generated Dockerfile installs itself; a user's line for them is dropped. */
const managedPackages = new Set(['cog', 'coglet']);

/** Splits out the cog/coglet lines, which the build installs itself (spec build.md §1.6). */
export function dropManagedPackages(lines: readonly string[]): { lines: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const line of lines) {
    const name = packageName(line);
    (name && managedPackages.has(name) ? dropped : kept).push(line);
  }
  return { lines: kept, dropped };
}

export function managedPackagesWarning(dropped: readonly string[]): string {
  return `ignoring ${dropped.join(', ')} in your requirements: the build installs the Cog runtime itself (set build.sdk_version to pin it)`;
}

export function rewriteRequirements(lines: readonly string[], options: RewriteOptions): RewrittenRequirements {
  const warnings: string[] = [];
  const { lines: wanted, dropped } = dropManagedPackages(lines);
  if (dropped.length > 0) warnings.push(managedPackagesWarning(dropped));

  // Sets keep insertion order: first seen, first written.
  const findLinks = new Set<string>();
  const indexUrls = new Set<string>();
  /** URLs a line of their own already gives pip: not hoisted a second time. */
  const written = new Set<string>();
  const packages: string[] = [];
  for (const line of wanted) {
    if (classifyLocalArtifact(line).kind !== 'none') {
      packages.push(line);
      continue;
    }
    const option = standaloneIndexOption(line);
    if (option) {
      // A line that is only an option stays as written and where it is, as upstream keeps it:
      // `-f URL` among the packages means what it says (pip reads options from anywhere).
      written.add(option.findLinks ?? option.extraIndexUrl ?? '');
      packages.push(line);
      continue;
    }
    const pinned = splitPinnedRequirement(line);
    if (!pinned) {
      packages.push(line);
      continue;
    }
    for (const link of pinned.findLinks) findLinks.add(link);
    for (const url of pinned.extraIndexUrls) indexUrls.add(url);
    // A line that names its own index keeps it: the user chose where this package comes from.
    const choice = pinned.extraIndexUrls.length > 0 ? undefined : chooseBuild(pinned, options, warnings);
    if (choice?.indexUrl) indexUrls.add(choice.indexUrl);
    if (choice?.findLinks) findLinks.add(choice.findLinks);
    packages.push(renderPinned(line, pinned, choice?.edit));
  }
  return {
    lines: [
      ...[...findLinks].filter((link) => !written.has(link)).map((link) => `--find-links ${link}`),
      ...[...indexUrls].filter((url) => !written.has(url)).map((url) => `--extra-index-url ${url}`),
      ...packages,
    ],
    warnings,
  };
}

interface BuildChoice {
  edit: { version?: string; requirement?: string };
  indexUrl?: string;
  findLinks?: string;
}

function fromRow(row: TorchRow, version: string): BuildChoice {
  return { edit: { version }, indexUrl: row.indexUrl || undefined, findLinks: row.findLinks || undefined };
}

/** The build of a pinned framework for this target, or undefined to leave the line as written. */
function chooseBuild(pinned: PinnedRequirement, options: RewriteOptions, warnings: string[]): BuildChoice | undefined {
  const cuda = options.gpu ? options.cuda : undefined;
  switch (normalizePackageName(pinned.name)) {
    case 'torch': {
      const row = cuda ? torchGpuWheel(pinned.version, cuda) : options.gpu ? undefined : torchCpuWheel(pinned.version);
      return row && fromRow(row, stripMetadata(row.torch));
    }
    case 'torchvision': {
      if (!options.gpu) {
        // The CPU row's torchvision keeps its `+cpu` label (1.x rows), as upstream writes it.
        const row = torchvisionCpuWheel(pinned.version);
        return row && fromRow(row, row.torchvision);
      }
      const row = cuda ? torchvisionGpuWheel(pinned.version, cuda) : undefined;
      if (!row) warnings.push(`Cog doesn't know if CUDA ${cuda ?? '(none)'} is compatible with torchvision ${pinned.version}`);
      return row && fromRow(row, stripMetadata(row.torchvision));
    }
    case 'tensorflow': {
      const gpuPackage = cuda ? tensorflowGpuPackage(pinned.version, cuda) : undefined;
      return gpuPackage ? { edit: { requirement: gpuPackage } } : undefined;
    }
    default:
      return undefined;
  }
}
