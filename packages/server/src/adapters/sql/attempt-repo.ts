import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { AttemptRow, AttemptStore, ReplayRow } from '../../ports/attempts.js';
import type { IpHit } from '../../domain/risk/signals.js';
import { newId } from '../crypto/random.js';
import { queryTemplate, runTemplate } from './compiled.js';

/** The decision log's table (migration 0005), kept beside its repo so the shared schema file stays untouched. */
interface AttemptTable {
  id: string; tenant_id: string; kind: string; occurred_ms: number | string | bigint; updated_ms: number | string | bigint; ip: string; email: string;
  user_id: string | null; visitor_id: string | null; score: number; action: string; monitor_only: number; reason_codes: string;
  reasons: string; ip_hits: string; trusted: number; c_ip_failures: number | null; c_account_failures: number | null;
  c_lockout_account_ip: number | null; c_lockout_account: number | null; c_lockout_ip: number | null;
  lock_account_ip_ms: number | string | bigint | null; lock_account_ms: number | string | bigint | null; lock_ip_ms: number | string | bigint | null;
  device_confidence: number; device_factors: string; outcome: string; challenge: string | null; challenge_result: string | null;
  challenge_id: string | null; captcha_result: string | null; captcha_latency_ms: number | null;
}
type Db = Kysely<Database & { risk_attempts: AttemptTable }>;
type Row = Selectable<AttemptTable>;

const num = (v: number | string | bigint | null): number | undefined => (v === null ? undefined : Number(v));
const int = (v: number | string | bigint): number => Number(v);
/** `,a,b,`: a reason filter is one LIKE on a delimited list, the same on SQLite and PostgreSQL. */
const codesOf = (reasons: AttemptRow['reasons']) => `,${reasons.map((r) => r.code).join(',')},`;
const likeCode = (code: string) => `%,${code.replace(/[\\%_]/g, (c) => `\\${c}`)},%`;

function countsOf(r: Pick<Row, 'c_ip_failures' | 'c_account_failures' | 'c_lockout_account_ip' | 'c_lockout_account' | 'c_lockout_ip'>): AttemptRow['counts'] {
  if (r.c_ip_failures === null) return null;
  return {
    ipFailures: int(r.c_ip_failures), accountFailures: int(r.c_account_failures ?? 0), lockoutAccountIp: int(r.c_lockout_account_ip ?? 0),
    lockoutAccount: int(r.c_lockout_account ?? 0), lockoutIp: int(r.c_lockout_ip ?? 0),
  };
}

function locksOf(r: Pick<Row, 'lock_account_ip_ms' | 'lock_account_ms' | 'lock_ip_ms'>): AttemptRow['locks'] {
  const locks: AttemptRow['locks'] = {};
  const accountIp = num(r.lock_account_ip_ms), account = num(r.lock_account_ms), ip = num(r.lock_ip_ms);
  if (accountIp !== undefined) locks.accountIpUntil = accountIp;
  if (account !== undefined) locks.accountUntil = account;
  if (ip !== undefined) locks.ipUntil = ip;
  return locks;
}

/** '[]' is nearly every row: skip the parse. */
const hitsOf = (text: string): IpHit[] => (text === '[]' ? [] : JSON.parse(text) as IpHit[]);

function toRow(r: Row): AttemptRow {
  return {
    // `kind` absent means `login`, as on insert: a row reads back as it was written.
    id: r.id, tenantId: r.tenant_id, ...(r.kind === 'login' ? {} : { kind: r.kind as AttemptRow['kind'] }), occurredMs: int(r.occurred_ms), ip: r.ip, email: r.email, userId: r.user_id, visitorId: r.visitor_id,
    score: int(r.score), action: r.action as AttemptRow['action'], monitorOnly: int(r.monitor_only) === 1,
    reasons: JSON.parse(r.reasons) as AttemptRow['reasons'], ipHits: hitsOf(r.ip_hits), trustedNetwork: int(r.trusted) === 1,
    counts: countsOf(r), locks: locksOf(r), deviceConfidence: Number(r.device_confidence), deviceFactors: JSON.parse(r.device_factors) as string[],
    outcome: r.outcome, challenge: r.challenge as AttemptRow['challenge'], challengeResult: r.challenge_result as AttemptRow['challengeResult'],
    challengeId: r.challenge_id, captchaResult: r.captcha_result, captchaLatencyMs: r.captcha_latency_ms === null ? null : int(r.captcha_latency_ms),
  };
}

