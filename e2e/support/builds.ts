import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The SDK bundle the hosted page imports from `/sdk/portcullis.js` (and the other-origin pages serve themselves). */
export const SDK_BUNDLE = repo('packages/js/dist/portcullis.js');
/** The React example app, built by Vite into `dist/`. */
export const REACT_APP = repo('e2e/react-app');
export const REACT_DIST = join(REACT_APP, 'dist');

function newest(dir: string, skip: (name: string) => boolean = () => false): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path, skip) : statSync(path).mtimeMs);
  }
  return latest;
}

const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);

/**
 * The browser runs built code, the server under test runs source: a bundle older than the SDK
 * or protocol sources would test yesterday's SDK and pass. Refuse rather than rebuild the
 * product's build output behind the developer's back.
 */
export function assertSdkBundleFresh(): void {
  const built = mtime(SDK_BUNDLE);
  if (built === 0) throw new Error(`${SDK_BUNDLE} is missing: run \`npm run build\` first`);
  const sources = Math.max(newest(repo('packages/js/src')), newest(repo('packages/protocol/src')));
  if (sources > built) throw new Error(`${SDK_BUNDLE} is older than the SDK sources: run \`npm run build\` first`);
}

/** Builds `e2e/react-app/dist` (`node e2e/react-app/build.mjs`) when missing or older than the app, SDK, React or protocol sources. */
export async function ensureReactApp(): Promise<void> {
  const built = mtime(join(REACT_DIST, 'index.html'));
  const sources = Math.max(
    newest(REACT_APP, (name) => name === 'dist'),
    ...['packages/js/src', 'packages/react/src', 'packages/protocol/src'].map((d) => newest(repo(d))),
  );
  if (built >= sources) return;
  await promisify(execFile)(process.execPath, [join(REACT_APP, 'build.mjs')], { timeout: 60_000 });
}
