import Fastify, { type FastifyInstance } from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Helmet's headers, worked out once. With CSP off they are the same on every answer, but
 * `@fastify/helmet` runs its whole middleware chain (and an async hook) per request: ~4 % of the
 * event loop on a refusal or a token. A scratch instance with helmet is asked once, and the headers
 * it adds over a bare one are set from a frozen copy in one synchronous hook at the same place in
 * the hook order. No route uses per-route helmet options or `reply.helmet()`.
 */
export function helmetHeaders(options: FastifyHelmetOptions): Promise<Readonly<Record<string, string>>> {
  // Once per process and options: every app built with the same options gets the same headers.
  const key = JSON.stringify(options);
  let headers = computed.get(key);
  if (!headers) {
    computed.set(key, headers = askHelmet(options));
    headers.catch(() => computed.delete(key));
  }
  return headers;
}

const computed = new Map<string, Promise<Readonly<Record<string, string>>>>();

async function askHelmet(options: FastifyHelmetOptions): Promise<Readonly<Record<string, string>>> {
  const answer = async (withHelmet: boolean) => {
    const scratch = Fastify();
    if (withHelmet) await scratch.register(helmet, options);
    scratch.get('/', async () => 'ok');
    const res = await scratch.inject({ method: 'GET', url: '/' });
    await scratch.close();
    return res.headers;
  };
  const [bare, helmeted] = [await answer(false), await answer(true)];
  const added = Object.entries(helmeted).filter(([name]) => !(name in bare));
  return Object.freeze(Object.fromEntries(added.map(([name, value]) => [name, String(value)])));
}

/** Sets helmet's headers (see `helmetHeaders`) on every answer from the point of registration on. */
export async function registerSecurityHeaders(app: FastifyInstance, options: FastifyHelmetOptions): Promise<void> {
  const headers = await helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
