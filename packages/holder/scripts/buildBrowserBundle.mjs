#!/usr/bin/env node
// Builds the browser bundle of the wallet SDK with esbuild, from the compiled output (run
// `npx tsc -b` first): dist/browser/holder.js, one ES module. The bundle opens wallets on
// IndexedDB and WebCrypto (src/browser/browserPlatform.ts takes the place of
// src/node/nodePlatform.ts); node's built-ins get the stand-ins of scripts/browser/nodeBuiltins.cjs.
// Prints the bundle's size; returns it with the files that went in.
import { statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Swaps the platform, and routes node's built-ins to the stand-ins. */
const browserPlatform = {
  name: 'attesto-browser-platform',
  setup(builder) {
    builder.onResolve({ filter: /\/node\/nodePlatform\.js$/ }, () => ({
      path: join(root, 'dist/src/browser/browserPlatform.js'),
    }))
    builder.onResolve({ filter: /^node:/ }, () => ({ path: join(root, 'scripts/browser/nodeBuiltins.cjs') }))
  },
}

export async function buildBrowserBundle(outfile = join(root, 'dist/browser/holder.js')) {
  const result = await build({
    entryPoints: [join(root, 'dist/src/index.js')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    inject: [join(root, 'scripts/browser/globals.js')],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [browserPlatform],
    metafile: true,
  })
  const inputs = Object.keys(result.metafile.inputs)
  return { outfile, bytes: statSync(outfile).size, inputs }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildBrowserBundle()
  console.log(`${outfile}: ${(bytes / 1024 / 1024).toFixed(2)} MiB`)
}
