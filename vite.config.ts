import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  plugins: [react()],
  resolve: {
    // zod compiles fast parsers with `new Function` after probing for it, which the strict CSP refuses
    // (a violation report on every form page). The web build's zod is configured jitless first.
    alias: [
      { find: /^zod$/, replacement: fileURLToPath(new URL('./src/web/app/zod-jitless.ts', import.meta.url)) },
    ],
  },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // No inline scripts or modulepreload polyfill: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
