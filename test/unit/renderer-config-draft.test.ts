import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config-schema';
import {
  documentFromDraft,
  draftFromDocument,
  draftProblems,
  mergeImportedHosts,
  newJob,
  parseLines,
  parseNumberInput,
  renameHost,
  withField,
} from '../../renderer/src/lib/config-draft';
import { problemsByField, problemsFor } from '../../renderer/src/lib/problems';

const doc = {
  version: 1,
  ssh: { readyTimeoutMs: 5000 },
  hosts: {
    test: { hostname: 'test.internal', user: 'henry' },
    jump: { hostname: 'jump.example', user: 'henry', proxyJump: 'test' },
  },
  jobs: [{ name: 'cvs', source: 'test', paths: ['/var/cvs'], holdingDir: '/var/BACKUPS', destination: { host: 'jump', path: '/backups' } }],
};

describe('renderer config draft', () => {
  it('round-trips a document, keeping keys the form does not edit', () => {
    expect(documentFromDraft(draftFromDocument(doc))).toEqual(doc);
    expect(documentFromDraft(draftFromDocument(null))).toEqual({ version: 1, hosts: {}, jobs: [] });
  });

  it('renaming a host moves the jobs and proxy jumps that name it', () => {
    const draft = draftFromDocument(doc);
    const uid = draft.hosts[0]!.uid;
    const out = documentFromDraft(renameHost(draft, uid, 'src')) as typeof doc & { hosts: Record<string, unknown> };
    expect(Object.keys(out.hosts)).toEqual(['src', 'jump']);
    expect(out.jobs[0]!.source).toBe('src');
    expect((out.hosts.jump as { proxyJump: string }).proxyJump).toBe('src');
    expect(validateConfig(out).ok).toBe(true);
  });

  it('a rename onto a taken name moves no reference and is reported', () => {
    const draft = draftFromDocument(doc);
    const renamed = renameHost(draft, draft.hosts[0]!.uid, 'jump');
    expect(renamed.jobs[0]!.job.source).toBe('test');
    expect(draftProblems(renamed)).toEqual([{ field: 'hosts.jump', value: '"jump"', message: 'is the name of another host too' }]);
  });

  it('blank optional fields are left out; numbers parse, other text stays for the schema to name', () => {
    expect(withField({ a: 1, b: 2 }, 'b', '')).toEqual({ a: 1 });
    expect(withField({ a: 1 }, 'b', 'x')).toEqual({ a: 1, b: 'x' });
    expect(parseNumberInput(' 2222 ')).toBe(2222);
    expect(parseNumberInput('')).toBeUndefined();
    expect(parseNumberInput('22a')).toBe('22a');
    expect(parseLines('/a\n\n  /b  \n')).toEqual(['/a', '/b']);
  });

  it('a new job is a snapshot job (gzip should it become an archive one); a job without a format stays archive + bzip2', () => {
    const job = newJob(draftFromDocument(doc)).job;
    expect(job).toMatchObject({ name: 'backup', source: 'test', format: 'snapshot', compression: 'gzip', schedule: '30 12 * * *' });
    const old = validateConfig(doc);
    expect(old.ok && old.config.jobs[0]).toMatchObject({ format: 'archive', compression: 'bzip2' });
  });

  it('imported hosts are added, existing names kept as they are', () => {
    const { document, added, skipped } = mergeImportedHosts(doc, [
      { name: 'test', hostname: 'other', port: 22, user: 'x' },
      { name: 'nas', hostname: 'nas.lan', port: 2222, hostKey: 'ssh-ed25519 AAAA' },
    ]);
    expect(added).toEqual(['nas']);
    expect(skipped).toEqual(['test']);
    const hosts = document.hosts as Record<string, unknown>;
    expect(hosts.test).toEqual(doc.hosts.test);
    expect(hosts.nas).toEqual({ hostname: 'nas.lan', port: 2222, hostKey: 'ssh-ed25519 AAAA' });
    expect(mergeImportedHosts(null, [{ name: 'toString', hostname: 'h', port: 22 }]).added).toEqual(['toString']);
  });
});

describe('renderer problems by field', () => {
  it('files each schema problem under its field path', () => {
    const bad = { ...doc, jobs: [{ ...doc.jobs[0]!, schedule: 'nope', paths: ['/a/x', '/b/x'] }] };
    const result = validateConfig(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const map = problemsByField(result.problems);
    expect(problemsFor(map, 'jobs[0].schedule')[0]).toMatch(/^Schedule has 1 field; it needs 5: minute, hour, .* \(it is "nope"\)$/);
    expect(problemsFor(map, 'jobs[0].paths')).toEqual([]);
    expect(problemsFor(map, 'jobs[0].paths', true)).toEqual([expect.stringMatching(/^Path 2 has the same last name "x"/)]);
    expect(
      problemsFor(
        problemsByField([
          { field: 'a', value: '""', message: 'm1' },
          { field: 'a', value: '""', message: 'm2' },
        ]),
        'a',
      ),
    ).toEqual(['m1; m2']);
    expect(problemsFor(problemsByField([{ field: 'a', value: '22', message: 'too low' }]), 'a')).toEqual(['too low (it is 22)']);
  });

  it('a problem naming several fields is filed under each', () => {
    const map = problemsByField([{ field: 'jobs[0].foo, jobs[0].bar', message: 'unknown fields' }]);
    expect(problemsFor(map, 'jobs[0].foo')).toEqual(['unknown fields']);
    expect(problemsFor(map, 'jobs[0].bar')).toEqual(['unknown fields']);
    expect(problemsFor(map, 'jobs[0]', true)).toEqual(['foo: unknown fields', 'bar: unknown fields']);
  });
});
