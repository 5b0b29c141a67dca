import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createAccounts } from './accounts.js';
import { installBodyParsers } from './body.js';
import { createControls, type EmulatorControls } from './controls.js';
import { createFaults } from './faults.js';
import { registerControlRoutes } from './routes-control.js';
import { registerSiteverifyRoutes } from './routes-siteverify.js';
import { registerWidgetRoutes } from './routes-widget.js';
import { createTokenCodec } from './token.js';
import type { EmulatorOptions } from './types.js';

/** Where to mount the emulator on a host app. */
export interface MountOptions {
  /** Path prefix, e.g. `/__captcha`; empty or omitted mounts at the root. */
  prefix?: string;
}

/** An emulator instance: its Fastify plugin and the controls over its state. */
export interface CaptchaEmulator {
  /** Mounts the emulator on `app` under `opts.prefix` (call before `listen`/`ready`). */
  register(app: FastifyInstance, opts?: MountOptions): Promise<void>;
  /** The raw plugin, for `app.register(emulator.plugin, { prefix })`. */
  readonly plugin: FastifyPluginAsync;
  readonly controls: EmulatorControls;
}

/** `/__captcha/` → `/__captcha`, `/` → ``: one spelling, so generated URLs never hold `//`. */
export function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '');
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Creates an emulator. Everything (HMAC key, accounts, spent tokens, modes, counters) belongs to
 * this instance; nothing is created at import time, so parallel tests never share state.
 */
export function createCaptchaEmulator(options: EmulatorOptions = {}): CaptchaEmulator {
  const now = options.now ?? Date.now;
  const ttlMs = (options.tokenTtlSeconds ?? 300) * 1000;
  const accounts = createAccounts(now);
  const faults = createFaults();
  const codec = createTokenCodec(options.tokenKey ?? randomBytes(32), now);
  const controls = createControls(accounts, faults, codec);
  for (const site of options.sites ?? []) controls.registerSite(site);

  const plugin: FastifyPluginAsync = async (instance) => {
    installBodyParsers(instance);
    // A hung request would otherwise keep app.close() waiting forever.
    instance.addHook('preClose', async () => {
      for (const socket of faults.hung) socket.destroy();
    });
    const prefix = normalisePrefix(instance.prefix);
    registerWidgetRoutes(instance, prefix, accounts, codec, ttlMs);
    registerSiteverifyRoutes(instance, faults, { codec, accounts, now, ttlMs });
    registerControlRoutes(instance, controls);
  };

  return {
    plugin,
    controls,
    async register(app, opts = {}) {
      const prefix = normalisePrefix(opts.prefix);
      await app.register(plugin, prefix ? { prefix } : {});
    },
  };
}
