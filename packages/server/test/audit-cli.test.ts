import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { canonicalJson } from '../src/domain/audit/hash-chain.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'packages/server/dist/cli.js');

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(PORTCULLIS_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|NODE_ENV$)/.test(k)) env[k] = v;
  }
  return { ...env, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', ...extra };
}

type AuditRow = { seq: number; id: string; tenant_id: string; type: string; occurred_at: string; actor_kind: string; actor_id: string | null; target_kind: string; target_id: string | null; outcome: string; data: string; context: string; prev_hash: string };

describe('portcullis audit verify / audit checkpoint', () => {
  let dataDir: string;
  const cli = (args: string[]) => {
    const res = spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv({ PORTCULLIS_DATA_DIR: dataDir }), encoding: 'utf8', timeout: 30_000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  };
  const withDb = <T>(fn: (db: Sqlite.Database) => T): T => {
    const db = new Sqlite(join(dataDir, 'portcullis.db'));
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  const tenantId = (slug: string) => withDb((db) => (db.prepare('select id from tenants where slug = ?').get(slug) as { id: string }).id);

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-audit-cli-'));
    for (const slug of ['shop', 'forge']) expect(cli(['tenant', 'create', slug]).code).toBe(0);
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  // Each case spawns the CLI several times (a process start and migrations each): slow on a busy machine.
  const SLOW = 240_000;

  it('reports in snake_case under --json, like the API (issue 10 #7)', () => {
    const res = cli(['audit', 'verify', '--tenant', 'shop', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ ok: true, tenants: [{ tenant_id: tenantId('shop'), slug: 'shop', events: 2, ok: true }] });
  }, SLOW);

  it('finds a row rewritten with the plain hashes after it and the head recomputed (issue 9 #10)', () => {
    const id = tenantId('forge');
    // The attack that passed before keyed links: edit, then re-hash every later row and the head with SHA-256.
    withDb((db) => {
      db.prepare("update audit_events set outcome = 'failure' where tenant_id = ? and seq = 1").run(id);
      let prev = '0'.repeat(64);
      for (const r of db.prepare('select * from audit_events where tenant_id = ? order by seq').all(id) as AuditRow[]) {
        const fields = {
          id: r.id, seq: r.seq, tenant_id: r.tenant_id, type: r.type, occurred_at: r.occurred_at, actor: { kind: r.actor_kind, id: r.actor_id },
          target: { kind: r.target_kind, id: r.target_id }, outcome: r.outcome, data: JSON.parse(r.data), context: JSON.parse(r.context), prev_hash: prev,
        };
        const hash = createHash('sha256').update(prev).update('\n').update(canonicalJson(fields)).digest('hex');
        db.prepare('update audit_events set prev_hash = ?, hash = ? where tenant_id = ? and seq = ?').run(prev, hash, id, r.seq);
        prev = hash;
      }
      db.prepare('update audit_heads set hash = ? where tenant_id = ?').run(prev, id);
    });
    const res = cli(['audit', 'verify', '--tenant', 'forge']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^BROKEN {2}forge: at seq 1 \(evt_[0-9A-Z]{26}\): hash does not match the entry\n$/);
    expect(cli(['audit', 'checkpoint', '--tenant', 'forge']).code).toBe(1);
  }, SLOW);

  it('checkpoints the head and, after the tail is cut and the head rolled back, verify --checkpoint fails', () => {
    const id = tenantId('shop');
    const old = withDb((db) => db.prepare('select seq, hash, mac from audit_heads where tenant_id = ?').get(id) as { seq: number; hash: string; mac: string });
    const earlier = cli(['audit', 'checkpoint', '--tenant', 'shop']);
    expect(earlier.stdout).toMatch(/^# shop: seq 2, /);
    for (const email of ['a@shop.example', 'b@shop.example']) expect(cli(['user', 'create', '--tenant', 'shop', '--email', email]).code).toBe(0);

    const text = cli(['audit', 'checkpoint', '--tenant', 'shop']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^# shop: seq 4, last event evt_[0-9A-Z]{26}, head [0-9a-f]{64}, \d{4}-\d\d-\d\dT[\d:.]+Z\n[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const asJson = JSON.parse(cli(['audit', 'checkpoint', '--tenant', 'shop', '--json']).stdout);
    expect(asJson).toEqual({ ok: true, checkpoints: [{
      tenant_id: id, tenant_slug: 'shop', seq: 4, last_event_id: expect.stringMatching(/^evt_/), head: expect.stringMatching(/^[0-9a-f]{64}$/),
      checkpointed_at: expect.any(String), kid: expect.any(String), jws: expect.any(String),
    }] });
    const textFile = join(dataDir, 'checkpoint.txt');
    const jsonFile = join(dataDir, 'checkpoint.json');
    // Daily runs appended to one file, newest first here: the newest checkpoint is the one that counts.
    writeFileSync(textFile, text.stdout + earlier.stdout);
    writeFileSync(jsonFile, JSON.stringify(asJson));
    for (const file of [textFile, jsonFile]) {
      const ok = cli(['audit', 'verify', '--tenant', 'shop', '--checkpoint', file]);
      expect(ok.stdout).toBe('ok      shop: 4 events, chain intact, checkpoint at seq 4 still in place\n');
      expect(ok.code).toBe(0);
    }

    withDb((db) => {
      db.prepare('delete from audit_events where tenant_id = ? and seq > ?').run(id, old.seq);
      db.prepare('update audit_heads set seq = ?, hash = ?, mac = ? where tenant_id = ?').run(old.seq, old.hash, old.mac, id);
    });
    expect(cli(['audit', 'verify', '--tenant', 'shop']).code).toBe(0);
    const cut = cli(['audit', 'verify', '--tenant', 'shop', '--checkpoint', textFile]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/^BROKEN {2}shop: checkpoint at seq 4 \(evt_[0-9A-Z]{26}\): the chain now ends at seq 2: the checkpointed events are gone\n$/);
    const cutJson = JSON.parse(cli(['audit', 'verify', '--tenant', 'shop', '--checkpoint', textFile, '--json']).stdout);
    expect(cutJson).toEqual({ ok: false, tenants: [{
      tenant_id: id, slug: 'shop', events: 2, ok: false,
      checkpoint: { seq: 4, last_event_id: asJson.checkpoints[0].last_event_id, ok: false, reason: 'the chain now ends at seq 2: the checkpointed events are gone' },
    }] });
  }, SLOW);

  it('refuses a missing, malformed or foreign checkpoint file with a message and exit 1', () => {
    const missing = cli(['audit', 'verify', '--checkpoint', join(dataDir, 'nope.txt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`portcullis: cannot read ${join(dataDir, 'nope.txt')}: ENOENT\n`);
    const garbage = join(dataDir, 'garbage.txt');
    writeFileSync(garbage, 'hello\n');
    expect(cli(['audit', 'verify', '--checkpoint', garbage]).stderr).toBe('portcullis: not a checkpoint: expected a compact JWS naming tenant_slug\n');
    const forged = join(dataDir, 'forged.txt');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    writeFileSync(forged, `${b64({ alg: 'ES256', typ: 'portcullis-audit-checkpoint+jwt' })}.${b64({ tenant_slug: 'shop', tenant_id: tenantId('shop'), seq: 2, head: 'x', last_event_id: null })}.${'A'.repeat(86)}\n`);
    const res = cli(['audit', 'verify', '--checkpoint', forged]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("portcullis: checkpoint for shop does not verify with the tenant's signing keys\n");
  }, SLOW);
});
