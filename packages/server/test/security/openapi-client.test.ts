import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import openapiTS, { astToString } from 'openapi-typescript';
import { createHarness, type Harness } from '../support/harness.js';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** Type errors of `file` (in `dir`, next to the generated `api.d.ts`), as `line: message`. */
function typeErrors(dir: string, file: string, source: string): string[] {
  const path = join(dir, file);
  writeFileSync(path, source);
  const program = ts.createProgram([path], {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

const HEADER = `import createClient from 'openapi-fetch';
import type { components, operations, paths } from './api.js';
const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000', headers: { 'x-tenant': 'acme' } });
`;

// Issue 10 #14: generators get operation ids, named schemas, X-Tenant and a typed policy body.
describe('a client generated from /openapi.json with openapi-typescript', () => {
  let h: Harness;
  let dir = '';
  let doc: Record<string, any> = {};
  beforeAll(async () => {
    h = await createHarness();
    doc = (await h.app.inject({ url: '/openapi.json' })).json();
    dir = mkdtempSync(join(tmpdir(), 'portcullis-openapi-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'api.d.ts'), astToString(await openapiTS(doc as never)));
  }, 120_000);
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a unique operationId on every operation, servers, X-Tenant and named component schemas', () => {
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.length).toBeGreaterThan(25);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:3000', description: 'This instance' }]);
    expect(doc.paths['/api/v1/users'].post.parameters).toContainEqual(expect.objectContaining({ name: 'x-tenant', in: 'header', required: false }));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['User', 'Application', 'Error', 'OAuthError', 'RiskPolicyView', 'RiskPolicyInput', 'AuditEvent', 'TokenResponse']));
    expect(doc.paths['/api/v1/risk/policy'].put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RiskPolicyInput' });
  });

  it('type-checks correct calls', () => {
    expect(typeErrors(dir, 'ok.ts', `${HEADER}
export async function calls() {
  const created = await client.POST('/api/v1/users', { body: { email: 'ada@example.com', password: 'long enough password' } });
  const id: string | undefined = created.data?.data.id;
  const failed: string | undefined = created.error?.error;
  const page = await client.GET('/api/v1/users', { params: { query: { limit: 10 } } });
  const next: string | null | undefined = page.data?.meta.next_cursor;
  await client.PUT('/api/v1/risk/policy', { body: { thresholds: { challenge: 40 }, captcha: { on_every_login: true } } });
  await client.POST('/api/v1/users/{id}/unlock', { params: { path: { id: 'usr_1' } } });
  const user: components['schemas']['User'] = { id: 'usr_1', email: 'a@example.com', disabled: false, roles: [], created_at: '', updated_at: '' };
  const signInBody: operations['signIn']['requestBody'] = { content: { 'application/json': { email: 'ada@example.com', password: 'pw' } } };
  return [id, failed, next, user, signInBody];
}
`)).toEqual([]);
  });

  it('refuses wrong calls: a bad body field, a policy value of the wrong type, an unknown path, a missing path parameter', () => {
    const errors = typeErrors(dir, 'wrong.ts', `${HEADER}
export async function calls() {
  await client.POST('/api/v1/users', { body: { email: 42 } });
  await client.PUT('/api/v1/risk/policy', { body: { thresholds: { challenge: 'high' } } });
  await client.GET('/api/v1/nowhere');
  await client.POST('/api/v1/users/{id}/unlock', {});
}
`);
    expect(errors.map((e) => e.split(':')[0])).toEqual(['6', '7', '8', '9']);
  });
});
