/**
 * The import rules (STYLE.md, DESIGN §1) as a test: a layer that reaches past its ports, or an
 * SDK that reaches into the server, fails here with the offending file:line.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFile, checkRepository, importsOf } from './support/import-rules.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the import rules', () => {
  it('hold for every source file of every package', () => {
    const violations = checkRepository(ROOT);
    const report = violations.map((v) => `${v.where}  ${v.specifier}  (${v.rule})`).join('\n');
    expect(report, `forbidden imports:\n${report}`).toBe('');
  });
});

describe('the import-rule checker', () => {
  it('finds static, type-only, re-exported, dynamic and type-position imports with their lines', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      'const d = await import("./d.js");',
      "type E = import('./e.js').E;",
      "import { type F, g as h } from './f.js';",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: './a.js', line: 1, names: ['a'] },
      { specifier: '../b.js', line: 2, names: ['B'] },
      { specifier: './c.js', line: 3, names: [] },
      { specifier: './d.js', line: 4, names: [] },
      { specifier: './e.js', line: 5, names: [] },
      { specifier: './f.js', line: 6, names: ['F', 'g'] },
    ]);
  });

  it('refuses a service that imports an adapter, even for a type or lazily', () => {
    const file = 'packages/server/src/services/bad.ts';
    const text = [
      "import type { Store } from '../ports/store.js';",
      "import type { SecretBox } from '../adapters/crypto/secret-box.js';",
      "import { buildApp } from '../http/app.js';",
      "const m = await import('../compose.js');",
    ].join('\n');
    expect(checkFile(file, text).map((v) => v.where)).toEqual([
      'packages/server/src/services/bad.ts:2', 'packages/server/src/services/bad.ts:3', 'packages/server/src/services/bad.ts:4',
    ]);
  });

  it('lets the domain hash but not draw random numbers or reach a port', () => {
    const file = 'packages/server/src/domain/risk/bad.ts';
    const ok = "import { createHash, timingSafeEqual } from 'node:crypto';\nimport type { RiskPolicy } from '@portcullis/protocol';\nimport { x } from '../ip/address.js';";
    expect(checkFile(file, ok)).toEqual([]);
    const bad = "import { randomBytes } from 'node:crypto';\nimport type { Store } from '../../ports/store.js';\nimport { ulid } from 'ulid';";
    expect(checkFile(file, bad).map((v) => v.where)).toEqual([`${file}:1`, `${file}:2`, `${file}:3`]);
  });

  it('refuses http → adapters, adapters → services, config → services and ports → adapters', () => {
    expect(checkFile('packages/server/src/http/routes/x.ts', "import { newId } from '../../adapters/crypto/random.js';")).toHaveLength(1);
    expect(checkFile('packages/server/src/adapters/mail/x.ts', "import type { Deps } from '../../services/deps.js';")).toHaveLength(1);
    expect(checkFile('packages/server/src/config/x.ts', "import { policyOf } from '../services/risk/policy.js';")).toHaveLength(1);
    expect(checkFile('packages/server/src/ports/x.ts', "import type { Redis } from '../adapters/redis/redis-counters.js';")).toHaveLength(1);
    expect(checkFile('packages/server/src/http/routes/x.ts', "import { signIn } from '../../services/sign-in.js';")).toEqual([]);
    expect(checkFile('packages/server/src/compose.ts', "import { createSqlStore } from './adapters/sql/sql-store.js';")).toEqual([]);
  });

  it('keeps the SDKs and protocol off server code, by name or by relative path', () => {
    const js = checkFile('packages/js/src/x.ts', "import { PortcullisError } from '@portcullis/protocol';\nimport { compose } from '@portcullis/server';\nimport { t } from '../../server/src/domain/csp.js';");
    expect(js.map((v) => v.where)).toEqual(['packages/js/src/x.ts:2', 'packages/js/src/x.ts:3']);
    expect(checkFile('packages/react/src/x.tsx', "import { AuthClient } from '@portcullis/js';\nimport { useState } from 'react';\nexport const A = () => <div />;")).toEqual([]);
    expect(checkFile('packages/protocol/src/x.ts', "import { AuthClient } from '@portcullis/js';")).toHaveLength(1);
    expect(checkFile('packages/node/src/x.ts', "import { jwtVerify } from 'jose';\nimport { createHmac } from 'node:crypto';\nimport { buildApp } from '@portcullis/server';\nimport { k } from '../../server/src/services/keys.js';").map((v) => v.where))
      .toEqual(['packages/node/src/x.ts:3', 'packages/node/src/x.ts:4']);
  });
});
