import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp, compose, createTenant, createUser, loadConfig, type Deps } from '../../packages/server/src/index.js';
import { updatePolicy } from '../../packages/server/src/services/risk/policy.js';
import type { AuditRecord, TenantRecord } from '../../packages/server/src/ports/store.js';
import { createApplication } from '../../packages/server/src/services/applications.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { humanContext } from './browser.js';

/** Cloudflare's test keys, which the emulator honours: `3x…FF` waits for a click on "I am human"; `1x…AA` passes without one. */
export const CLICK_SITE_KEY = '3x00000000000000000000FF';
export const AUTO_SITE_KEY = '1x00000000000000000000AA';
export const PASSING_SECRET = '1x0000000000000000000000000000000AA';

export const USER = { email: 'anita@example.com', password: 'correct horse battery staple' };

/** A Turnstile policy pointing at an emulator (standalone or mounted) at `emulatorUrl`. */
export function turnstileVia(emulatorUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'turnstile', site_key: CLICK_SITE_KEY, secret: PASSING_SECRET,
    verify_url: `${emulatorUrl}/turnstile/v0/siteverify`, script_url: `${emulatorUrl}/turnstile/v0/api.js`, ...extra,
  };
}

export interface StartOptions {
  slug?: string;
  /** Origins allowed to call the API from a browser (CORS): an app or page served elsewhere. */
  allowedOrigins?: string[];
  /** The tenant's risk policy document (PUT semantics: omitted fields take their defaults). */
  policy?: Record<string, unknown>;
  env?: Record<string, string>;
  extend?: (app: FastifyInstance) => Promise<void> | void;
  /** A fixed port (default: any free one), for tests whose issuer URL must be known before start. */
  port?: number;
}

export interface RunningPortcullis {
  url: string;
  deps: Deps;
  tenant: TenantRecord;
  /** Audit rows of one type, newest first. */
  audit(type: string, limit?: number): Promise<AuditRecord[]>;
  stop(): Promise<void>;
}

/**
 * Portcullis on loopback with a real clock (a browser's tokens and the emulator's timestamps
 * must agree with the server's), on in-memory SQLite, with one tenant that `/login` answers for
 * and one user ({@link USER}). As `bench/lib.js#startServer`, from the sources.
 */
export async function startPortcullis(options: StartOptions = {}): Promise<RunningPortcullis> {
  const slug = options.slug ?? 'acme';
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
  const config = loadConfig({
    PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', PORTCULLIS_DEFAULT_TENANT: slug, ...options.env,
  });
  const { deps, close } = await compose(config, { database: { kind: 'sqlite', file: ':memory:' } });
  const app = await buildApp(deps, options.extend ? { extend: options.extend } : {});
  try {
    await createTenant(deps, { slug, allowedOrigins: options.allowedOrigins ?? [] });
    let tenant = (await deps.store.tenants.bySlug(slug))!;
    await createUser(deps, { tenant }, { kind: 'operator', id: null }, USER);
    if (options.policy) {
      await updatePolicy(deps, { tenant, ip: '127.0.0.1', userAgent: 'e2e', requestId: 'req_e2e' }, { kind: 'operator', id: null }, options.policy);
      tenant = (await deps.store.tenants.bySlug(slug))!;
    }
    await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`, deps, tenant,
      audit: (type, limit = 10) => deps.store.audit.list(tenant.id, { type, limit }),
      async stop() {
        await app.close();
        await close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app.close().catch(() => {});
    await close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The operator (CLI) as actor, and a request context on the server's tenant, for setting state up directly through the services. */
export const OPERATOR = { kind: 'operator', id: null } as const;
export const operatorContext = (server: RunningPortcullis) => ({ tenant: server.tenant, ip: '127.0.0.1', userAgent: 'e2e', requestId: 'req_e2e' });

/**
 * Registers an SPA (redirect URI `<siteUrl>/callback`) and opens a human browser page whose React app
 * (e2e/react-app) signs in through the hosted page with it. The page is not navigated yet.
 */
export async function openSpaPage(browser: Browser, server: RunningPortcullis, siteUrl: string, name: string): Promise<{ app: { client_id: string }; context: BrowserContext; page: Page }> {
  const app = await createApplication(server.deps, operatorContext(server), OPERATOR, {
    name, scopes: [], type: 'spa', redirect_uris: [`${siteUrl}/callback`], post_logout_redirect_uris: [],
  });
  const context = await humanContext(browser);
  await context.addInitScript(`window.__PORTCULLIS__ = ${JSON.stringify({ baseUrl: server.url, tenant: 'acme', mode: 'redirect', clientId: app.client_id })}`);
  return { app, context, page: await context.newPage() };
}
