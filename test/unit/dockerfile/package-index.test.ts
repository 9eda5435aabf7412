import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { generateBuildPlan } from '../../../src/dockerfile/generate.js';
import { indexSecretArgs, indexSecretsFromEnv } from '../../../src/dockerfile/package-index.js';

describe('package-index mirrors', () => {
  it('passes the host\'s index settings as secrets, pip ones covering uv too', () => {
    const secrets = indexSecretsFromEnv({ PIP_INDEX_URL: 'https://u:t@mirror/simple' });
    expect(secrets.map((s) => `${s.tool}:${s.variable}<-${s.hostVariable}`)).toEqual(['pip:PIP_INDEX_URL<-PIP_INDEX_URL', 'uv:UV_INDEX_URL<-PIP_INDEX_URL']);
    expect(indexSecretArgs(secrets)).toEqual(['id=cog_pip_index_url,env=PIP_INDEX_URL', 'id=cog_uv_index_url,env=PIP_INDEX_URL']);
  });

  it('puts no URL in the Dockerfile, only secret mounts read by the install steps', () => {
    const config = loadConfig({ file: '/p/cog.yaml', text: 'build:\n  python_version: "3.12"\n' }).config;
    const packageIndex = indexSecretsFromEnv({ UV_INDEX_URL: 'https://u:t@mirror/simple' });
    const plan = generateBuildPlan(config, {
      base: { kind: 'python', image: 'python:3.12-slim', warnings: [] },
      pythonVersion: '3.12',
      breakSystemPackages: false,
      requirements: ['six'],
      packageIndex,
    });
    expect(plan.dockerfile).not.toContain('mirror');
    expect(plan.dockerfile).toContain(
      'RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=cog_uv_index_url UV_INDEX_URL="$(cat /run/secrets/cog_uv_index_url)" uv pip install -r /tmp/requirements.txt',
    );
  });

  it('adds nothing when the host sets nothing', () => {
    expect(indexSecretsFromEnv({})).toEqual([]);
  });
});
