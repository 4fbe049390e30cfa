// npm run build: esbuild compiles src/ to dist/ (one .js per .ts: the bench imports those modules)
// and bundles the CLI with its dependencies into dist/polo-ws.mjs, which bin/polo-ws.js runs. Why a
// bundle: loading some 250 separate modules (ours, zod's, undici's) cost about 0.1 s of CPU at every
// start, a tenth of a whole 200k-frame run (see bench/README.md).
// What only some runs need is split off into dist/chunks/ and loaded by the import() that needs it:
// NATS (--publish, subscribe), the simulator (simulate, demo), watch, replay and --record. A stream
// then parses 2.2 MB, not 2.8 (--help 0.17 -> 0.16 s of CPU); the other chunks it loads are those
// esbuild makes of the code it shares with them, a dozen files in one folder (about 1 ms). undici
// stays on that path although --help and replay do without it: imported later, the Node built-ins
// it requires would compile after src/main.ts has set V8 flags, which voids Node's code cache for
// them (12 ms more a stream, 35 ms less for --help).
// esbuild does not type-check: `npm run typecheck` (part of `npm test`) checks src/ and test/ once
// with tsc; tsconfig.json's isolatedModules refuses what esbuild cannot compile file by file.
import { readdirSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';

const common = { platform: 'node', format: 'esm', target: 'node20.18', logLevel: 'warning' };
const sources = readdirSync('src', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => `src/${file}`);
const CHUNKS = 'dist/chunks';

const [, bundle] = await Promise.all([
  build({ ...common, entryPoints: sources, outbase: 'src', outdir: 'dist', sourcemap: true }),
  build({
    ...common,
    entryPoints: { 'polo-ws': 'src/main.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    metafile: true,
    // ws loads these native add-ons if they are installed and does without them otherwise.
    external: ['bufferutil', 'utf-8-validate'],
    // The CommonJS dependencies (ws, undici, commander) require() Node's built-in modules; each
    // chunk gets its own require, as the code esbuild moves into a chunk may be one of them.
    banner: { js: "import { createRequire as polowsCreateRequire } from 'node:module';\nconst require = polowsCreateRequire(import.meta.url);" },
  }),
]);

// Chunks of earlier builds (their names carry a hash of their content) would ship with the package.
const written = new Set(Object.keys(bundle.metafile.outputs).map((path) => relative(CHUNKS, path)));
for (const file of readdirSync(CHUNKS)) if (!written.has(file)) rmSync(`${CHUNKS}/${file}`);
