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
    expect(text).toContain('jobs[0].tunnelPort = 80: must be 0');
    expect(text).toContain('hosts.test.port = "22"');
  });

  it.each([
    ['relative path', (c: any) => (c.jobs[0].paths[0] = 'var/x'), 'jobs[0].paths[0] = "var/x": must be an absolute path'],
    ['unknown host', (c: any) => (c.jobs[0].source = 'nope'), 'jobs[0].source = "nope": names no host'],
    ['bad host key', (c: any) => (c.hosts.test.hostKey = 'ssh-ed25519'), 'hosts.test.hostKey = "ssh-ed25519": must be an OpenSSH public key'],
    ['bad cron', (c: any) => (c.jobs[0].schedule = '61 12 * * *'), 'jobs[0].schedule = "61 12 * * *": must be a 5-field cron'],
    ['unknown field', (c: any) => (c.jobs[0].delete = true), 'jobs[0].delete: unknown field'],
    ['colliding basenames', (c: any) => (c.jobs[0].paths = ['/a/etc', '/b/etc']), 'jobs[0].paths[1] = "/b/etc": has the same last name "etc"'],
    [
      'proxy loop',
      (c: any) => {
        c.hosts.test.proxyJump = 'jump';
        c.hosts.jump.proxyJump = 'test';
      },
      'forms a loop of proxyJump hosts',
    ],
    ['missing user', (c: any) => delete c.hosts.jump.user, 'hosts.jump.user = missing'],
    ['root as a path', (c: any) => (c.jobs[0].paths = ['/']), 'must not be the root directory'],
    [
      'a path with ..',
      (c: any) => (c.jobs[0].paths = ['/var/cvs/../../home/u/.ssh']),
      'jobs[0].paths[0] = "/var/cvs/../../home/u/.ssh": must be a plain absolute path',
    ],
    ['a holding dir with //', (c: any) => (c.jobs[0].holdingDir = '/var//BACKUPS'), 'jobs[0].holdingDir = "/var//BACKUPS": must be a plain absolute path'],
    ['a path with /./', (c: any) => (c.jobs[0].paths = ['/var/./cvs']), 'must be a plain absolute path'],
    [
      "a destination inside another job's mirrored one",
      (c: any) => c.jobs.push({ ...c.jobs[0], name: 'other', paths: ['/srv'], destination: { host: 'jump', path: '/backups/other' } }),
      'jobs[1].destination.path = "/backups/other": is inside job "cvs"\'s destination, which its transfer mirrors with --delete',
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
});
