import { describe, expect, it } from 'vitest';
import { checkGpus, dockerRunArgv, freeLoopbackPort, isMissingGpuDriver, startContainer } from '../../../src/predict/container.js';
import { recordingLogger } from '../../../src/ui/logger.js';
import { readPortMapping } from '../../../src/commands/shared-options.js';
import { runtimeEnv } from '../../../src/workflows/run.js';
import { fakeDocker } from '../../support/fake-docker.js';

describe('dockerRunArgv', () => {
  it('cog run: detached, named, random 127.0.0.1 port, project mounted, GPUs', () => {
    expect(
      dockerRunArgv(
        {
          image: 'cog-x:dev',
          name: 'cog-run-1',
          env: ['A=1', 'LOG_FORMAT=console'],
          gpus: 'all',
          volumes: [{ source: '/p', target: '/src' }],
          ports: [{ hostIp: '127.0.0.1', containerPort: 5000 }],
        },
        { detach: true },
      ),
    ).toEqual([
      'run', '--rm', '--detach', '--name', 'cog-run-1', '--shm-size', '6g', '--publish', '127.0.0.1::5000',
      '--env', 'A=1', '--env', 'LOG_FORMAT=console', '--gpus', 'all', '--volume', '/p:/src', 'cog-x:dev',
    ]);
  });

  it('cog train and serve: the command replaces CMD; foreground with a TTY', () => {
    const argv = dockerRunArgv(
      { image: 'i', name: 'n', command: ['python', '-m', 'cog.server.http', '--x-mode', 'train'], workdir: '/src', ports: [{ hostIp: '::1', hostPort: 8393, containerPort: 5000 }] },
      { detach: false, interactive: true, tty: true },
    );
    expect(argv.slice(0, 5)).toEqual(['run', '--rm', '--interactive', '--tty', '--name']);
    expect(argv).toContain('[::1]:8393:5000');
    expect(argv.slice(-6)).toEqual(['i', 'python', '-m', 'cog.server.http', '--x-mode', 'train']);
  });

  it('quotes a device list so the docker CLI reads it as one field', () => {
    expect(dockerRunArgv({ image: 'i', name: 'n', gpus: 'device=0,1' }, { detach: true })).toContain('"device=0,1"');
    expect(dockerRunArgv({ image: 'i', name: 'n', gpus: '2' }, { detach: true })).toContain('2');
  });
});

describe('GPUs', () => {
  it('accepts upstream --gpus forms only', () => {
    expect(checkGpus('all')).toBe('all');
    expect(checkGpus('2')).toBe('2');
    expect(checkGpus('device=0,1')).toBe('device=0,1');
    expect(checkGpus(undefined)).toBeUndefined();
    expect(() => checkGpus('lots')).toThrow('invalid GPU specification');
  });

  it('recognises docker saying the host has no GPU driver', () => {
    expect(isMissingGpuDriver('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].')).toBe(true);
    expect(isMissingGpuDriver('nvidia-container-cli: initialization error: nvml error: driver not loaded')).toBe(true);
    expect(isMissingGpuDriver('Unable to find image')).toBe(false);
  });

  const base = (name: string, port: number) => ['run', '--rm', '--detach', '--name', name, '--shm-size', '6g', '--publish', `127.0.0.1:${port}:5000`];

  it('retries --gpus all without GPUs when the driver is missing, removing the failed container', async () => {
    const withGpu = [...base('cog-run-t', 41000), '--gpus', 'all', 'img'].join(' ');
    const withoutGpu = [...base('cog-run-t', 41000), 'img'].join(' ');
    const docker = fakeDocker({
      [withGpu]: { exitCode: 125, stderr: ['docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'] },
      [withoutGpu]: { stdout: 'abc123\n' },
      'rm --force --volumes cog-run-t': {},
    });
    const lines: string[] = [];
    const started = await startContainer(docker, { image: 'img', name: 'cog-run-t', gpus: 'all' }, { logger: recordingLogger(lines), pickPort: async () => 41000 });
    expect(started).toEqual({ id: 'abc123', name: 'cog-run-t', port: 41000, gpus: undefined });
    expect(docker.calls.map((c) => c.argv.join(' '))).toEqual([withGpu, 'rm --force --volumes cog-run-t', withoutGpu]);
    expect(lines.join('\n')).toContain('Missing device driver, re-trying without GPU');
  });

  it('picks another port when the one it picked was taken in the meantime', async () => {
    const ports = [41001, 41002];
    const docker = fakeDocker({
      [[...base('cog-run-p', 41001), 'img'].join(' ')]: { exitCode: 125, stderr: ['docker: Error response from daemon: driver failed programming external connectivity on endpoint cog-run-p: Bind for 127.0.0.1:41001 failed: port is already allocated.'] },
      [[...base('cog-run-p', 41002), 'img'].join(' ')]: { stdout: 'def456\n' },
      'rm --force --volumes cog-run-p': {},
    });
    const started = await startContainer(docker, { image: 'img', name: 'cog-run-p' }, { pickPort: async () => ports.shift()! });
    expect(started.port).toBe(41002);
  });

  it('a failed start leaves nothing: the created container is removed and the error says why', async () => {
    const argv = [...base('cog-run-u', 41003), 'img'].join(' ');
    const docker = fakeDocker({
      [argv]: { exitCode: 125, stderr: ['docker: Error response from daemon: OCI runtime create failed: no such file.'] },
      'rm --force --volumes cog-run-u': {},
    });
    await expect(startContainer(docker, { image: 'img', name: 'cog-run-u' }, { pickPort: async () => 41003 })).rejects.toThrow('OCI runtime create failed');
    expect(docker.calls.at(-1)!.argv).toEqual(['rm', '--force', '--volumes', 'cog-run-u']);
  });

  it('asks the engine for the port when the ports were given without one', async () => {
    const docker = fakeDocker({
      [['run', '--rm', '--detach', '--name', 'n', '--shm-size', '6g', '--publish', '127.0.0.1::5000', 'img'].join(' ')]: { stdout: 'id9\n' },
      'port id9 5000/tcp': { stdout: '127.0.0.1:49153\n' },
    });
    const started = await startContainer(docker, { image: 'img', name: 'n', ports: [{ hostIp: '127.0.0.1', containerPort: 5000 }] });
    expect(started.port).toBe(49153);
  });

  it('a port picked by the kernel is free', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(1024);
  });
});

describe('cog exec --publish', () => {
  it.each([
    ['8888', { hostIp: '127.0.0.1', hostPort: 8888, containerPort: 8888 }],
    ['0.0.0.0:8080', { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 8080 }],
    ['[::1]:8000', { hostIp: '::1', hostPort: 8000, containerPort: 8000 }],
  ])('%s', (value, expected) => {
    expect(readPortMapping(value)).toEqual(expected);
  });

  it.each(['0', '65536', 'x', 'host:', ':80'])('refuses %s', (value) => {
    expect(readPortMapping(value)).toBeUndefined();
  });
});

describe('runtime environment', () => {
  it('is upstream\'s: -e first, RUST_LOG from the host, console logs, warning unless --debug', () => {
    expect(runtimeEnv(['A=1'], {}, false)).toEqual(['A=1', 'LOG_FORMAT=console', 'COG_LOG_LEVEL=warning']);
    expect(runtimeEnv([], { RUST_LOG: 'coglet=trace' }, true)).toEqual(['RUST_LOG=coglet=trace', 'LOG_FORMAT=console', 'COG_LOG_LEVEL=debug']);
  });
});
