import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way, down the pipeline: cli -> feed -> output/book -> protocol -> markets,
 * with leaves (errors, printable, backoff) any layer may use. A cycle, type-only imports included,
 * fails here.
 */
const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's relative imports (and re-exports), type-only ones too, as paths under src/. */
function importGraph(): Map<string, string[]> {
  const files = sourceFiles(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) => resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')));
    graph.set(relative(SRC, file), targets.filter((t) => files.includes(t)).map((t) => relative(SRC, t)));
  }
  return graph;
}

/** The strongly connected parts with more than one member (Tarjan): the cycles. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const part: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) part.push(w);
    if (part.length > 1) out.push(part.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The folder of a file under src/ (a top-level file is its own "folder"). */
const folderOf = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : file.replace(/\.ts$/, ''));

describe('the import graph of src/', () => {
  it('has no cycle between files', () => {
    expect(cycles(importGraph())).toEqual([]);
  });

  it('has no cycle between folders, and the pipeline layers point down', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of importGraph()) {
      for (const target of targets) {
        const from = folderOf(file);
        const to = folderOf(target);
        if (from !== to) folders.set(from, (folders.get(from) ?? new Set()).add(to));
      }
    }
    expect(cycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([]);
    const rank: Record<string, number> = { cli: 5, watch: 4, feed: 4, bus: 3, output: 3, book: 3, protocol: 2, markets: 1 };
    for (const [from, targets] of folders) {
      for (const to of targets) {
        if (rank[from] !== undefined && rank[to] !== undefined) expect(rank[to], `${from} -> ${to}`).toBeLessThanOrEqual(rank[from] as number);
      }
    }
  });

  it('finds the imports it checks (a broken scan would pass vacuously)', () => {
    const graph = importGraph();
    expect(graph.get('feed/session.ts')).toContain('feed/chain.ts');
    expect(graph.get('feed/chain.ts')).toContain('feed/pipeline.ts');
    expect(graph.get('protocol/types.ts')).toContain('markets/market-map.ts');
  });
});
