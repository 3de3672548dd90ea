// Vite build of the browser client: root client/, output dist/client. The editor route and the
// dev route are dynamic imports, so /login and /tables load without the Univer bundle.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { precompress } from './precompress.ts'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  base: '/',
  appType: 'spa',
  // .br and .gz beside each built file, sent by the server to browsers that accept them
  plugins: [precompress()],
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    // Univer's core chunk is ~6 MB raw by itself; it is lazy, so the warning says nothing useful
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    // .vite/manifest.json: the chunk graph, used by bench/grid.ts to size each route
    manifest: true,
    rollupOptions: {
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return // radix-ui's "use client", meaningless here
        warn(warning)
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    // the client imports shared/ (model, ydoc, rules) and, on the dev route, shared/domain/samples
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
      '/collab': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
})
