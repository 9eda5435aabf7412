import { describe, expect, it } from 'vitest';
import { rewriteRequirements } from '../../../src/requirements/rewrite.js';

const gpu = (cuda: string) => ({ gpu: true, cuda });
const cpu = { gpu: false, cuda: undefined };
const cu = (tag: string) => `--extra-index-url https://download.pytorch.org/whl/${tag}/`;

describe('rewriteRequirements: torch', () => {
  it('GPU: the newest wheel whose CUDA is not above the build’s', () => {
    expect(rewriteRequirements(['torch==2.3.1', 'numpy==1.26.4'], gpu('12.1')).lines).toEqual([cu('cu121'), 'torch==2.3.1', 'numpy==1.26.4']);
    expect(rewriteRequirements(['torch==2.3.1'], gpu('12.4')).lines).toEqual([cu('cu121'), 'torch==2.3.1']);
    expect(rewriteRequirements(['torch==2.3.1'], gpu('11.8.0')).lines).toEqual([cu('cu118'), 'torch==2.3.1']);
    expect(rewriteRequirements(['torch==2.0.1'], gpu('11.8')).lines).toEqual([cu('cu118'), 'torch==2.0.1']);
  });

  it('GPU: a short version becomes the newest patch; a +cu label does not choose the wheel', () => {
    expect(rewriteRequirements(['torch==2.3'], gpu('12.1')).lines).toEqual([cu('cu121'), 'torch==2.3.1']);
    expect(rewriteRequirements(['torch==2.7.0+cu118'], gpu('12.8')).lines).toEqual([cu('cu128'), 'torch==2.7.0']);
  });

  it('GPU: an unknown torch or a CUDA below every wheel leaves the line as written', () => {
    expect(rewriteRequirements(['torch==9.9.9'], gpu('12.1')).lines).toEqual(['torch==9.9.9']);
    expect(rewriteRequirements(['torch==2.11.0'], gpu('11.8')).lines).toEqual(['torch==2.11.0']);
  });

  it('CPU: the CPU wheel index, the +cpu label dropped', () => {
    expect(rewriteRequirements(['torch==2.3.1'], cpu).lines).toEqual([cu('cpu'), 'torch==2.3.1']);
    expect(rewriteRequirements(['torch==1.13.1'], cpu).lines).toEqual([cu('cpu'), 'torch==1.13.1']);
    expect(rewriteRequirements(['torch==9.9.9'], cpu).lines).toEqual(['torch==9.9.9']);
  });

  it('CPU: a +cpu/+cuXXX label or a short version still finds the CPU wheel (upstream leaves them)', () => {
    expect(rewriteRequirements(['torch==2.3.1+cpu'], cpu).lines).toEqual([cu('cpu'), 'torch==2.3.1']);
    expect(rewriteRequirements(['torch==2.3.1+cu121'], cpu).lines).toEqual([cu('cpu'), 'torch==2.3.1']);
    expect(rewriteRequirements(['torch==2.3'], cpu).lines).toEqual([cu('cpu'), 'torch==2.3.0']);
  });

  it('keeps markers, hashes and other inline text on a rewritten line (upstream drops them)', () => {
    expect(rewriteRequirements(['torch==2.3 ; sys_platform == "linux" --hash=sha256:abc'], gpu('12.1')).lines).toEqual([
      cu('cu121'),
      'torch==2.3.1 ; sys_platform == "linux" --hash=sha256:abc',
    ]);
    expect(rewriteRequirements(['colorama==0.4.6 ; sys_platform=="win32" --hash=sha256:def'], cpu).lines).toEqual([
      'colorama==0.4.6 ; sys_platform=="win32" --hash=sha256:def',
    ]);
  });

  it('matches the name PEP 503 normalised', () => {
    expect(rewriteRequirements(['Torch==2.3.1'], gpu('12.1')).lines).toEqual([cu('cu121'), 'Torch==2.3.1']);
  });
});

describe('rewriteRequirements: torchvision, torchaudio', () => {
  it('GPU torchvision follows the build’s CUDA', () => {
    expect(rewriteRequirements(['torchvision==0.18.1'], gpu('12.1')).lines).toEqual([cu('cu121'), 'torchvision==0.18.1']);
    expect(rewriteRequirements(['torchvision==0.14.1+cu117'], gpu('11.7')).lines).toEqual([cu('cu117'), 'torchvision==0.14.1']);
  });

  it('GPU torchvision without a wheel warns and stays', () => {
    expect(rewriteRequirements(['torchvision==9.9.9'], gpu('12.1'))).toEqual({
      lines: ['torchvision==9.9.9'],
      warnings: ["Cog doesn't know if CUDA 12.1 is compatible with torchvision 9.9.9"],
    });
  });

  it('CPU torchvision keeps the row’s +cpu label (1.x rows), as upstream', () => {
    expect(rewriteRequirements(['torchvision==0.13.1'], cpu).lines).toEqual([cu('cpu'), 'torchvision==0.13.1+cpu']);
    expect(rewriteRequirements(['torchvision==0.18.1'], cpu).lines).toEqual([cu('cpu'), 'torchvision==0.18.1']);
  });

  it('never rewrites torchaudio', () => {
    expect(rewriteRequirements(['torchaudio==2.3.1'], gpu('12.1')).lines).toEqual(['torchaudio==2.3.1']);
  });
});

