import { cacheDirChoice } from '../cache/json-cache.js';
import { UserError } from '../errors.js';
import { parseSize } from '../ui/size.js';

/**
 * The knobs of `cog push`, from its flags and the environment. Where cogpack has a flag or a
 * variable of its own, the flag wins, then cogpack's variable, then upstream's (scripts written
 * for upstream set `COG_PUSH_*`); `sources` says which one decided each, for --debug.
 */
export interface PushSettings {
  chunkSize: number | undefined;
  concurrency: number | undefined;
  /** Blobs at most this big go up in one request (upstream: at most COG_PUSH_MULTIPART_THRESHOLD). */
  multipartThreshold: number | undefined;
  requestTimeoutMs: number | undefined;
  /** Where layers are read (push-image.ts `layerSource`); undefined: the fastest that works. */
  layerSource: LayerSourceChoice | undefined;
  /** One line per setting that was given: `concurrency 4 (from COG_PUSH_CONCURRENCY)`. */
  sources: string[];
}

export interface PushFlags {
  chunkSize?: string | undefined;
  concurrency?: string | undefined;
  requestTimeout?: string | undefined;
  layerSource?: string | undefined;
}

/** `--layer-source`: `storage` (the engine's storage, directly or through a helper container), `export` (the engine's export), or `auto`. */
export type LayerSourceChoice = 'auto' | 'storage' | 'export';
const layerSources: readonly LayerSourceChoice[] = ['auto', 'storage', 'export'];

export function pushSettings(flags: PushFlags, env: NodeJS.ProcessEnv): PushSettings {
  const sources: string[] = [];
  const pick = (name: string, candidates: Array<[string, string | undefined]>) => {
    const found = candidates.find(([, value]) => value !== undefined && value !== '');
    if (found) sources.push(`${name} ${found[1]} (from ${found[0]})`);
    return found;
  };
  const chunk = pick('chunk size', [['--chunk-size', flags.chunkSize], ['COG_PUSH_DEFAULT_CHUNK_SIZE', env.COG_PUSH_DEFAULT_CHUNK_SIZE]]);
  const threshold = pick('multipart threshold', [['COG_PUSH_MULTIPART_THRESHOLD', env.COG_PUSH_MULTIPART_THRESHOLD]]);
  const timeout = pick('request timeout (s)', [['--request-timeout', flags.requestTimeout], ['COG_REQUEST_TIMEOUT', env.COG_REQUEST_TIMEOUT]]);
  const concurrency = concurrencyFrom(flags.concurrency, env.COG_PUSH_CONCURRENCY, sources);
  const source = pick('layer source', [['--layer-source', flags.layerSource], ['COG_PUSH_LAYER_SOURCE', env.COG_PUSH_LAYER_SOURCE]]);
  if (source && !layerSources.includes(source[1] as LayerSourceChoice)) {
    throw new UserError(`${source[0]} takes ${layerSources.join(', ')}, not "${source[1]}"`, { exitCode: 2 });
  }
  // Upstream's opt-in to its chunked uploader; cogpack's uploader is always that one.
  if (env.COG_PUSH_OCI !== undefined) sources.push(`COG_PUSH_OCI=${env.COG_PUSH_OCI} accepted: cogpack always pushes with its own chunked uploader`);
  const cache = cacheDirChoice(env);
  sources.push(`cache dir ${cache.dir} (from ${cache.source})`);
  return {
    chunkSize: chunk && parseSize(chunk[1]!),
    concurrency,
    multipartThreshold: threshold && parseSize(threshold[1]!),
    requestTimeoutMs: timeout && Math.round(Number(timeout[1]) * 1000),
    layerSource: source?.[1] as LayerSourceChoice | undefined,
    sources,
  };
}

/** The flag must be a whole number above 0; upstream's variable is ignored when it is not, as upstream ignores it. */
function concurrencyFrom(flag: string | undefined, upstream: string | undefined, sources: string[]): number | undefined {
  if (flag !== undefined) {
    if (!/^[1-9]\d*$/.test(flag)) throw new UserError(`--concurrency takes a whole number above 0, not "${flag}"`, { exitCode: 2 });
    sources.push(`concurrency ${flag} (from --concurrency)`);
    return Number(flag);
  }
  if (upstream === undefined || upstream === '') return undefined;
  if (!/^[1-9]\d*$/.test(upstream.trim())) {
    sources.push(`COG_PUSH_CONCURRENCY=${upstream} ignored: not a whole number above 0 (as upstream ignores it)`);
    return undefined;
  }
  sources.push(`concurrency ${upstream.trim()} (from COG_PUSH_CONCURRENCY)`);
  return Number(upstream.trim());
}
