/** What Settings says before a save moves a job's destination or changes its format. */
import { describe, expect, it } from 'vitest';
import { destinationChanges } from '../../renderer/src/lib/destination-changes';

describe('Settings before a save', () => {
  const doc = (format: string, path: string) => ({ jobs: [{ name: 'cvs', format, destination: { host: 'jump', path } }] });
  it("says what happens to existing backups when a job's format or destination changes, and nothing otherwise", () => {
    expect(destinationChanges(doc('archive', '/b'), doc('archive', '/b'))).toEqual([]);
    expect(destinationChanges(undefined, doc('archive', '/b'))).toEqual([]);
    const format = destinationChanges(doc('archive', '/b'), doc('snapshot', '/b'));
    expect(format).toHaveLength(1);
    expect(format[0]).toMatch(/changes from archive to snapshot .* stay as they are.*Set up destination/);
    const moved = destinationChanges(doc('archive', '/b'), doc('archive', '/c'));
    expect(moved[0]).toMatch(/moves from jump:\/b to jump:\/c: the backups at jump:\/b stay there/);
  });
});
