import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as risk from './0002-risk.js';
import * as emailOtp from './0003-email-otp.js';
import * as keyedAuditChain from './0004-keyed-audit-chain.js';

import * as attempts from './0005-attempts.js';
import * as signupReset from './0008-signup-reset.js';

/** Ordered migrations, shared by SQLite and PostgreSQL. Append only; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-risk': risk,
  '0003-email-otp': emailOtp,
  '0004-keyed-audit-chain': keyedAuditChain,

  '0005-attempts': attempts,
  '0008-signup-reset': signupReset,
};
