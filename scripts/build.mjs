// npm run build: esbuild compiles src/ to dist/ (one .js per .ts: the bench imports those modules)
// and bundles the CLI with its dependencies into one file, dist/polo-ws.mjs, which bin/polo-ws.js
// runs. Why one file: loading some 250 separate modules (ours, zod's, undici's) cost about 0.1 s of
// CPU at every start, a tenth of a whole 200k-frame run (see bench/README.md).
// esbuild does not type-check: `npm run typecheck` (part of `npm test`) checks src/ and test/ once
// with tsc; tsconfig.json's isolatedModules refuses what esbuild cannot compile file by file.
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const common = { platform: 'node', format: 'esm', target: 'node20.18', logLevel: 'warning' };
const sources = readdirSync('src', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `src/${file}`);

await Promise.all([
  build({ ...common, entryPoints: sources, outbase: 'src', outdir: 'dist', sourcemap: true }),
  build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile: 'dist/polo-ws.mjs',
    bundle: true,
    // ws loads these native add-ons if they are installed and does without them otherwise.
    external: ['bufferutil', 'utf-8-validate'],
    // The CommonJS dependencies (ws, undici, commander) require() Node's built-in modules.
    banner: { js: "import { createRequire as polowsCreateRequire } from 'node:module';\nconst require = polowsCreateRequire(import.meta.url);" },
  }),
]);
