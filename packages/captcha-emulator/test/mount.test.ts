import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { createCaptchaEmulator, type CaptchaEmulator } from '../src/index.js';

let app: FastifyInstance;
let emulator: CaptchaEmulator;

beforeAll(async () => {
  // A host that already parses forms itself, as the Portcullis server does for /oauth2/token.
  app = Fastify();
  await app.register(formbody);
  app.post('/echo', async (request) => request.body);
  emulator = createCaptchaEmulator();
  await emulator.register(app, { prefix: '/__captcha/' });
  await app.ready();
});
afterAll(async () => app.close());

describe('mounted on a host app', () => {
  it('serves each widget script under the prefix, telling the browser where the frames live', async () => {
    for (const path of ['/turnstile/v0/api.js', '/recaptcha/api.js', '/hcaptcha/1/api.js']) {
      const res = await app.inject(`/__captcha${path}?render=explicit&onload=cb`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('javascript');
      expect(res.body).toContain('"prefix":"/__captcha"');
    }
  });

  it('leaves the host\'s own body parsing alone', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(res.json()).toEqual({ a: '1' });
  });

  it('renders a frame that reports 110100 for a sitekey no account has', async () => {
    const res = await app.inject('/__captcha/turnstile/v0/frame?sitekey=nope&origin=http%3A%2F%2Flocalhost%3A3000&wid=w1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('"verdict":"unknown"');
    expect(res.body).toContain('"errorCode":"110100"');
  });

  it('refuses a frame whose parent origin is not an origin (the token would be posted to it)', async () => {
    for (const origin of ['*', 'http://localhost:3000/path', 'javascript:alert(1)', '']) {
      const res = await app.inject(`/__captcha/turnstile/v0/frame?sitekey=1x00000000000000000000AA&origin=${encodeURIComponent(origin)}`);
      expect(res.statusCode).toBe(400);
    }
  });

  it('the frame token endpoint refuses blocked and unknown sitekeys', async () => {
    const mint = (sitekey: string) => app.inject({ method: 'POST', url: '/__captcha/__emulator/widget-token', payload: { provider: 'turnstile', sitekey } });
    expect((await mint('2x00000000000000000000AB')).json()).toEqual({ error: '600010' });
    expect((await mint('unknown')).json()).toEqual({ error: '110100' });
    expect((await mint('1x00000000000000000000AA')).json()).toHaveProperty('token');
  });

  it('registers sites and mints tokens over HTTP for out-of-process tests', async () => {
    const site = await app.inject({ method: 'POST', url: '/__captcha/__emulator/sites', payload: { provider: 'turnstile', sitekey: 'k1', secret: 's1' } });
    expect(site.statusCode).toBe(201);
    const { token } = (await app.inject({ method: 'POST', url: '/__captcha/__emulator/tokens', payload: { provider: 'turnstile', sitekey: 'k1', action: 'login' } })).json();
    const answer = await app.inject({ method: 'POST', url: '/__captcha/turnstile/v0/siteverify', payload: { secret: 's1', response: token } });
    expect(answer.json()).toMatchObject({ success: true, action: 'login' });
    expect((await app.inject({ method: 'POST', url: '/__captcha/__emulator/sites', payload: { provider: 'turnstile' } })).statusCode).toBe(400);
  });

  it('a token of one provider is worthless at another', async () => {
    emulator.controls.registerSite({ provider: 'hcaptcha', sitekey: 'same', secret: 'same-secret' });
    const token = emulator.controls.mintToken({ provider: 'turnstile', sitekey: 'same' });
    const res = await app.inject({ method: 'POST', url: '/__captcha/hcaptcha/siteverify', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `secret=same-secret&response=${encodeURIComponent(token)}` });
    expect(res.json()).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
  });

  it('two emulators never accept each other\'s tokens (per-instance keys, no shared state)', async () => {
    const other = createCaptchaEmulator({ sites: [{ provider: 'turnstile', sitekey: 'k2', secret: 's2' }] });
    emulator.controls.registerSite({ provider: 'turnstile', sitekey: 'k2', secret: 's2' });
    const token = other.controls.mintToken({ provider: 'turnstile', sitekey: 'k2' });
    const res = await app.inject({ method: 'POST', url: '/__captcha/turnstile/v0/siteverify', payload: { secret: 's2', response: token } });
    expect(res.json()).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
  });
});
