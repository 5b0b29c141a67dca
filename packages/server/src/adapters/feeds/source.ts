import { readFile } from 'node:fs/promises';
import type { FeedSource } from '../../ports/feeds.js';
import { createGuardedFetch, type GuardedFetch } from '../net/guarded-fetch.js';

/** Injection points and limits for reading a source. */
export interface SourceOptions {
  /** Defaults to a guarded fetch that reaches public addresses only (a forgotten option must not open SSRF). */
  readonly fetch?: GuardedFetch;
  /** Defaults to `fs.readFile`. */
  readonly readFile?: (path: string) => Promise<Buffer>;
  /** Whole request, body included. Default 30 s. */
  readonly timeoutMs?: number;
  /** Largest feed accepted. Default 256 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The source as logs may show it: a URL without credentials, query or fragment (a MaxMind
 * download carries its licence key in the query string).
 */
export function describeSource(source: FeedSource): string {
  if ('path' in source) return source.path;
  try {
    const url = new URL(source.url);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/**
 * Why `source` is not acceptable, or null. Feeds decide who gets challenged, so they are only
 * fetched over https: on plain http anyone on the path could empty or poison the list.
 */
export function checkFeedSource(source: FeedSource): string | null {
  if ('path' in source) return source.path.trim() === '' ? 'path must not be empty' : null;
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    return 'url is not a URL';
  }
  if (url.protocol !== 'https:') return 'url must be https';
  if (url.username !== '' || url.password !== '') return 'url must not carry credentials';
  return null;
}

/** Reads a feed's bytes; throws on a refused source, a non-2xx answer, a timeout or an oversized body. */
export async function readFeedSource(source: FeedSource, options: SourceOptions = {}): Promise<Buffer> {
  const problem = checkFeedSource(source);
  if (problem) throw new Error(`feed source refused: ${problem}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if ('path' in source) {
    const data = await (options.readFile ?? readFile)(source.path);
    if (data.length > maxBytes) throw new Error(`feed file larger than ${maxBytes} bytes`);
    return data;
  }
  const fetcher = options.fetch ?? createGuardedFetch();
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  // Redirects are followed by the guarded fetch, which checks every hop's address.
  const response = await fetcher(source.url, { signal, headers: { accept: '*/*' } });
  // A redirect may have left https; what came back over it cannot be trusted.
  const refuse = async (message: string): Promise<never> => {
    await response.body?.cancel().catch(() => {}); // free the connection now, not when the server gives up
    throw new Error(message);
  };
  if (response.url && new URL(response.url).protocol !== 'https:') return refuse('feed redirected away from https');
  if (!response.ok) return refuse(`feed answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) return refuse(`feed larger than ${maxBytes} bytes`);
  return readBody(response, maxBytes);
}

/** Reads the body with a running size check, so a hostile server cannot exhaust memory. */
async function readBody(response: Response, maxBytes: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`feed larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
