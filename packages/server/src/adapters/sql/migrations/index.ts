import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as risk from './0002-risk.js';
import * as emailOtp from './0003-email-otp.js';
import * as keyedAuditChain from './0004-keyed-audit-chain.js';
import * as attempts from './0005-attempts.js';
import * as userRoles from './0006-user-roles.js';
import * as webhooks from './0007-webhooks.js';
import * as signupReset from './0008-signup-reset.js';
import * as oidcClients from './0009-oidc-clients.js';
import * as sessionClient from './0010-session-client.js';
import * as shardedAuditChain from './0011-sharded-audit-chain.js';

/** Ordered migrations, shared by SQLite and PostgreSQL. Append only; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-risk': risk,
  '0003-email-otp': emailOtp,
  '0004-keyed-audit-chain': keyedAuditChain,
  '0005-attempts': attempts,
  '0006-user-roles': userRoles,
  '0007-webhooks': webhooks,
  '0008-signup-reset': signupReset,
  '0009-oidc-clients': oidcClients,
  '0010-session-client': sessionClient,
  '0011-sharded-audit-chain': shardedAuditChain,
};
