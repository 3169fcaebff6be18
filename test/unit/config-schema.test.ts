import { describe, expect, it } from 'vitest';
import { formatProblems, validateConfig } from '../../shared/config-schema';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const FP = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

function base(): any {
  return {
    hosts: {
      test: { hostname: '10.0.0.2', user: 'henry', hostKey: KEY },
      jump: { hostname: 'jump.example', port: 2222, user: 'henry', hostKey: FP, identityFile: '~/.ssh/id_ed25519' },
    },
    jobs: [
      { name: 'cvs', source: 'test', paths: ['/var/cvs_repository', '/etc'], holdingDir: '/var/BACKUPS', destination: { host: 'jump', path: '/backups' } },
    ],
  };
}

describe('config schema', () => {
  it('fills the documented defaults', () => {
    const r = validateConfig(base());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const job = r.config.jobs[0]!;
    expect(job).toMatchObject({ tunnelPort: 0, keepDays: 28, compression: 'bzip2', sudo: false, pack: true, schedule: '30 12 * * *' });
    expect(r.config.hosts.test!.port).toBe(22);
  });

  it('names the field and the bad value', () => {
    const cfg = base();
    cfg.jobs[0].tunnelPort = 80;
    cfg.hosts.test.port = '22';
    const r = validateConfig(cfg);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatProblems(r.problems);
    // The label a person knows, what is wrong and what is allowed, then the path and value for a config-file editor.
    expect(text).toContain('Job “cvs”: tunnel port must be 0 (let the source pick a free port) or 1024-65535 — jobs[0].tunnelPort = 80');
    expect(text).toContain('Host “test”: port must be a number — hosts.test.port = "22"');
    expect(r.problems.find((p) => p.field === 'hosts.test.port')).toEqual({
      field: 'hosts.test.port',
      value: '"22"',
      message: 'must be a number',
      label: 'Host “test”: port',
    });
  });

  it.each([
    ['relative path', (c: any) => (c.jobs[0].paths[0] = 'var/x'), 'Job “cvs”: path 1 must be an absolute path (start with "/") — jobs[0].paths[0] = "var/x"'],
    ['unknown host', (c: any) => (c.jobs[0].source = 'nope'), 'Job “cvs”: source host names no host in "hosts" — jobs[0].source = "nope"'],
    ['bad host key', (c: any) => (c.hosts.test.hostKey = 'ssh-ed25519'), 'Host “test”: host key must be an OpenSSH public key'],
    [
      'bad cron',
      (c: any) => (c.jobs[0].schedule = '61 12 * * *'),
      'Job “cvs”: schedule has the minute "61" out of range: it must be 0-59 — jobs[0].schedule = "61 12 * * *"',
    ],
    [
      'unknown field',
      (c: any) => (c.jobs[0].delete = true),
      'Job “cvs”: “delete” is an unknown field (a typing mistake, or a setting of another version?) — jobs[0].delete',
    ],
    ['colliding basenames', (c: any) => (c.jobs[0].paths = ['/a/etc', '/b/etc']), 'Job “cvs”: path 2 has the same last name "etc"'],
    [
      'proxy loop',
      (c: any) => {
        c.hosts.test.proxyJump = 'jump';
        c.hosts.jump.proxyJump = 'test';
      },
      'forms a loop of proxyJump hosts',
    ],
    ['missing user', (c: any) => delete c.hosts.jump.user, 'Host “jump”: user is required — hosts.jump.user = missing'],
    ['root as a path', (c: any) => (c.jobs[0].paths = ['/']), 'must not be the root directory'],
    ['a path with ..', (c: any) => (c.jobs[0].paths = ['/var/cvs/../../home/u/.ssh']), 'Job “cvs”: path 1 must be a plain absolute path'],
    ['a holding dir with //', (c: any) => (c.jobs[0].holdingDir = '/var//BACKUPS'), 'Job “cvs”: holding directory must be a plain absolute path'],
    ['a path with /./', (c: any) => (c.jobs[0].paths = ['/var/./cvs']), 'must be a plain absolute path'],
    [
      "a destination inside another job's mirrored one",
      (c: any) => c.jobs.push({ ...c.jobs[0], name: 'other', paths: ['/srv'], destination: { host: 'jump', path: '/backups/other' } }),
      'Job “other”: destination path is inside job "cvs"\'s destination, which its transfer mirrors with --delete',
    ],
  ])('rejects %s', (_, mutate, expected) => {
    const cfg = base();
    mutate(cfg);
    const r = validateConfig(cfg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblems(r.problems)).toContain(expected);
  });

  it('keeps a path with spaces, quotes and shell syntax as data', () => {
    const cfg = base();
    cfg.jobs[0].paths = ["/srv/it's here", '/tmp/x; touch /tmp/pwned'];
    const r = validateConfig(cfg);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.jobs[0]!.paths).toEqual(["/srv/it's here", '/tmp/x; touch /tmp/pwned']);
  });

  it.each([
    ['hosts.test.port', 99999, 'Host “test”: port must be between 1 and 65535 — hosts.test.port = 99999'],
    ['hosts.test.port', 'x', 'Host “test”: port must be a number'],
    ['jobs[0].keepDays', 0, 'Job “cvs”: days to keep must be between 1 and 36500'],
    ['jobs[0].bwlimitKiBps', -1, 'Job “cvs”: bandwidth limit must be 0 or more'],
    ['jobs[0].paths', [], 'Job “cvs”: paths needs at least one entry'],
    ['jobs[0].compression', 'rar', 'Job “cvs”: compression must be one of "bzip2", "gzip", "zstd"'],
    ['jobs[0].sudo', 'yes', 'Job “cvs”: sudo must be on or off (true or false)'],
    ['jobs[0].retention', { keepDaily: 0 }, 'Job “cvs”: daily backups kept must be 1 or more'],
    ['jobs[0].schedule', '30 25 * * *', 'Job “cvs”: schedule has the hour "25" out of range: it must be 0-23'],
    ['jobs[0].schedule', '* * * *', 'Job “cvs”: schedule has 4 fields; it needs 5'],
    ['jobs[0].schedule', 'x 12 * * *', 'Job “cvs”: schedule has the minute "x" which is not a number'],
    ['jobs[0].schedule', '0 12 * * 9', 'Job “cvs”: schedule has the weekday "9" out of range: it must be 0-7'],
    ['hosts', 5, 'hosts must be a group of named entries (a JSON object: name → settings)'],
  ])('words %s = %j for a person', (path, value, expected) => {
    const cfg = base();
    const keys = path.split(/[.[\]]+/).filter(Boolean);
    let at = cfg;
    for (const k of keys.slice(0, -1)) at = at[k];
    at[keys.at(-1)!] = value;
    const r = validateConfig(cfg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblems(r.problems)).toContain(expected);
    // Nothing of zod's own vocabulary reaches a person.
    if (!r.ok) expect(formatProblems(r.problems)).not.toMatch(/Invalid input|Too (big|small)|expected \w+ to/);
  });
});
