/**
 * The tokenizer (its o200k ranks take most of a second to load) is loaded only where tokens are
 * estimated: the recorder's analysis. The mock and the UI reach every adapter, and each adapter
 * has an `estimate`, so this checks that reaching an adapter does not load the tokenizer.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The packages a source module loads at run time, through its relative imports (types left out);
 * `dynamic: false` leaves out what `import()` loads later, on demand.
 */
function runtimePackages(entry: string, dynamic = true): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const todo = [path.join(root, entry)];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    const specs = [
      ...src.matchAll(/^\s*(?:import|export)(?!\s+type\b)[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
      ...src.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
      ...(dynamic ? src.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g) : []),
    ].map((m) => m[1] ?? '');
    for (const spec of specs) {
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec).replace(/\.js$/, '');
      const found = ['.ts', '.tsx'].map((ext) => base + ext).find((f) => existsSync(f));
      if (found) todo.push(found);
    }
  }
  return packages;
}

const TOKENIZER = 'gpt-tokenizer/encoding/o200k_base';

describe('the tokenizer is loaded only where tokens are estimated', () => {
  it('proxy/mock-server.ts does not load it at start, only on its first recording of a miss', () => {
    expect([...runtimePackages('proxy/mock-server.ts', false)]).not.toContain(TOKENIZER);
    expect([...runtimePackages('proxy/mock/record-miss.ts')]).toContain(TOKENIZER);
  });

  it.each([
    'shared/adapters/registry.ts',
    'shared/tool-calls/index.ts',
    'renderer/src/lib/messages.ts',
    'renderer/src/detail/CallOverview.tsx',
  ])('%s does not load it', (entry) => {
    expect([...runtimePackages(entry)]).not.toContain(TOKENIZER);
  });

  it('the recorder loads it, through its analysis', () => {
    expect([...runtimePackages('shared/providers/analyze.ts')]).toContain(TOKENIZER);
    expect([...runtimePackages('proxy/record-server.ts')]).toContain(TOKENIZER);
  });
});
