import type { DockerCli } from '../docker/process.js';
import type { RunMode } from './schema.js';

/**
 * The Cog runtime (coglet 0.2x) reports a failed `setup()` as one line (`RuntimeError: …`) and
 * prints no traceback anywhere. To show where it failed, the predictor is loaded and `setup()` run
 * once more, in the same container (same image, mounts and environment), by this script: the
 * traceback it prints is Python's own. Loading mirrors the runtime: the file relative to /src,
 * the class instantiated, `setup(weights=…)` when it takes weights, awaited when async.
 */
const reproduceScript = String.raw`
import asyncio, importlib.util, inspect, os, sys, traceback
ref = os.environ.get(sys.argv[1]) or ""
file, _, name = ref.rpartition(":")
sys.path.insert(0, os.getcwd())
try:
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(file))[0], file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    target = getattr(module, name)
    if inspect.isclass(target):
        setup = getattr(target(), "setup", None)
        if setup is not None:
            kwargs = {"weights": os.environ.get("COG_WEIGHTS")} if "weights" in inspect.signature(setup).parameters else {}
            result = setup(**kwargs)
            if inspect.isawaitable(result):
                asyncio.run(result)
except BaseException:
    traceback.print_exc()
    sys.exit(1)
`;

/** How long the second attempt may take; a setup that downloads for minutes is not worth it twice. */
const reproduceTimeoutMs = 60_000;

/** The traceback of `setup()` failing again in the container, or undefined when it does not fail again (or cannot be run). */
export async function reproduceSetupFailure(docker: DockerCli, container: string, mode: RunMode, signal?: AbortSignal): Promise<string | undefined> {
  const stub = mode === 'train' ? 'COG_TRAIN_TYPE_STUB' : 'COG_PREDICT_TYPE_STUB';
  const timeout = AbortSignal.timeout(reproduceTimeoutMs);
  const result = await docker.run(['exec', container, 'python', '-c', reproduceScript, stub], {
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (result.exitCode === 0) return undefined;
  const start = result.stderrTail.findIndex((line) => line.startsWith('Traceback'));
  // Only the last lines are kept: a long traceback loses its head, never the frames that failed.
  const lines = (start < 0 ? ['…', ...result.stderrTail] : result.stderrTail.slice(start)).filter((line) => !line.includes('File "<string>"'));
  return result.stderrTail.length > 0 ? lines.join('\n') : undefined;
}
