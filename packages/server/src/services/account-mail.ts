import type { AuditEventType } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import { issuerFor } from './deps.js';

/** The hosted pages the mailed links open (DESIGN §19): they post the token back. */
export function accountLink(deps: Deps, ctx: RequestContext, page: 'verify-email' | 'reset-password', token: string, returnTo?: string): string {
  const back = returnTo ? `&return_to=${encodeURIComponent(returnTo)}` : '';
  return `${issuerFor(deps.config, ctx.tenant.slug)}/${page}?token=${encodeURIComponent(token)}${back}`;
}

/**
 * Sends after the answer has gone: how long the mail server takes must not tell a taken email from
 * a free one. A failed send is audited without the body (it holds a live token).
 */
export function mailLater(deps: Deps, ctx: RequestContext, message: { to: string; subject: string; text: string; userId: string | null; kind: string; auditType: AuditEventType }): void {
  setImmediate(() => {
    deps.mailer.send({ tenantId: ctx.tenant.id, to: message.to, subject: message.subject, text: message.text }).catch(async (error: unknown) => {
      await deps.auditWriter.record(ctx, {
        type: message.auditType, outcome: 'failure', actor: { kind: 'system', id: null }, target: { kind: 'user', id: message.userId },
        data: { mail: message.kind, error: (error as Error).message.slice(0, 200) },
      }).catch(() => {});
    });
  });
}
