/**
 * Property tests over the config schema: any JSON at all is either accepted
 * or rejected with messages that each name a field. Nothing throws.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config-schema';
import { ConfigError, loadConfig } from '../../electron/engine/config-file';
import { keepAsideIfBroken } from '../../electron/engine/app/app-service';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

/** Configs that are nearly right: real field names with arbitrary values. */
const nearlyValid = fc.record(
  {
    hosts: fc.dictionary(
      fc.constantFrom('a', 'b', 'bad name'),
      fc.record({ hostname: fc.jsonValue(), user: fc.jsonValue(), port: fc.jsonValue(), hostKey: fc.constantFrom(KEY, 'x', 7) }, { requiredKeys: [] }),
    ),
    jobs: fc.array(
      fc.record(
        {
          name: fc.jsonValue(),
          source: fc.constantFrom('a', 'b', 'c'),
          paths: fc.jsonValue(),
          holdingDir: fc.jsonValue(),
          destination: fc.jsonValue(),
          tunnelPort: fc.jsonValue(),
          schedule: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

describe('config schema properties', () => {
  it('any JSON value is accepted, or rejected with every problem naming a field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearlyValid), (value) => {
        const r = validateConfig(value);
        if (r.ok) {
          expect(typeof r.config.hosts).toBe('object');
          return;
        }
        expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) {
          expect(p.field.length).toBeGreaterThan(0);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a corrupt config file gives a clear error, and a save keeps the broken file aside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-cfg-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"hosts": {"a": ');
    const err = await loadConfig(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^invalid config .*config\.json:\n\(file\): not valid JSON/);
    const aside = await keepAsideIfBroken(path);
    expect(aside).toBeDefined();
    expect(readFileSync(aside!, 'utf8')).toBe('{"hosts": {"a": ');
    expect(readdirSync(dir).sort()).toEqual(['config.json', aside!.slice(dir.length + 1)].sort());
  });
});
