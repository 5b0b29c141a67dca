import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAPTCHA_PROVIDERS } from '@portcullis/protocol';
import { cspFor as cspFromSource } from '../src/index.js';

// The hosted page loads dist/portcullis.js with <script type="module"> and no import map: one
// import left in it (of @portcullis/protocol, say) and every sign-in page is broken.
const pkg = fileURLToPath(new URL('..', import.meta.url));
const file = `${pkg}dist/portcullis.js`;
let code: string;
let built: string;

beforeAll(() => {
  if (!existsSync(`${pkg}../protocol/dist/index.js`)) throw new Error('build first: npx tsc -b');
  built = execFileSync(process.execPath, [`${pkg}scripts/bundle.mjs`], { encoding: 'utf8' });
  code = readFileSync(file, 'utf8');
});

describe('the SDK bundle (Vite library mode)', () => {
  it('reports its size, and imports nothing: it loads from a data: URL, where no bare specifier resolves', async () => {
    expect(built).toMatch(/^dist\/portcullis\.js: \d+ bytes raw, \d+ bytes gzip, \d+ modules \(Vite 8\.3\.8\)$/m);
    const sdk = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`) as Record<string, unknown>;
    expect(Object.keys(sdk).sort()).toEqual(['AuthClient', 'PortcullisClientError', 'collectDeviceSignals', 'cspFor', 'describeError', 'retryAfterText']);
    // The protocol's table made it in whole: the bundle's cspFor is the source's, provider by provider.
    const cspFor = sdk['cspFor'] as typeof cspFromSource;
    for (const provider of CAPTCHA_PROVIDERS) expect(cspFor(provider)).toEqual(cspFromSource(provider));
  });

  it('is minified, with a source map naming the TypeScript sources, and no schema library inside', () => {
    const lines = code.split('\n');
    expect(lines.at(-1) === '' ? lines.slice(0, -1).at(-1) : lines.at(-1)).toBe('//# sourceMappingURL=portcullis.js.map');
    expect(lines.filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(3);
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../src/auth-client.ts');
    expect(map.sources.some((s) => s.includes('typebox'))).toBe(false);
    expect(code).not.toContain('typebox');
  });
});
