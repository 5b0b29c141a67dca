import http from 'node:http';
import https from 'node:https';

/** A siteverify answer as read off the wire: status and body text. */
export interface TransportAnswer { status: number; text: string }

/**
 * One form POST; rejects on a network error, and with an error named `TimeoutError` once
 * `timeoutMs` has passed without a whole answer.
 */
export type SiteverifyTransport = (url: string, form: string, timeoutMs: number) => Promise<TransportAnswer>;

/** More than any provider answers (a few hundred bytes); a longer body is not one, and is not read on. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * siteverify over node:http(s) on keep-alive agents. Hundreds of sign-ins may wait on a slow
 * provider at once; each one through fetch cost a fresh stream stack, an AbortSignal with its
 * own timer and (often) a new connection — measured at about a millisecond of CPU per call,
 * which turned waiting into work and stalled the event loop. Here a call is one request on a
 * pooled socket and one timer.
 */
export function createPooledTransport(): SiteverifyTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };
  return (url, form, timeoutMs) => new Promise<TransportAnswer>((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      reject(error);
      return;
    }
    const agent = target.protocol === 'http:' || target.protocol === 'https:' ? agents[target.protocol] : null;
    if (agent === null) {
      reject(new TypeError(`siteverify URL must be http(s), got ${target.protocol}`));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => { clearTimeout(timer); reject(error); };
    const body = Buffer.from(form);
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': body.length },
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) request.destroy(new RangeError('siteverify answer too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      // Cut off mid-answer (timeout, reset, too large): whatever came is not an answer.
      response.on('error', fail);
      response.on('close', () => { if (!response.complete) fail(new Error('siteverify answer cut off')); });
    });
    // One timer for the whole exchange (connect, send, wait, read): the bound DESIGN §6 sets.
    timer = setTimeout(() => {
      const error = new Error(`siteverify timed out after ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      request.destroy(error);
      fail(error);
    }, timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

/** A transport over a fetch function (tests, or a runtime that only has fetch). */
export function fetchTransport(fetchImpl: typeof fetch): SiteverifyTransport {
  return async (url, form, timeoutMs) => {
    const response = await fetchImpl(url, {
      method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs), redirect: 'error',
    });
    return { status: response.status, text: await response.text() };
  };
}
