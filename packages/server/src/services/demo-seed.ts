import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PortcullisError } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import { createTenant } from './tenants.js';
import { createUser } from './users.js';
import { updatePolicy } from './risk/policy.js';

export interface DemoCredentials {
  tenant: string;
  user: { email: string; password: string };
  /** The demo tenant's console admin (DESIGN §14); absent in files written before admins existed. */
  admin?: { email: string; password: string };
  application: { client_id: string; client_secret: string; scopes: string[] };
}

/**
 * First start on an empty data dir (development only): a `demo` tenant, a demo user, a console
 * admin `admin@example.com` and an admin application. Their credentials are kept in the data dir (mode 0600) so later starts can print them.
 */
export async function seedDemo(deps: Deps, emulatorPrefix?: string): Promise<{ created: boolean; credentials: DemoCredentials | undefined }> {
  const file = join(resolve(deps.config.PORTCULLIS_DATA_DIR), 'demo-credentials.json');
  if (await deps.store.tenants.bySlug('demo')) {
    const credentials = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials) : undefined;
    return { created: false, credentials };
  }
  const origin = `http://${deps.config.HOST}:${deps.config.PORT}`;
  let created;
  try {
    created = await createTenant(deps, { slug: 'demo', allowedOrigins: [origin, `http://localhost:${deps.config.PORT}`] });
  } catch (error) {
    // Another instance starting at the same moment seeded it first.
    if (error instanceof PortcullisError && error.code === 'conflict') return { created: false, credentials: undefined };
    throw error;
  }
  const tenant = (await deps.store.tenants.bySlug('demo'))!;
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const email = 'demo@example.com';
  await createUser(deps, { tenant }, { kind: 'operator', id: null }, { email, password });
  const admin = { email: 'admin@example.com', password: `admin-${randomBytes(9).toString('base64url')}` };
  await createUser(deps, { tenant }, { kind: 'operator', id: null }, { ...admin, roles: ['admin'] });
  if (emulatorPrefix) {
    // Offline demo: Cloudflare's test keys against the mounted emulator. The site key forces an
    // interactive click so the widget is seen; the production guard refuses all of this. The URLs
    // are paths, resolved where they are used, so a later start on another port still finds them.
    await updatePolicy(deps, { tenant, ip: 'cli', userAgent: 'portcullis-start', requestId: 'req_seed' }, { kind: 'operator', id: null }, {
      captcha: {
        provider: 'turnstile', site_key: '3x00000000000000000000FF', secret: '1x0000000000000000000000000000000AA',
        verify_url: `${emulatorPrefix}/turnstile/v0/siteverify`, script_url: `${emulatorPrefix}/turnstile/v0/api.js`,
      },
    });
  }
  const credentials: DemoCredentials = { tenant: 'demo', user: { email, password }, admin, application: created.application };
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return { created: true, credentials };
}
