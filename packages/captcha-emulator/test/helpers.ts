import Fastify, { type FastifyInstance } from 'fastify';
import { createCaptchaEmulator, type CaptchaEmulator, type EmulatorOptions } from '../src/index.js';

/** A host app with the emulator mounted under `/__captcha`, as the dev server mounts it. */
export async function buildHost(options: EmulatorOptions = {}): Promise<{ app: FastifyInstance; emulator: CaptchaEmulator }> {
  const app = Fastify();
  const emulator = createCaptchaEmulator(options);
  await emulator.register(app, { prefix: '/__captcha' });
  await app.ready();
  return { app, emulator };
}

/** Posts a form-encoded siteverify request and returns the parsed JSON answer. */
export async function verifyForm(app: FastifyInstance, path: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await app.inject({
    method: 'POST', url: `/__captcha${path}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  if (res.statusCode !== 200) throw new Error(`siteverify answered ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** A clock tests can move. */
export function manualClock(start = Date.parse('2025-01-01T12:00:00.000Z')): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

export const TURNSTILE = '/turnstile/v0/siteverify';
export const RECAPTCHA = '/recaptcha/api/siteverify';
export const HCAPTCHA = '/hcaptcha/siteverify';
