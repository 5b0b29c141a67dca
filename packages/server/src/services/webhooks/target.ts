import { PortcullisError } from '@portcullis/protocol';
import { classifyAddress, literalHostProblem } from '../../domain/ip/public-address.js';
import { parseIp } from '../../domain/ip/address.js';

function isLoopbackHost(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  const ip = parseIp(host);
  return host === 'localhost' || host.endsWith('.localhost') || (ip !== null && classifyAddress(ip) === 'loopback');
}

/**
 * Refuses, when the endpoint is saved, what can be seen to be wrong from the URL alone: a scheme
 * other than https (http only to loopback outside production), credentials in the URL, a literal
 * private or loopback host in production. Names are judged again on their resolved address at
 * every send, which is what stops DNS rebinding; this check only gives an early, clear answer.
 */
export function checkWebhookUrl(raw: string, production: boolean): void {
  const refuse = (message: string): never => {
    throw new PortcullisError('invalid_request', { details: { fields: [{ path: 'url', message }] } });
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('is not a URL');
  }
  const loopback = !production && isLoopbackHost(url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) refuse(production ? 'must be https' : 'must be https (http only to loopback)');
  if (url.username !== '' || url.password !== '') refuse('must not carry credentials');
  if (url.hash !== '') refuse('must not carry a fragment');
  const problem = loopback ? null : literalHostProblem(url);
  if (problem) refuse(`host ${problem}`);
}
