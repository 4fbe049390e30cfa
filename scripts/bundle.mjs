// Bundles the compiled CLI (dist/main.js) and its dependencies into one file, dist/polo-ws.mjs,
// which bin/polo-ws.js runs. Why: loading some 250 separate modules (ours, zod's, undici's) cost
// about 0.1 s of CPU at every start, a tenth of a whole 200k-frame run (see bench/README.md).
// tsc still builds dist/ for the type check, the tests and the bench.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/polo-ws.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  // ws loads these native add-ons if they are installed and does without them otherwise.
  external: ['bufferutil', 'utf-8-validate'],
  // The CommonJS dependencies (ws, undici, commander) require() Node's built-in modules.
  banner: { js: "import { createRequire as polowsCreateRequire } from 'node:module';\nconst require = polowsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