function valuesOf(id: string, a: Omit<AttemptRow, 'id'>) {
  const c = a.counts;
  return {
    id, tenant_id: a.tenantId, kind: a.kind ?? 'login', occurred_ms: a.occurredMs, updated_ms: a.occurredMs, ip: a.ip, email: a.email,
    user_id: a.userId ?? null,
    visitor_id: a.visitorId, score: a.score, action: a.action, monitor_only: a.monitorOnly ? 1 : 0, reason_codes: codesOf(a.reasons),
    reasons: JSON.stringify(a.reasons), ip_hits: JSON.stringify(a.ipHits), trusted: a.trustedNetwork ? 1 : 0,
    c_ip_failures: c?.ipFailures ?? null, c_account_failures: c?.accountFailures ?? null, c_lockout_account_ip: c?.lockoutAccountIp ?? null,
    c_lockout_account: c?.lockoutAccount ?? null, c_lockout_ip: c?.lockoutIp ?? null,
    lock_account_ip_ms: a.locks.accountIpUntil ?? null, lock_account_ms: a.locks.accountUntil ?? null, lock_ip_ms: a.locks.ipUntil ?? null,
    device_confidence: a.deviceConfidence, device_factors: JSON.stringify(a.deviceFactors), outcome: a.outcome, challenge: a.challenge,
    challenge_result: a.challengeResult, challenge_id: a.challengeId, captcha_result: a.captchaResult, captcha_latency_ms: a.captchaLatencyMs,
  };
}

