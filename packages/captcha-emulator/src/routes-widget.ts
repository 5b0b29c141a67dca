import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Accounts } from './accounts.js';
import { jsonBody } from './body.js';
import { isProvider } from './controls.js';
import type { TokenCodec } from './token.js';
import { PROVIDERS } from './types.js';
import { widgetErrorCode, widgetVerdict } from './widget/behaviour.js';
import { framePage } from './widget/frame.js';
import { widgetScript } from './widget/script.js';
import { MINT_PATH, SPECS } from './widget/spec.js';

type Query = Record<string, string | undefined>;

/** A parent origin the frame may post to: `scheme://host[:port]`, nothing else (never `*`). */
function parentOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

const noStore = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'no-store');

/**
 * Widget scripts, challenge frames and the frame's token endpoint. `prefix` is where the
 * emulator is mounted, as seen by browsers.
 */
export function registerWidgetRoutes(app: FastifyInstance, prefix: string, accounts: Accounts, codec: TokenCodec, ttlMs: number): void {
  for (const provider of PROVIDERS) {
    const spec = SPECS[provider];
    const script = widgetScript(provider, prefix, ttlMs);
    app.get(spec.scriptPath, async (_request, reply) =>
      noStore(reply).type('text/javascript; charset=utf-8').send(script));

    app.get(spec.framePath, async (request, reply) => {
      const q = request.query as Query;
      const origin = parentOrigin(q.origin);
      if (!origin) return reply.code(400).type('text/plain; charset=utf-8').send('origin must be the parent page origin');
      const version = q.v === 'v3' ? 'v3' : 'v2';
      const sitekey = q.sitekey ?? '';
      const verdict = widgetVerdict(provider, sitekey, version, accounts);
      const errorCode = widgetErrorCode(provider, verdict === 'unknown' ? 'unknown' : 'block');
      const html = framePage({
        provider, sitekey, action: q.action ?? '', cdata: q.cdata ?? '', hostname: q.hostname ?? '', parentOrigin: origin,
        wid: q.wid ?? '', theme: q.theme ?? 'auto', version, deferred: q.deferred === '1', verdict, errorCode,
        mintUrl: `${prefix}${MINT_PATH}`,
      });
      return noStore(reply).type('text/html; charset=utf-8').send(html);
    });
  }

  // Only the frame calls this. Like a real challenge endpoint it refuses blocked and unknown sitekeys.
  app.post(MINT_PATH, async (request, reply) => {
    const body = jsonBody(request);
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    if (!isProvider(body.provider)) return reply.code(400).send({ error: 'bad-request' });
    const provider = body.provider;
    const version = body.version === 'v3' ? 'v3' : 'v2';
    const verdict = widgetVerdict(provider, str(body.sitekey), version, accounts);
    if (verdict === 'block' || verdict === 'unknown') {
      return reply.code(verdict === 'block' ? 403 : 400).send({ error: widgetErrorCode(provider, verdict) });
    }
    const token = codec.mint({
      provider, sitekey: str(body.sitekey), action: str(body.action), hostname: str(body.hostname),
      cdata: str(body.cdata), interactive: body.interactive === true, version,
    });
    return noStore(reply).send({ token });
  });
}
