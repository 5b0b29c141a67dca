import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built ahead of time (`npm run build`) and served by the server itself at /admin (DESIGN §14):
// no CDN, and no inline script, so the page's CSP needs nothing but 'self' for code.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    // The preload polyfill is not needed by the browsers the console supports; leaving it out keeps
    // the entry free of code that writes <link> tags the CSP would have to allow.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
