// The web UI's build: `vite build --config ui/vite.config.ts` writes dist/ui/ (index.html + hashed assets/), which the
// UI server (src/api/ui) serves. Preact through Vite's built-in JSX transform (automatic runtime), no preset plugin.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: uiRoot,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
  },
});
