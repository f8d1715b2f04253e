// Builds the local UI (src/renderer) into dist/ui, which the local API serves at `/` under a strict
// CSP (no inline scripts or styles). `base: './'` keeps asset URLs relative to index.html.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * pdf.js's data files for the PDF preview (src/renderer/ui/pdf-document.ts), copied into dist/ui/pdfjs/
 * so the page loads them from the agent: the CMaps (CJK text), the standard fonts (PDFs that name
 * Helvetica or Times without embedding them) and the JavaScript fallbacks of the JPEG 2000 and JBIG2
 * decoders (their WebAssembly is left out: the CSP does not allow compiling it). The worker itself is
 * an `?url` import, which vite copies into assets/.
 */
function pdfjsAssets(): Plugin {
  const pdfjs = fileURLToPath(new URL('./node_modules/pdfjs-dist/', import.meta.url));
  const copied: Array<[folder: string, keep: (name: string) => boolean]> = [
    ['cmaps', (name) => name.endsWith('.bcmap') || name === 'LICENSE'],
    ['standard_fonts', () => true],
    ['wasm', (name) => name.endsWith('_nowasm_fallback.js') || name.startsWith('LICENSE_')],
  ];
  return {
    name: 'recapito-pdfjs-assets',
    apply: 'build',
    generateBundle() {
      for (const [folder, keep] of copied) {
        for (const name of readdirSync(join(pdfjs, folder)).filter(keep)) {
          this.emitFile({ type: 'asset', fileName: `pdfjs/${folder}/${name}`, source: readFileSync(join(pdfjs, folder, name)) });
        }
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer/', import.meta.url)),
  base: './',
  plugins: [react(), pdfjsAssets()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui/', import.meta.url)),
    emptyOutDir: true,
    // The machine is offline and the CSP allows 'self' only: every asset is a file next to index.html.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    // One bundle, pdf.js included (lint refuses import() in src/), read from loopback: no warning at 500 kB.
    chunkSizeWarningLimit: 1024,
  },
});
