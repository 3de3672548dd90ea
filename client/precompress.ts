// Build step: writes a brotli (.br) and a gzip (.gz) copy beside every compressible built file, which the
// server's static handler sends to a browser that accepts them (server/app.ts: serveStatic `precompressed`).
// Compressed once at build time, not per request: the Univer chunk (~6 MB) goes out as ≈ 1.4 MB of brotli (≈ 1.7 MB of gzip)
// without the server spending CPU on it. node:zlib runs the work on libuv's thread pool, so the files
// compress in parallel.
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Plugin } from 'vite'

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

/** what is worth compressing: text formats (images and fonts here are already compressed) */
const COMPRESSIBLE = /\.(?:js|mjs|css|json|svg|txt|map|wasm)$/
/** below this a compressed copy saves less than a packet */
const MIN_BYTES = 1024
/**
 * Brotli quality 5: on the Univer chunk (5.99 MB) it gives 1.41 MB in 0.64 s, quality 9 1.36 MB in 1.33 s,
 * quality 11 1.23 MB in 11.7 s; the whole build (121 files, 11.4 MB, nearly all of it in assets/) compresses in ≈ 1.3 s at 5 against
 * ≈ 4.8 s at 9 (2026-12-04, this 2-core machine; bench/README.md → client assets).
 */
const BROTLI_QUALITY = 5

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(p)))
    else if (COMPRESSIBLE.test(entry.name)) out.push(p)
  }
  return out
}

/** Writes `<file>.br` and `<file>.gz` for every compressible file of `dir` when that saves bytes. */
export async function precompressDir(dir: string): Promise<{ files: number; bytes: number; brotliBytes: number; gzipBytes: number }> {
  const totals = { files: 0, bytes: 0, brotliBytes: 0, gzipBytes: 0 }
  await Promise.all(
    (await filesUnder(dir)).map(async (file) => {
      const raw = await readFile(file)
      if (raw.byteLength < MIN_BYTES) return
      const [br, gz] = await Promise.all([
        brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength } }),
        gzip(raw, { level: 9 }),
      ])
      // a copy that is not smaller is not written: the static handler then sends the file itself
      if (br.byteLength < raw.byteLength) await writeFile(`${file}.br`, br)
      if (gz.byteLength < raw.byteLength) await writeFile(`${file}.gz`, gz)
      totals.files++
      totals.bytes += raw.byteLength
      totals.brotliBytes += Math.min(br.byteLength, raw.byteLength)
      totals.gzipBytes += Math.min(gz.byteLength, raw.byteLength)
    }),
  )
  return totals
}

/**
 * The Vite plugin: after the bundle is written, compress its assets folder — the only files the server sends
 * precompressed (the pages' index.html is read and sent per request, the manifest is not served).
 */
export function precompress(): Plugin {
  let assetsDir = ''
  return {
    name: 'target-tables:precompress',
    apply: 'build',
    configResolved(config) {
      assetsDir = path.resolve(config.root, config.build.outDir, config.build.assetsDir)
    },
    async closeBundle() {
      await precompressDir(assetsDir)
    },
  }
}
