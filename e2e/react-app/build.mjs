// Builds the example app into e2e/react-app/dist for a browser test to serve:
//   node e2e/react-app/build.mjs
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const sdk = fileURLToPath(new URL('../../packages/js/src/index.ts', import.meta.url));
if (!existsSync(sdk)) {
  console.error(`e2e/react-app: ${sdk} does not exist yet; the app needs the @portcullis/js source.`);
  process.exit(1);
}

await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'silent' });

const dist = join(root, 'dist');
const bytes = (dir) => readdirSync(dir, { withFileTypes: true })
  .reduce((n, e) => n + (e.isDirectory() ? bytes(join(dir, e.name)) : e.name.endsWith('.map') ? 0 : statSync(join(dir, e.name)).size), 0);
console.log(`e2e/react-app: built ${dist} (${(bytes(dist) / 1024).toFixed(1)} KiB without source maps)`);
