import { request as httpsRequest, Agent } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import { classifyAddress, isPublicAddress, literalHostProblem, normalizeHost } from '../../domain/ip/public-address.js';
import { parseIp } from '../../domain/ip/address.js';

/**
 * Outbound HTTPS on someone else's behalf, refused unless it reaches a public address (SSRF).
 * The check runs on the address the socket connects to, inside the connection's own DNS
 * lookup, so a name that resolves to a public address when a feed is saved and to 127.0.0.1
 * when it is fetched (DNS rebinding) is still refused: there is no second lookup to race.
 * Redirects are checked hop by hop the same way. Threat feeds use it; webhooks (DESIGN §17)
 * are meant to use it too, with `maxRedirects: 0`.
 */

/** A request the guard refused; it is raised before any connection, so it says nothing about the target. */
export class BlockedTargetError extends Error {
  readonly code = 'ERR_TARGET_NOT_PUBLIC';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedTargetError';
  }
}

/** An address a host name resolved to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export interface GuardOptions {
  /** Hosts (names or IP literals) that may resolve anywhere: internal hosts the operator named. Never for tenant input. */
  readonly allowHosts?: readonly string[];
  /** Resolves a name to every address it has; defaults to the system resolver (tests inject one). */
  readonly resolve?: (hostname: string, family: number) => Promise<readonly ResolvedAddress[]>;
  /** Extra trusted CAs (tests serving a self-signed certificate). */
  readonly ca?: string | Buffer;
  /** Redirects followed, each one checked again; 0 returns the 3xx as is. Default 5. */
  readonly maxRedirects?: number;
  /**
   * Outside production only (DESIGN §17): loopback targets are allowed, over http too, so a
   * developer can point a webhook at a receiver on their own machine. Everything else is still
   * judged on the resolved address; a name must resolve to loopback only to use http.
   */
  readonly allowLoopback?: boolean;
  /**
   * Reuse connections (webhooks: thousands of POSTs to the same receivers). Safe against rebinding:
   * a reused socket stays connected to the address that was judged when it was opened.
   */
  readonly keepAlive?: boolean;
}

/** The subset of `fetch` the guard offers: enough for feed downloads and webhook POSTs. */
export type GuardedFetch = (url: string, init?: {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}) => Promise<Response>;

// One message for "no such name", "resolver failed" and "resolves to a private address": a
// tenant must not learn which internal names exist from the difference.
const NOT_PUBLIC = 'host did not resolve to a public address';

const systemResolve = async (hostname: string, family: number) => dnsLookup(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 });

/** Builds a guarded fetch. */
export function createGuardedFetch(options: GuardOptions = {}): GuardedFetch {
  const allowed = new Set((options.allowHosts ?? []).map(normalizeHost));
  const resolve = options.resolve ?? systemResolve;
  const maxRedirects = options.maxRedirects ?? 5;

  const loopbackOk = options.allowLoopback === true;
  const lookupFor = (accept: (address: string) => boolean): LookupFunction => (hostname, lookupOptions, callback) => {
    resolve(hostname, lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family === 'IPv4' ? 4 : Number(lookupOptions.family ?? 0)).then(
      (addresses) => {
        if (addresses.length === 0 || addresses.some((a) => !accept(a.address))) {
          callback(new BlockedTargetError(NOT_PUBLIC), '', 0);
        } else if (lookupOptions.all) {
          callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      },
      () => callback(new BlockedTargetError(NOT_PUBLIC), '', 0),
    );
  };
  const publicOrLoopback = (a: string) => isPublicAddress(a) || (loopbackOk && isLoopback(a));
  const agents = {
    trusted: agentFor(lookupFor(() => true), options), guarded: agentFor(lookupFor(publicOrLoopback), options),
    loopbackHttp: new HttpAgent({ lookup: lookupFor(isLoopback), keepAlive: options.keepAlive === true }),
  };

  return async (url, init = {}) => {
    let target = new URL(url);
    let method = init.method ?? 'GET';
    let body = init.body;
    let headers = { ...init.headers };
    for (let hop = 0; ; hop++) {
      const plainLoopback = loopbackOk && target.protocol === 'http:' && isLoopbackHost(target);
      if (target.protocol !== 'https:' && !plainLoopback) throw new BlockedTargetError('only https targets are allowed');
      if (target.username !== '' || target.password !== '') throw new BlockedTargetError('target must not carry credentials');
      const trusted = allowed.has(normalizeHost(target.hostname));
      const problem = trusted || (loopbackOk && isLoopbackHost(target)) ? null : literalHostProblem(target);
      if (problem) throw new BlockedTargetError(`host ${problem}`);
      const agent = plainLoopback ? agents.loopbackHttp : trusted ? agents.trusted : agents.guarded;
      const response = await send(target, { method, headers, body, signal: init.signal, agent });
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || typeof location !== 'string' || hop >= maxRedirects) return toResponse(response, target);
      response.resume();
      const next = new URL(location, target);
      // Credentials meant for one origin must not follow a redirect to another.
      if (next.origin !== target.origin) headers = withoutCredentials(headers);
      if (response.statusCode === 303 || (method === 'POST' && (response.statusCode === 301 || response.statusCode === 302))) {
        method = 'GET';
        body = undefined;
      }
      target = next;
    }
  };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function agentFor(lookup: LookupFunction, { ca, keepAlive }: GuardOptions): Agent {
  return new Agent({ lookup, keepAlive: keepAlive === true, ...(ca === undefined ? {} : { ca }) });
}

const isLoopback = (address: string): boolean => {
  const ip = parseIp(address);
  return ip !== null && classifyAddress(ip) === 'loopback';
};

/** `localhost` (RFC 6761) or a loopback literal; a name that only resolves there is judged at connect time. */
function isLoopbackHost(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || isLoopback(host);
}

function send(url: URL, o: { method: string; headers: Record<string, string>; body: string | Uint8Array | undefined; signal: AbortSignal | undefined; agent: Agent | HttpAgent }): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = o.agent instanceof Agent ? httpsRequest : httpRequest;
    const req = request({ ...urlToHttpOptions(url), method: o.method, headers: o.headers, agent: o.agent, signal: o.signal }, resolve);
    req.on('error', reject);
    req.end(o.body);
  });
}

function toResponse(res: IncomingMessage, url: URL): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 500;
  const stream = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  if (stream === null) res.resume();
  const response = new Response(stream, { status, statusText: res.statusMessage ?? '', headers });
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)));
}
