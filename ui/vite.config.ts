/**
 * Builds the web UI into dist/ui/ (served by the UI server, src/api/ui/). `vite` (dev) proxies /api to an
 * Hourglass HTTP API (HOURGLASS_HTTP, default http://127.0.0.1:7243) and stubs the two JSON files the UI server
 * writes, so the app can be developed without it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const httpApi = process.env.HOURGLASS_HTTP ?? 'http://127.0.0.1:7243';

/** Dev only: /ui-config.json and /ui-clock.json as the UI server answers them (see the UI contract). */
function devUiFiles(): Plugin {
  return {
    name: 'hourglass-dev-ui-files',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const body =
          req.url === '/ui-config.json'
            ? { csrfToken: 'dev', codecEndpoint: process.env.HOURGLASS_CODEC ?? null, timeSkipping: false, serverVersion: 'dev', defaultNamespace: 'default' }
            : req.url === '/ui-clock.json'
              ? { now: new Date().toISOString(), timeSkipping: false }
              : undefined;
        if (body === undefined) return next();
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(body));
      });
    },
  };
}

export default defineConfig({
  root: uiRoot,
  base: '/',
  plugins: [devUiFiles()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)), emptyOutDir: true, assetsDir: 'assets' },
  server: { strictPort: true, proxy: { '/api': { target: httpApi, changeOrigin: true } } },
});
