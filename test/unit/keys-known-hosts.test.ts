/**
 * Pins from known_hosts (plain, hashed by ssh-keygen -H, [host]:port,
 * patterns, markers) and hosts from ssh_config, merged into a config.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../electron/engine/config-file';
import { entryMatches, findPin, findPins, hashKnownHostsName, knownHostsName, parseKnownHosts } from '../../electron/engine/keys/known-hosts';
import { mergeHostsIntoConfig, mergeHostsIntoConfigText } from '../../electron/engine/keys/merge-hosts';
import { hostsFromSshConfig, importSshConfigWithPins, withKnownHostsPins } from '../../electron/engine/ssh-config-import';

const dir = mkdtempSync(join(tmpdir(), 'burrow-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Distinct valid-looking key blobs (the parser never decodes them). */
const ED = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(n).padStart(2, '0')}${'A'.repeat(41)}`;
const RSA = (n: number) => `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${String(n).padStart(2, '0')}${'B'.repeat(40)}`;

const PLAIN = [
  '# a comment, then a blank line',
  '',
  `test.internal,10.0.0.5 ${RSA(1)}`,
  `test.internal ${ED(2)} henry@laptop`,
  `[jump.example]:2222 ${ED(3)}`,
  `jump.example ${ED(4)}`,
  `*.lan,!evil.lan ${ED(5)}`,
  `@cert-authority *.corp ${ED(6)}`,
  `old.host ${ED(7)}`,
  `@revoked * ${ED(7)}`,
  `@unknown-marker weird.host ${ED(8)}`,
  'broken line',
].join('\n');

describe('parseKnownHosts and findPin', () => {
  it('reads host lists, ports, markers and comments', () => {
    const entries = parseKnownHosts(PLAIN);
    expect(entries.map((e) => [e.line, e.hosts, e.marker ?? ''])).toEqual([
      [3, 'test.internal,10.0.0.5', ''],
      [4, 'test.internal', ''],
      [5, '[jump.example]:2222', ''],
      [6, 'jump.example', ''],
      [7, '*.lan,!evil.lan', ''],
      [8, '*.corp', 'cert-authority'],
      [9, 'old.host', ''],
      [10, '*', 'revoked'],
    ]);
    expect(entries[1]!.comment).toBe('henry@laptop');
  });

  it('finds the pin of a host on port 22 and on another port, preferring ed25519', () => {
    expect(findPins(PLAIN, 'test.internal')).toEqual([ED(2), RSA(1)]);
    expect(findPin(PLAIN, 'test.internal')).toBe(ED(2));
    expect(findPin(PLAIN, '10.0.0.5')).toBe(RSA(1));
    expect(findPin(PLAIN, 'jump.example', 2222)).toBe(ED(3));
    expect(findPin(PLAIN, 'jump.example')).toBe(ED(4));
    expect(findPin(PLAIN, 'test.internal', 2222)).toBeUndefined();
    expect(findPin(PLAIN, 'TEST.internal')).toBe(ED(2));
  });

  it('honours wildcards and negation, and never returns a CA key or a revoked key', () => {
    expect(findPin(PLAIN, 'nas.lan')).toBe(ED(5));
    expect(findPin(PLAIN, 'evil.lan')).toBeUndefined();
    expect(findPin(PLAIN, 'build.corp')).toBeUndefined();
    expect(findPin(PLAIN, 'old.host')).toBeUndefined();
    expect(findPin(PLAIN, 'weird.host')).toBeUndefined();
  });

  it('matches lines hashed by ssh-keygen -H, with and without a port', () => {
    const path = join(dir, 'known_hosts');
    // ssh-keygen -H refuses a file with lines it cannot read (the broken one, the unknown marker).
    writeFileSync(
      path,
      `${PLAIN.split('\n')
        .filter((l) => !/^broken|^@unknown/.test(l))
        .join('\n')}\n`,
    );
    execFileSync('ssh-keygen', ['-H', '-f', path], { stdio: 'ignore' });
    const hashed = readFileSync(path, 'utf8');
    expect(hashed).not.toContain('test.internal');
    expect(hashed).toContain('|1|');
    expect(findPins(hashed, 'test.internal')).toEqual([ED(2), RSA(1)]);
    expect(findPin(hashed, 'jump.example', 2222)).toBe(ED(3));
    expect(findPin(hashed, 'jump.example')).toBe(ED(4));
    expect(findPin(hashed, 'other.example')).toBeUndefined();
  });

  it('hashes names the way ssh-keygen looks them up', () => {
    const path = join(dir, 'ours');
    writeFileSync(path, `${hashKnownHostsName(knownHostsName('box.example', 2200))} ${ED(9)}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[box.example]:2200', '-f', path], { encoding: 'utf8' });
    expect(found).toContain(ED(9));
    const [entry] = parseKnownHosts(readFileSync(path, 'utf8'));
    expect(entry!.hashed).toBe(true);
    expect(entryMatches(entry!, 'box.example', 2200)).toBe(true);
    expect(entryMatches(entry!, 'box.example')).toBe(false);
  });
});

