/** Kysely table types. Booleans are 0/1 integers, JSON is text, times are ISO-8601 text: the same on SQLite and PostgreSQL. */
export interface Database {
  tenants: { id: string; slug: string; allowed_origins: string; settings: string; created_at: string };
  tenant_domains: { host: string; tenant_id: string };
  users: { id: string; tenant_id: string; email: string; password_hash: string | null; disabled: number; roles: string; created_at: string; updated_at: string; email_verified_at: string | null };
  sessions: { id: string; tenant_id: string; user_id: string; amr: string; created_at: string; expires_at: string; revoked_at: string | null; revoked_reason: string | null; client_id: string | null; scope: string | null };
  refresh_tokens: { token_hash: string; tenant_id: string; session_id: string; created_at: string; expires_at: string; used_at: string | null };
  applications: {
    id: string; tenant_id: string; name: string; scopes: string; secret_hash: string; previous_secret_hash: string | null;
    previous_secret_expires_at: string | null; secret_rotated_at: string | null; token_ttl_s: number; created_at: string;
    type: string; redirect_uris: string; post_logout_redirect_uris: string;
  };
  auth_codes: {
    code_hash: string; tenant_id: string; client_id: string; redirect_uri: string; code_challenge: string | null; nonce: string | null;
    scope: string; user_id: string; session_id: string; amr: string; auth_time_s: number | string | bigint;
    expires_ms: number | string | bigint; used_ms: number | string | bigint | null; created_at: string;
  };
  signing_keys: { kid: string; tenant_id: string; alg: string; public_jwk: string; private_jwk_sealed: string; created_at: string };
  audit_heads: { tenant_id: string; shard: number; seq: number; hash: string; plain_until: number; mac: string | null };
  audit_events: {
    tenant_id: string; shard: number; seq: number; id: string; type: string; occurred_at: string; actor_kind: string; actor_id: string | null;
    target_kind: string; target_id: string | null; outcome: string; ip: string | null; data: string; context: string; prev_hash: string; hash: string;
  };
  locks: { tenant_id: string; scope: string; subject: string; until_ms: number | string | bigint; created_at: string };
  threat_feeds: { id: string; tenant_id: string; name: string; definition: string; created_at: string };
  captcha_tokens: { token_hash: string; tenant_id: string; expires_ms: number | string | bigint };
  email_otps: {
    id: string; tenant_id: string; user_id: string | null; email: string; code_hash: string; attempts: number;
    expires_ms: number | string | bigint; consumed_ms: number | string | bigint | null; created_at: string;
  };
  webhook_endpoints: {
    id: string; tenant_id: string; url: string; events: string; description: string | null; status: string; disabled_reason: string | null;
    secret_sealed: string; previous_secret_sealed: string | null; previous_secret_expires_at: string | null; secret_rotated_at: string | null;
    failing_since_ms: number | string | bigint | null; created_at: string; updated_at: string;
  };
  webhook_deliveries: {
    id: string; tenant_id: string; endpoint_id: string; event_id: string; event_seq: number | string | bigint; event_type: string; status: string;
    attempts: number; next_attempt_ms: number | string | bigint | null; last_attempt_ms: number | string | bigint | null; last_status: number | null;
    last_error: string | null; locked_until_ms: number | string | bigint | null; lock_owner: string | null; first_failed_ms: number | string | bigint | null; created_at: string;
  };
  account_tokens: {
    token_hash: string; tenant_id: string; user_id: string; purpose: string;
    expires_ms: number | string | bigint; used_ms: number | string | bigint | null; created_at: string; password_hash: string | null;
  };
  outbox: { id: string; tenant_id: string; recipient: string; subject: string; body: string; created_at: string };
}
