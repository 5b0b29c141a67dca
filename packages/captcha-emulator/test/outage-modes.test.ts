import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { createCaptchaEmulator, startCaptchaEmulator, type RunningEmulator } from '../src/index.js';

let emu: RunningEmulator;
const SECRET = '1x0000000000000000000000000000000AA';

beforeAll(async () => {
  emu = await startCaptchaEmulator({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => emu.close());
afterEach(() => emu.controls.reset());

const siteverify = (path = '/turnstile/v0/siteverify', signal?: AbortSignal): Promise<Response> =>
  fetch(`${emu.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ secret: SECRET, response: 'XXXX.DUMMY.TOKEN.XXXX' }), ...(signal ? { signal } : {}),
  });

describe('outage modes over real HTTP', () => {
  it('listens on 127.0.0.1 and answers truthfully in ok mode', async () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await siteverify();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true });
  });

  it('refuse destroys the connection without an answer', async () => {
    emu.controls.setMode('refuse');
    await expect(siteverify()).rejects.toThrow(TypeError);
    expect(emu.controls.siteverifyCalls('turnstile')).toBe(1);
  });

  it('hang never answers', async () => {
    emu.controls.setMode('hang', 'turnstile');
    const started = Date.now();
    await expect(siteverify(undefined, AbortSignal.timeout(300))).rejects.toThrow(/aborted|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it.each([
    ['http500', 500, 'text/plain', 'error code: 500'],
    ['http429', 429, 'text/plain', 'error code: 1015'],
    ['html', 200, 'text/html', '<!DOCTYPE html>'],
    ['invalid_json', 200, 'application/json', '{"success": true, "error-co'],
    ['empty_object', 200, 'application/json', '{}'],
    ['internal_error', 200, 'application/json', '{"success":false,"error-codes":["internal-error"]}'],
  ] as const)('%s answers %i with %s', async (mode, status, type, body) => {
    emu.controls.setMode(mode);
    const res = await siteverify();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain(type);
    expect((await res.text()).startsWith(body)).toBe(true);
    if (mode === 'http429') expect(res.headers.get('retry-after')).toBe('1');
  });

  it('success_string answers "success":"true" as a string', async () => {
    emu.controls.setMode('success_string');
    const body = await (await siteverify()).json() as Record<string, unknown>;
    expect(body.success).toBe('true');
  });

  it('a mode set for one provider leaves the others answering', async () => {
    emu.controls.setMode('http500', 'recaptcha');
    expect((await siteverify('/recaptcha/api/siteverify')).status).toBe(500);
    expect((await siteverify('/turnstile/v0/siteverify')).status).toBe(200);
  });

  it('latency_ms delays every answer', async () => {
    emu.controls.setLatency(250);
    const started = Date.now();
    await (await siteverify()).json();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('counts siteverify calls per provider, faults included', async () => {
    await siteverify('/hcaptcha/siteverify');
    emu.controls.setMode('http429', 'hcaptcha');
    await siteverify('/hcaptcha/siteverify');
    expect(emu.controls.state().siteverify_calls).toEqual({ turnstile: 0, recaptcha: 0, hcaptcha: 2, total: 2 });
  });

  it('the HTTP control endpoint switches modes and latency and rejects unknown ones', async () => {
    const post = (body: unknown): Promise<Response> => fetch(`${emu.url}/__emulator/mode`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const ok = await post({ mode: 'empty_object', provider: 'turnstile', latency_ms: 5 });
    expect(await ok.json()).toMatchObject({ modes: { turnstile: 'empty_object', recaptcha: 'ok' }, latency_ms: { turnstile: 5 } });
    expect(await (await siteverify()).text()).toBe('{}');
    expect((await post({ mode: 'melt' })).status).toBe(400);
    expect((await post({ mode: 'ok', provider: 'friendlycaptcha' })).status).toBe(400);
    expect(emu.controls.mode('turnstile')).toBe('empty_object');
  });
});

describe('closing', () => {
  it('a mounted emulator does not keep app.close() waiting on a hung request', async () => {
    const app = Fastify();
    const emulator = createCaptchaEmulator();
    await emulator.register(app, { prefix: '/__captcha' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    emulator.controls.setMode('hang');
    const pending = fetch(`http://127.0.0.1:${port}/__captcha/turnstile/v0/siteverify`, { method: 'POST' }).catch((e: unknown) => e);
    while (emulator.controls.siteverifyCalls() === 0) await new Promise((r) => setTimeout(r, 10));
    await app.close();
    expect(await pending).toBeInstanceOf(TypeError);
  });
});
