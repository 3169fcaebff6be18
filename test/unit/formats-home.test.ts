/**
 * The storage format has one home (electron/engine/formats/): nothing else
 * tests a job's format by name, a format missing a method does not compile,
 * and the engine's modules import each other without a runtime cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FORMAT_NAMES, FORMATS } from '../../shared/formats';
import { STORAGE_FORMATS } from '../../electron/engine/formats';
import { archiveFormat } from '../../electron/engine/formats/archive';
import type { StorageFormat } from '../../electron/engine/formats/storage-format';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return name === 'node_modules' ? [] : sources(rel);
    return /\.(ts|tsx)$/.test(name) ? [rel] : [];
  });
}

describe('the storage format has one home', () => {
  it('registers every format named in shared/, under its own name', () => {
    expect(Object.keys(STORAGE_FORMATS).sort()).toEqual([...FORMAT_NAMES].sort());
    for (const [name, format] of Object.entries(STORAGE_FORMATS)) expect(format.name).toBe(name);
    expect(Object.keys(FORMATS).sort()).toEqual([...FORMAT_NAMES].sort());
  });

  it("nothing outside electron/engine/formats/ compares a job's format with a name", () => {
    const offenders: string[] = [];
    const pattern = /(format|Format)\)?\s*[!=]==?\s*'(archive|snapshot)'|'(archive|snapshot)'\s*[!=]==?\s*\S*format/;
    for (const file of [...sources('electron'), ...sources('shared'), ...sources('renderer/src')]) {
      if (file.startsWith(join('electron', 'engine', 'formats'))) continue;
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (pattern.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('a third format must implement every method (checked by the type checker in npm test)', () => {
    const tape = {
      name: 'archive' as const,
      pack: archiveFormat.pack,
      pruneSource: archiveFormat.pruneSource,
    };
    // @ts-expect-error: a format with only pack and pruneSource lacks guard, transfer, verify, cleanSource, cleanDestination, pruneDestination, list, browse, search, verifyStored and restore
    const incomplete: StorageFormat = tape;
    expect(incomplete.pack).toBe(archiveFormat.pack);
    expectTypeOf(archiveFormat).toMatchTypeOf<StorageFormat>();
    expectTypeOf<keyof StorageFormat>().toEqualTypeOf<
      | 'name'
      | 'pack'
      | 'pruneSource'
      | 'guard'
      | 'transfer'
      | 'verify'
      | 'cleanSource'
      | 'cleanDestination'
      | 'pruneDestination'
      | 'countStored'
      | 'setUpCreates'
      | 'list'
      | 'browse'
      | 'search'
      | 'verifyStored'
      | 'restore'
    >();
  });
});

it('the engine and shared code import each other without a runtime cycle (type-only imports aside)', async () => {
  const graph = await madge([join(root, 'electron'), join(root, 'shared')], {
    baseDir: root,
    fileExtensions: ['ts'],
    tsConfig: join(root, 'tsconfig.node.json'),
    excludeRegExp: [/node_modules/, /\.d\.ts$/],
    detectiveOptions: { ts: { skipTypeImports: true }, es6: { skipTypeImports: true } },
  });
  expect(Object.keys(graph.obj()).length).toBeGreaterThan(100);
  expect(graph.circular()).toEqual([]);
}, 60_000);
