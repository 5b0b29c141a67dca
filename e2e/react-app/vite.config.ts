import { fileURLToPath } from 'node:url';
import { defineConfig, version, type UserConfig } from 'vite';

const repo = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

// JSX without @vitejs/plugin-react: Vite 8 transforms with Oxc (its `esbuild` option is
// deprecated there), Vite 7 with esbuild. Neither reads a tsconfig here, so say it.
// (Cast: Vite 8 no longer ships esbuild's option types.)
const jsx: UserConfig = Number(version.split('.')[0]) >= 8
  ? { oxc: { jsx: { runtime: 'automatic' } } }
  : ({ esbuild: { jsx: 'automatic' } } as UserConfig);

/** The example app a browser test serves from `dist/`; the packages come from their source. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  ...jsx,
  resolve: {
    alias: {
      '@portcullis/js': repo('packages/js/src/index.ts'),
      '@portcullis/react': repo('packages/react/src/index.ts'),
      '@portcullis/protocol': repo('packages/protocol/src/index.ts'),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
