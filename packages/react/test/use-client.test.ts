import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
/** The first statement of a module, comments and blank lines aside: where a directive must stand. */
const firstStatement = (code: string) => code.replace(/^(\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/))*\s*/, '').split('\n')[0];

// React Server Components bundlers read "use client" only as the module's first statement; a
// build that drops or moves it makes `import { SignIn } from '@portcullis/react'` fail in a
// Server Component with "useSyncExternalStore is not a function" instead of working.
describe('"use client" in @portcullis/react (issue 10 #16)', () => {
  it('opens the entry module, in the source and in the built output', () => {
    expect(firstStatement(readFileSync(`${pkg}src/index.ts`, 'utf8'))).toBe("'use client';");
    execFileSync(process.execPath, [fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url)), '-b', pkg]);
    expect(firstStatement(readFileSync(`${pkg}dist/index.js`, 'utf8'))).toBe("'use client';");
  });
});