export function attemptRepo(database: Kysely<Database>): AttemptStore {
  const db = database.withTables<{ risk_attempts: AttemptTable }>() as Db;
  const inWindow = (tenantId: string, sinceMs: number, untilMs: number) => db.selectFrom('risk_attempts')
    .where('tenant_id', '=', tenantId).where('occurred_ms', '>=', sinceMs).where('occurred_ms', '<', untilMs);
  async function insertMany(rows: ReadonlyArray<Omit<AttemptRow, 'id'>>): Promise<string[]> {
    const ids = rows.map(() => newId('att'));
    // 31 columns a row: 200 rows stay far below SQLite's 32,766 bound parameters.
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows.slice(i, i + 200).map((a, j) => valuesOf(ids[i + j]!, a));
      // One template per row count: the decision log's rows are the bulk of a refusal's SQL building.
      const insert = queryTemplate(db, `risk_attempts.insert:${values.length}`, (arg) => db.insertInto('risk_attempts').values(values.map((v, j) => {
        const marked = Object.fromEntries(Object.keys(v).map((k) => [k, arg(j, k)])) as unknown as ReturnType<typeof valuesOf>;
        // The user is looked up inside the insert when the caller did not know it: no extra round trip on the sign-in path.
        return { ...marked, user_id: sql<string | null>`coalesce(${arg(j, 'user_id')}, (select id from users where tenant_id = ${arg(j, 'tenant_id')} and email = ${arg(j, 'email')}))` };
      })));
      await runTemplate(db, insert, values);
    }
    return ids;
  }
  return {
    async insert(a) {
      const [id] = await insertMany([a]);
      return id!;
    },
    insertMany,
    async settleCaptcha(tenantId, m, s, nowMs) {
      let pending = db.selectFrom('risk_attempts').select('id').where('tenant_id', '=', tenantId).where('kind', '=', m.kind ?? 'login').where('email', '=', m.email)
        .where('ip', '=', m.ip).where('outcome', '=', 'captcha_required').where('occurred_ms', '>=', m.sinceMs);
      pending = m.visitorId === null ? pending.where('visitor_id', 'is', null) : pending.where('visitor_id', '=', m.visitorId);
      const target = await pending.orderBy('occurred_ms', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!target) return undefined;
      // The outcome condition is re-checked by the update itself: of two instances settling one attempt, one wins.
      const r = await db.updateTable('risk_attempts').set({
        outcome: s.outcome, challenge: s.challenge, challenge_id: s.challengeId, challenge_result: s.challengeResult, captcha_result: s.captchaResult, captcha_latency_ms: s.captchaLatencyMs, updated_ms: nowMs,
      }).where('tenant_id', '=', tenantId).where('id', '=', target.id).where('outcome', '=', 'captcha_required').executeTakeFirst();
      return Number(r.numUpdatedRows) > 0 ? target.id : undefined;
    },
    async settleEmailOtp(tenantId, challengeId, passed, nowMs) {
      const r = await db.updateTable('risk_attempts')
        .set({ outcome: passed ? 'email_otp_passed' : 'email_otp_failed', challenge_result: passed ? 'passed' : 'failed', updated_ms: nowMs })
        .where('tenant_id', '=', tenantId).where('challenge_id', '=', challengeId).where('outcome', '<>', 'email_otp_passed').executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('risk_attempts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && toRow(r);
    },
    async list(tenantId, f) {
      let q = db.selectFrom('risk_attempts').selectAll().where('tenant_id', '=', tenantId);
      if (f.email !== undefined) q = q.where('email', '=', f.email);
      if (f.ip !== undefined) q = q.where('ip', '=', f.ip);
      if (f.action !== undefined) q = q.where('action', '=', f.action);
      if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
      if (f.reason !== undefined) q = q.where(sql<boolean>`reason_codes like ${likeCode(f.reason)} escape '\\'`);
      if (f.sinceMs !== undefined) q = q.where('occurred_ms', '>=', f.sinceMs);
      if (f.untilMs !== undefined) q = q.where('occurred_ms', '<', f.untilMs);
      const b = f.before;
      if (b) q = q.where((eb) => eb.or([eb('occurred_ms', '<', b.ms), eb.and([eb('occurred_ms', '=', b.ms), eb('id', '<', b.id)])]));
      return (await q.orderBy('occurred_ms', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toRow);
    },
    async groups(tenantId, sinceMs, untilMs, bucketMs) {
      // better-sqlite3 binds numbers as reals, so the quotient is truncated explicitly (rows are never before sinceMs).
      // The groups are few: buckets × outcome mixes.
      const bucket = sql<number | string>`cast((occurred_ms - ${sinceMs}) / ${bucketMs} as integer)`;
      const rows = await inWindow(tenantId, sinceMs, untilMs)
        .select([bucket.as('bucket'), 'action', 'outcome', 'challenge', 'challenge_result', 'reason_codes', 'captcha_result', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy([sql`bucket`, 'action', 'outcome', 'challenge', 'challenge_result', 'reason_codes', 'captcha_result']).execute();
      return rows.map((r) => ({
        bucket: Number(r.bucket), action: r.action, outcome: r.outcome, challenge: r.challenge, challengeResult: r.challenge_result,
        reasonCodes: r.reason_codes, captchaResult: r.captcha_result, count: Number(r.n),
      }));
    },
    async latencyQuantile(tenantId, sinceMs, untilMs, q) {
      const timed = inWindow(tenantId, sinceMs, untilMs).where('captcha_latency_ms', 'is not', null);
      const total = Number((await timed.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst())?.n ?? 0);
      if (total === 0) return null;
      // Nearest rank: the smallest value with at least q of the values at or below it.
      const rank = Math.max(1, Math.ceil(q * total));
      const row = await timed.select('captcha_latency_ms').orderBy('captcha_latency_ms').limit(1).offset(rank - 1).executeTakeFirst();
      return row?.captcha_latency_ms === null || row === undefined ? null : Number(row.captcha_latency_ms);
    },
    async replay(tenantId, sinceMs, untilMs, limit) {
      const rows = await inWindow(tenantId, sinceMs, untilMs)
        .select(['id', 'occurred_ms', 'ip', 'action', 'outcome', 'reason_codes', 'ip_hits', 'c_ip_failures', 'c_account_failures',
          'c_lockout_account_ip', 'c_lockout_account', 'c_lockout_ip', 'lock_account_ip_ms', 'lock_account_ms', 'lock_ip_ms', 'device_confidence'])
        .orderBy('occurred_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r): ReplayRow => ({
        id: r.id, occurredMs: int(r.occurred_ms), ip: r.ip, action: r.action as ReplayRow['action'], outcome: r.outcome,
        reasonCodes: r.reason_codes.length > 2 ? r.reason_codes.slice(1, -1).split(',') : [], ipHits: hitsOf(r.ip_hits),
        counts: countsOf(r), locks: locksOf(r), deviceConfidence: Number(r.device_confidence),
      }));
    },
    async prune(beforeMs, batch) {
      const old = db.selectFrom('risk_attempts').select('id').where('occurred_ms', '<', beforeMs).limit(batch);
      const r = await db.deleteFrom('risk_attempts').where('id', 'in', old).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
