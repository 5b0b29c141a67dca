// Builds dist/portcullis.js, the single-file ESM bundle the hosted page loads with
// <script type="module">, from tsc's output (run `tsc -b` first). No bundler is installed, and the
// SDK's output is regular enough (one-line imports, `export` declarations) to link by hand:
// each module becomes a function scope (so local names never collide), imports become
// destructured reads of earlier modules, and the one external import (`ERRORS` from
// @portcullis/protocol) is inlined from the protocol's own build so the registry cannot drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const protocolErrors = join(root, '../protocol/dist/errors.js');
const INLINED = { '@portcullis/protocol': ['ERRORS'] };

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'([^']+)';?[ \t]*$/gm;
const REEXPORT = /^export\s*\{([^}]*)\}\s*from\s*'([^']+)';?[ \t]*$/gm;
const LOCAL_EXPORT_LIST = /^export\s*\{([^}]*)\};?[ \t]*$/gm;
const DECL = /^export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)/gm;

/** `a, b as c` → [[a, b], [b, c]]: [imported, local]. */
const specifiers = (list) => list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
  const [name, alias] = s.split(/\s+as\s+/);
  return [name, alias ?? name];
});
const destructure = (pairs) => `{ ${pairs.map(([from, to]) => (from === to ? from : `${from}: ${to}`)).join(', ')} }`;

const modules = new Map(); // absolute path → { id, code, deps, exports }
let next = 0;

function load(file) {
  if (modules.has(file)) return modules.get(file);
  const mod = { id: `m${next++}`, file, deps: [], exports: [], code: '' };
  modules.set(file, mod);
  let code = readFileSync(file, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '').replace(/^export \{\};?$/m, '');
  const link = (spec, pairs) => {
    if (INLINED[spec]) {
      for (const [name] of pairs) if (!INLINED[spec].includes(name)) throw new Error(`${file}: ${name} from ${spec} is not inlined`);
      return `const ${destructure(pairs)} = __protocol;`;
    }
    if (!spec.startsWith('.')) throw new Error(`${file}: external import ${spec} is not allowed in the bundle`);
    const dep = load(resolve(dirname(file), spec));
    mod.deps.push(dep);
    return `const ${destructure(pairs)} = ${dep.id};`;
  };
  code = code.replace(IMPORT, (_, list, spec) => link(spec, specifiers(list)));
  code = code.replace(REEXPORT, (_, list, spec) => {
    const pairs = specifiers(list);
    mod.exports.push(...pairs.map(([, to]) => to));
    return link(spec, pairs);
  });
  code = code.replace(LOCAL_EXPORT_LIST, (_, list) => {
    mod.exports.push(...specifiers(list).map(([, to]) => to));
    return '';
  });
  code = code.replace(DECL, (_, kind, name) => {
    mod.exports.push(name);
    return `${kind} ${name}`;
  });
  if (/^\s*(import|export)\b/m.test(code)) throw new Error(`${file}: an import/export form the bundler does not handle`);
  mod.code = code;
  return mod;
}

/** Depth-first order, dependencies first; a cycle would read an undefined binding, so refuse it. */
function order(entry) {
  const out = [];
  const state = new Map();
  const visit = (mod, path) => {
    if (state.get(mod) === 'done') return;
    if (state.get(mod) === 'active') throw new Error(`import cycle: ${[...path, mod].map((m) => relative(dist, m.file)).join(' → ')}`);
    state.set(mod, 'active');
    for (const dep of mod.deps) visit(dep, [...path, mod]);
    state.set(mod, 'done');
    out.push(mod);
  };
  visit(entry, []);
  return out;
}

/** Drops whole-line comments and indentation: tsc keeps TSDoc, which the page does not need. */
function compact(code) {
  const out = [];
  let inBlock = false;
  for (const line of code.split('\n')) {
    const t = line.trim();
    if (inBlock) {
      if (t.includes('*/')) inBlock = false;
      continue;
    }
    if (t.startsWith('/*')) {
      inBlock = !t.includes('*/');
      continue;
    }
    if (t === '' || t.startsWith('//')) continue;
    out.push(t);
  }
  return out.join('\n');
}

function inlineErrors() {
  const text = readFileSync(protocolErrors, 'utf8');
  const m = /^export const ERRORS = (\{[\s\S]*?\n\});$/m.exec(text);
  if (!m) throw new Error(`ERRORS not found in ${protocolErrors}`);
  return `const __protocol = { ERRORS: ${m[1]} };`;
}

const entry = load(join(dist, 'index.js'));
const parts = order(entry).map((mod) => `const ${mod.id} = (() => {\n${mod.code}\nreturn { ${mod.exports.join(', ')} };\n})();`);
const header = '/* @portcullis/js browser bundle (ESM). Built by scripts/bundle.mjs from tsc output; do not edit. */';
const body = compact([inlineErrors(), ...parts, `export const { ${entry.exports.join(', ')} } = ${entry.id};`].join('\n'));
const bundle = `${header}\n${body}\n`;
writeFileSync(join(dist, 'portcullis.js'), bundle);
const raw = Buffer.byteLength(bundle);
const gz = gzipSync(bundle, { level: 9 }).length;
console.log(`dist/portcullis.js: ${raw} bytes raw, ${gz} bytes gzip, ${modules.size} modules`);
