import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads `COG_CA_CERT` as upstream does: a file, a directory (every *.crt and *.pem in it), inline
 * PEM, or base64 of PEM. Returns the PEM bundle to trust inside the build, for users behind a
 * TLS-inspecting proxy (the build's pip/uv would otherwise fail to verify the package index).
 */
export function readCaCert(value: string): string {
  const text = caCertText(value.trim());
  const blocks = text.match(pemBlock);
  if (!blocks) {
    throw new UserError('COG_CA_CERT holds no PEM certificate', {
      hint: 'set it to a .crt/.pem file, a directory of them, or the PEM text itself',
    });
  }
  return `${blocks.join('\n')}\n`;
}

function caCertText(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  if (existsSync(value)) {
    if (!statSync(value).isDirectory()) return readFileSync(value, 'utf8');
    return readdirSync(value)
      .filter((name) => name.endsWith('.crt') || name.endsWith('.pem'))
      .sort()
      .map((name) => readFileSync(path.join(value, name), 'utf8'))
      .join('\n');
  }
  return Buffer.from(value, 'base64').toString('utf8');
}
