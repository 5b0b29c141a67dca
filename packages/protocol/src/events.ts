/** Audit event types (DESIGN §11). */
export const AUDIT_EVENT_TYPES = [
  'user.signed_in', 'user.signed_in.failed', 'user.signed_out', 'user.session_revoked',
  'user.locked', 'user.unlocked', 'user.created', 'user.updated', 'user.deleted',
  'captcha.required', 'captcha.passed', 'captcha.failed', 'captcha.provider_unreachable',
  'captcha.misconfigured', 'email_otp.sent', 'email_otp.verified', 'email_otp.failed',
  'application.created', 'application.updated', 'application.deleted',
  'application.secret_rotated', 'application.token_issued', 'application.token_failed',
  'risk.policy_updated', 'security.threat_feed_fetch_failed', 'security.counter_store_unavailable',
  'tenant.created',
  'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.disabled',
  'user.signed_up', 'user.email_verified', 'user.password_reset_requested', 'user.password_reset', 'tenant.settings_updated',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Management API scopes (DESIGN §10). */
export const MANAGEMENT_SCOPES = [
  'users:read', 'users:write', 'applications:read', 'applications:write',
  'risk:read', 'risk:write', 'audit:read',
  'webhooks:read', 'webhooks:write',
  'settings:read', 'settings:write',
] as const;
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];
