import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extensionByType, typeByExtension } from '../../../src/predict/mime.js';
import { chooseOutputPath, decodeDataUrl, fileForOutput, insideDirectory, itemDestination, writeFileOutput } from '../../../src/predict/outputs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-outputs-'));

describe('data URLs', () => {
  it('decodes base64, percent-encoded and upstream-tolerated forms', () => {
    expect(decodeDataUrl('data:image/png;base64,AAEC')).toEqual({ mimeType: 'image/png', bytes: Buffer.from([0, 1, 2]) });
    expect(decodeDataUrl('data:None;base64,aGk=')).toEqual({ mimeType: '', bytes: Buffer.from('hi') });
    expect(decodeDataUrl('data:text/plain,a%20b')).toEqual({ mimeType: 'text/plain', bytes: Buffer.from('a b') });
    expect(decodeDataUrl('data:text/plain;charset=utf-8;base64,aGk=').mimeType).toBe('text/plain');
    expect(() => decodeDataUrl('https://example.com/x.png')).toThrow('not a data URL');
  });
});

describe('output file names', () => {
  it('takes the extension from the MIME type unless the destination has one', () => {
    expect(fileForOutput('/o/output', 'image/png')).toBe('/o/output.png');
    expect(fileForOutput('/o/result.jpeg', 'image/png')).toBe('/o/result.jpeg');
    expect(fileForOutput('/o/output', 'application/x-unknown')).toBe('/o/output');
  });

  it('names list items output.0.<ext>, output.1.<ext>; an all-digit extension is not one', () => {
    expect(fileForOutput(itemDestination('/o/output', 0), 'text/plain')).toBe('/o/output.0.txt');
    expect(fileForOutput(itemDestination('/o/output', 12), 'image/webp')).toBe('/o/output.12.webp');
    expect(fileForOutput(itemDestination('/o/out.png', 1), 'image/jpeg')).toBe('/o/out.1.png');
  });

  it('never lets a MIME type from the model shape the path', () => {
    for (const hostile of ['text/../../x', 'image/../../etc/passwd', '../../x', 'image/png/../../x', 'image/a b', 'x/y;name=../../z']) {
      const file = fileForOutput('/o/output', hostile);
      expect(path.dirname(file)).toBe('/o');
      expect(path.basename(file)).toMatch(/^output(\.[a-z0-9]+)?$/);
    }
    expect(extensionByType('image/heic')).toBe('.heic');
    expect(extensionByType('text/../../x')).toBe('');
  });

  it('refuses any name that is not a plain file name in the directory', () => {
    for (const name of ['../../x', '../x', '/etc/passwd', 'a/b', 'a\\b', '..', '.', '', 'x\0y']) {
      expect(() => insideDirectory('/o', name)).toThrow(/refusing to write an output/);
    }
    expect(insideDirectory('/o', 'output.0.png')).toBe('/o/output.0.png');
    expect(insideDirectory('/o', '..x')).toBe('/o/..x');
  });

  it('writes the decoded bytes where the name says', async () => {
    const file = await writeFileOutput('data:text/plain;base64,aGVsbG8=', path.join(dir, 'output'));
    expect(file).toBe(path.join(dir, 'output.txt'));
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });

  it('knows the types of common input files', () => {
    expect(typeByExtension('photo.JPG')).toBe('image/jpeg');
    expect(typeByExtension('a.jpeg')).toBe('image/jpeg');
    expect(typeByExtension('clip.wav')).toBe('audio/wav');
    expect(typeByExtension('weights.safetensors')).toBe('application/octet-stream');
    expect(typeByExtension('Makefile')).toBe('application/octet-stream');
  });
});

describe('chooseOutputPath (upstream ensureOutputWriteable)', () => {
  it('uses -o as given (a leading @ dropped), or the fallback in the working directory', () => {
    expect(chooseOutputPath(undefined, 'output', dir)).toBe(path.join(dir, 'output'));
    expect(chooseOutputPath('@result.png', 'output', dir)).toBe(path.join(dir, 'result.png'));
  });

  it('puts the fallback name inside a directory given as -o', () => {
    mkdirSync(path.join(dir, 'outs'), { recursive: true });
    expect(chooseOutputPath('outs', 'output.json', dir)).toBe(path.join(dir, 'outs', 'output.json'));
  });

  it('refuses a default name taken by a directory, and an unwritable place', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'cogpack-outputs-'));
    mkdirSync(path.join(cwd, 'output'));
    expect(() => chooseOutputPath(undefined, 'output', cwd)).toThrow('Default output name');
    expect(() => chooseOutputPath('no/such/dir/x.png', 'output', cwd)).toThrow('Output directory is not writable');
    if (process.getuid?.() !== 0) {
      const locked = path.join(cwd, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      expect(() => chooseOutputPath('locked/x', 'output', cwd)).toThrow('not writable');
    }
    expect(existsSync(path.join(cwd, 'no'))).toBe(false);
  });
});
