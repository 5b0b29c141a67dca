import type { AuditHead, Store } from '../ports/store.js';
import type { AuditChainMac } from '../ports/audit-chain.js';
import { GENESIS_HASH, expectedLink, headMessage } from '../domain/audit/hash-chain.js';

/** A position in one chain: what a checkpoint signs and what verification ends at. */
export interface ShardPosition { shard: number; seq: number; hash: string; lastEventId: string | null }

/**
 * A tenant's checkpointed position. The top-level fields are shard 0's (all a checkpoint held before
 * chains were sharded, and still all it holds for a tenant with one chain); `shards`, when present,
 * lists every chain's position, shard 0 included.
 */
export interface ChainPosition { seq: number; hash: string; lastEventId: string | null; shards?: ShardPosition[] }

export interface CheckpointCheck { seq: number; lastEventId: string | null; ok: boolean; reason?: string }

export interface ChainReport {
  tenantId: string;
  /** Events verified, over every shard. */
  events: number;
  ok: boolean;
  /** Where verification stopped; `shard` is named when it is not 0. */
  brokenAt?: { seq: number; id: string; reason: string; shard?: number };
  /** Present when a checkpoint was given: whether every checkpointed position is still in its chain, unchanged. */
  checkpoint?: CheckpointCheck;
}

export interface ChainDeps { store: Store; auditChain: AuditChainMac }

const PAGE = 1000;

/** Every chain position a checkpoint vouches for. */
export function checkpointedShards(p: ChainPosition): ShardPosition[] {
  return p.shards ?? [{ shard: 0, seq: p.seq, hash: p.hash, lastEventId: p.lastEventId }];
}

/** How many events a checkpoint covers: a later checkpoint of the same log never covers fewer. */
export function checkpointedEvents(p: ChainPosition): number {
  return checkpointedShards(p).reduce((n, s) => n + s.seq, 0);
}

interface ShardWalk { count: number; end: ShardPosition; brokenAt?: { seq: number; id: string; reason: string }; cp?: { ok: boolean; reason?: string } }

/**
 * Walks one chain from genesis to its recorded head. Up to the head's cut-over point links are plain
 * SHA-256 (written before keyed links), after it HMACs under the tenant's chain key; the head carries a
 * MAC binding its shard, so a truncated tail, a moved cut-over or a forged or swapped head are found too.
 */
async function walkShard(deps: ChainDeps, tenantId: string, head: AuditHead & { shard: number }, checkpoint?: ShardPosition): Promise<ShardWalk> {
  const { shard } = head;
  const mac = deps.auditChain.mac;
  let prev = GENESIS_HASH;
  let lastEventId: string | null = null;
  let count = 0;
  let cp: ShardWalk['cp'] = checkpoint && checkpoint.seq === 0
    ? { ok: checkpoint.hash === GENESIS_HASH, ...(checkpoint.hash === GENESIS_HASH ? {} : { reason: 'an empty chain has the genesis link' }) }
    : undefined;
  const finish = (brokenAt?: ShardWalk['brokenAt']): ShardWalk => {
    if (checkpoint && !cp) {
      cp = { ok: false, reason: brokenAt ? 'the chain breaks before the checkpointed position' : `the chain now ends at seq ${count}: the checkpointed events are gone` };
    }
    return { count, end: { shard, seq: count, hash: prev, lastEventId }, ...(brokenAt ? { brokenAt } : {}), ...(cp ? { cp } : {}) };
  };
  // The head's MAC is checked after the walk, so an edited row is named even when the head was forged too.
  const headMac = head.mac === null ? 'the chain head carries no MAC'
    : head.mac !== mac(tenantId, headMessage(tenantId, head, shard)) ? 'the chain head does not match its MAC (rewritten without the master key)' : undefined;
  while (count < head.seq) {
    const rows = await deps.store.audit.chain(tenantId, count, Math.min(PAGE, head.seq - count), shard);
    if (rows.length === 0) break;
    for (const row of rows) {
      const at = (reason: string) => finish({ seq: row.seq, id: row.id, reason });
      if (row.seq !== count + 1) return at(`expected seq ${count + 1}`);
      if (row.prevHash !== prev) return at('prev_hash does not match the previous entry');
      if (expectedLink(mac, head.plainUntil, row) !== row.hash) return at('hash does not match the entry');
      prev = row.hash;
      lastEventId = row.id;
      count += 1;
      if (checkpoint && row.seq === checkpoint.seq) {
        const same = row.id === checkpoint.lastEventId && row.hash === checkpoint.hash;
        cp = { ok: same, ...(same ? {} : { reason: 'the event at the checkpointed position is not the one checkpointed (history rewritten)' }) };
      }
    }
  }
  if (headMac) return finish({ seq: head.seq, id: '', reason: headMac });
  // Deleting the newest rows leaves a valid prefix: only the (MACed) head shows the tail is gone.
  if (count !== head.seq) return finish({ seq: count + 1, id: '', reason: `chain ends at seq ${count} but the head records seq ${head.seq}` });
  if (prev !== head.hash) return finish({ seq: count, id: lastEventId ?? '', reason: 'the last entry is not the one the head records' });
  return finish();
}

