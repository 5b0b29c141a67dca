/**
 * The layering rules of STYLE.md and DESIGN §1, checked on the source: every import of every
 * `.ts` file under `packages/<pkg>/src` (static, `import type`, `export … from`, dynamic
 * `import()`, `import('…')` in types, `require`) is classified and refused when it crosses a
 * forbidden arrow. Type-only imports count like any other: a type that an inner layer needs
 * from an outer one belongs in a port (or in protocol), not behind a loophole.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportSite {
  specifier: string;
  line: number;
  /** Named bindings of a static import (`import { a, b as c }` → a, b); empty for the others. */
  names: string[];
}

export interface Violation {
  /** `packages/server/src/services/x.ts:7` */
  where: string;
  specifier: string;
  rule: string;
}

/** Every module specifier `text` refers to, with its 1-based line. */
export function importsOf(fileName: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined, names: string[] = []) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    sites.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, names });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const bindings = node.importClause?.namedBindings;
      const names = bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => (e.propertyName ?? e.name).text) : [];
      add(node, node.moduleSpecifier, names);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** Where a module lives, in the terms the rules speak: `server:services`, `protocol`, `npm`, `node:crypto`, … */
export function classify(target: { path?: string; specifier: string }): string {
  if (target.path) {
    const match = /(?:^|\/)packages\/([^/]+)\/src\/(.*)$/.exec(target.path.split(sep).join('/'));
    if (!match) return 'outside';
    const [, pkg, rest] = match as unknown as [string, string, string];
    if (pkg !== 'server') return pkg;
    // Specifiers name the emitted `.js`; the file on disk is `.ts`.
    const first = rest.split('/')[0]!.replace(/\.(?:[cm]?[jt]sx?)$/, '');
    if (first === 'compose') return 'server:compose';
    if (first === 'cli' || first === 'scripts') return 'server:cli';
    if (first === 'index') return 'server:root';
    return `server:${first}`;
  }
  const s = target.specifier;
  if (s.startsWith('node:')) return s;
  const scoped = /^@portcullis\/([^/]+)/.exec(s);
  if (scoped) return scoped[1]!;
  return 'npm';
}

/** Pure computation the domain may use from node:crypto: hashing yes, randomness no (that is the Ids port). */
const DOMAIN_CRYPTO = new Set(['createHash', 'createHmac', 'timingSafeEqual']);

/** Forbidden arrows, by the layer of the importing file. */
const FORBIDDEN: Record<string, (to: string, site: ImportSite) => string | undefined> = {
  'server:domain': (to, site) => {
    if (to === 'server:domain' || to === 'protocol') return undefined;
    if (to === 'node:crypto' && site.names.length > 0 && site.names.every((n) => DOMAIN_CRYPTO.has(n))) return undefined;
    return 'domain imports only protocol and domain (node:crypto only for hashing)';
  },
  'server:ports': (to) => (['server:services', 'server:adapters', 'server:http', 'server:compose', 'server:cli'].includes(to) ? 'ports never import services, adapters, http, compose or cli' : undefined),
  'server:services': (to) => (['server:adapters', 'server:http', 'server:compose', 'server:cli'].includes(to) ? 'services talk to ports, never adapters, http, compose or cli' : undefined),
  'server:http': (to) => (['server:adapters', 'server:compose'].includes(to) ? 'http calls services, never adapters or compose' : undefined),
  'server:adapters': (to) => (['server:services', 'server:http', 'server:compose', 'server:cli'].includes(to) ? 'adapters implement ports and never import services (types included), http, compose or cli' : undefined),
  'server:config': (to) => (['server:services', 'server:http', 'server:adapters', 'server:compose', 'server:cli'].includes(to) ? 'config is parsed first and imports no services, http or adapters' : undefined),
  protocol: (to) => (['protocol', 'npm'].includes(to) ? undefined : 'protocol imports only itself and its schema library'),
  js: (to) => (['js', 'protocol', 'npm'].includes(to) ? undefined : 'the browser SDK imports protocol only, never server code'),
  react: (to) => (['react', 'js', 'protocol', 'npm'].includes(to) ? undefined : 'the React SDK imports protocol and @portcullis/js only, never server code'),
  node: (to) => (['node', 'protocol', 'npm'].includes(to) || to.startsWith('node:') ? undefined : 'the Node SDK imports protocol and npm packages only, never server code'),
  'captcha-emulator': (to) => (['captcha-emulator', 'npm'].includes(to) || to.startsWith('node:') ? undefined : 'the emulator stands alone'),
};

/** The violations of one file's imports. `file` is relative to the repository root. */
export function checkFile(file: string, text: string): Violation[] {
  const from = classify({ path: file, specifier: '' });
  const rule = FORBIDDEN[from];
  const out: Violation[] = [];
  for (const site of importsOf(file, text)) {
    const relativeSpecifier = site.specifier.startsWith('.');
    const targetPath = relativeSpecifier ? resolve('/', dirname(file), site.specifier).slice(1) : undefined;
    const to = classify({ path: targetPath, specifier: site.specifier });
    const ownPackage = from.startsWith('server') ? to.startsWith('server') : to === from;
    // A relative path into another package is the same arrow as importing it by name, minus the package boundary.
    const why = relativeSpecifier && !ownPackage && to !== 'outside'
      ? `relative import into another package (${to})`
      : to === 'outside' ? 'relative import out of the package sources' : rule?.(to, site);
    if (why) out.push({ where: `${file}:${site.line}`, specifier: site.specifier, rule: why });
  }
  return out;
}

/** Every `.ts` file under `packages/<pkg>/src`, relative to `root`. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(relative(root, full).split(sep).join('/'));
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const src = join(root, 'packages', pkg.name, 'src');
    try { walk(src); } catch { /* a package without sources */ }
  }
  return files.sort();
}

export function checkRepository(root: string): Violation[] {
  return sourceFiles(root).flatMap((file) => checkFile(file, readFileSync(join(root, file), 'utf8')));
}
