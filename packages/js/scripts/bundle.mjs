// Builds dist/portcullis.js (+ .map), the single-file ESM bundle the hosted page loads with
// <script type="module"> from /sdk/portcullis.js, with Vite's library mode: minified, with a
// source map, and with @portcullis/protocol inlined (tree-shaken to what the SDK uses), so the
// bundle imports nothing at run time. Run after `tsc -b` (the protocol is read from its build).
//   node packages/js/scripts/bundle.mjs
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, version } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'portcullis.js');

const result = await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    lib: { entry: join(root, 'src/index.ts'), formats: ['es'], fileName: () => 'portcullis.js' },
    outDir: join(root, 'dist'),
    // tsc's output (index.js, the .d.ts files the package exports) lives in the same folder.
    emptyOutDir: false,
    copyPublicDir: false,
    minify: 'oxc',
    sourcemap: true,
    // ES2022: class private fields (`#state`) ship as they are, as every browser the SDK supports runs them.
    target: 'es2022',
    rolldownOptions: {
      // Everything is bundled: a page must not need an import map to load the SDK.
      external: [],
      // Library mode keeps whitespace and /*@__PURE__*/ notes for a later bundler; this file goes
      // to the browser as it is, so print it minified too.
      output: { minify: { codegen: true }, comments: false },
    },
    reportCompressedSize: false,
  },
});

// An import left in the bundle would make the hosted page fail at load time: refuse it here.
const chunks = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output).filter((o) => o.type === 'chunk');
const imports = chunks.flatMap((c) => [...c.imports, ...c.dynamicImports]);
if (chunks.length !== 1 || imports.length > 0) throw new Error(`the SDK bundle must be one file importing nothing; got ${chunks.map((c) => c.fileName)} importing ${imports}`);
const bundle = readFileSync(out);
const gz = gzipSync(bundle, { level: 9 }).length;
const modules = JSON.parse(readFileSync(`${out}.map`, 'utf8')).sources.length;
console.log(`dist/portcullis.js: ${bundle.length} bytes raw, ${gz} bytes gzip, ${modules} modules (Vite ${version})`);

// The ALTCHA widget (DESIGN §16), served by Portcullis at /sdk/altcha*.{js,css}: its build without
// inline styles or inlined workers, so a page's CSP needs nothing but 'self' (and blob: for the
// worker the SDK starts from the fetched worker code, which also works across origins).
const { createRequire } = await import('node:module');
const { copyFileSync } = await import('node:fs');
// `altcha` exports no package.json: find its folder from its main entry (dist/main/altcha.umd.cjs).
const widgetDir = resolve(dirname(createRequire(import.meta.url).resolve('altcha')), '..');
for (const [from, to] of [['external/altcha.min.js', 'altcha.js'], ['external/altcha.css', 'altcha.css'], ['workers/sha.js', 'altcha-worker.js']]) {
  copyFileSync(join(widgetDir, from), join(root, 'dist', to));
}
console.log('dist/altcha.js, altcha.css, altcha-worker.js: the ALTCHA widget, copied from altcha');