/**
 * Walks every chain (shard) of a tenant, each exactly (no fork, no gap, its head's MAC), and finds rows
 * in a shard that has no head. Events appended while it runs lie past the heads it read first and are
 * left for the next run.
 */
export async function walkAuditChain(deps: ChainDeps, tenantId: string, checkpoint?: ChainPosition): Promise<{ report: ChainReport; end: ShardPosition[] }> {
  const heads = await deps.store.audit.heads(tenantId);
  const wanted = checkpoint ? checkpointedShards(checkpoint) : [];
  const named = (shard: number, text: string) => (shard === 0 ? text : `shard ${shard}: ${text}`);
  let events = 0;
  let brokenAt: ChainReport['brokenAt'];
  const ends: ShardPosition[] = [];
  const cpFailures: string[] = [];
  for (const head of heads) {
    const walk = await walkShard(deps, tenantId, head, wanted.find((w) => w.shard === head.shard));
    events += walk.count;
    ends.push(walk.end);
    if (walk.cp && !walk.cp.ok) cpFailures.push(named(head.shard, walk.cp.reason ?? 'checkpoint does not match'));
    if (walk.brokenAt) {
      brokenAt = { ...walk.brokenAt, ...(head.shard === 0 ? {} : { shard: head.shard }) };
      break;
    }
  }
  if (!brokenAt) {
    const orphan = await deps.store.audit.unheaded(tenantId, heads.map((h) => h.shard));
    if (orphan) brokenAt = { seq: orphan.seq, id: orphan.id, reason: 'no chain head records these events', ...(orphan.shard === 0 ? {} : { shard: orphan.shard }) };
  }
  // A checkpointed chain whose head is gone altogether (rows and head deleted) is gone from the log.
  for (const w of wanted) {
    if (heads.some((h) => h.shard === w.shard) || (w.seq === 0 && w.hash === GENESIS_HASH)) continue;
    cpFailures.push(named(w.shard, 'the chain now ends at seq 0: the checkpointed events are gone'));
  }
  const failures = cpFailures;
  let cp: CheckpointCheck | undefined;
  if (checkpoint) {
    const newest = wanted.map((w) => w.lastEventId).filter((id): id is string => id !== null).sort().pop() ?? null;
    const seq = checkpointedEvents(checkpoint);
    cp = { seq, lastEventId: checkpoint.shards ? newest : checkpoint.lastEventId, ok: failures.length === 0, ...(failures.length ? { reason: failures.join('; ') } : {}) };
  }
  const ok = !brokenAt && (cp?.ok ?? true);
  const report: ChainReport = { tenantId, events, ok, ...(brokenAt ? { brokenAt } : {}), ...(cp ? { checkpoint: cp } : {}) };
  return { report, end: ends };
}

/** Verifies a tenant's chains (and, given a checkpoint, that each checkpointed position is still in its chain unchanged). */
export async function verifyAuditChain(deps: ChainDeps, tenantId: string, checkpoint?: ChainPosition): Promise<ChainReport> {
  return (await walkAuditChain(deps, tenantId, checkpoint)).report;
}
