import type { Payload } from 'altcha-lib';

/** The largest payload read at all (DESIGN §6 caps every captcha token at 2048 characters). */
const MAX_PAYLOAD = 2048;

/**
 * The widget's payload: base64 of `{ challenge: { parameters, signature }, solution: { counter,
 * derivedKey } }`. Anything else (not base64, not JSON, wrong shapes, `__proto__` games) is null,
 * so a forged token is refused as `invalid` instead of throwing inside the verifier.
 */
export function decodeAltchaPayload(token: string): Payload | null {
  if (token.length === 0 || token.length > MAX_PAYLOAD || !/^[A-Za-z0-9+/=_-]+$/.test(token)) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(doc) || !isObject(doc['challenge']) || !isObject(doc['solution'])) return null;
  const { challenge, solution } = doc;
  const parameters = challenge['parameters'];
  if (!isObject(parameters) || typeof challenge['signature'] !== 'string') return null;
  if (parameters['data'] !== undefined && !isObject(parameters['data'])) return null;
  if (typeof solution['derivedKey'] !== 'string' || typeof solution['counter'] !== 'number') return null;
  return doc as unknown as Payload;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
