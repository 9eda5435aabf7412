import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../../../src/ui/redact.js';

describe('redact', () => {
  it.each([
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer [REDACTED]'],
    ['authorization: Basic dXNlcjpwYXNz', 'authorization: Basic [REDACTED]'],
    ['pip install --index-url https://me:s3cret@pypi.example/simple', 'pip install --index-url https://[REDACTED]@pypi.example/simple'],
    ['{"password": "hunter22"}', '{"password": "[REDACTED]"}'],
    ['token=xyz123&scope=repo', 'token=[REDACTED]&scope=repo'],
  ])('%s', (input, output) => {
    expect(redact(input)).toBe(output);
  });

  it('hides a registered secret wherever it appears', () => {
    registerSecret('very-secret-value');
    expect(redact('the value very-secret-value leaked')).toBe('the value [REDACTED] leaked');
  });
});
