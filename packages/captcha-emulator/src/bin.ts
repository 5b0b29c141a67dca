#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isProvider } from './controls.js';
import { startCaptchaEmulator } from './standalone.js';
import type { SiteRegistration } from './types.js';

const USAGE = `usage: portcullis-captcha-emulator [--port 8787] [--host 127.0.0.1]
       [--site <provider>:<sitekey>:<secret>[:<score>]]...

Serves Turnstile, reCAPTCHA and hCaptcha widget scripts and siteverify endpoints offline.
Providers: turnstile, recaptcha, hcaptcha. Control: POST /__emulator/mode {"mode","provider","latency_ms"}.`;

/** `turnstile:my-sitekey:my-secret[:0.7]` → a site registration. */
function parseSite(spec: string): SiteRegistration {
  const [provider, sitekey, secret, score] = spec.split(':');
  if (!isProvider(provider) || !sitekey || !secret) throw new Error(`bad --site ${spec}`);
  return { provider, sitekey, secret, ...(score ? { score: Number(score) } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      site: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const running = await startCaptchaEmulator({
    port: Number(values.port), host: values.host, sites: values.site.map(parseSite),
  });
  console.log(`captcha emulator listening on ${running.url}`);
  console.log(`  turnstile  ${running.url}/turnstile/v0/api.js   POST ${running.url}/turnstile/v0/siteverify`);
  console.log(`  recaptcha  ${running.url}/recaptcha/api.js      POST ${running.url}/recaptcha/api/siteverify`);
  console.log(`  hcaptcha   ${running.url}/hcaptcha/1/api.js     POST ${running.url}/hcaptcha/siteverify`);
  const stop = (): void => { void running.close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
