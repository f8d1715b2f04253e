// Builds the local UI (src/renderer) into dist/ui, which the local API serves at `/` under a strict
// CSP (no inline scripts or styles). `base: './'` keeps asset URLs relative to index.html.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer/', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui/', import.meta.url)),
    emptyOutDir: true,
    // The machine is offline and the CSP allows 'self' only: every asset is a file next to index.html.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
