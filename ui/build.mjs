// Builds the admin web UI into dist/ (index.html, app.js, app.css) with esbuild and prints the
// gzipped size. dist/ is committed, so `make run` and the packages work without Node.js; this
// script runs from `make` when Node.js is there, and always from the package build.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src/main.jsx') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src/index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'src/favicon.svg'), join(out, 'favicon.svg'));
let raw = 0;
let gz = 0;
for (const f of readdirSync(out)) {
  const data = readFileSync(join(out, f));
  raw += data.length;
  gz += gzipSync(data, { level: 9 }).length;
}
console.log(`ui: dist/ ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