const SSH_CONFIG = `
Host test
  HostName test.internal
  User henry
  IdentityFile ~/.ssh/id_test
Host jump
  HostName jump.example
  Port 2222
  User backup
Host behind
  HostName 192.168.7.9
  ProxyJump jump
Host odd
  HostName odd.example
  ProxyJump someone@elsewhere:2022
Host *
  User fallback
`;

describe('ssh_config import with known_hosts pins', () => {
  it('produces each concrete host with what ssh would use and the pin known_hosts has for it', () => {
    const hosts = withKnownHostsPins(hostsFromSshConfig(SSH_CONFIG), PLAIN);
    expect(hosts).toEqual([
      { name: 'test', hostname: 'test.internal', port: 22, user: 'henry', identityFile: '~/.ssh/id_test', hostKey: ED(2) },
      { name: 'jump', hostname: 'jump.example', port: 2222, user: 'backup', hostKey: ED(3) },
      { name: 'behind', hostname: '192.168.7.9', port: 22, user: 'fallback', proxyJump: 'jump' },
      { name: 'odd', hostname: 'odd.example', port: 22, user: 'fallback', proxyJump: 'someone@elsewhere:2022' },
    ]);
  });

  it('reads the files, skipping a known_hosts that does not exist', async () => {
    writeFileSync(join(dir, 'config'), SSH_CONFIG);
    writeFileSync(join(dir, 'kh'), PLAIN);
    const r = await importSshConfigWithPins(join(dir, 'config'), [join(dir, 'missing'), join(dir, 'kh')]);
    expect(r.knownHosts).toEqual([join(dir, 'kh')]);
    expect(r.hosts.find((h) => h.name === 'jump')?.hostKey).toBe(ED(3));
  });

  it('merges new hosts into a config, keeping existing ones and what the schema refuses out', async () => {
    const existing = JSON.stringify({ hosts: { test: { hostname: 'other', user: 'x' } }, jobs: [] });
    const hosts = withKnownHostsPins(hostsFromSshConfig(SSH_CONFIG), PLAIN);
    const bad = { name: 'spaces', hostname: 'a b', port: 22 };
    const { text, report } = mergeHostsIntoConfigText(existing, [...hosts, bad], 'me');
    expect(report.added).toEqual(['jump', 'behind', 'odd']);
    expect(report.kept).toEqual(['test']);
    expect(report.skipped).toEqual([{ name: 'spaces', reason: expect.stringContaining('hostname') }]);
    expect(report.notes).toEqual(['odd: ProxyJump someone@elsewhere:2022 is not a host Burrow knows; left out']);
    const config = parseConfigText(text, 'merged');
    expect(config.hosts.test).toEqual({ hostname: 'other', port: 22, user: 'x' });
    expect(config.hosts.jump).toEqual({ hostname: 'jump.example', port: 2222, user: 'backup', hostKey: ED(3) });
    expect(config.hosts.behind).toMatchObject({ proxyJump: 'jump', user: 'fallback' });
    expect(config.hosts.odd?.proxyJump).toBeUndefined();

    const path = join(dir, 'burrow', 'config.json');
    const written = await mergeHostsIntoConfig(path, hosts);
    expect(written.added).toEqual(['test', 'jump', 'behind', 'odd']);
    expect(Object.keys(parseConfigText(readFileSync(path, 'utf8'), path).hosts)).toEqual(['test', 'jump', 'behind', 'odd']);
  });
});
