import { readFile } from 'node:fs/promises';

/** Where a feed's bytes come from: a local file, or an https URL. */
export type FeedSource = { readonly path: string } | { readonly url: string };

/** Injection points and limits for reading a source. */
export interface SourceOptions {
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
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
  const fetcher = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = await fetcher(source.url, { signal, redirect: 'follow', headers: { accept: '*/*' } });
  // A redirect may have left https; what came back over it cannot be trusted.
  if (response.url && new URL(response.url).protocol !== 'https:') throw new Error('feed redirected away from https');
  if (!response.ok) throw new Error(`feed answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new Error(`feed larger than ${maxBytes} bytes`);
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
