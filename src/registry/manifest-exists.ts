import { parseChallenge } from './challenge.js';
import { parseReference, registryBaseUrl } from './reference.js';

const manifestTypes = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * Whether a public image exists in its registry: HEAD on the manifest, answering an anonymous
 * bearer challenge if there is one. Any failure (no network, timeout, 404, auth refused) is
 * "not known to exist": callers fall back, they never fail on this.
 */
export async function publicManifestExists(image: string, timeoutMs = 3000): Promise<boolean> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // Loaded on first use, like every network path of a command that may not need one.
    const { request } = await import('undici');
    const ref = parseReference(image);
    const url = `${registryBaseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`;
    const first = await request(url, { method: 'HEAD', headers: { accept: manifestTypes }, signal });
    await first.body.dump();
    if (first.statusCode === 200) return true;
    const challenge = parseChallenge(headerValue(first.headers['www-authenticate']));
    if (first.statusCode !== 401 || challenge?.scheme !== 'bearer' || !challenge.params.realm) return false;
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', `repository:${ref.repository}:pull`);
    const tokenAnswer = await request(tokenUrl, { signal });
    if (tokenAnswer.statusCode !== 200) {
      await tokenAnswer.body.dump();
      return false;
    }
    const body = (await tokenAnswer.body.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return false;
    const second = await request(url, { method: 'HEAD', headers: { accept: manifestTypes, authorization: `Bearer ${token}` }, signal });
    await second.body.dump();
    return second.statusCode === 200;
  } catch {
    return false;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
