import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/docker/engine.js';
import { devImageName } from '../../src/workflows/model-image.js';
import { runCog } from '../support/cli-process.js';
import { copyFixture } from '../support/project-copy.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';
import { containersCreatedBetween, containersOf, engineNow, startCog } from './run-support.js';

// `cog run` through the real entry point, against the real Cog runtime inside images built from
// the fixtures: every input and output kind, validation before any container, setup failures,
// prebuilt images. After each run, no container of the image may be left.
describe('cog run [engine]', () => {
  let testbed: Testbed;
  const images: string[] = [];
  const projects = new Map<string, string>();

  /** A private copy of a fixture (its runs write outputs, .cog/ and __pycache__ there) and its dev image's name. */
  function project(name: string, copy = 'shared'): { dir: string; image: string } {
    const key = `${name}/${copy}`;
    if (!projects.has(key)) projects.set(key, copyFixture(name));
    const dir = projects.get(key)!;
    const image = devImageName(dir);
    if (!images.includes(image)) images.push(image);
    return { dir, image };
  }

  /** Runs cog and checks that nothing of `image` is left in `docker ps -a`. */
  async function cogLeavingNothing(argv: string[], cwd: string, image: string) {
    const result = await runCog(argv, { cwd });
    expect(await containersOf(testbed.docker, image), 'containers left behind').toEqual([]);
    return result;
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    if (testbed) for (const image of images) await testbed.docker.run(['image', 'rm', '--force', image]);
  });

  it('str in, str out, from cog.yaml: a dev image without labels, the project mounted', async () => {
    const { dir, image } = project('hello-world');
    const result = await cogLeavingNothing(['run', '-i', 'text=world', '--progress', 'quiet'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('hello world');
    expect(result.stderr).toContain(`Starting Docker image ${image} and running setup()...`);
    const labels = (await inspectImage(testbed.docker, image)).labels;
    expect(Object.keys(labels).filter((k) => k.startsWith('run.cog.'))).toEqual([]);
    // The runtime read the schema cogpack staged, through the mount.
    expect(existsSync(path.join(dir, '.cog', 'openapi_schema.json'))).toBe(true);
  });

  it('default=None without Optional: an optional input, the predictor gets None when it is omitted (older Cog\'s meaning)', async () => {
    const { dir, image } = project('none-defaults');
    const omitted = await cogLeavingNothing(['run', '-i', 'text=hi', '--progress', 'quiet'], dir, image);
    expect(omitted.exitCode, omitted.stderr.slice(-2000)).toBe(0);
    expect(omitted.stdout).toBe("text='hi' seed=None image=None label=None");
    expect(omitted.stderr).toContain('parameter "seed" has default=None but its type int is not Optional: it is made optional (None when omitted)');
    const given = await cogLeavingNothing(['run', '-i', 'text=hi', '-i', 'seed=7', '-i', 'label=x', '--progress', 'quiet'], dir, image);
    expect(given.exitCode, given.stderr.slice(-2000)).toBe(0);
    expect(given.stdout).toBe("text='hi' seed=7 image=None label='x'");
  });

  it('a checkout with a long name (cut as upstream cuts it) still gets a valid dev image name', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cogpack-long-')), '19-replicate-cog-examples-hello-concurrency');
    cpSync(copyFixture('hello-world'), dir, { recursive: true });
    const image = devImageName(dir);
    images.push(image);
    expect(image).toBe('cog-19-replicate-cog-examples:dev');
    const result = await cogLeavingNothing(['run', '-i', 'text=long', '--progress', 'quiet'], dir, image);
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toBe('hello long');
  });

  it('violated constraints, unknown and missing inputs fail with a message before anything is built or started', async () => {
    // A copy of its own: its dev image must not exist, before and after.
    const { dir, image } = project('echo-types', 'never-built');
    const since = engineNow();
    const cases: Array<[string[], string]> = [
      [['-i', 'text=hi', '-i', 'count=11'], 'invalid input "count": number must be at most 10'],
      [['-i', 'text=hi', '-i', 'count=-1'], 'invalid input "count": number must be at least 0'],
      [['-i', 'text=hi', '-i', 'count=1', '-i', 'ratio=2.5'], 'invalid input "ratio": number must be at most 1'],
      [['-i', 'text=', '-i', 'count=1'], 'invalid input "text": minimum string length is 1'],
      [['-i', 'text=hi', '-i', 'count=1', '-i', 'code=abc'], 'invalid input "code": string doesn\'t match the regular expression "^[A-Z]{3}$"'],
      [['-i', 'text=hi', '-i', 'count=1', '-i', 'colour=pink'], 'invalid input "colour": must be one of: red, green, blue'],
      [['-i', 'text=hi', '-i', 'count=many'], 'invalid input "count": expected integer, got string'],
      [['-i', 'count=1'], 'missing required input "text"'],
      [['-i', 'text=hi', '-i', 'count=1', '-i', 'colour_=red'], 'unknown input "colour_"; valid inputs are: code, colour, count, flag, note, ratio, text, words'],
      [['--json', '{"text": "hi", "count": 1, "note": null}'], 'invalid input "note": must not be null (omit the input to use its default)'],
    ];
    for (const [inputs, message] of cases) {
      const result = await runCog(['run', ...inputs], { cwd: dir });
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toContain(`error: ${message}`);
    }
    // Nothing was built: the inputs were checked against the schema read from predict.py.
    expect((await testbed.docker.run(['image', 'inspect', image])).exitCode).not.toBe(0);
    expect(await containersCreatedBetween(testbed.docker, image, since, engineNow())).toEqual([]);
  });

  it('str, int, float, bool, an optional input, defaults and a repeated -i reach the model as their types', async () => {
    const { dir, image } = project('echo-types');
    const args = ['run', '-i', 'text=hi there', '-i', 'count=3', '-i', 'ratio=0.25', '-i', 'flag=true', '-i', 'words=a', '-i', 'words=b'];
    const result = await cogLeavingNothing(args, dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      text: 'hi there',
      count: 3,
      ratio: 0.25,
      flag: true,
      note: null,
      colour: 'red',
      code: 'ABC',
      words: ['a', 'b'],
      types: ['str', 'int', 'float', 'bool'],
    });
  });

  it('--json: inputs as one object, the whole response out (status, output, error, logs, metrics)', async () => {
    const { dir, image } = project('echo-types');
    writeFileSync(path.join(dir, 'inputs.json'), JSON.stringify({ text: 'from json', count: 0, note: 'set' }));
    const result = await cogLeavingNothing(['run', '--json', '@inputs.json'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    const response = JSON.parse(result.stdout);
    expect(response).toMatchObject({ status: 'succeeded', error: '', logs: '', output: { text: 'from json', count: 0, note: 'set' } });
    expect(response.metrics.predict_time).toBeGreaterThan(0);
  });

  it('Path in (-i name=@file) and Path out (output.<ext>, or -o)', async () => {
    const { dir, image } = project('path-io');
    writeFileSync(path.join(dir, 'note.txt'), 'shout this');
    const result = await cogLeavingNothing(['run', '-i', 'text_file=@note.txt'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Written output to: output.txt');
    expect(readFileSync(path.join(dir, 'output.txt'), 'utf8')).toBe('SHOUT THIS');
    const named = await cogLeavingNothing(['run', '-i', 'text_file=@note.txt', '-o', 'loud.md'], dir, image);
    expect(named.exitCode, named.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'loud.md'), 'utf8')).toBe('SHOUT THIS');
  });

  it('list[Path] out: output.0.txt, output.1.txt, output.2.txt', async () => {
    const { dir, image } = project('list-path-output');
    const result = await cogLeavingNothing(['run', '-i', 'count=3'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('output')).sort()).toEqual(['output.0.txt', 'output.1.txt', 'output.2.txt']);
    expect(readFileSync(path.join(dir, 'output.2.txt'), 'utf8')).toBe('file 2\n');
  });

  it('Iterator[str] out: each chunk is printed as the model yields it', async () => {
    const { dir, image } = project('iterator-output');
    const run = startCog(['run', '-i', 'count=3', '-i', 'delay=1'], { cwd: dir });
    const result = await run.exited;
    expect(await containersOf(testbed.docker, image)).toEqual([]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(run.stdoutLines.map((l) => l.line)).toEqual(['chunk 0', 'chunk 1', 'chunk 2']);
    // The model sleeps a second between chunks: the first was on the terminal long before the last.
    const [first, , last] = run.stdoutLines;
    expect(last!.at - first!.at).toBeGreaterThan(1500);
    // The model's prints arrive with the chunks, on stderr.
    expect(result.stderr).toContain('yielding chunk 1');
  });

  it('a BaseModel out is printed as JSON', async () => {
    const { dir, image } = project('complex-output');
    const result = await cogLeavingNothing(['run', '-i', 'text=is this working?'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ text: 'is this working?', word_count: 3, is_question: true, words: ['is', 'this', 'working?'], language: null });
  });

  it('setup() raises: exit 1, the runtime\'s error and the Python traceback shown, nothing left', async () => {
    const { dir, image } = project('setup-fails');
    const result = await cogLeavingNothing(['run'], dir, image);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: Model setup failed: RuntimeError: the weights file is missing (on purpose, for the tests)');
    expect(result.stderr).toContain('Traceback (most recent call last):');
    expect(result.stderr).toMatch(/File "\/src\/predict\.py", line \d+, in load_weights/);
  });

  it('cog run IMAGE on an image built in another directory; a dev image is not a Cog model', async () => {
    const { dir, image: devImage } = project('hello-world');
    const built = `cogpack-it-run-hello:${runId}`;
    images.push(built);
    const build = await runCog(['build', '-t', built, '--progress', 'quiet'], { cwd: dir });
    expect(build.exitCode, build.stderr).toBe(0);
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'cogpack-elsewhere-'));
    const result = await cogLeavingNothing(['run', built, '-i', 'text=from afar'], elsewhere, built);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('hello from afar');
    // Inputs are checked against the image's schema label before it starts.
    const since = engineNow();
    const refused = await runCog(['run', built, '-i', 'txt=x'], { cwd: elsewhere });
    expect(refused.stderr).toContain('error: unknown input "txt"; valid inputs are: text');
    expect(await containersCreatedBetween(testbed.docker, built, since, engineNow())).toEqual([]);
    const dev = await runCog(['run', devImage, '-i', 'text=x'], { cwd: elsewhere });
    expect(dev.exitCode).toBe(1);
    expect(dev.stderr).toContain('image is not a Cog model');
  });

  it('cog train (deprecated): the train entry point, its output written to `weights`', async () => {
    const { dir, image } = project('echo-types');
    const result = await cogLeavingNothing(['train', '-i', 'steps=3'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('Command "train" is deprecated');
    expect(readFileSync(path.join(dir, 'weights'), 'utf8')).toBe('trained for 3 step(s)');
  });

  it('cog predict is the deprecated alias of cog run', async () => {
    const { dir, image } = project('hello-world');
    const result = await cogLeavingNothing(['predict', '-i', 'text=alias'], dir, image);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('"cog predict" is deprecated, use "cog run"');
    expect(result.stdout).toBe('hello alias');
  });
});
