import type { Store } from '../ports/store.js';
import type { AuditChainMac } from '../ports/audit-chain.js';
import { GENESIS_HASH, expectedLink, headMessage } from '../domain/audit/hash-chain.js';

/** A position in a tenant's chain: what a checkpoint signs and what verification ends at. */
export interface ChainPosition { seq: number; hash: string; lastEventId: string | null }

export interface CheckpointCheck { seq: number; lastEventId: string | null; ok: boolean; reason?: string }

export interface ChainReport {
  tenantId: string;
  events: number;
  ok: boolean;
  brokenAt?: { seq: number; id: string; reason: string };
  /** Present when a checkpoint was given: whether its position is still in the chain, unchanged. */
  checkpoint?: CheckpointCheck;
}

export interface ChainDeps { store: Store; auditChain: AuditChainMac }

const PAGE = 1000;

/**
 * Walks a tenant's chain from genesis to its recorded head. Up to the head's cut-over point links
 * are plain SHA-256 (written before keyed links), after it HMACs under the tenant's chain key; the
 * head itself carries a MAC, so a truncated tail, a moved cut-over or a forged head are found too.
 * Events appended while it runs lie past the head it read first and are left for the next run.
 */
export async function walkAuditChain(deps: ChainDeps, tenantId: string, checkpoint?: ChainPosition): Promise<{ report: ChainReport; end: ChainPosition }> {
  const mac = deps.auditChain.mac;
  let prev = GENESIS_HASH;
  let lastEventId: string | null = null;
  let count = 0;
  let cp: CheckpointCheck | undefined = checkpoint && checkpoint.seq === 0
    ? { seq: 0, lastEventId: null, ok: checkpoint.hash === GENESIS_HASH, ...(checkpoint.hash === GENESIS_HASH ? {} : { reason: 'an empty chain has the genesis link' }) }
    : undefined;
  const finish = (brokenAt?: ChainReport['brokenAt']) => {
    if (checkpoint && !cp) {
      cp = { seq: checkpoint.seq, lastEventId: checkpoint.lastEventId, ok: false,
        reason: brokenAt ? 'the chain breaks before the checkpointed position' : `the chain now ends at seq ${count}: the checkpointed events are gone` };
    }
    const ok = !brokenAt && (cp?.ok ?? true);
    const report: ChainReport = { tenantId, events: count, ok, ...(brokenAt ? { brokenAt } : {}), ...(cp ? { checkpoint: cp } : {}) };
    return { report, end: { seq: count, hash: prev, lastEventId } };
  };

  const head = await deps.store.audit.head(tenantId);
  if (!head) {
    const [first] = await deps.store.audit.chain(tenantId, 0, 1);
    return finish(first ? { seq: first.seq, id: first.id, reason: 'no chain head records these events' } : undefined);
  }
  // The head's MAC is checked after the walk, so an edited row is named even when the head was forged too.
  const headMac = head.mac === null ? 'the chain head carries no MAC'
    : head.mac !== mac(tenantId, headMessage(tenantId, head)) ? 'the chain head does not match its MAC (rewritten without the master key)' : undefined;
  while (count < head.seq) {
    const rows = await deps.store.audit.chain(tenantId, count, Math.min(PAGE, head.seq - count));
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
        cp = { seq: checkpoint.seq, lastEventId: checkpoint.lastEventId, ok: same, ...(same ? {} : { reason: 'the event at the checkpointed position is not the one checkpointed (history rewritten)' }) };
      }
    }
  }
  if (headMac) return finish({ seq: head.seq, id: '', reason: headMac });
  // Deleting the newest rows leaves a valid prefix: only the (MACed) head shows the tail is gone.
  if (count !== head.seq) return finish({ seq: count + 1, id: '', reason: `chain ends at seq ${count} but the head records seq ${head.seq}` });
  if (prev !== head.hash) return finish({ seq: count, id: lastEventId ?? '', reason: 'the last entry is not the one the head records' });
  return finish();
}

/** Verifies a tenant's chain (and, given a checkpoint, that its position is still in the chain unchanged). */
export async function verifyAuditChain(deps: ChainDeps, tenantId: string, checkpoint?: ChainPosition): Promise<ChainReport> {
  return (await walkAuditChain(deps, tenantId, checkpoint)).report;
}
