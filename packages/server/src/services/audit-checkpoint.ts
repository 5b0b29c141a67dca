import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { PortcullisError } from '@portcullis/protocol';
import type { TenantRecord } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import type { KeyRing } from './keys.js';
import { isoTime } from './context.js';
import { GENESIS_HASH } from '../domain/audit/hash-chain.js';
import { walkAuditChain, type ChainDeps, type ChainPosition, type ChainReport, type ShardPosition } from './audit-verify.js';

/** The JWS `typ` of a checkpoint: never accepted where a token is expected, nor a token here. */
export const CHECKPOINT_TYP = 'portcullis-audit-checkpoint+jwt';

/** One chain's signed head. */
export interface CheckpointShard { shard: number; seq: number; last_event_id: string | null; head: string }

/** A signed chain head, as printed by `portcullis audit checkpoint` (wire names: snake_case). */
export interface Checkpoint {
  tenant_id: string;
  tenant_slug: string;
  seq: number;
  last_event_id: string | null;
  head: string;
  /** Every chain's head, when the tenant has more than one (the fields above are shard 0's). */
  shards?: CheckpointShard[];
  checkpointed_at: string;
  kid: string;
  jws: string;
}

type CheckpointDeps = ChainDeps & { keys: KeyRing; clock: Clock };

/**
 * Verifies the tenant's chain, then signs where it ends with the tenant's signing key: a checkpoint
 * never vouches for a chain that is already broken. Kept outside the database, it lets `audit verify
 * --checkpoint` catch what the chain alone cannot: a history rewritten by someone holding the master
 * key, or rolled back to an older copy of itself.
 */
export async function createCheckpoint(deps: CheckpointDeps, tenant: TenantRecord): Promise<{ report: ChainReport; checkpoint?: Checkpoint }> {
  const { report, end } = await walkAuditChain(deps, tenant.id);
  if (!report.ok) return { report };
  const now = deps.clock.now();
  const zero = end.find((e) => e.shard === 0) ?? { shard: 0, seq: 0, hash: GENESIS_HASH, lastEventId: null };
  // One chain: the format checkpoints had before sharding (old verifiers read it unchanged). Several: every head is signed.
  // Empty shards vouch for nothing and are left out; a removed one is then just empty, which it was.
  const used = end.filter((e) => e.shard === 0 || e.seq > 0);
  const single = used.every((e) => e.shard === 0);
  const shards = !single
    ? used.map((e) => ({ shard: e.shard, seq: e.seq, last_event_id: e.lastEventId, head: e.hash }))
    : undefined;
  const claims = {
    tenant_id: tenant.id, tenant_slug: tenant.slug, seq: zero.seq, last_event_id: zero.lastEventId, head: zero.hash,
    ...(shards ? { shards } : {}), checkpointed_at: isoTime(now), iat: Math.floor(now / 1000),
  };
  const jws = await deps.keys.signDocument(tenant, CHECKPOINT_TYP, claims);
  const { iat: _iat, ...shown } = claims;
  return { report, checkpoint: { ...shown, kid: decodeProtectedHeader(jws).kid ?? '', jws } };
}

/** The JWS values in a checkpoint file: the `--json` output of `audit checkpoint`, or its text (one JWS a line, `#` comments). */
export function parseCheckpointFile(text: string): string[] {
  const bad = (why: string) => new PortcullisError('invalid_request', { message: `not a checkpoint file: ${why}` });
  if (text.trimStart().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw bad('invalid JSON');
    }
    const list = (doc as { checkpoints?: unknown }).checkpoints;
    if (!Array.isArray(list) || list.some((c) => typeof (c as { jws?: unknown })?.jws !== 'string')) throw bad('expected { "checkpoints": [{ "jws": … }] }');
    return list.map((c) => (c as { jws: string }).jws);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) throw bad('no checkpoint in it');
  return lines;
}

/** The slug a checkpoint names, read before its signature is checked (to find whose keys to check it with). */
export function checkpointSlug(jws: string): string {
  try {
    const slug = decodeJwt(jws)['tenant_slug'];
    if (typeof slug === 'string') return slug;
  } catch { /* reported below */ }
  throw new PortcullisError('invalid_request', { message: 'not a checkpoint: expected a compact JWS naming tenant_slug' });
}

/** One signed chain position, or null when a field is malformed. */
function position(s: Record<string, unknown>): ShardPosition | null {
  const { shard, seq, head, last_event_id: last } = s;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!count(shard) || !count(seq) || typeof head !== 'string' || !(last === null || typeof last === 'string')) return null;
  return { shard, seq, hash: head, lastEventId: last };
}

/**
 * Checks a checkpoint's signature against the tenant's keys (every key in its JWKS, so rotation does
 * not orphan old checkpoints) and returns the position it vouches for; null when it does not verify.
 */
export async function openCheckpoint(keys: KeyRing, tenant: TenantRecord, jws: string): Promise<ChainPosition | null> {
  try {
    const { payload } = await jwtVerify(jws, createLocalJWKSet(await keys.jwks(tenant)), { algorithms: ['ES256'], typ: CHECKPOINT_TYP });
    const { tenant_id: id, seq, head, last_event_id: last, shards } = payload as Record<string, unknown>;
    if (id !== tenant.id) return null;
    const zero = position({ shard: 0, seq, head, last_event_id: last });
    if (!zero) return null;
    if (shards === undefined) return { seq: zero.seq, hash: zero.hash, lastEventId: zero.lastEventId };
    if (!Array.isArray(shards)) return null;
    const list = shards.map((s) => (typeof s === 'object' && s !== null ? position(s as Record<string, unknown>) : null));
    if (list.some((p) => p === null) || new Set(list.map((p) => p!.shard)).size !== list.length) return null;
    return { seq: zero.seq, hash: zero.hash, lastEventId: zero.lastEventId, shards: list as ShardPosition[] };
  } catch {
    return null;
  }
}