describe('rewriteRequirements: tensorflow', () => {
  it('GPU with the matching CUDA: the GPU package', () => {
    expect(rewriteRequirements(['tensorflow==2.12.0'], gpu('11.8')).lines).toEqual(['tensorflow==2.12.0']);
  });

  it('GPU without a row: the line as written, no empty line (upstream emits one and appends the pin)', () => {
    expect(rewriteRequirements(['numpy', 'tensorflow==2.16.1', 'six'], gpu('12.2')).lines).toEqual(['numpy', 'tensorflow==2.16.1', 'six']);
  });

  it('CPU: unchanged', () => {
    expect(rewriteRequirements(['tensorflow==2.12.0'], cpu).lines).toEqual(['tensorflow==2.12.0']);
  });
});

describe('rewriteRequirements: indexes, pass-through, managed packages', () => {
  it('hoists the find-links and index URLs of pinned lines in first-seen order, de-duplicated, find-links first', () => {
    const lines = [
      'torch==2.3.1',
      'foo==1.0 --extra-index-url=https://b.example/simple',
      '-f https://wheels.example/ bar==2.0',
      '--extra-index-url https://a.example/simple',
      'torchvision==0.18.1',
      'baz==3 --extra-index-url=https://b.example/simple',
    ];
    expect(rewriteRequirements(lines, gpu('12.1')).lines).toEqual([
      '--find-links https://wheels.example/',
      cu('cu121'),
      '--extra-index-url https://b.example/simple',
      'torch==2.3.1',
      'foo==1.0',
      'bar==2.0',
      '--extra-index-url https://a.example/simple',
      'torchvision==0.18.1',
      'baz==3',
    ]);
  });

  it('keeps a line that is only -f URL as written and where it is (public projects rely on it)', () => {
    const lines = ['numpy==1.26.4', '-f https://download.pytorch.org/whl/torch_stable.html', 'torch==2.3.1+cu121'];
    expect(rewriteRequirements(lines, cpu).lines).toEqual([
      '--extra-index-url https://download.pytorch.org/whl/cpu/',
      'numpy==1.26.4',
      '-f https://download.pytorch.org/whl/torch_stable.html',
      'torch==2.3.1',
    ]);
  });

  it('does not hoist a URL again that a line of its own already gives', () => {
    const lines = ['--extra-index-url https://b.example/simple', 'foo==1.0 --extra-index-url=https://b.example/simple'];
    expect(rewriteRequirements(lines, cpu).lines).toEqual(['--extra-index-url https://b.example/simple', 'foo==1.0']);
  });

  it('a pinned line with its own index URL keeps it and is not resolved', () => {
    expect(rewriteRequirements(['torch==2.0.1 --extra-index-url=https://mirror.example/cu117'], gpu('12.1')).lines).toEqual([
      '--extra-index-url https://mirror.example/cu117',
      'torch==2.0.1',
    ]);
  });

  it('passes unpinned lines, ranges, extras, URLs, VCS and local artifacts through verbatim', () => {
    const lines = [
      'torch>=2.0,<2.5',
      'numpy',
      'torch[opt]==2.3.0',
      'pkg @ https://x.example/p.whl#sha256=abc',
      'git+https://github.com/o/r.git#egg=r',
      '/tmp/local_package_artifacts/dist/pkg-1.0-py3-none-any.whl',
      '--index-url https://pypi.example/simple',
    ];
    expect(rewriteRequirements(lines, gpu('12.1')).lines).toEqual(lines);
  });

  it('drops cog and coglet with a warning', () => {
    expect(rewriteRequirements(['cog==0.9.0', 'numpy', 'Coglet'], cpu)).toEqual({
      lines: ['numpy'],
      warnings: [
        'ignoring cog==0.9.0, Coglet in your requirements: the build installs the Cog runtime itself (set build.sdk_version to pin it)',
      ],
    });
  });

  it('returns nothing for nothing', () => {
    expect(rewriteRequirements([], cpu)).toEqual({ lines: [], warnings: [] });
  });
});
