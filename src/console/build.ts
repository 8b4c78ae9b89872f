/**
 * Builds the web console into dist/console (part of `npm run build`, so Azure's remote build makes
 * it too): esbuild bundles the Preact app and uPlot into one script and one stylesheet, and the
 * page is copied next to them. esbuild because it bundles TSX with no configuration and in well
 * under a second, with no plugin chain to keep up to date.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const source = path.dirname(fileURLToPath(import.meta.url)).replace(`${path.sep}dist${path.sep}src${path.sep}`, `${path.sep}src${path.sep}`);
const root = path.resolve(source, '..', '..');
const out = path.join(root, 'dist', 'console');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: path.join(root, 'src', 'console', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  // Shared modules (run-options, dataset-name) read settings from process.env only when called with no env.
  define: { 'process.env': '{}' },
  logLevel: 'warning',
  plugins: [
    {
      // run-id.ts hashes names with node:crypto. The console runs the options parser only for its
      // problems (the names it derives are never shown or sent), so a constant digest stands in.
      name: 'no-node-crypto',
      setup(b) {
        b.onResolve({ filter: /^node:crypto$/ }, () => ({ path: 'node:crypto', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
          contents: "export function createHash() { const h = { update: () => h, digest: () => '0'.repeat(64) }; return h; }",
          loader: 'js',
        }));
      },
    },
  ],
});
await copyFile(path.join(root, 'src', 'console', 'index.html'), path.join(out, 'index.html'));
